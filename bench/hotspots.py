"""Profile one GardenHub request in-process: where the time goes, SQL included.

Runs the app with Flask's test client against the database named by the
GARDENHUB_* variables (keep one with `BENCH_KEEP_DB=1 make bench`), repeats the
request under cProfile and prints the queries with their times and the hottest
functions. Examples:

    .venv/bin/python bench/hotspots.py /
    .venv/bin/python bench/hotspots.py /workdays/3001 --login busy@bench.example
    .venv/bin/python bench/hotspots.py /calendar.ics --etag
    .venv/bin/python bench/hotspots.py /calendar.ics --no-cache --sort cumulative
"""

import argparse
import cProfile
import io
import pstats
import re
import time

from nocache import create_app as create_nocache_app
from seed import PASSWORD  # bench/ is on sys.path when run as a script
from sqlalchemy import event

from gardenhub import create_app
from gardenhub.extensions import db


def log_in(client, email: str) -> None:
    page = client.get("/login").data
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token.decode()},
    )
    assert response.status_code in (302, 303), response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--login", help="log in as this seeded email first")
    parser.add_argument("--etag", action="store_true", help="send If-None-Match")
    parser.add_argument(
        "--no-cache", action="store_true", help="empty the feed cache each request"
    )
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    # --no-cache: bench/nocache.py's app, every feed cache emptied per request.
    app = create_nocache_app() if args.no_cache else create_app()
    client = app.test_client()
    if args.login:
        log_in(client, args.login)
    headers = {}
    first = client.get(args.path)
    if args.etag:
        headers["If-None-Match"] = first.headers["ETag"]
    client.get(args.path, headers=headers)

    queries: list[list] = []
    with app.app_context():

        @event.listens_for(db.engine, "before_cursor_execute")
        def started(conn, cursor, statement, parameters, context, executemany):
            conn.info["bench_started"] = time.perf_counter()

        @event.listens_for(db.engine, "after_cursor_execute")
        def finished(conn, cursor, statement, parameters, context, executemany):
            elapsed = time.perf_counter() - conn.info.pop("bench_started")
            queries.append([" ".join(statement.split())[:160], elapsed])

    profiler = cProfile.Profile()
    started_at = time.perf_counter()
    profiler.enable()
    for _ in range(args.repeat):
        response = client.get(args.path, headers=headers)
    profiler.disable()
    per_request = (time.perf_counter() - started_at) / args.repeat * 1000
    in_sql = sum(q[1] for q in queries) / args.repeat * 1000
    print(
        f"{args.path}: {response.status_code}, {len(response.data):,} bytes, "
        f"{per_request:.1f} ms per request under the profiler, "
        f"{len(queries) / args.repeat:.0f} queries taking {in_sql:.1f} ms"
    )
    for statement, elapsed in queries[: len(queries) // args.repeat]:
        print(f"  {elapsed * 1000:7.2f} ms  {statement}")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
