"""Queue messages: rendered from templates and stored in the caller's transaction.

Nothing is sent here. `delivery.deliver()` sends after the change committed, so
a rolled-back change sends nothing and a committed one loses nothing.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, render_template
from markupsafe import Markup, escape

from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.notifications.models import Notification, OutboxStatus


@dataclass(frozen=True)
class Kind:
    label: str
    can_mute: bool = True


KINDS = {
    "signup_confirmed": Kind("Sign-up confirmations", can_mute=False),
    "waitlist_joined": Kind("You joined a waitlist"),
    "seat_offered": Kind("A seat is offered to you", can_mute=False),
    "offer_expired": Kind("An offer expired and passed on"),
    "workday_changed": Kind("A workday you signed up for changed"),
    "workday_cancelled": Kind("A workday you signed up for was cancelled"),
    "reminder": Kind("Reminders before your shift"),
    "task_assigned": Kind("A task was assigned to you"),
    "plot_offered": Kind("A plot is offered to you", can_mute=False),
    "plot_renewal_due": Kind("Your plot is up for renewal"),
    "coordinator_message": Kind("Messages from coordinators"),
    "password_reset": Kind("Password reset", can_mute=False),
}


def is_muted(person, kind: str) -> bool:
    muted = set(filter(None, (person.muted_notifications or "").split(",")))
    return KINDS[kind].can_mute and kind in muted


def base_url() -> str:
    return current_app.config["BASE_URL"]


_LINK = re.compile(r"(https?://[^\s<]+)")


def _html(text: str) -> str:
    """Simple HTML from the text body: paragraphs, line breaks, clickable links."""
    paragraphs = []
    for block in text.strip().split("\n\n"):
        escaped = str(escape(block))
        linked = _LINK.sub(r'<a href="\1">\1</a>', escaped).replace("\n", "<br>\n")
        paragraphs.append(f"<p>{linked}</p>")
    # Each block was escaped above; only our own <p>, <br> and <a> tags are added.
    body = Markup("\n".join(paragraphs))  # noqa: S704
    return render_template("notifications/_email.html", body=body)


def queue(
    person,
    kind: str,
    *,
    attachment: tuple[str, bytes] | None = None,
    reply_to: str | None = None,
    now: datetime | None = None,
    **context,
) -> Notification | None:
    """Render `notifications/<kind>.txt` for `person` and store it in the outbox.

    Returns None when the person muted this kind. People without an email (guests)
    get the message held in the outbox, where coordinators can read it.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if is_muted(person, kind):
        return None
    discreet = bool(getattr(person, "is_discreet", False))
    template = current_app.jinja_env.get_template(f"notifications/{kind}.txt")
    module = template.make_module(
        {"person": person, "discreet": discreet, "base_url": base_url(), **context}
    )
    body = str(module).strip() + (
        f"\n\n--\nChoose which messages you get: {base_url()}/profile/notifications\n"
    )
    message = Notification(
        user_id=person.id,
        to_address=person.email,
        reply_to=reply_to,
        kind=kind,
        subject=str(module.subject).strip(),
        body_text=body,
        body_html=_html(body),
        attachment_name=attachment[0] if attachment else None,
        attachment=attachment[1] if attachment else None,
        status=OutboxStatus.queued if person.email else OutboxStatus.held,
        created_at=now or utcnow(),
        next_attempt_at=now or utcnow(),
    )
    db.session.add(message)
    return message
