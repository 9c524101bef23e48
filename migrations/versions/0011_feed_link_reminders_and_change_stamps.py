"""a reminder before each shift per private feed link; feed change stamps

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 14:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "feed_stamp",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_feed_stamp")),
    )
    with op.batch_alter_table("feed_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remind_hours", sa.SmallInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table("feed_token", schema=None) as batch_op:
        batch_op.drop_column("remind_hours")
    op.drop_table("feed_stamp")
