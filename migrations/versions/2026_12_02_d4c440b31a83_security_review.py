"""Security review (issue 13): each case keeps the model it billed; revocable sessions; API
keys scoped to their own cases or their programme; no signer names or DNIs left in the
audit trail.

Revision ID: d4c440b31a83
Revises: 32baa1a2ab9c
Create Date: 2026-12-02 07:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4c440b31a83'
down_revision = '32baa1a2ab9c'
branch_labels = None
depends_on = None


def upgrade():
    # The audit trail is append-only for the app; this one-off redaction removes the signers'
    # names and DNIs that earlier versions wrote into its notes (they stay on the job and the
    # repair record, where anonymisation reaches them).
    op.execute(
        "UPDATE audit_event SET note = 'Firma registrada' "
        "WHERE note LIKE 'Firmó %' AND note LIKE '%(DNI %'"
    )
    op.execute(
        "UPDATE audit_event SET note = 'Recogido en mostrador con firma' "
        "WHERE note LIKE 'Recogido por %' AND note LIKE '%(DNI %'"
    )
    # API keys' programme (what a key reads beyond the cases it opened) is
    # api_client.programme_id, added by the programmes revision (fdc8f4c769c9).
    # Sessions and remember-me cookies carry the user's token; existing ones (without a token)
    # end, and each user gets a token at their next login.
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('session_token_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('warranty_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_model', sa.String(length=60), nullable=True))
    # Existing cases: the unit's model as it stands now (the best record there is).
    op.execute(
        "UPDATE warranty_case SET unit_model = "
        "(SELECT unit.model FROM unit WHERE unit.id = warranty_case.unit_id)"
    )


def downgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('session_token_at')
        batch_op.drop_column('session_token')
    with op.batch_alter_table('warranty_case', schema=None) as batch_op:
        batch_op.drop_column('unit_model')
