"""Registration, authentication, passwords and roles."""

import functools
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from gardenhub import audit, tokens
from gardenhub.accounts.models import Role, User
from gardenhub.config import absolute_url
from gardenhub.db import utcnow
from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.i18n import _
from gardenhub.i18n import known as known_language
from gardenhub.notifications import phones, sms
from gardenhub.notifications import services as notifications


@functools.cache
def _dummy_hash() -> str:
    """Checked when no account matches, so a failed log-in takes as long
    either way. Made on first use: scrypt needs 32 MiB while it works, which a
    worker that never sees a log-in should not carry as its peak."""
    return generate_password_hash("not-a-real-password")


class AccountError(GardenHubError):
    pass


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalars(
        select(User).where(User.email == normalize_email(email))
    ).first()


CONFIRM_DAYS = 7


def register(
    email: str,
    display_name: str,
    password: str,
    *,
    now: datetime,
    next_url: str | None = None,
    language: str | None = None,
) -> None:
    """Start an account: the answer is the same whether the address is new or
    known, so nobody can test who belongs to a group.

    A new account keeps `language`, the one the person registered in, so the
    confirmation and every later email speak it (they can change it later).

    A new address gets an account that works once the link sent to it is
    opened (`confirm_email`). An address that is already known gets a message
    instead: "someone tried to register with your address", with a way to log
    in or set a password. Either way one password hash is computed and one
    message is queued. A registration racing another for the same address
    gets the same answer.
    """
    known = find_by_email(email)
    hashed = generate_password_hash(password)
    if known is not None:
        _answer_known_address(known, now=now, next_url=next_url)
        return
    user = User(
        email=normalize_email(email),
        display_name=display_name.strip(),
        password_hash=hashed,
        created_at=now,
        language=known_language(language),
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:  # the same address, registered a moment ago
        _answer_known_address(find_by_email(email), now=now, next_url=next_url)
        return
    send_confirmation(user, now=now, next_url=next_url)


def _answer_known_address(known: User, *, now: datetime, next_url: str | None) -> None:
    if known.email_confirmed_at is None and not known.is_guest:
        send_confirmation(known, now=now, next_url=next_url)
        return
    reset_url = absolute_url("accounts.forgot_password")
    if known.is_guest and known.is_active and not known.is_pseudonym:
        # "Keep my history": a guest (from a sign-up link or a coordinator's
        # roster) sets a password straight from this message and becomes an
        # account with every sign-up it had; nothing is copied.
        token = tokens.make("password-reset", [known.id, _password_stamp(known)])
        reset_url = absolute_url("accounts.reset_password", token=token)
    notifications.queue(
        known,
        "registration_attempt",
        now=now,
        login_url=absolute_url("accounts.login"),
        reset_url=reset_url,
    )


def send_confirmation(user: User, *, now: datetime, next_url: str | None) -> None:
    """Queue the link that makes a new account work (valid for a week)."""
    token = tokens.make("confirm-email", [user.id, user.email, next_url or ""])
    notifications.queue(
        user,
        "confirm_email",
        now=now,
        confirm_url=absolute_url("accounts.confirm_email", token=token),
        days=CONFIRM_DAYS,
    )


def create_account(
    email: str, display_name: str, password: str, *, role: Role, now: datetime
) -> User:
    """An account that works at once (the admin command; demo data)."""
    user = User(
        email=normalize_email(email),
        display_name=display_name.strip(),
        role=role,
        created_at=now,
        email_confirmed_at=now,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def confirmation_for(token: str) -> tuple[User, str] | None:
    """The account and the page to go to after a confirmation link, or None
    when the link is forged, expired or for an address the account no
    longer has."""
    payload = tokens.read("confirm-email", token, max_age=CONFIRM_DAYS * 86400)
    if not payload:
        return None
    user = db.session.get(User, payload[0])
    if user is None or user.email != payload[1] or not user.is_active:
        return None
    return user, payload[2]


def confirm_email(user: User, *, now: datetime) -> None:
    """The owner opened the link: the account works from now on."""
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now
        user.last_login_at = now


def find_or_add_person(
    *,
    actor: User,
    email: str | None = None,
    name: str | None = None,
    phone: str | None = None,
    texts_agreed: bool = False,
    zone: str | None = None,
    now: datetime | None = None,
) -> User:
    """The person a coordinator means on a roster or at the gate: the account
    (or earlier guest) with this email, else a new guest with this name (and
    phone, and their agreement to texts: see `add_guest`).

    Raises AccountError when there is neither an account with the email nor a
    name to add a guest by, or the account is disabled.
    """
    if email:
        person = find_by_email(email)
        if person is not None:
            if not person.is_active and not person.is_guest:
                raise AccountError(_("That account is disabled."), field="email")
            return person
        if not name:
            raise AccountError(
                _(
                    "Nobody has an account with that email; add them as a guest "
                    "by name."
                ),
                field="email",
            )
    if not name:
        raise AccountError(
            _("Give the email of someone with an account, or a guest's name."),
            field="name",
        )
    return add_guest(
        name,
        actor=actor,
        phone=phone,
        email=email,
        texts_agreed=texts_agreed,
        zone=zone,
        now=now,
    )


def clean_phone(
    phone: str | None, *, zone: str | None = None, for_texts: bool = False
) -> str | None:
    """A typed phone number in E.164 (None for an empty one). Raises
    AccountError (field "phone") for one we cannot use: the same check as the
    forms' `PhoneNumber` validator, for callers without a form."""
    if not (phone or "").strip():
        if for_texts:
            raise AccountError(str(phones.NEEDS_NUMBER), field="phone")
        return None
    try:
        return phones.parse(phone, region=phones.region_for(zone), for_texts=for_texts)
    except phones.PhoneError as error:
        raise AccountError(error.message, field="phone") from None


def add_guest(
    display_name: str,
    *,
    actor: User,
    phone: str | None = None,
    email: str | None = None,
    texts_agreed: bool = False,
    zone: str | None = None,
    now: datetime | None = None,
) -> User:
    """A person a coordinator adds by name (a walk-in); guests cannot log in.

    With `texts_agreed` the guest said yes to texts at the number (a mobile
    one): they get confirmations, changes and reminders by text, and the
    coordinator's word is in the audit trail.
    """
    if email and find_by_email(email) is not None:
        raise AccountError(
            _("Someone with this email already has an account: pick them instead."),
            field="email",
        )
    number = clean_phone(phone, zone=zone, for_texts=texts_agreed)
    guest = User(
        display_name=display_name.strip(),
        phone=number,
        email=normalize_email(email) if email else None,
        is_guest=True,
    )
    db.session.add(guest)
    db.session.flush()
    audit.record(actor, "guest.create", guest)
    if texts_agreed:
        turn_texts_on(guest, source="coordinator", actor=actor, now=now or utcnow())
    return guest


def turn_texts_on(person: User, *, source: str, actor: User | None, now: datetime):
    """Record that `person` agreed to texts (now, and how: "self",
    "coordinator", "reply", "signup"); a STOP before no longer counts. A
    coordinator's record of someone else's agreement is audited."""
    person.sms_consent_at = now
    person.sms_consent_source = source
    person.sms_opted_out_at = None
    if actor is not None and actor.id != person.id:
        audit.record(actor, "user.sms_consent", person, source)


def turn_texts_off(person: User, *, now: datetime) -> None:
    if person.sms_opted_out_at is None:
        person.sms_opted_out_at = now


@sms.on_reply
def _texts_answered(reply: sms.Reply, now: datetime) -> None:
    """STOP from a number turns texts off for everyone with it (a shared phone
    is one phone); START turns them back on for those who had agreed before.
    Both are in the audit trail, without an actor."""
    if reply.action not in ("stop", "start"):
        return
    for person in db.session.scalars(select(User).where(User.phone == reply.number)):
        if reply.action == "stop" and person.sms_opted_out_at is None:
            person.sms_opted_out_at = now
            audit.record(None, "user.sms_stop", person)
        elif (
            reply.action == "start"
            and person.sms_opted_out_at is not None
            and person.sms_consent_at is not None
        ):
            turn_texts_on(person, source="reply", actor=None, now=now)
            audit.record(None, "user.sms_start", person)


def chosen_coordinators(user_ids) -> list[User]:
    """The people chosen to coordinate a project or garden. Raises AccountError
    (field "coordinators") when one of them does not hold the coordinator role."""
    chosen = list(
        db.session.scalars(select(User).where(User.id.in_(list(user_ids or []))))
    )
    if any(user.role != Role.coordinator or not user.is_active for user in chosen):
        raise AccountError(
            _("Only people with the coordinator role can coordinate."),
            field="coordinators",
        )
    return chosen


def active_coordinators() -> list[User]:
    """People who can be chosen to coordinate a project or a garden."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.coordinator, User.is_active)
            .order_by(User.display_name)
        )
    )


@dataclass(frozen=True)
class LogIn:
    """The outcome of a log-in: the account, or why there is none. Only the
    person who typed the right password learns that the address awaits its
    confirmation (and a fresh link is on its way)."""

    user: User | None = None
    awaits_confirmation: bool = False


def authenticate(
    email: str,
    password: str,
    *,
    now: datetime | None = None,
    next_url: str | None = None,
) -> LogIn:
    """The active, confirmed account with these credentials; otherwise an
    empty LogIn that never says whether the address exists."""
    user = find_by_email(email)
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(), password)
        return LogIn()
    if not user.check_password(password) or not user.is_active or user.is_guest:
        return LogIn()
    now = now or utcnow()
    if user.email_confirmed_at is None:
        send_confirmation(user, now=now, next_url=next_url)
        return LogIn(awaits_confirmation=True)
    user.last_login_at = now
    return LogIn(user)


def change_password(user: User, current: str, new: str) -> None:
    """Raises AccountError (field "current_password") if `current` is wrong.

    Rotates the session token, so every other session of this person ends.
    """
    if not user.check_password(current):
        raise AccountError(
            _("That is not your current password."), field="current_password"
        )
    user.set_password(new)
    user.rotate_session_token()


def update_profile(
    user: User,
    *,
    display_name: str,
    phone: str | None,
    shows_name: bool,
    is_discreet: bool = False,
    feed_shows_waitlist: bool = False,
    language: str | None = None,
    texts_on: bool | None = None,
    now: datetime | None = None,
) -> None:
    """Raises AccountError (field "phone") for a number we cannot use, or
    texts asked for without a mobile number. `texts_on` None leaves texts as
    they are; turning them on (or giving a new number with them on) records
    the person's consent, now."""
    now = now or utcnow()
    wants_texts = user.texts_on if texts_on is None else texts_on
    number = clean_phone(phone, for_texts=bool(texts_on))
    if number is None and user.texts_on:
        turn_texts_off(user, now=now)
    elif texts_on and (not user.texts_on or number != user.phone):
        turn_texts_on(user, source="self", actor=user, now=now)
    elif texts_on is False and user.texts_on:
        turn_texts_off(user, now=now)
    elif wants_texts and number != user.phone:
        turn_texts_off(user, now=now)  # a new number needs its own yes
    user.display_name = display_name.strip()
    set_language(user, language)
    user.phone = number
    user.shows_name = shows_name
    user.is_discreet = is_discreet
    user.feed_shows_waitlist = feed_shows_waitlist


def set_language(user: User, code: str | None) -> None:
    """The language pages, emails and the private feed speak; None follows the
    browser (and emails the garden's language)."""
    user.language = known_language(code)


def pause_account(user: User, *, until, today, now: datetime) -> None:
    """Step back from everything for a while: no reminders or messages but
    answers to the person's own actions, until `until` (or until they resume).
    Raises AccountError for an end date that is not after today."""
    if until is not None and until <= today:
        raise AccountError(_("Pick a date after today, or none."), field="until")
    user.paused_at = now
    user.paused_until = until


def resume_account(user: User) -> None:
    if user.paused_at is None:
        raise AccountError(_("Your account is not paused."))
    user.paused_at = None
    user.paused_until = None


def log_out(user: User) -> None:
    """End this and every other session of `user` (copied cookies stop working)."""
    user.rotate_session_token()


def set_role(user: User, role: Role, *, actor: User) -> None:
    """AccountError when an admin would demote themselves (one must stay admin)."""
    if user.id == actor.id and role != Role.admin:
        raise AccountError(
            _("You cannot remove your own admin role; ask another admin.")
        )
    if user.is_guest:
        raise AccountError(_("Guests cannot log in, so they cannot hold a role."))
    if user.role != role:
        audit.record(actor, "user.role", user, f"{user.role} -> {role}")
        user.role = role


def set_active(user: User, active: bool, *, actor: User) -> None:
    if user.id == actor.id and not active:
        raise AccountError(_("You cannot disable your own account."))
    if user.is_active != active:
        user.is_active = active
        user.rotate_session_token()
        audit.record(actor, "user.enable" if active else "user.disable", user)


def _password_stamp(user: User) -> str:
    # The hash ties a reset token to the current password: a change (or a use
    # of the token) makes it worthless. A guest has no password yet.
    return (user.password_hash or "guest")[-16:]


def request_password_reset(email: str, *, now: datetime) -> None:
    """Queue a reset link if an active account (or a guest a coordinator added
    with this address) has this email; otherwise do nothing, so the answer
    never reveals whether the email exists."""
    user = find_by_email(email)
    if user is None or not user.is_active or user.is_pseudonym:
        return
    token = tokens.make("password-reset", [user.id, _password_stamp(user)])
    notifications.queue(
        user,
        "password_reset",
        now=now,
        reset_url=absolute_url("accounts.reset_password", token=token),
    )


def user_for_reset(token: str) -> User | None:
    payload = tokens.read(
        "password-reset", token, max_age=current_app.config["PASSWORD_RESET_SECONDS"]
    )
    if not payload:
        return None
    user = db.session.get(User, payload[0])
    if user is None or not user.is_active or _password_stamp(user) != payload[1]:
        return None
    return user


def reset_password(user: User, new: str, *, now: datetime | None = None) -> None:
    """Single use: the new hash invalidates the token; other sessions end.
    The link proved the address, so an unconfirmed account is confirmed and a
    guest with this address becomes an account of their own."""
    user.set_password(new)
    user.rotate_session_token()
    user.is_guest = False
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now or utcnow()
