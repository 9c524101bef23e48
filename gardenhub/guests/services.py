"""Signing up without an account.

On a public workday of an open project, a neighbour gives a name and an email
address (or a mobile number) and gets a link. Opening the link and pressing
"Confirm my seat" takes the seat, through `signups.sign_up` and so under the
same lock and rules as every seat; until then nothing is held, so nobody can
fill a shift with addresses they do not control. The same link then shows the
sign-up, cancels it, adds it to a calendar and checks its holder in ("I'm
here") during the check-in window, until the shift is over. It never logs
anyone in.

The page answers the same whatever the address: a known account or guest gets
the link for themselves (their name is never changed from outside), a new
address becomes a guest. Asking twice for the same shift sends a fresh link
and retires the old one; nothing is duplicated.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gardenhub import audit, tokens
from gardenhub.accounts import services as accounts
from gardenhub.accounts.models import User
from gardenhub.accounts.services import find_by_email, normalize_email
from gardenhub.config import absolute_url
from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.guests.models import GuestPass
from gardenhub.hours import services as hours
from gardenhub.i18n import _, known
from gardenhub.notifications import services as notifications
from gardenhub.projects.models import JoinMode
from gardenhub.workdays import signups
from gardenhub.workdays.models import Shift, WorkdayStatus


class GuestError(GardenHubError):
    pass


class LinkEnded(GuestError):
    status_code = 410


@dataclass(frozen=True)
class Contact:
    """Where a guest's link goes: exactly one of the two."""

    email: str | None = None
    phone: str | None = None

    @property
    def channel(self) -> str:
        return "email" if self.email else "sms"


def open_to_guests(shift: Shift, now: datetime) -> bool:
    """Public workdays of open, active projects, until the shift starts."""
    workday = shift.workday
    project = workday.project
    return (
        workday.visibility == "public"
        and workday.status == WorkdayStatus.scheduled
        and project.join_mode == JoinMode.open
        and project.is_active
        and shift.starts_at > now
    )


def ask(
    shift: Shift,
    *,
    name: str,
    contact: Contact,
    now: datetime,
    language: str | None = None,
) -> GuestPass | None:
    """Send a link that confirms a seat on `shift` to `contact`. None (and no
    message) for the address of a disabled account or a pseudonym; the visitor
    is told the same either way. A new guest keeps `language` (the page's), so
    the link and every later message speak it."""
    if not open_to_guests(shift, now):
        raise GuestError(
            _("This shift takes sign-ups from people with an account only.")
        )
    person = _person_for(name, contact, language)
    if person is None:
        return None
    guest_pass = _pass_for(shift, person, contact.channel, now)
    secret = tokens.new_secret()
    guest_pass.token_hash = tokens.hash_secret(secret)
    guest_pass.channel = contact.channel
    guest_pass.expires_at = shift.ends_at
    db.session.flush()
    notifications.queue(
        person,
        "guest_link",
        shift=shift,
        link=absolute_url("guests.show", token=secret),
        already=guest_pass.confirmed_at is not None
        and guest_pass.signup is not None
        and guest_pass.signup.is_active,
        text_to=contact.phone,
        now=now,
    )
    return guest_pass


def _pass_for(shift: Shift, person: User, channel: str, now: datetime) -> GuestPass:
    """The person's pass for this shift; a new one unless they asked before
    (also a moment ago, in a request racing this one)."""

    def existing() -> GuestPass | None:
        return db.session.scalar(
            select(GuestPass).where(
                GuestPass.shift_id == shift.id, GuestPass.person_id == person.id
            )
        )

    found = existing()
    if found is not None:
        return found
    guest_pass = GuestPass(
        shift=shift,
        person=person,
        channel=channel,
        created_at=now,
        expires_at=shift.ends_at,
        token_hash=tokens.hash_secret(tokens.new_secret()),
    )
    try:
        with db.session.begin_nested():
            db.session.add(guest_pass)
    except IntegrityError:
        return existing()
    return guest_pass


