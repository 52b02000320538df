"""Security review (issue 13): each case keeps the model it billed; revocable sessions; API
keys scoped to their own cases or a granted programme; no signer names or DNIs left in the
audit trail.

Revision ID: d4c440b31a83
Revises: 182f8ed8b1ad
Create Date: 2026-12-02 07:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4c440b31a83'
down_revision = '182f8ed8b1ad'
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
    with op.batch_alter_table('api_client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_api_client_programme_id_programme'), 'programme', ['programme_id'], ['id']
        )
    # A key that opened cases keeps reading its programme's (the Call Center's); a key that
    # never opened one reads nothing more until an explicit grant.
    op.execute(
        "UPDATE api_client SET programme_id = (SELECT min(warranty_case.programme_id) "
        "FROM warranty_case WHERE warranty_case.created_by_api_client_id = api_client.id)"
    )
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
    with op.batch_alter_table('api_client', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_client_programme_id_programme'), type_='foreignkey')
        batch_op.drop_column('programme_id')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('session_token_at')
        batch_op.drop_column('session_token')
    with op.batch_alter_table('warranty_case', schema=None) as batch_op:
        batch_op.drop_column('unit_model')
