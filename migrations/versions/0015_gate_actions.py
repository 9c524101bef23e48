"""gate actions: offline check-ins applied once by their key

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 20:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "gate_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_gate_action_actor_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate_action")),
        sa.UniqueConstraint("key", name=op.f("uq_gate_action_key")),
    )
    with op.batch_alter_table("gate_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gate_action_actor_id"), ["actor_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("gate_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gate_action_actor_id"))
    op.drop_table("gate_action")
