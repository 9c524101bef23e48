"""Sign-ups: capacity, the waitlist and offers of freed seats.

The promise: a shift's confirmed sign-ups plus held offers never exceed its
capacity. Every change that counts or takes a seat first locks the shift row
(`gardenhub.db.lock`), so concurrent requests queue up on that lock and each
sees the count the previous one left.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from gardenhub import audit, tokens
from gardenhub.accounts import services as accounts
from gardenhub.accounts.models import User
from gardenhub.config import absolute_url, base_url
from gardenhub.db import lock
from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.i18n import _, ngettext
from gardenhub.notifications import services as notifications
from gardenhub.projects import membership
from gardenhub.workdays import newcomers
from gardenhub.workdays.calendar import shift_ics
from gardenhub.workdays.models import (
    ACTIVE_STATUSES,
    SEAT_STATUSES,
    Shift,
    Signup,
    SignupStatus,
    Workday,
    WorkdayStatus,
)


class SignupError(GardenHubError):
    pass


class SignupClosed(SignupError):
    pass


class AlreadySignedUp(SignupError):
    pass


class OverlappingShift(SignupError):
    pass


class OfferUnavailable(SignupError):
    pass


class CapacityTooLow(SignupError):
    pass


def _hours(key: str) -> timedelta:
    return timedelta(hours=current_app.config[key])


def seats_taken(shift: Shift) -> int:
    """Confirmed seats and held offers (expired offers too, until released)."""
    return db.session.scalar(
        select(func.count(Signup.id)).where(
            Signup.shift_id == shift.id, Signup.status.in_(SEAT_STATUSES)
        )
    )


def _live_seats(shift: Shift, now: datetime) -> int:
    """Seats that still count at `now`: confirmed, and offers not yet run out.
    Lets a rule decide before `_release_expired_offers` writes anything."""
    return db.session.scalar(
        select(func.count(Signup.id)).where(
            Signup.shift_id == shift.id,
            (Signup.status == SignupStatus.confirmed)
            | (
                (Signup.status == SignupStatus.offered)
                & (Signup.offer_expires_at > now)
            ),
        )
    )


def active_signup(shift: Shift, person: User) -> Signup | None:
    return db.session.scalars(
        select(Signup).where(
            Signup.shift_id == shift.id,
            Signup.volunteer_id == person.id,
            Signup.status.in_(ACTIVE_STATUSES),
        )
    ).first()


def waitlist_position(signup: Signup) -> int:
    """1 for the first person waiting; only ever shown to that person."""
    return db.session.scalar(
        select(func.count(Signup.id)).where(
            Signup.shift_id == signup.shift_id,
            Signup.status == SignupStatus.waitlisted,
            (Signup.created_at < signup.created_at)
            | ((Signup.created_at == signup.created_at) & (Signup.id <= signup.id)),
        )
    )


def _check_open(shift: Shift, now: datetime) -> None:
    if shift.workday.status == WorkdayStatus.cancelled:
        raise SignupClosed(_("This workday is cancelled, so sign-ups are closed."))
    if shift.starts_at <= now:
        raise SignupClosed(_("This shift has already started; sign-ups are closed."))


def _seats_overlapping(shift: Shift, what, people: list[int]):
    """Select `what` over seats that people hold on shifts overlapping `shift`."""
    return (
        select(what)
        .select_from(Shift)
        .join(Signup, Signup.shift_id == Shift.id)
        .join(Workday, Workday.id == Shift.workday_id)
        .where(
            Signup.volunteer_id.in_(people),
            Signup.status.in_(SEAT_STATUSES),
            Workday.status == WorkdayStatus.scheduled,
            Shift.id != shift.id,
            Shift.starts_at < shift.ends_at,
            Shift.ends_at > shift.starts_at,
        )
    )


def _overlapping_shift(shift: Shift, person: User) -> Shift | None:
    """A shift overlapping `shift` on which `person` holds a seat."""
    return db.session.scalars(_seats_overlapping(shift, Shift, [person.id])).first()


def _check_overlap(shift: Shift, person: User, *, by_someone_else: bool) -> None:
    """One message for every way into a seat: signing up, confirming an offer,
    a walk-in. Raises OverlappingShift."""
    other = _overlapping_shift(shift, person)
    if other is not None:
        # The member title only for the person themselves, if they belong.
        member = not by_someone_else and other.workday.project.includes(person)
        names = {"shift": other.name, "workday": other.workday.title_for(member)}
        raise OverlappingShift(
            _(
                "This overlaps “%(shift)s” on %(workday)s, which they are "
                "already signed up for.",
                **names,
            )
            if by_someone_else
            else _(
                "This overlaps “%(shift)s” on %(workday)s, which you are "
                "already signed up for.",
                **names,
            )
        )


def sign_up(
    shift: Shift,
    person: User,
    *,
    now: datetime,
    added_by: User | None = None,
    note: str | None = None,
    wants_buddy: bool = False,
    buddy_sees_name: bool = False,
) -> Signup:
    """Confirm `person` on `shift`, or put them on the waitlist when it is full.
    A note for the coordinators and a wish for a welcome buddy may come along.

    Raises SignupClosed (started or cancelled), AlreadySignedUp (an active
    sign-up exists) and OverlappingShift (they hold a seat on an overlapping
    shift), each before anything is written.
    """
    note = newcomers.check_note(note)
    shift = lock(shift)
    _check_open(shift, now)
    workday = shift.workday
    if (
        workday.visibility == "members"
        and added_by is None
        and not membership.belongs(workday.project, person)
    ):
        raise SignupClosed(_("This workday is for the project's members."))
    if active_signup(shift, person) is not None:
        raise AlreadySignedUp(
            _("You are already signed up for this shift.")
            if added_by is None
            else _("%(name)s is already on this shift.", name=person.display_name)
        )
    _check_overlap(shift, person, by_someone_else=added_by is not None)
    _release_expired_offers(shift, now)
    if added_by is None:
        membership.join_with_signup(workday.project, person, now=now)
    full = seats_taken(shift) >= shift.capacity
    signup = Signup(
        shift=shift,
        volunteer=person,
        added_by=added_by,
        created_at=now,
        status=SignupStatus.waitlisted if full else SignupStatus.confirmed,
        confirmed_at=None if full else now,
        note=note,
        wants_buddy=wants_buddy,
        buddy_sees_name=wants_buddy and buddy_sees_name,
    )
    db.session.add(signup)
    shift.seats_changed_at = now
    db.session.flush()
    if added_by is not None:
        audit.record(added_by, "signup.add", signup, f"shift {shift.id}")
    if full:
        notifications.queue(
            person,
            "waitlist_joined",
            signup=signup,
            position=waitlist_position(signup),
            now=now,
        )
    else:
        _confirmation(signup, now)
    return signup


def sign_up_someone(
    shift: Shift,
    *,
    actor: User,
    now: datetime,
    email: str | None = None,
    name: str | None = None,
    phone: str | None = None,
    texts_agreed: bool = False,
) -> Signup:
    """A coordinator signs someone up from the roster: the account (or earlier
    guest) with this email, else a new guest by name (with their agreement to
    texts, audited); then `sign_up`."""
    person = accounts.find_or_add_person(
        actor=actor,
        email=email,
        name=name,
        phone=phone,
        texts_agreed=texts_agreed,
        zone=shift.workday.timezone,
        now=now,
    )
    return sign_up(shift, person, now=now, added_by=actor)


def release_project_seats(
    project, person: User, *, now: datetime, members_only: bool
) -> int:
    """Give back `person`'s seats and places on the project's workdays still to
    come (every project's when `project` is None; only the members-only ones
    when `members_only`); freed seats go to the waitlist as after any
    cancellation. Returns how many."""
    query = (
        select(Signup)
        .join(Shift, Shift.id == Signup.shift_id)
        .join(Workday, Workday.id == Shift.workday_id)
        .where(
            Signup.volunteer_id == person.id,
            Signup.status.in_(ACTIVE_STATUSES),
            Shift.starts_at > now,
        )
    )
    if project is not None:
        query = query.where(Workday.project_id == project.id)
    if members_only:
        query = query.where(Workday.visibility == "members")
    found = db.session.scalars(query).all()
    for signup in found:
        cancel(signup, actor=person, now=now)
    return len(found)


def walk_in(shift: Shift, person: User, *, actor: User, now: datetime) -> Signup:
    """A confirmed seat for someone who turned up (check-in does the rest).

    Their own seat, offer or waitlist place becomes the seat; a full shift gets
    one more seat, recorded in the audit trail, so confirmed sign-ups never
    exceed capacity. Works after the shift started. Raises SignupClosed for a
    cancelled workday and OverlappingShift, before anything is written.
    """
    shift = lock(shift)
    if shift.workday.status == WorkdayStatus.cancelled:
        raise SignupClosed(_("This workday is cancelled."))
    signup = active_signup(shift, person)
    if signup is not None and signup.status == SignupStatus.confirmed:
        return signup
    _check_overlap(shift, person, by_someone_else=True)
    _release_expired_offers(shift, now)
    if signup is not None:
        db.session.refresh(signup)  # its own offer may just have run out
        if not signup.is_active:
            signup = None
    needs_seat = signup is None or signup.status == SignupStatus.waitlisted
    if needs_seat and seats_taken(shift) >= shift.capacity:
        shift.capacity += 1
        audit.record(actor, "shift.capacity.walk_in", shift, str(shift.capacity))
    if signup is None:
        signup = Signup(shift=shift, volunteer=person, added_by=actor, created_at=now)
        db.session.add(signup)
    signup.status = SignupStatus.confirmed
    signup.confirmed_at = now
    signup.offer_expires_at = None
    shift.seats_changed_at = now
    db.session.flush()
    audit.record(actor, "signup.walk_in", signup, f"shift {shift.id}")
    return signup


def _confirmation(signup: Signup, now: datetime) -> None:
    """Tell the person, with the shift as a calendar file (same UID as their feed)."""
    person = signup.volunteer
    ics = shift_ics(signup, person, base_url())
    notifications.queue(
        person,
        "signup_confirmed",
        signup=signup,
        first_time=newcomers.is_first_time(signup),
        now=now,
        attachment=(f"shift-{signup.shift_id}.ics", ics),
    )


def offer_link(signup: Signup) -> str:
    """A one-click link to confirm an offered seat; it opens a page with a button
    (link scanners never confirm anything) and works only for this offer."""
    token = tokens.make("seat-offer", [signup.id, signup.volunteer_id])
    return absolute_url("workdays.offer_link", token=token)


def cancel(signup: Signup, *, actor: User, now: datetime) -> None:
    """The volunteer (or a coordinator) cancels until the shift starts; a freed
    seat is offered to the waitlist. Raises SignupError otherwise."""
    shift = lock(signup.shift)
    db.session.refresh(signup)
    if not signup.is_active:
        raise SignupError(_("This sign-up is no longer active."))
    if shift.starts_at <= now:
        raise SignupClosed(
            _(
                "This shift has already started; it can no longer be "
                "cancelled here. Please tell a coordinator."
            )
        )
    freed = signup.holds_seat
    had_a_calendar_file = signup.status == SignupStatus.confirmed
    signup.status = SignupStatus.cancelled
    signup.cancelled_at = now
    shift.seats_changed_at = now
    newcomers.cancelled(signup, now=now)
    if had_a_calendar_file and (
        signup.volunteer.email
        or notifications.texts_to(signup.volunteer, "signup_cancelled")
    ):
        # The confirmation put this shift in their calendar: take it out.
        notifications.queue(
            signup.volunteer,
            "signup_cancelled",
            signup=signup,
            by_someone_else=actor.id != signup.volunteer_id,
            now=now,
            attachment=(
                f"shift-{signup.shift_id}.ics",
                shift_ics(signup, signup.volunteer, base_url()),
            ),
        )
    if actor.id != signup.volunteer_id:
        audit.record(actor, "signup.cancel", signup)
    db.session.flush()
    if freed:
        offer_free_seats(shift, now=now)


def confirm(signup: Signup, *, person: User, now: datetime) -> None:
    """Take the seat: an offer that has not run out, or (inside the cut-off
    before the shift, when seats are simply open) a free seat for someone
    still waiting.

    Raises OfferUnavailable (someone else's, run out, nothing free) and
    OverlappingShift (the same message as a sign-up), before anything is
    written. A view that wants a run-out offer passed on calls
    `pass_on_expired_offers` first, as its own step.
    """
    shift = lock(signup.shift)
    db.session.refresh(signup)
    if signup.volunteer_id != person.id:
        raise OfferUnavailable(_("This offer is for someone else."))
    _check_open(shift, now)
    if signup.status == SignupStatus.confirmed:
        raise OfferUnavailable(_("You already have a seat on this shift."))
    if signup.status == SignupStatus.expired or (
        signup.status == SignupStatus.offered and signup.offer_expires_at <= now
    ):
        raise OfferUnavailable(
            _(
                "This offer has expired and passed to the next person. "
                "You can join the waitlist again."
            )
        )
    open_seat = (
        signup.status == SignupStatus.waitlisted
        and _inside_cutoff(shift, now)
        and _live_seats(shift, now) < shift.capacity
    )
    if signup.status != SignupStatus.offered and not open_seat:
        raise OfferUnavailable(_("There is no free seat to confirm right now."))
    _check_overlap(shift, person, by_someone_else=False)
    _release_expired_offers(shift, now)
    signup.status = SignupStatus.confirmed
    signup.confirmed_at = now
    signup.offer_expires_at = None
    shift.seats_changed_at = now
    _confirmation(signup, now)


def pass_on_expired_offers(shift: Shift, *, now: datetime) -> None:
    """Pass the shift's run-out offers to the next people waiting. Its own step,
    committed by the caller before a rule that may refuse (`confirm`)."""
    _release_expired_offers(lock(shift), now)


def set_capacity(shift: Shift, capacity: int, *, now: datetime) -> None:
    """Refused below the seats already taken; rising offers seats to the waitlist
    (unless the workday is cancelled or about to start)."""
    shift = lock(shift)
    taken = _live_seats(shift, now)
    if capacity < taken:
        raise CapacityTooLow(
            ngettext(
                "%(num)d person already holds a seat on “%(shift)s”, so its "
                "capacity cannot go below %(num)d.",
                "%(num)d people already hold a seat on “%(shift)s”, so its "
                "capacity cannot go below %(num)d.",
                taken,
                shift=shift.name,
            ),
            field="capacity",
        )
    _release_expired_offers(shift, now)
    rising = capacity > shift.capacity
    shift.capacity = capacity
    shift.seats_changed_at = now
    db.session.flush()
    if rising:
        offer_free_seats(shift, now=now)


def _inside_cutoff(shift: Shift, now: datetime) -> bool:
    return now >= shift.starts_at - _hours("OFFER_CUTOFF_HOURS")


def offer_free_seats(shift: Shift, *, now: datetime) -> list[Signup]:
    """Offer each free seat to the next person waiting (caller holds the lock).

    The offer holds the seat for the claim window, shortened to what is left
    before the shift. Nothing is offered on a cancelled workday, or inside the
    cut-off before the shift (free seats are open to anyone then, the waitlist
    included). Someone who now holds a seat on an overlapping shift keeps their
    place and is passed over.
    """
    if shift.workday.status == WorkdayStatus.cancelled or _inside_cutoff(shift, now):
        return []
    free = shift.capacity - seats_taken(shift)
    if free <= 0:
        return []
    queue = db.session.scalars(
        select(Signup)
        .where(Signup.shift_id == shift.id, Signup.status == SignupStatus.waitlisted)
        .order_by(Signup.created_at, Signup.id)
    ).all()
    busy = set(
        db.session.scalars(
            _seats_overlapping(
                shift, Signup.volunteer_id, [s.volunteer_id for s in queue]
            )
        )
    )
    waiting = [s for s in queue if s.volunteer_id not in busy][:free]
    expires = min(now + _hours("OFFER_WINDOW_HOURS"), shift.starts_at)
    for signup in waiting:
        signup.status = SignupStatus.offered
        signup.offered_at = now
        signup.offer_expires_at = expires
        notifications.queue(
            signup.volunteer,
            "seat_offered",
            signup=signup,
            confirm_url=offer_link(signup),
            now=now,
        )
    shift.seats_changed_at = now
    db.session.flush()
    return list(waiting)


def _release_expired_offers(shift: Shift, now: datetime) -> None:
    expired = db.session.scalars(
        select(Signup).where(
            Signup.shift_id == shift.id,
            Signup.status == SignupStatus.offered,
            Signup.offer_expires_at <= now,
        )
    ).all()
    for signup in expired:
        signup.status = SignupStatus.expired
        notifications.queue(signup.volunteer, "offer_expired", signup=signup, now=now)
    if expired:
        shift.seats_changed_at = now
        db.session.flush()
        offer_free_seats(shift, now=now)


def expire_offers(*, now: datetime) -> int:
    """Pass every expired offer on to the next person (for cron). Returns how many."""
    shift_ids = db.session.scalars(
        select(Signup.shift_id)
        .where(Signup.status == SignupStatus.offered, Signup.offer_expires_at <= now)
        .distinct()
    ).all()
    count = 0
    for shift_id in shift_ids:
        shift = lock(db.session.get(Shift, shift_id))
        before = db.session.scalar(
            select(func.count(Signup.id)).where(
                Signup.shift_id == shift.id,
                Signup.status == SignupStatus.offered,
                Signup.offer_expires_at <= now,
            )
        )
        _release_expired_offers(shift, now)
        count += before
    return count
