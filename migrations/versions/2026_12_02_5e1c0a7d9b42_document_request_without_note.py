"""Document requests lose their note: it held the reason of a manual correction, and manual
corrections (documents.correct, which no page used) are gone (issue 15).

Revision ID: 5e1c0a7d9b42
Revises: d4c440b31a83
Create Date: 2026-12-02 11:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1c0a7d9b42'
down_revision = 'd4c440b31a83'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('document_request', schema=None) as batch_op:
        batch_op.drop_column('note')


def downgrade():
    with op.batch_alter_table('document_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
