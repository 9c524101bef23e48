"""Queue messages: rendered from templates and stored in the caller's transaction.

Nothing is sent here. `delivery.deliver()` sends after the change committed, so
a rolled-back change sends nothing and a committed one loses nothing.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, render_template
from markupsafe import Markup, escape
from sqlalchemy import delete, select

from gardenhub import config
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.i18n import _, _l, known, speaking
from gardenhub.notifications.models import Notification, OutboxStatus
from gardenhub.timezones import local_today


@dataclass(frozen=True)
class Kind:
    label: str  # lazy: shown in the person's language on the preferences page
    can_mute: bool = True
    # Sent while the person's account is paused: answers to their own actions
    # and changes to what they signed up for, never reminders or asks.
    while_paused: bool = True
    # Off until the person turns it on (stored as "+kind" among the muted).
    opt_in: bool = False


KINDS = {
    "signup_confirmed": Kind(_l("Sign-up confirmations"), can_mute=False),
    "waitlist_joined": Kind(_l("You joined a waitlist")),
    "seat_offered": Kind(_l("A seat is offered to you"), can_mute=False),
    "offer_expired": Kind(_l("An offer expired and passed on")),
    "workday_changed": Kind(_l("A workday you signed up for changed")),
    "signup_cancelled": Kind(_l("A sign-up of yours was cancelled")),
    "workday_cancelled": Kind(_l("A workday you signed up for was cancelled")),
    "reminder": Kind(_l("Reminders before your shift"), while_paused=False),
    "task_assigned": Kind(_l("A task was assigned to you"), while_paused=False),
    "plot_offered": Kind(_l("A plot is offered to you"), can_mute=False),
    "plot_renewal_due": Kind(_l("Your plot is up for renewal"), while_paused=False),
    "coordinator_message": Kind(_l("Messages from coordinators"), while_paused=False),
    "password_reset": Kind(_l("Password reset"), can_mute=False),
    "confirm_email": Kind(_l("Confirming your address"), can_mute=False),
    "registration_attempt": Kind(_l("Registrations with your address"), can_mute=False),
    "membership_requested": Kind(_l("Your requests to join"), can_mute=False),
    "membership_request_received": Kind(
        _l("Someone asked to join your project"), while_paused=False
    ),
    "membership_approved": Kind(
        _l("Your request to join was accepted"), can_mute=False
    ),
    "membership_declined": Kind(
        _l("Your request to join was declined"), can_mute=False
    ),
    "membership_removed": Kind(_l("Changes to your membership"), can_mute=False),
    "buddy_paired": Kind(_l("You are asked to welcome a newcomer"), while_paused=False),
    "buddy_found": Kind(_l("A welcome buddy was found for you")),
    "buddy_ended": Kind(_l("A welcome pairing ended")),
    "partner_asked": Kind(_l("Someone asks you to be their goal partner")),
    "partner_step": Kind(_l("Your goal partner reached a step")),
    "thanks_received": Kind(
        _l("Thanks after a workday (always on My page)"),
        while_paused=False,
        opt_in=True,
    ),
}


def _paused(person, now: datetime | None) -> bool:
    is_paused = getattr(person, "is_paused", None)
    if is_paused is None:
        return False
    zone = current_app.config["DEFAULT_TIMEZONE"]
    return is_paused(local_today(zone, now))


def is_muted(person, kind: str) -> bool:
    muted = set(filter(None, (person.muted_notifications or "").split(",")))
    if KINDS[kind].opt_in:
        return f"+{kind}" not in muted
    return KINDS[kind].can_mute and kind in muted


def set_preferences(person, *, receive: set[str], quiet_start, quiet_end) -> None:
    """Which kinds of message a person gets (those that cannot be muted always
    come) and their quiet hours."""
    person.muted_notifications = ",".join(
        sorted(
            k
            for k, info in KINDS.items()
            if info.can_mute and not info.opt_in and k not in receive
        )
        + sorted(f"+{k}" for k, info in KINDS.items() if info.opt_in and k in receive)
    )
    person.quiet_start = quiet_start
    person.quiet_end = quiet_end


_LINK = re.compile(r"(https?://[^\s<]+)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
SUBJECT_LENGTH = 200  # the column's size


def one_line(text: str, limit: int) -> str:
    """A header-safe line: control characters and line breaks become spaces,
    runs of spaces one, and it is cut (with an ellipsis) to `limit`."""
    line = " ".join(_CONTROL.sub(" ", text).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


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


def _garden_of(context: dict):
    """The garden a message is about, from what its template is given (a sign-up,
    workday, thank-you, task, project, plot offer or assignment), or None."""
    signup = context.get("signup")
    workday = context.get("workday")
    if workday is None and signup is not None:
        workday = signup.shift.workday
    if workday is None and context.get("thanks") is not None:
        workday = context["thanks"].workday
    task = context.get("task")
    if workday is None and task is not None:
        workday = task.workday
    if workday is not None:
        return workday.garden or workday.project.garden
    project = context.get("project") or (task.project if task is not None else None)
    if project is not None:
        return project.garden
    holder = context.get("offer") or context.get("assignment")
    if holder is not None:
        return holder.plot.garden
    return None


def recipient_language(person, context: dict) -> str | None:
    """The language a message to `person` speaks: their own choice, else the
    language of the garden it is about; None means the deployment's default."""
    chosen = known(getattr(person, "language", None))
    if chosen:
        return chosen
    garden = _garden_of(context)
    return garden.language if garden is not None else None


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
    if not KINDS[kind].while_paused and _paused(person, now):
        return None
    discreet = bool(getattr(person, "is_discreet", False))
    template = current_app.jinja_env.get_template(f"notifications/{kind}.txt")
    # Subject, text and HTML are rendered (and stored) in the recipient's language.
    with speaking(recipient_language(person, context)):
        module = template.make_module(
            {"person": person, "discreet": discreet, **context}
        )
        choose = _(
            "Choose which messages you get: %(url)s",
            url=config.absolute_url("notifications.preferences"),
        )
        body = str(module).strip() + f"\n\n--\n{choose}\n"
        subject = one_line(str(module.subject), SUBJECT_LENGTH)
        body_html = _html(body)
    message = Notification(
        user_id=person.id,
        to_address=person.email,
        reply_to=reply_to,
        kind=kind,
        subject=subject,
        body_text=body,
        body_html=body_html,
        attachment_name=attachment[0] if attachment else None,
        attachment=attachment[1] if attachment else None,
        status=OutboxStatus.queued if person.email else OutboxStatus.held,
        created_at=now or utcnow(),
        next_attempt_at=now or utcnow(),
    )
    db.session.add(message)
    return message


