"""Moderation, quote consent, one answer per session and station, the codebook and coding,
events, published snapshots, the audit log, limits per client, sign-in failures per client.
Staff's free-text theme tags (0002) become codes in the codebook, applied to whole comments.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NOW = sa.text("CURRENT_TIMESTAMP")


def upgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="new"))
        batch.add_column(sa.Column("quote_ok", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("quote_chosen", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("answer_key", sa.String(64)))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True)))
    op.create_index("ix_feedback_status_created", "feedback", ["status", "created_at"])
    op.create_index("ix_feedback_answer_key", "feedback", ["answer_key"])
    op.create_table(
        "codes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name_en", sa.String(80), nullable=False, unique=True),
        sa.Column("name_es", sa.String(80), nullable=False, server_default=""),
        sa.Column("definition_en", sa.Text(), nullable=False, server_default=""),
        sa.Column("definition_es", sa.Text(), nullable=False, server_default=""),
        sa.Column("retired", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )
    op.create_table(
        "codings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("feedback_id", sa.Integer(), sa.ForeignKey("feedback.id", ondelete="CASCADE"), nullable=False),
        sa.Column("code_id", sa.Integer(), sa.ForeignKey("codes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("coder", sa.String(64), nullable=False),
        sa.Column("start", sa.Integer()),
        sa.Column("end", sa.Integer()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )
    op.create_index("ix_codings_feedback", "codings", ["feedback_id"])
    op.create_index("ix_codings_code", "codings", ["code_id"])
    op.create_table(
        "coded",
        sa.Column("feedback_id", sa.Integer(), sa.ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("coder", sa.String(64), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )
    op.create_table(
        "events",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("walk", sa.String(64)),
        sa.Column("label", sa.String(120), nullable=False, server_default=""),
        sa.Column("open", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(32), nullable=False, server_default=""),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.String(64), nullable=False, server_default=""),
        sa.Column("detail", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_table(
        "rate_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
    )
    op.create_index("ix_rate_events_client_at", "rate_events", ["client", "at"])
    op.create_index("ix_rate_events_at", "rate_events", ["at"])
    with op.batch_alter_table("sign_in_failures") as batch:
        batch.add_column(sa.Column("client", sa.String(64)))
    op.create_index("ix_sign_in_failures_client_at", "sign_in_failures", ["client", "at"])
    _themes_to_codes()
    with op.batch_alter_table("feedback") as batch:
        batch.drop_column("themes")


def _themes_to_codes() -> None:
    """Each distinct theme tag becomes a code (same name in both languages until staff translate
    it), applied to the whole comment by the coder "tags"."""
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, themes FROM feedback WHERE themes <> ''")).fetchall()
    codes: dict[str, int] = {}
    for row_id, themes in rows:
        for tag in dict.fromkeys(t.strip() for t in themes.split(",") if t.strip()):
            name = tag[:80]
            if name.lower() not in codes:
                conn.execute(sa.text("INSERT INTO codes (name_en, name_es) VALUES (:n, :n)"), {"n": name})
                codes[name.lower()] = conn.execute(
                    sa.text("SELECT id FROM codes WHERE name_en = :n"), {"n": name}
                ).scalar_one()
            conn.execute(
                sa.text("INSERT INTO codings (feedback_id, code_id, coder) VALUES (:f, :c, 'tags')"),
                {"f": row_id, "c": codes[name.lower()]},
            )


def downgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("themes", sa.Text(), nullable=False, server_default=""))
    op.drop_index("ix_sign_in_failures_client_at", table_name="sign_in_failures")
    with op.batch_alter_table("sign_in_failures") as batch:
        batch.drop_column("client")
    for table in ("rate_events", "audit_log", "snapshots", "events", "coded", "codings", "codes"):
        op.drop_table(table)
    op.drop_index("ix_feedback_answer_key", table_name="feedback")
    op.drop_index("ix_feedback_status_created", table_name="feedback")
    with op.batch_alter_table("feedback") as batch:
        for column in ("updated_at", "answer_key", "quote_chosen", "quote_ok", "status"):
            batch.drop_column(column)
