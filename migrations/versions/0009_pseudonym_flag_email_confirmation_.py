"""pseudonym flag, email confirmation, audit targets of the acting user

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

user = sa.table(
    "user",
    sa.column("display_name", sa.String),
    sa.column("email", sa.String),
    sa.column("password_hash", sa.String),
    sa.column("is_guest", sa.Boolean),
    sa.column("is_active", sa.Boolean),
    sa.column("is_pseudonym", sa.Boolean),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("email_confirmed_at", sa.DateTime(timezone=True)),
)
audit_event = sa.table("audit_event", sa.column("target_type", sa.String))


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "is_pseudonym", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("email_confirmed_at", sa.DateTime(timezone=True), nullable=True)
        )
    # The records deleted accounts and retention left behind: no address, no
    # password, never able to log in, and the stand-in name.
    op.execute(
        user.update()
        .where(
            user.c.display_name == "Former volunteer",
            user.c.email.is_(None),
            user.c.password_hash.is_(None),
            user.c.is_guest.is_(True),
            user.c.is_active.is_(False),
        )
        .values(is_pseudonym=True)
    )
    # Accounts made before confirmation existed keep working.
    op.execute(
        user.update()
        .where(user.c.email.is_not(None))
        .values(email_confirmed_at=user.c.created_at)
    )
    # Audit rows about the acting user named the proxy around it.
    op.execute(
        audit_event.update()
        .where(audit_event.c.target_type == "localproxy")
        .values(target_type="user")
    )


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("email_confirmed_at")
        batch_op.drop_column("is_pseudonym")
