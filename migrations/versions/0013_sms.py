"""text messages: a channel per outbox message, consent to texts, E.164 phones

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 10:00:00

Phone numbers typed before they were checked are normalised to E.164 where
they parse as a valid number (numbers without a country code read as
GARDENHUB_SMS_DEFAULT_REGION's, default DE); the rest stay as they were typed
(pages show them as typed). The downgrade keeps the normalised numbers: they
are still valid free text.
"""

import os

import phonenumbers
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _region() -> str:
    try:
        from flask import current_app

        configured = current_app.config.get("SMS_DEFAULT_REGION")
    except RuntimeError:  # outside the app (plain alembic)
        configured = None
    return str(configured or os.environ.get("GARDENHUB_SMS_DEFAULT_REGION") or "DE")


def _e164(raw: str | None, region: str) -> str | None:
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sms_consent_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("sms_consent_source", sa.String(length=20), nullable=True)
        )
        batch_op.add_column(
            sa.Column("sms_opted_out_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("sms_kinds", sa.String(length=300), nullable=True)
        )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "channel", sa.String(length=10), server_default="email", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("provider_ref", sa.String(length=64), nullable=True)
        )

    user = sa.table("user", sa.column("id", sa.Integer), sa.column("phone", sa.String))
    connection = op.get_bind()
    region = _region()
    rows = connection.execute(
        sa.select(user.c.id, user.c.phone).where(user.c.phone.is_not(None))
    ).all()
    for row_id, raw in rows:
        normalised = _e164(raw, region)
        if normalised and normalised != raw:
            connection.execute(
                user.update().where(user.c.id == row_id).values(phone=normalised)
            )


def downgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("provider_ref")
        batch_op.drop_column("channel")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("sms_kinds")
        batch_op.drop_column("sms_opted_out_at")
        batch_op.drop_column("sms_consent_source")
        batch_op.drop_column("sms_consent_at")
