"""The feed's VEVENT writer (`vevent_ical`) writes exactly what icalendar's
own components write (tests/ical_reference.py), for generated events: every
kind of text, zone, all-day and timed, ambiguous hours, alarms, organizers."""

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from icalendar.parser import Contentline

from gardenhub.calendar.ical import (
    FeedEvent,
    Organizer,
    _cleaned,
    _fold_ascii,
    vevent_ical,
)
from tests.ical_reference import _vevent

ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "UTC",
]
# Escapes, quotes, RFC 6868 carets, multi-byte characters, long lines.
TEXT = st.text(alphabet=list("ab ,;:\\\n\r\"^'é€ß日😀\tx"), max_size=120)
INSTANT = st.datetimes(
    min_value=datetime(1999, 1, 1),  # noqa: DTZ001 (hypothesis wants naive bounds)
    max_value=datetime(2090, 12, 31),  # noqa: DTZ001
).map(lambda moment: moment.replace(tzinfo=UTC, microsecond=0))


@st.composite
def events(draw) -> tuple[FeedEvent, Organizer | None]:
    starts = draw(INSTANT)
    event = FeedEvent(
        uid=draw(st.from_regex(r"[a-z]+-[0-9]{1,6}@[a-z.]{1,20}", fullmatch=True)),
        summary=draw(TEXT),
        starts_at=starts,
        ends_at=starts + draw(st.timedeltas(timedelta(0), timedelta(days=2))),
        timezone=draw(st.sampled_from(ZONES)),
        sequence=draw(st.integers(0, 10_000)),
        changed_at=draw(INSTANT),
        created_at=draw(INSTANT),
        status=draw(st.sampled_from(["CONFIRMED", "TENTATIVE", "CANCELLED"])),
        description=draw(TEXT),
        location=draw(TEXT),
        url=draw(st.sampled_from(["", "https://garden.example/workdays/12"])),
        geo=draw(
            st.none()
            | st.tuples(
                st.floats(-90, 90, allow_nan=False).map(lambda x: round(x, 5)),
                st.floats(-180, 180, allow_nan=False).map(lambda x: round(x, 5)),
            )
        ),
        all_day=draw(st.none() | st.dates(date(2000, 1, 1), date(2090, 1, 1))),
        categories=tuple(draw(st.lists(TEXT, max_size=3))),
        colour=draw(st.sampled_from(["", "#336633", "#ff00aa", "nonsense"])),
        alarm=draw(
            st.none()
            | st.timedeltas(timedelta(minutes=1), timedelta(days=3)).map(
                lambda d: timedelta(seconds=int(d.total_seconds()))
            )
        ),
        alarm_text=draw(TEXT),
        language=draw(st.sampled_from(["", "en", "de", "es"])),
    )
    organizer = draw(
        st.none() | st.builds(Organizer, st.just("garden@example.org"), TEXT)
    )
    return _cleaned(event), organizer


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(events())
def test_the_writer_matches_icalendar(app, drawn):
    event, organizer = drawn
    with app.test_request_context():
        written = vevent_ical(event, organizer)
        assert written == _vevent(event, organizer).to_ical()
    wrapped = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + written + b"END:VCALENDAR\r\n"
    (parsed,) = Calendar.from_ical(wrapped).walk("VEVENT")
    assert str(parsed["UID"]) == event.uid


def test_an_ambiguous_hour_goes_out_in_utc(app):
    # 02:30 on 25 October 2026 happens twice in Berlin.
    starts = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    event = FeedEvent(
        uid="workday-1@garden.example",
        summary="Night watch",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        timezone="Europe/Berlin",
        sequence=0,
        changed_at=starts,
        created_at=starts,
    )
    with app.test_request_context():
        written = vevent_ical(event).decode()
    assert "DTSTART:20261025T003000Z\r\n" in written
    assert "DTEND;TZID=Europe/Berlin:20261025T043000\r\n" in written


def test_long_lines_fold_as_icalendar_folds_them():
    """Every length around the 75-octet limit, with an escape's backslash or
    caret at every position near a fold."""
    for length in range(70, 230):
        for mark in ("\\", "^", ","):
            for at in range(60, min(length, 160)):
                line = "x" * at + mark + "y" * (length - at - 1)
                assert _fold_ascii(line) == Contentline(line).to_ical(), (length, at)
