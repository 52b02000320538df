"""unplanned job reasons kept with the day's plan

Revision ID: 7c1e5a9d2f40
Revises: 182f8ed8b1ad
Create Date: 2026-12-02 07:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7c1e5a9d2f40"
down_revision = "182f8ed8b1ad"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "unplanned_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["job.id"], name=op.f("fk_unplanned_job_job_id_job")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unplanned_job")),
        sa.UniqueConstraint("day", "job_id", name=op.f("uq_unplanned_job_day")),
    )
    with op.batch_alter_table("unplanned_job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unplanned_job_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_unplanned_job_job_id"), ["job_id"], unique=False)


def downgrade():
    with op.batch_alter_table("unplanned_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unplanned_job_job_id"))
        batch_op.drop_index(batch_op.f("ix_unplanned_job_day"))
    op.drop_table("unplanned_job")
