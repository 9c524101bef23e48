"""The benchmark's yardstick: GardenHub's pages and feeds done the plainest way.

Bare Flask, SQLAlchemy Core with hand-written SQL, Jinja and icalendar over the same
database; no Flask-Login, no WTForms, no GardenHub code, no caching. The viewer of
the workday page comes from Flask's signed session cookie (set by /login/<id>),
the feed window and base URL from the same GARDENHUB_* variables. `/bytes`
answers, from memory, the file named by BENCH_FEED_BYTES (the harness writes
GardenHub's public feed there): what serving an unchanged feed costs a bare
Flask route. Serve it with
    gunicorn -w 2 --pythonpath bench "reference:create_app()"
"""

import hashlib
import os
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, Response, abort, render_template_string, session
from icalendar import Calendar, Event, vDuration, vText
from sqlalchemy import create_engine, text

HOME = """<!doctype html><title>Upcoming workdays</title><h1>Upcoming workdays</h1>
<ul>{% for w in rows %}<li><time>{{ w.starts_at|local(w.tz) }}</time>
<a href="/workdays/{{ w.id }}">{{ w.public_title }}</a> {{ w.place }}
{% if w.status == "cancelled" %}Cancelled{% elif w.capacity > w.taken %}
{{ w.capacity - w.taken }} spots open{% else %}Full{% endif %}</li>{% endfor %}</ul>
"""
WORKDAY = """<!doctype html><title>{{ w.title }}</title><h1>{{ w.title }}</h1>
<p>{{ w.starts_at|local(w.tz) }}, {{ w.place }} ({{ w.project }})</p>
<ul>{% for s in shifts %}<li>{{ s.name }} {{ s.starts_at|local(w.tz) }}:
{{ s.taken }} of {{ s.capacity }} filled, waitlist {{ s.waiting }}
{% if s.id in mine %}you: {{ mine[s.id] }}{% else %}<form method="post">
<button>Sign up</button></form>{% endif %}</li>{% endfor %}</ul>
<p>Who's coming: {{ names|join(", ") }} and {{ unnamed }} more.</p>
"""
WORKDAYS = """SELECT w.*, g.name AS garden, g.address, g.latitude, g.longitude,
 coalesce(g.timezone, p.timezone) AS tz, p.name AS project,
 (SELECT coalesce(sum(s.capacity), 0) FROM shift s
  WHERE s.workday_id = w.id) AS capacity,
 (SELECT count(*) FROM signup su JOIN shift s ON s.id = su.shift_id
  WHERE s.workday_id = w.id AND su.status IN ('confirmed', 'offered')) AS taken,
 (SELECT max(s.seats_changed_at) FROM shift s WHERE s.workday_id = w.id) AS seats
FROM workday w JOIN project p ON p.id = w.project_id
LEFT JOIN garden g ON g.id = w.garden_id WHERE p.is_active"""
SIGNUPS = """SELECT su.*, s.name, s.starts_at AS shift_start, s.ends_at AS shift_end,
 w.id AS workday_id, w.title, w.status AS workday_status, w.revision, w.updated_at,
 w.location, g.name AS garden, g.address, g.latitude, g.longitude,
 coalesce(g.timezone, p.timezone) AS tz, p.name AS project
FROM signup su JOIN shift s ON s.id = su.shift_id JOIN workday w ON w.id = s.workday_id
JOIN project p ON p.id = w.project_id LEFT JOIN garden g ON g.id = w.garden_id
WHERE su.volunteer_id = :uid AND su.status = ANY(:statuses)
 AND s.starts_at < :end AND s.ends_at > :start ORDER BY s.starts_at, s.id"""


