"""How long the public feed takes after one sign-up, against a full build.

Run by bench/harness.py (in a subprocess with the servers' environment, so on the
bench PostgreSQL database) after the data is seeded; in-process with Flask's
test client and GARDENHUB_FEED_RECHECK_SECONDS=0, so every request asks the
database whether the feed changed. Three steps:

1. a full build: empty the feed caches (`feeds.clear()` and the poll layer,
   as bench/nocache.py does), GET /calendar.ics; the median of `--builds` after
   one warm-up;
2. `--rounds` real changes through the service layer, alternately a sign-up
   and its cancellation (gardenhub.workdays.signups) of one volunteer on one
   shift of a public workday in the feed window, each committed, each followed
   by one timed GET /calendar.ics without emptying anything;
3. the bytes after the last change against a full build of the same data
   (empty, GET again, compare).

Times are wall-clock (time.perf_counter, the database's work included); the CPU
time of this process (time.process_time) is reported next to them. Prints one
line `BENCH_INCREMENTAL {json}`. By hand (a kept database, see README):

    .venv/bin/python bench/incremental.py --info /tmp/seed-1.json
"""

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("GARDENHUB_FEED_RECHECK_SECONDS", "0")

from nocache import clear_feed_caches  # noqa: E402 (bench/ is on sys.path)
from sqlalchemy import text  # noqa: E402

from gardenhub import create_app  # noqa: E402
from gardenhub.accounts.models import User  # noqa: E402
from gardenhub.db import utcnow  # noqa: E402
from gardenhub.extensions import db  # noqa: E402
from gardenhub.workdays import signups  # noqa: E402
from gardenhub.workdays.models import Shift, Signup  # noqa: E402

FEED = "/calendar.ics"

# The earliest shift with room for one more on a public, scheduled workday of
# an active project, starting tomorrow or later and inside the feed window:
# the one the public feed shows first among those open for sign-up.
CANDIDATE = """
SELECT s.id, w.id FROM shift s JOIN workday w ON w.id = s.workday_id
JOIN project p ON p.id = w.project_id
WHERE w.visibility = 'public' AND w.status = 'scheduled' AND p.is_active
  AND s.starts_at > now() + interval '1 day'
  AND w.starts_at < now() + make_interval(days => :ahead)
  AND NOT (s.id = ANY(:avoid_shifts)) AND w.id <> :busy_workday
  AND s.capacity > 1 + (SELECT count(*) FROM signup su WHERE su.shift_id = s.id
                        AND su.status IN ('confirmed', 'offered'))
ORDER BY w.starts_at, w.id, s.id LIMIT 1
"""


def timed_get(client) -> tuple[float, float, bytes]:
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.get(FEED)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if response.status_code != 200:
        raise RuntimeError(f"{FEED} answered {response.status_code}")
    return wall * 1000, cpu * 1000, response.data


def change(app, shift_id: int, email: str) -> str:
    """Sign the volunteer up for the shift, or cancel the sign-up they hold."""
    with app.app_context():
        person = db.session.scalars(db.select(User).where(User.email == email)).one()
        shift = db.session.get(Shift, shift_id)
        held = db.session.scalars(
            db.select(Signup).where(
                Signup.shift_id == shift_id,
                Signup.volunteer_id == person.id,
                Signup.status.in_(("confirmed", "offered", "waitlisted")),
            )
        ).first()
        if held is None:
            signups.sign_up(shift, person, now=utcnow())
            what = "sign-up"
        else:
            signups.cancel(held, actor=person, now=utcnow())
            what = "cancel"
        db.session.commit()
    return what


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--info", required=True, help="seed.py --out JSON")
    parser.add_argument("--builds", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    with open(args.info) as f:
        info = json.load(f)
    app = create_app()
    with app.app_context():
        found = db.session.execute(
            text(CANDIDATE),
            {
                "ahead": app.config["FEED_DAYS_AHEAD"],
                "avoid_shifts": [r["shift_id"] for r in info["race"]["rounds"]],
                "busy_workday": info["busy_workday_id"],
            },
        ).first()
    if found is None:
        raise SystemExit("no shift with a free seat in the feed window")
    shift_id, workday_id = found
    email = info["racers"][-1]  # no sign-ups of its own before the race
    client = app.test_client()
    uid = f"UID:workday-{workday_id}@".encode()

    clear_feed_caches(app)
    _, _, first = timed_get(client)  # warm-up: imports, templates, pools
    full_wall, full_cpu = [], []
    for _ in range(args.builds):
        clear_feed_caches(app)
        wall, cpu, _ = timed_get(client)
        full_wall.append(wall)
        full_cpu.append(cpu)

    after_wall, after_cpu, kinds = [], [], []
    previous, changed = first, 0
    timed_get(client)  # the caches hold the current version again
    for _ in range(args.rounds):
        kinds.append(change(app, shift_id, email))
        wall, cpu, body = timed_get(client)
        after_wall.append(wall)
        after_cpu.append(cpu)
        changed += body != previous
        previous = body
    clear_feed_caches(app)
    _, _, full = timed_get(client)
    if kinds and kinds[-1] == "sign-up":  # leave the data as seeded
        change(app, shift_id, email)

    full_ms = statistics.median(full_wall)
    after_ms = statistics.median(after_wall)
    result = {
        "clock": "time.perf_counter (wall, database included)",
        "shift_id": shift_id,
        "workday_id": workday_id,
        "volunteer": email,
        "in_feed": uid in first,
        "events": first.count(b"BEGIN:VEVENT"),
        "builds": len(full_wall),
        "rounds": len(after_wall),
        "changes": kinds,
        "full_ms": round(full_ms, 1),
        "after_change_ms": round(after_ms, 1),
        "ratio": round(after_ms / full_ms, 3) if full_ms else None,
        "full_cpu_ms": round(statistics.median(full_cpu), 1),
        "after_change_cpu_ms": round(statistics.median(after_cpu), 1),
        "cpu_ratio": round(
            statistics.median(after_cpu) / statistics.median(full_cpu), 3
        )
        if statistics.median(full_cpu)
        else None,
        "bytes_changed_rounds": changed,
        "identical_to_full_build": previous == full,
        "bytes": len(full),
    }
    print("BENCH_INCREMENTAL " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
