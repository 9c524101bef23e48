"""Public feed polls within the recheck interval are answered before Flask
runs (gardenhub/feeds/polls.py): no hooks, no session, no database, the same
headers, and only ever a public feed."""

import gzip
import re
import time

import pytest

from gardenhub.extensions import db
from gardenhub.feeds.models import FeedToken


@pytest.fixture
def app_config():
    return {"FEED_RECHECK_SECONDS": 60}


@pytest.fixture
def flask_runs(app):
    """How many requests reached Flask's own hooks."""
    seen = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: seen.append(1))
    return seen


def without_date(response) -> list:
    return sorted((k, v) for k, v in response.headers.items() if k != "Date")


def later(monkeypatch, seconds: float) -> None:
    now = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: now + seconds)


def test_a_repeat_poll_skips_flask_and_the_database(
    client, make_workday, flask_runs, count_queries
):
    make_workday()
    first = client.get("/calendar.ics")
    assert first.status_code == 200 and len(flask_runs) == 1
    with count_queries() as queries:
        again = client.get("/calendar.ics")
        poll = client.get(
            "/calendar.ics", headers={"If-None-Match": first.headers["ETag"]}
        )
        since = client.get(
            "/calendar.ics",
            headers={"If-Modified-Since": first.headers["Last-Modified"]},
        )
    assert queries == [] and len(flask_runs) == 1
    assert again.get_data() == first.get_data()
    assert without_date(again) == without_date(first)
    assert poll.status_code == 304 and since.status_code == 304
    assert poll.get_data() == b"" and poll.headers["ETag"] == first.headers["ETag"]
    # Every header a feed needs is replayed, the security ones included.
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "Vary"):
        assert again.headers[name] == first.headers[name]
    assert "Set-Cookie" not in again.headers


def test_each_encoding_and_query_is_its_own_answer(client, make_workday):
    make_workday()
    plain = client.get("/calendar.ics")
    packed = client.get("/calendar.ics", headers={"Accept-Encoding": "gzip"})
    packed_again = client.get("/calendar.ics", headers={"Accept-Encoding": "gzip"})
    german = client.get("/calendar.ics?lang=de")
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert packed_again.get_data() == packed.get_data()
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert "Content-Encoding" not in client.get("/calendar.ics").headers
    assert german.headers["Content-Language"] == "de"
    assert client.get("/calendar.ics").headers["Content-Language"] == "en"


def test_a_change_shows_once_the_recheck_interval_has_passed(
    client, make_workday, make_signup, monkeypatch
):
    workday = make_workday()
    before = client.get("/calendar.ics")
    make_signup(workday.shifts[0])
    assert client.get("/calendar.ics").get_data() == before.get_data()
    later(monkeypatch, 61)
    after = client.get(
        "/calendar.ics", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200 and "4 spots open" in after.get_data(as_text=True)


def test_only_public_feeds_are_replayed(client, auth, make_user, flask_runs):
    auth.login(make_user())
    page = client.post("/my/calendar", data={"name": "phone"}).get_data(as_text=True)
    token = re.search(r"https://gardenhub\.test/feeds/([\w-]+)\.ics", page)[1]
    assert client.get(f"/feeds/{token}.ics").status_code == 200
    db.session.scalars(db.select(FeedToken)).one().revoked_at = db.func.now()
    db.session.commit()
    # A revoked link stops at once: private feeds always go through Flask.
    assert client.get(f"/feeds/{token}.ics").status_code == 404
    runs = len(flask_runs)
    client.get("/")
    client.get("/")
    assert len(flask_runs) == runs + 2


def test_failed_and_refused_requests_are_not_kept(client, flask_runs):
    assert client.get("/gardens/nowhere/calendar.ics").status_code == 404
    assert client.get("/gardens/nowhere/calendar.ics").status_code == 404
    assert client.get("/calendar.ics?lang=%07").status_code == 400
    assert client.get("/calendar.ics?lang=%07").status_code == 400
    assert len(flask_runs) == 4


def test_the_replayed_answers_are_bounded(app, client, make_workday, flask_runs):
    make_workday()
    app.extensions["feed_polls"].max_entries = 2
    for n in range(3):
        client.get(f"/calendar.ics?n={n}")
    assert len(flask_runs) == 3
    client.get("/calendar.ics?n=2")  # kept
    client.get("/calendar.ics?n=0")  # dropped first: Flask again
    assert len(flask_runs) == 4
