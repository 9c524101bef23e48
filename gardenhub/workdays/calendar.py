"""Workdays and shifts as calendar events: what a subscriber sees.

Public events carry public titles and open-spot counts, never a person.
A person's shift events carry only their own shift; in discreet mode only
neutral words. The same shift event goes into private feeds and email
attachments, with the same UID, so calendars never show it twice.
"""

from datetime import timedelta

from gardenhub.calendar.ical import FeedEvent, Organizer, serialize_message, uid_host
from gardenhub.config import absolute_url, mail_address
from gardenhub.i18n import _, language, ngettext
from gardenhub.workdays.models import Signup, SignupStatus
from gardenhub.workdays.queries import WorkdaySummary


def _place(workday) -> str:
    if workday.garden and workday.garden.address:
        return f"{workday.place}, {workday.garden.address}"
    return workday.place


def _geo(workday):
    return workday.garden.geo if workday.garden else None


def public_event(summary: WorkdaySummary, base_url: str) -> FeedEvent:
    workday = summary.workday
    url = absolute_url("workdays.show", workday_id=workday.id)
    if workday.is_cancelled:
        description = _("Cancelled. Details: %(url)s", url=url)
    elif summary.open_spots:
        description = ngettext(
            "%(num)d spot open. Sign up: %(url)s",
            "%(num)d spots open. Sign up: %(url)s",
            summary.open_spots,
            url=url,
        )
    else:
        description = _(
            "All spots are taken; you can join the waitlist: %(url)s", url=url
        )
    if workday.is_newcomer_friendly and not workday.is_cancelled:
        description += "\n" + _("Newcomer-friendly: first-timers are welcome.")
    return FeedEvent(
        uid=f"workday-{workday.id}@{uid_host(base_url)}",
        summary=workday.public_title,
        starts_at=workday.starts_at,
        ends_at=workday.ends_at,
        timezone=workday.timezone,
        sequence=workday.revision,
        changed_at=summary.changed_at,
        created_at=workday.created_at,
        status="CANCELLED" if workday.is_cancelled else "CONFIRMED",
        description=description,
        location=_place(workday),
        url=url,
        geo=_geo(workday),
        categories=(workday.project.public_name, _("Workday")),
        colour=workday.project.colour,
        language=language(),
    )


def shift_uid(shift_id: int, base_url: str) -> str:
    """The UID of a person's shift: the same in the private feed and in emails."""
    return f"shift-{shift_id}@{uid_host(base_url)}"


def private_event(
    signup: Signup, person, base_url: str, *, remind: timedelta | None = None
) -> FeedEvent:
    """A person's own shift. `remind`: a reminder this long before, for a
    confirmed shift (a private feed link can ask for one)."""
    shift = signup.shift
    workday = shift.workday
    url = absolute_url("workdays.show", workday_id=workday.id)
    waiting = signup.status in (SignupStatus.waitlisted, SignupStatus.offered)
    if person.is_discreet:
        summary = _("Garden shift")
        description = _("Details: %(url)s", url=url)
        categories = (_("Workday"),)
    else:
        # Member titles and the group's name only for people who belong.
        member = workday.project.includes(person)
        summary = f"{shift.name}: {workday.title_for(member)}"
        description = _(
            "%(project)s. Details: %(url)s",
            project=workday.project.name_for(member),
            url=url,
        )
        categories = (workday.project.name_for(member), _("Workday"))
    if workday.is_cancelled or signup.status == SignupStatus.cancelled:
        status = "CANCELLED"
    elif waiting:
        status = "TENTATIVE"
        summary = (
            _("%(summary)s (waitlist)", summary=summary)
            if signup.status == SignupStatus.waitlisted
            else _("%(summary)s (seat offered: confirm it)", summary=summary)
        )
    else:
        status = "CONFIRMED"
    stamps = [
        workday.updated_at,
        signup.created_at,
        signup.confirmed_at,
        signup.offered_at,
    ]
    return FeedEvent(
        uid=shift_uid(shift.id, base_url),
        summary=summary,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        timezone=workday.timezone,
        sequence=workday.revision,
        changed_at=max(s for s in stamps if s),
        created_at=signup.created_at,
        status=status,
        description=description,
        location=_place(workday),
        url=url,
        geo=_geo(workday),
        categories=categories,
        colour=workday.project.colour,
        alarm=remind if status == "CONFIRMED" else None,
        alarm_text=(
            _("Garden shift soon")
            if person.is_discreet
            else _("Soon: %(summary)s", summary=summary)
        ),
        language=language(),
    )


def shift_ics(signup: Signup, person, base_url: str) -> bytes:
    """One shift as a calendar file, for an email attachment, in the language
    being spoken (the caller's `speaking(recipient's language)`)."""
    event = private_event(signup, person, base_url)
    return serialize_message(event, Organizer(mail_address()))
