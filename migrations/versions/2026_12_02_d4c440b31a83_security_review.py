"""Security review (issue 13): each case keeps the model it billed; revocable sessions.

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
