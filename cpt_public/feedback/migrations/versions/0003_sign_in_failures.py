"""Failed staff sign-ins, shared by every app process (the lockout counts them across processes).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
    )
    op.create_index("ix_sign_in_failures_user_at", "sign_in_failures", ["user_name", "at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_failures_user_at", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
