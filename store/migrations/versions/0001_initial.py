"""Initial schema: records, journal (change sets, changes), users, meta.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_sets",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("undoes", sa.Integer(), sa.ForeignKey("change_sets.id", name="fk_change_sets_undoes_change_sets"),
                  nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_change_sets"),
    )
    op.create_table(
        "records",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("dataset", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(200), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("regions", sa.String(400), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("change_set_id", sa.Integer(),
                  sa.ForeignKey("change_sets.id", name="fk_records_change_set_id_change_sets"), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_records"),
        sa.UniqueConstraint("dataset", "record_id", name="uq_records_dataset_record_id"),
    )
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("change_set_id", sa.Integer(),
                  sa.ForeignKey("change_sets.id", name="fk_changes_change_set_id_change_sets"), nullable=False),
        sa.Column("dataset", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(200), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_changes"),
    )
    op.create_index("ix_changes_change_set_id", "changes", ["change_set_id"])
    op.create_index("ix_changes_record", "changes", ["dataset", "record_id", "change_set_id"])
    op.create_index("ix_changes_dataset_change_set", "changes", ["dataset", "change_set_id"])
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("regions", sa.String(400), nullable=False),
        sa.Column("password_hash", sa.String(400), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("key", name="pk_meta"),
    )


def downgrade() -> None:
    for table in ("meta", "users", "changes", "records", "change_sets"):
        op.drop_table(table)
