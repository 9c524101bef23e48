"""Stepping back from a project: leaving, pausing and being removed, with what
they mean for the person's seats. The membership rules themselves live in
`projects.membership`; this module adds the seats, which sit above it."""

from datetime import date, datetime

from gardenhub.accounts import services as accounts
from gardenhub.projects import membership
from gardenhub.projects.models import Membership
from gardenhub.workdays.signups import release_project_seats


def leave(found: Membership, *, person, now: datetime) -> None:
    """Leave the project; seats on its members-only workdays go back (public
    ones stay, as for anyone with an account)."""
    membership.leave(found, person=person, now=now)
    release_project_seats(found.project, found.user, now=now, members_only=True)


def pause(
    found: Membership,
    *,
    person,
    until: date | None,
    release_signups: bool,
    now: datetime,
) -> None:
    """Pause; with `release_signups` every seat still to come goes back."""
    membership.pause(found, person=person, until=until, now=now)
    if release_signups:
        release_project_seats(found.project, found.user, now=now, members_only=False)


def pause_account(
    person, *, until: date | None, release_signups: bool, today: date, now: datetime
) -> None:
    """Pause the whole account; with `release_signups` every seat still to come,
    in every project, goes back."""
    accounts.pause_account(person, until=until, today=today, now=now)
    if release_signups:
        release_project_seats(None, person, now=now, members_only=False)


def remove(found: Membership, *, actor, now: datetime) -> None:
    """A coordinator takes someone off; their members-only seats go back."""
    membership.remove(found, actor=actor, now=now)
    release_project_seats(found.project, found.user, now=now, members_only=True)
