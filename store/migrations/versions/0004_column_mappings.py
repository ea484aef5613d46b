"""Column mappings remembered by dataset and headers (the /import mapping step).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "column_mappings",
        sa.Column("dataset", sa.String(40), nullable=False),
        sa.Column("headers_key", sa.String(16), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("user", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("dataset", "headers_key", name="pk_column_mappings"),
    )


def downgrade() -> None:
    op.drop_table("column_mappings")