def _person_for(name: str, contact: Contact, language: str | None) -> User | None:
    """The account or guest with this address, else a new guest."""
    if contact.email:
        person = find_by_email(contact.email)
    else:
        person = db.session.scalar(
            select(User).where(User.phone == contact.phone, User.is_guest.is_(True))
        )
    if person is not None and person.is_active and not person.is_pseudonym:
        return person
    if person is not None:
        return None  # a disabled account or a pseudonym
    guest = User(
        display_name=name.strip(),
        email=normalize_email(contact.email) if contact.email else None,
        phone=contact.phone,
        is_guest=True,
        language=known(language),
    )
    try:
        with db.session.begin_nested():
            db.session.add(guest)
    except IntegrityError:  # the same address, asked for a moment ago
        return find_by_email(contact.email)
    audit.record(guest, "guest.self_signup", guest)
    return guest


def find(secret: str) -> GuestPass | None:
    if not secret or len(secret) > 100:
        return None
    return db.session.scalar(
        select(GuestPass).where(GuestPass.token_hash == tokens.hash_secret(secret))
    )


def _still_open(guest_pass: GuestPass, now: datetime) -> None:
    if guest_pass.has_ended(now):
        raise LinkEnded(_("This link ended with the shift."))


def confirm(guest_pass: GuestPass, *, now: datetime):
    """Take the seat (or a place on the waitlist when the shift filled up
    meanwhile). Confirming twice, also at the same moment, keeps one sign-up."""
    _still_open(guest_pass, now)
    current = guest_pass.signup
    if current is not None and current.is_active:
        return current
    person = guest_pass.person
    if (
        guest_pass.channel == "sms"
        and person.sms_consent_at is None
        and person.sms_opted_out_at is None
    ):
        # They asked for texts by giving their number: the confirmation,
        # changes and the reminder go there too (a STOP before still counts).
        accounts.turn_texts_on(person, source="signup", actor=None, now=now)
    try:
        signup = signups.sign_up(guest_pass.shift, guest_pass.person, now=now)
    except signups.AlreadySignedUp:
        # Signed up meanwhile (another click, or the account's own page).
        signup = signups.active_signup(guest_pass.shift, guest_pass.person)
    guest_pass.signup = signup
    guest_pass.confirmed_at = guest_pass.confirmed_at or now
    return signup


def cancel(guest_pass: GuestPass, *, now: datetime) -> None:
    _still_open(guest_pass, now)
    signup = guest_pass.signup
    if signup is None or not signup.is_active:
        raise GuestError(_("There is no seat to cancel on this link."))
    signups.cancel(signup, actor=guest_pass.person, now=now)


def check_in(guest_pass: GuestPass, *, now: datetime) -> None:
    """ "I'm here": the holder checks themselves in during the check-in window."""
    _still_open(guest_pass, now)
    signup = guest_pass.signup
    if signup is None or not signup.is_active:
        raise GuestError(_("Confirm your seat first."))
    hours.check_in(signup, actor=guest_pass.person, now=now)


def may_check_in(guest_pass: GuestPass, now: datetime) -> bool:
    signup = guest_pass.signup
    if signup is None or signup.status != "confirmed" or signup.checked_in_at:
        return False
    opens, _closes = hours.check_in_window(guest_pass.shift)
    return opens <= now < guest_pass.expires_at


def purge_ended(*, now: datetime) -> list[User]:
    """Delete the links of shifts that are over (the sign-ups stay, and
    retention treats them like everyone's). Returns whose links they were."""
    ended = db.session.scalars(
        select(GuestPass).where(GuestPass.expires_at <= now)
    ).all()
    people = list({guest_pass.person for guest_pass in ended})
    for guest_pass in ended:
        db.session.delete(guest_pass)
    db.session.flush()
    return people
