"""Webhooks the SMS providers post replies to: STOP, START, HELP.

Each request must carry its provider's signature, checked before anything is
read: Twilio's X-Twilio-Signature (HMAC-SHA1 of the URL and the form with the
auth token, checked by twilio's RequestValidator), the Android gateway's
X-Signature (HMAC-SHA256 of the raw body and X-Timestamp with the webhook
signing key) with a timestamp no older than GARDENHUB_SMS_WEBHOOK_MAX_AGE_SECONDS.
A request without a valid one gets a 403 and changes nothing.

The answer never depends on whether anybody has the number: a STOP from a
number nobody gave us is answered exactly like one from a volunteer.
"""

import hashlib
import hmac
import json
from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy import select

from gardenhub.config import base_url
from gardenhub.csrf import signature_checked
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.i18n import _, speaking
from gardenhub.notifications import phones, sms
from gardenhub.notifications.models import Channel, Notification, OutboxStatus
from gardenhub.security import sessionless

bp = Blueprint("sms", __name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@bp.app_template_filter("phone")
def phone_filter(value: str | None) -> str:
    """A stored number in the national format ("0170 1234567")."""
    return phones.national(value)


@bp.post("/sms/twilio")
@sessionless
@signature_checked
def twilio_inbound():
    """Twilio posts each incoming text here (the number's "A message comes in"
    webhook). Twilio itself answers STOP, START and HELP; we answer with an
    empty TwiML response."""
    from twilio.request_validator import RequestValidator

    token = current_app.config.get("SMS_TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        abort(403)
    # The address Twilio signed: the public one (behind a proxy too).
    url = base_url() + request.full_path.removesuffix("?")
    if not RequestValidator(str(token)).validate(url, request.form, signature):
        abort(403)
    _received(request.form.get("From"), request.form.get("Body"), answer=False)
    return Response(EMPTY_TWIML, mimetype="text/xml")


@bp.post("/sms/gateway")
@sessionless
@signature_checked
def gateway_inbound():
    """SMS Gateway for Android posts its events here (register the webhook
    for "sms:received"). The app does not answer STOP by itself, so we text
    back once a day at most per number."""
    secret = current_app.config.get("SMS_GATEWAY_WEBHOOK_SECRET")
    signature = request.headers.get("X-Signature", "")
    stamp = request.headers.get("X-Timestamp", "")
    if not secret or not signature or not stamp.isdigit() or len(stamp) > 12:
        abort(403)
    age = abs(utcnow().timestamp() - int(stamp))
    if age > int(current_app.config["SMS_WEBHOOK_MAX_AGE_SECONDS"]):
        abort(403)
    body = request.get_data(cache=True)
    expected = hmac.new(
        str(secret).encode(), body + stamp.encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, signature.strip().lower()):
        abort(403)
    try:
        event = json.loads(body)
    except ValueError:
        abort(400)
    if isinstance(event, dict) and event.get("event") == "sms:received":
        payload = event.get("payload")
        if isinstance(payload, dict):
            _received(payload.get("phoneNumber"), payload.get("message"), answer=True)
    return Response(status=204)


def _received(sender, text, *, answer: bool) -> None:
    """One incoming text: a STOP, START or HELP changes consent (and may get
    a short answer); anything else is ignored. Commits."""
    if not isinstance(sender, str) or not isinstance(text, str):
        return
    try:
        number = phones.parse(sender[:40])
    except phones.PhoneError:
        return
    now = utcnow()
    reply = sms.receive(number, text[:500], now=now)
    if reply is not None and answer:
        _answer(reply, now)
    db.session.commit()


def _answer(reply: sms.Reply, now) -> None:
    """The gateway's answer to a keyword, in the deployment's language (the
    same for every number), at most once a day per number and keyword, so two
    machines can never text each other in a loop."""
    subject = f"reply:{reply.action}"
    recent = db.session.scalar(
        select(Notification.id)
        .where(
            Notification.channel == Channel.sms,
            Notification.to_address == reply.number,
            Notification.subject == subject,
            Notification.created_at > now - timedelta(days=1),
        )
        .limit(1)
    )
    if recent is not None:
        return
    with speaking(None):
        if reply.action == "stop":
            text = _(
                "You will get no more texts from us. Reply START to get them again."
            )
        elif reply.action == "start":
            text = _(
                "Thank you. If you had agreed to texts from us, they are on "
                "again. Reply STOP to stop."
            )
        else:
            text = _("Texts about your garden shifts. Reply STOP to stop.")
    db.session.add(
        Notification(
            channel=Channel.sms,
            to_address=reply.number,
            kind="sms_reply",
            subject=subject,
            body_text=sms.gsm7(f"{sms.SENDER}: {text}"),
            body_html="",
            status=OutboxStatus.queued if sms.configured() else OutboxStatus.held,
            created_at=now,
            next_attempt_at=now,
        )
    )