REMOVED = "(removed)"


def forget(person, *, address: str | None) -> int:
    """A person deleted their account: messages to them that have not gone
    out are cancelled, and every message to them (or with their address as
    Reply-To) loses its address, subject, text and attachment. Returns how many
    messages to them were cancelled."""
    cancelled = 0
    for message in db.session.scalars(
        select(Notification).where(Notification.user_id == person.id)
    ):
        if message.status in UNSENT:
            message.status = OutboxStatus.cancelled
            cancelled += 1
        _scrub(message)
    if address:
        for message in db.session.scalars(
            select(Notification).where(Notification.reply_to == address)
        ):
            message.reply_to = None
    return cancelled


def purge_before(cutoff: datetime) -> int:
    """Retention: delete messages created before `cutoff` that are done with
    (sent, failed, held or cancelled). Returns how many."""
    result = db.session.execute(
        delete(Notification).where(
            Notification.created_at < cutoff, Notification.status.not_in(IN_FLIGHT)
        )
    )
    return result.rowcount


UNSENT = (OutboxStatus.queued, OutboxStatus.held, OutboxStatus.failed)
IN_FLIGHT = (OutboxStatus.queued, OutboxStatus.sending)


def _scrub(message: Notification) -> None:
    message.to_address = None
    message.reply_to = None
    message.subject = REMOVED
    message.body_text = REMOVED
    message.body_html = REMOVED
    message.attachment = None
    message.attachment_name = None
