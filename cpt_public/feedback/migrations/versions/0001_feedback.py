"""Create the feedback table.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("submission_id", sa.String(36), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("station", sa.String(64)),
        sa.Column("event", sa.String(64)),
        sa.Column("reflects", sa.String(16)),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("redactions", sa.Integer(), nullable=False),
        sa.Column("connection", sa.String(32)),
        sa.Column("language", sa.String(8), nullable=False),
    )
    op.create_index("ix_feedback_station", "feedback", ["station"])


def downgrade() -> None:
    op.drop_index("ix_feedback_station", table_name="feedback")
    op.drop_table("feedback")
