"""guest passes: signing up without an account

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 17:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "guest_pass",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("signup_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["user.id"], name=op.f("fk_guest_pass_person_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shift.id"], name=op.f("fk_guest_pass_shift_id_shift")
        ),
        sa.ForeignKeyConstraint(
            ["signup_id"], ["signup.id"], name=op.f("fk_guest_pass_signup_id_signup")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guest_pass")),
        sa.UniqueConstraint(
            "shift_id", "person_id", name=op.f("uq_guest_pass_shift_id")
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_guest_pass_token_hash")),
    )
    with op.batch_alter_table("guest_pass", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_guest_pass_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_guest_pass_shift_id"), ["shift_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("guest_pass", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guest_pass_shift_id"))
        batch_op.drop_index(batch_op.f("ix_guest_pass_person_id"))
    op.drop_table("guest_pass")
