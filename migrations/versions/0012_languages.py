"""languages: a person's chosen language and a garden's default

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 16:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
    with op.batch_alter_table("garden", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "language", sa.String(length=8), server_default="en", nullable=False
            )
        )


def downgrade():
    with op.batch_alter_table("garden", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("language")
