"""Queue messages: rendered from templates and stored in the caller's transaction.

Nothing is sent here. `delivery.deliver()` sends after the change committed, so
a rolled-back change sends nothing and a committed one loses nothing.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask import current_app, render_template
from jinja2 import TemplateNotFound
from markupsafe import Markup, escape
from sqlalchemy import delete, select

from gardenhub import config
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.i18n import _, _l, format_day, format_time, known, speaking
from gardenhub.notifications import phones, sms
from gardenhub.notifications.models import Channel, Notification, OutboxStatus
from gardenhub.timezones import local_today, to_local


@dataclass(frozen=True)
class Kind:
    label: str  # lazy: shown in the person's language on the preferences page
    can_mute: bool = True
    # Sent while the person's account is paused: answers to their own actions
    # and changes to what they signed up for, never reminders or asks.
    while_paused: bool = True
    # Off until the person turns it on (stored as "+kind" among the muted).
    opt_in: bool = False
    # Also sent as a text to everyone with texts on (unless they chose
    # otherwise); other kinds with a text template only when they choose them.
    by_text: bool = False
    # Offered on the preferences page as "also by text" (when it has a text
    # template); False for texts only ever sent on request (a guest's link).
    offered_by_text: bool = True


KINDS = {
    "signup_confirmed": Kind(_l("Sign-up confirmations"), can_mute=False, by_text=True),
    "waitlist_joined": Kind(_l("You joined a waitlist")),
    "seat_offered": Kind(_l("A seat is offered to you"), can_mute=False, by_text=True),
    "offer_expired": Kind(_l("An offer expired and passed on")),
    "workday_changed": Kind(_l("A workday you signed up for changed"), by_text=True),
    "signup_cancelled": Kind(_l("A sign-up of yours was cancelled"), by_text=True),
    "workday_cancelled": Kind(
        _l("A workday you signed up for was cancelled"), by_text=True
    ),
    "reminder": Kind(
        _l("Reminders before your shift"), while_paused=False, by_text=True
    ),
    "task_assigned": Kind(_l("A task was assigned to you"), while_paused=False),
    "plot_offered": Kind(_l("A plot is offered to you"), can_mute=False),
    "plot_renewal_due": Kind(_l("Your plot is up for renewal"), while_paused=False),
    "coordinator_message": Kind(_l("Messages from coordinators"), while_paused=False),
    "password_reset": Kind(_l("Password reset"), can_mute=False),
    "confirm_email": Kind(_l("Confirming your address"), can_mute=False),
    "guest_link": Kind(
        _l("Links to sign up without an account"),
        can_mute=False,
        offered_by_text=False,
    ),
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


def set_preferences(
    person, *, receive: set[str], quiet_start, quiet_end, texts: set[str] | None = None
) -> None:
    """Which kinds of message a person gets (those that cannot be muted always
    come), their quiet hours and (`texts`, when given) which also by text."""
    if texts is not None:
        set_text_kinds(person, texts)
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


def text_kinds(person) -> set[str]:
    """The kinds of message `person` also gets by text (when texts are on)."""
    chosen = getattr(person, "sms_kinds", None)
    if chosen is None:
        return {kind for kind, info in KINDS.items() if info.by_text}
    return {kind for kind in chosen.split(",") if kind in text_choices()}


def textable_kinds() -> list[str]:
    """The kinds a text is written for (templates/notifications/sms/<kind>.txt)."""
    loader = current_app.jinja_env
    found = []
    for kind in KINDS:
        try:
            loader.get_template(f"notifications/sms/{kind}.txt")
        except TemplateNotFound:
            continue
        found.append(kind)
    return found


def text_choices() -> list[str]:
    """The kinds a person may choose to get by text (the preferences page)."""
    return [kind for kind in textable_kinds() if KINDS[kind].offered_by_text]


def set_text_kinds(person, kinds: set[str]) -> None:
    """Which kinds go by text too (stored only when it differs from the standard)."""
    kinds = {kind for kind in kinds if kind in text_choices()}
    standard = {kind for kind, info in KINDS.items() if info.by_text}
    person.sms_kinds = None if kinds == standard else ",".join(sorted(kinds))


def texts_to(person, kind: str) -> str | None:
    """The number a `kind` message to `person` goes to by text, or None: texts
    on (consent, no STOP since), the kind among theirs, a mobile number we may
    text."""
    if not getattr(person, "texts_on", False) or kind not in text_kinds(person):
        return None
    number = getattr(person, "phone", None)
    return number if phones.can_text(number) else None


def _asked_at(person, kind: str, number: str | None) -> str | None:
    """`number`, when a text of `kind` may go there because the person asked
    for it at that number (and has not said STOP since they last agreed)."""
    if not number or kind not in textable_kinds():
        return None
    stopped = getattr(person, "sms_opted_out_at", None)
    agreed = getattr(person, "sms_consent_at", None)
    if stopped is not None and (agreed is None or agreed <= stopped):
        return None
    return number if phones.can_text(number) else None


def _zone_of(context: dict) -> str:
    garden = _garden_of(context)
    return (
        garden.timezone
        if garden is not None
        else current_app.config["DEFAULT_TIMEZONE"]
    )


def after_quiet_hours(person, zone: str, now: datetime) -> datetime:
    """`now`, or the end of the person's quiet hours (in `zone`) when `now`
    falls inside them: a phone buzzing at night is worse than a late text."""
    start = getattr(person, "quiet_start", None) or time(21)
    end = getattr(person, "quiet_end", None) or time(8)
    local = to_local(now, zone)
    clock = local.time().replace(tzinfo=None)
    if start == end:
        return now
    quiet = start <= clock < end if start < end else clock >= start or clock < end
    if not quiet:
        return now
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    # Not `to_utc`: on a night the clocks change, a moment near the end is fine.
    return datetime.combine(day, end, tzinfo=local.tzinfo).astimezone(UTC)


def _first_text_to(number: str) -> bool:
    """Nothing was texted (or queued) to this number before."""
    return (
        db.session.scalar(
            select(Notification.id)
            .where(
                Notification.channel == Channel.sms,
                Notification.to_address == number,
                Notification.status != OutboxStatus.cancelled,
            )
            .limit(1)
        )
        is None
    )


def _when(moment: datetime | None, zone: str) -> str:
    """A moment as short as a text needs it: "Tue 1 Dec, 09:00"."""
    if moment is None:
        return ""
    day = format_day(to_local(moment, zone).date(), "day")
    return _("%(day)s, %(time)s", day=day, time=format_time(moment, zone))


def _text(person, kind: str, number: str, context: dict) -> str:
    """The text of an SMS, rendered in the current language: the sender first,
    and for the first text to a number how to stop."""
    template = current_app.jinja_env.get_template(f"notifications/sms/{kind}.txt")
    discreet = bool(getattr(person, "is_discreet", False))
    body = sms.one_text(
        template.render(
            {
                "person": person,
                "discreet": discreet,
                "short": sms.short,
                "when": _when,
                **context,
            }
        )
    )
    text = f"{sms.SENDER}: {body}"
    if _first_text_to(number):
        # Translators: keep the word STOP as it is (carriers and GardenHub
        # answer to it in every language). The whole text must stay short.
        text += " " + _("Reply STOP to stop.")
    return sms.gsm7(text)


def queue(
    person,
    kind: str,
    *,
    attachment: tuple[str, bytes] | None = None,
    reply_to: str | None = None,
    now: datetime | None = None,
    text_to: str | None = None,
    **context,
) -> Notification | None:
    """Render `notifications/<kind>.txt` for `person` and store it in the outbox,
    with a text (`notifications/sms/<kind>.txt`) beside it when the person has
    texts on and gets this kind by text.

    `text_to`: a number (E.164) the person just asked for this one message at
    (a link to confirm a seat): it goes there by text even without standing
    consent to texts, unless that person said STOP.

    Returns None when the person muted this kind; else the email (a person
    without an email address and without texts gets it held in the outbox,
    where coordinators can read it), or the text when that is all they get.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if is_muted(person, kind):
        return None
    if not KINDS[kind].while_paused and _paused(person, now):
        return None
    now = now or utcnow()
    discreet = bool(getattr(person, "is_discreet", False))
    template = current_app.jinja_env.get_template(f"notifications/{kind}.txt")
    number = texts_to(person, kind) or _asked_at(person, kind, text_to)
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
        text = _text(person, kind, number, context) if number else None
    messages = []
    if person.email or text is None:
        messages.append(
            Notification(
                user_id=person.id,
                channel=Channel.email,
                to_address=person.email,
                reply_to=reply_to,
                kind=kind,
                subject=subject,
                body_text=body,
                body_html=body_html,
                attachment_name=attachment[0] if attachment else None,
                attachment=attachment[1] if attachment else None,
                status=OutboxStatus.queued if person.email else OutboxStatus.held,
                created_at=now,
                next_attempt_at=now,
            )
        )
    if text is not None:
        messages.append(
            Notification(
                user_id=person.id,
                channel=Channel.sms,
                to_address=number,
                kind=kind,
                subject=subject,
                body_text=text,
                body_html="",
                status=OutboxStatus.queued if sms.configured() else OutboxStatus.held,
                created_at=now,
                next_attempt_at=after_quiet_hours(person, _zone_of(context), now),
            )
        )
    db.session.add_all(messages)
    return messages[0]


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
