"""Plot renewal deadlines as all-day calendar events."""

from datetime import UTC, datetime, time

from gardenhub.calendar.ical import FeedEvent, uid_host
from gardenhub.config import absolute_url
from gardenhub.i18n import _, language


def renewal_event(assignment, person, base_url: str) -> FeedEvent:
    """The last day to renew a plot, as an all-day event."""
    garden = assignment.plot.garden
    url = absolute_url("plots.my_plot")
    summary = (
        _("Renew your garden plot")
        if person.is_discreet
        else _(
            "Renew plot %(plot)s at %(garden)s",
            plot=assignment.plot.label,
            garden=garden.name,
        )
    )
    deadline = garden.renewal_deadline
    midnight = datetime.combine(deadline, time(), UTC)
    return FeedEvent(
        # Ids only: renaming the season or moving the deadline updates this
        # event instead of making a new one.
        uid=f"plot-renewal-{assignment.id}@{uid_host(base_url)}",
        summary=summary,
        starts_at=midnight,
        ends_at=midnight,
        timezone=garden.timezone,
        sequence=0,
        changed_at=assignment.created_at,
        created_at=assignment.created_at,
        description=_("Renew by today: %(url)s", url=url),
        url=url,
        all_day=deadline,
        location=garden.place,
        geo=garden.geo,
        categories=(_("Plot renewal"),),
        language=language(),
    )