def create_app() -> Flask:
    app = Flask(__name__)
    app.secret_key = os.environ["GARDENHUB_SECRET_KEY"]
    engine = create_engine(os.environ["GARDENHUB_SQLALCHEMY_DATABASE_URI"])
    base = os.environ.get("GARDENHUB_BASE_URL", "http://127.0.0.1:5000")
    host = base.split("://", 1)[1].split(":")[0].split("/")[0]
    back = int(os.environ.get("GARDENHUB_FEED_DAYS_BACK", "60"))
    ahead = int(os.environ.get("GARDENHUB_FEED_DAYS_AHEAD", "365"))
    app.jinja_env.filters["local"] = lambda moment, tz: (
        f"{moment.astimezone(ZoneInfo(tz)):%a %d %b %Y, %H:%M}"
    )

    def rows(sql: str, **params) -> list:
        with engine.connect() as connection:
            return list(connection.execute(text(sql), params))

    def place(row) -> str:
        return ", ".join(part for part in (row.garden, row.location) if part)

    def window() -> tuple[datetime, datetime]:
        today = datetime.combine(datetime.now(UTC).date(), time(), UTC)
        return today - timedelta(days=back), today + timedelta(days=ahead)

    def calendar(name: str, events: list[Event], years: set[int]) -> Response:
        cal = Calendar()
        for key, value in (
            ("prodid", "-//GardenHub reference//EN"),
            ("version", "2.0"),
            ("calscale", "GREGORIAN"),
            ("method", "PUBLISH"),
            ("name", vText(name)),
            ("x-wr-calname", vText(name)),
            ("x-wr-timezone", "Europe/Berlin"),
            ("x-published-ttl", vDuration(timedelta(hours=1))),
        ):
            cal.add(key, value)
        for event in events:
            cal.add_component(event)
        if years:
            cal.add_missing_timezones(
                date(min(years) - 1, 1, 1), date(max(years) + 2, 1, 1)
            )
        return Response(cal.to_ical(), content_type="text/calendar; charset=utf-8")

    def event(uid, row, start, end, changed, url, **props) -> Event:
        zone = ZoneInfo(row.tz)
        item = Event()
        item.add("uid", f"{uid}@{host}")
        item.add("dtstamp", changed)
        item.add("last-modified", changed)
        item.add("created", row.created_at)
        item.add("sequence", row.revision)
        item.add("dtstart", start.astimezone(zone))
        item.add("dtend", end.astimezone(zone))
        for key, value in props.items():
            item.add(key, value)
        item.add("location", ", ".join(filter(None, (place(row), row.address))))
        if row.latitude is not None:
            item.add("geo", (row.latitude, row.longitude))
        item.add("url", url)
        return item

    @app.get("/hello")
    def hello():
        return "hello"

    feed_bytes: list[bytes] = []  # read on the first request, then kept

    @app.get("/bytes")
    def same_bytes():
        if not feed_bytes:
            path = os.environ.get("BENCH_FEED_BYTES")
            if not path or not Path(path).is_file():
                abort(404)
            feed_bytes.append(Path(path).read_bytes())
        return Response(feed_bytes[0], content_type="text/calendar; charset=utf-8")

    @app.get("/login/<int:user_id>")
    def login(user_id: int):
        session["uid"] = user_id
        return "", 204

    @app.get("/")
    def home():
        upcoming = rows(
            f"{WORKDAYS} AND w.ends_at > now() ORDER BY w.starts_at, w.id LIMIT 40"
        )
        upcoming = [{**r._mapping, "place": place(r)} for r in upcoming]
        return render_template_string(HOME, rows=upcoming)

    @app.get("/workdays/<int:workday_id>")
    def workday(workday_id: int):
        viewer = rows(
            'SELECT * FROM "user" WHERE id = :id AND is_active', id=session.get("uid")
        )
        found = rows(f"{WORKDAYS} AND w.id = :id", id=workday_id) or abort(404)
        shifts = rows(
            """SELECT s.*, count(su.id) FILTER (WHERE su.status IN
            ('confirmed', 'offered')) AS taken, count(su.id) FILTER (WHERE su.status =
            'waitlisted') AS waiting FROM shift s LEFT JOIN signup su
            ON su.shift_id = s.id WHERE s.workday_id = :id GROUP BY s.id
            ORDER BY s.starts_at, s.id""",
            id=workday_id,
        )
        mine = {
            r.shift_id: r.status
            for r in rows(
                """SELECT su.shift_id, su.status FROM signup su JOIN shift s
                ON s.id = su.shift_id WHERE s.workday_id = :id AND su.volunteer_id
                = :uid AND su.status IN ('confirmed', 'offered', 'waitlisted')""",
                id=workday_id,
                uid=viewer[0].id if viewer else None,
            )
        }
        coming = rows(
            """SELECT u.display_name, u.shows_name FROM signup su JOIN shift s
            ON s.id = su.shift_id JOIN "user" u ON u.id = su.volunteer_id
            WHERE s.workday_id = :id AND su.status = 'confirmed'""",
            id=workday_id,
        )
        names = sorted({r.display_name for r in coming if r.shows_name})
        return render_template_string(
            WORKDAY,
            w={**found[0]._mapping, "place": place(found[0])},
            shifts=shifts,
            mine=mine,
            names=names,
            unnamed=sum(1 for r in coming if not r.shows_name),
        )

    @app.get("/calendar.ics")
    def public_feed():
        start, end = window()
        events, years = [], set()
        for r in rows(
            f"""{WORKDAYS} AND w.starts_at < :end AND w.ends_at > :start
            ORDER BY w.starts_at, w.id LIMIT 1000""",
            start=start,
            end=end,
        ):
            url = f"{base}/workdays/{r.id}"
            spots = r.capacity - r.taken
            cancelled = r.status == "cancelled"
            years |= {r.starts_at.year, r.ends_at.year}
            events.append(
                event(
                    f"workday-{r.id}",
                    r,
                    r.starts_at,
                    r.ends_at,
                    max(filter(None, (r.updated_at, r.seats))),
                    url,
                    summary=r.public_title,
                    status="CANCELLED" if cancelled else "CONFIRMED",
                    transp="TRANSPARENT" if cancelled else "OPAQUE",
                    description=f"Cancelled. Details: {url}"
                    if cancelled
                    else f"{spots} spots open. Sign up: {url}",
                )
            )
        return calendar("GardenHub: all workdays", events, years)

    @app.get("/feeds/<token>.ics")
    def private_feed(token: str):
        owner = rows(
            """SELECT u.* FROM feed_token t JOIN "user" u ON u.id = t.user_id
            WHERE t.token_hash = :hash AND t.revoked_at IS NULL AND u.is_active""",
            hash=hashlib.sha256(token.encode()).hexdigest(),
        ) or abort(404)
        person = owner[0]
        statuses = ["confirmed", "offered"]
        if person.feed_shows_waitlist:
            statuses.append("waitlisted")
        start, end = window()
        events, years = [], set()
        for r in rows(SIGNUPS, uid=person.id, statuses=statuses, start=start, end=end):
            url = f"{base}/workdays/{r.workday_id}"
            cancelled = r.workday_status == "cancelled"
            years |= {r.shift_start.year, r.shift_end.year}
            stamps = (r.updated_at, r.created_at, r.confirmed_at, r.offered_at)
            events.append(
                event(
                    f"shift-{r.shift_id}",
                    r,
                    r.shift_start,
                    r.shift_end,
                    max(filter(None, stamps)),
                    url,
                    summary=f"{r.name}: {r.title}",
                    status="CANCELLED" if cancelled else "CONFIRMED",
                    transp="TRANSPARENT" if cancelled else "OPAQUE",
                    description=f"{r.project}. Details: {url}",
                )
            )
        return calendar("GardenHub: my shifts", events, years)

    return app
