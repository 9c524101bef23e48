"""The measurement behind `make bench`: seed, serve, load with wrk, race, report.

bench/run.sh prepares a throw-away PostgreSQL database with the schema and then
runs this module. For each scale it seeds the data (bench/seed.py), serves three
gunicorn apps with 2 sync workers each on free loopback ports:

- GardenHub as deployed: `gardenhub:create_app()`;
- GardenHub with its feed cache emptied before every request
  (bench/nocache.py), to measure what building a feed costs;
- the plain reference app (bench/reference.py);

drives them with wrk (bench/wrk.lua adds the cookie and If-None-Match headers),
races 20 logged-in volunteers for the 10 seats of one shift, and writes
bench/RESULTS.md. The ratio is GardenHub requests/s divided by the reference's,
measured in the same run, so a noisy machine moves both sides.
"""

import argparse
import http.client
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BIN = ROOT / ".venv" / "bin"
RESULTS = BENCH / "RESULTS.md"
AGENT = "gardenhub-bench"  # wrk sends the same, so Flask-Login's session check holds
RUN_MARK = "<!-- run -->"
KEEP_RUNS = 10
CONNECTIONS = 16
THREADS = 2


# -- HTTP client with a cookie jar that ignores the Secure flag -----------------


class Client:
    """Sequential requests to one server, keeping its cookies.

    GardenHub marks cookies Secure in production; the benchmark talks plain http
    on loopback, so the jar keeps and sends them anyway.
    """

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.page = b""  # the last page gardenhub_login opened

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(
        self,
        method: str,
        path: str,
        form: dict | None = None,
        headers: dict | None = None,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        sent = {"User-Agent": AGENT, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = self.cookie_header
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                if (
                    morsel.value
                    and morsel["expires"] != "Thu, 01 Jan 1970 00:00:00 GMT"
                ):
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, response.headers, data

    def get(self, path: str, headers: dict | None = None):
        return self.request("GET", path, headers=headers)

    def post(self, path: str, form: dict):
        return self.request("POST", path, form=form)


CSRF = re.compile(rb'<input[^>]*name="csrf_token"[^>]*>')
VALUE = re.compile(rb'value="([^"]+)"')


def csrf_token(page: bytes) -> str:
    tag = CSRF.search(page)
    if not tag:
        raise RuntimeError("no csrf_token field on the page")
    return VALUE.search(tag.group(0)).group(1).decode()


def gardenhub_login(port: int, email: str, password: str, page: str) -> Client:
    """Log in through the form (with its CSRF token), then open `page` once so
    the welcome flash is consumed and the session holds a CSRF token."""
    client = Client(port)
    status, _, body = client.get("/login")
    form = {"email": email, "password": password, "csrf_token": csrf_token(body)}
    status, headers, _ = client.post("/login", form)
    if status not in (302, 303):
        raise RuntimeError(f"log-in as {email} answered {status}")
    status, _, client.page = client.get(page)
    if status != 200:
        raise RuntimeError(f"{page} answered {status} after log-in")
    return client


# -- servers -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_flags() -> list[str]:
    """Newer gunicorns open a shared control socket; three servers must not."""
    help_text = subprocess.run(
        [BIN / "gunicorn", "--help"], capture_output=True, text=True, check=True
    ).stdout
    return ["--no-control-socket"] if "--no-control-socket" in help_text else []


@dataclass
class Server:
    name: str
    app: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def start(self, env: dict, log_dir: Path) -> None:
        env = {**env, "GARDENHUB_BASE_URL": f"http://127.0.0.1:{self.port}"}
        log = open(log_dir / f"{self.name}.log", "ab")  # noqa: SIM115 (lives with the server)
        self.process = subprocess.Popen(
            [
                BIN / "gunicorn",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{self.port}",
                "--pythonpath",
                str(BENCH),
                *gunicorn_flags(),
                self.app,
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def wait_ready(self, probe: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see its log")
            if len(self.workers()) == 2:
                try:
                    status, _, _ = Client(self.port).get(probe)
                except OSError:
                    status = 0
                if status == 200:
                    time.sleep(2)  # let the second worker finish importing too
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not come up on port {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def workers(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        except OSError:
            return []
        return [int(child) for child in children.split()]

    def peak_rss_mib(self) -> float:
        """The largest VmHWM (peak resident set) among the workers, in MiB."""
        peaks = []
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
            if match:
                peaks.append(int(match.group(1)) / 1024)
        return max(peaks, default=0.0)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


# -- wrk -----------------------------------------------------------------------------


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


def wrk(url: str, seconds: int, headers: dict) -> Load:
    env = {
        **os.environ,
        "BENCH_COOKIE": headers.get("Cookie", ""),
        "BENCH_IF_NONE_MATCH": headers.get("If-None-Match", ""),
    }
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "30s",  # the 10x feed builds queue up behind two workers
        "--latency",
        "-s",
        str(BENCH / "wrk.lua"),
        url,
    ]
    output = subprocess.run(
        command, capture_output=True, text=True, env=env, check=True
    ).stdout
    line = next(x for x in output.splitlines() if x.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    errors = sum(data[key] for key in data if key.endswith(("_errors", "timeouts")))
    return Load(
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=errors,
        requests=data["requests"],
    )


@dataclass
class Target:
    server: Server
    path: str
    headers: dict = field(default_factory=dict)
    status: int = 200


@dataclass
class Case:
    label: str
    gardenhub: Target
    reference: Target | None
    goal: float
    note: str = ""


@dataclass
class Row:
    case: Case
    gardenhub: Load
    reference: Load | None
    rss_mib: float

    @property
    def ratio(self) -> float | None:
        if not self.reference or not self.reference.rps:
            return None
        return self.gardenhub.rps / self.reference.rps

    @property
    def met(self) -> bool | None:
        return None if self.ratio is None else self.ratio >= self.case.goal


def check(target: Target) -> bytes:
    status, _, body = Client(target.server.port).get(target.path, target.headers)
    if status != target.status:
        raise RuntimeError(
            f"{target.server.name} {target.path} answered {status}, "
            f"expected {target.status}"
        )
    return body


def cpu_ticks(servers) -> int:
    total = 0
    for server in servers:
        for pid in server.workers():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def settle(servers, limit: float = 60) -> None:
    """Wait until no worker burns CPU: wrk leaves requests queued in the listen
    backlog when it stops, and those would steal CPU from the next measurement."""
    deadline = time.monotonic() + limit
    before = cpu_ticks(servers)
    while time.monotonic() < deadline:
        time.sleep(0.3)
        after = cpu_ticks(servers)
        if after - before <= 1:
            return
        before = after


def warm_up(target: Target, seconds: float) -> None:
    """Two sequential clients (one per worker) for a while; no queue builds up."""

    def loop(_: int) -> None:
        client = Client(target.server.port)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            client.get(target.path, target.headers)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(loop, range(2)))


def measure(target: Target, settings: "Settings", servers) -> Load:
    check(target)
    if settings.warmup:
        warm_up(target, settings.warmup)
    settle(servers)
    load = wrk(target.server.url(target.path), settings.seconds, target.headers)
    settle(servers)
    print(
        f"    {target.server.name:<18} {target.path[:40]:<40} "
        f"{load.rps:8.1f} req/s  p50 {load.p50_ms:7.1f} ms  p99 {load.p99_ms:7.1f} ms"
        + (f"  ({load.errors} errors)" if load.errors else ""),
        flush=True,
    )
    return load


# -- the sign-up race ------------------------------------------------------------


def race(server: Server, info: dict, url: str, rounds: int) -> dict:
    """20 logged-in volunteers post a sign-up for the same shift at once."""
    racers = [
        gardenhub_login(
            server.port,
            email,
            info["password"],
            f"/workdays/{info['race']['rounds'][0]['workday_id']}",
        )
        for email in info["racers"]
    ]
    tokens = [csrf_token(client.page) for client in racers]
    latencies: list[float] = []
    statuses: list[int] = []
    shifts = info["race"]["rounds"][:rounds]
    for race_round in shifts:
        barrier = threading.Barrier(len(racers))
        path = f"/shifts/{race_round['shift_id']}/signup"

        def post(index: int, path: str = path, barrier=barrier) -> tuple[int, float]:
            barrier.wait()
            started = time.perf_counter()
            status, _, _ = racers[index].post(path, {"csrf_token": tokens[index]})
            return status, (time.perf_counter() - started) * 1000

        with ThreadPoolExecutor(len(racers)) as pool:
            for status, elapsed in pool.map(post, range(len(racers))):
                statuses.append(status)
                latencies.append(elapsed)
    with psycopg.connect(url) as connection:
        counts = connection.execute(
            """SELECT s.id, s.capacity,
                 count(*) FILTER (WHERE su.status IN ('confirmed', 'offered')),
                 count(*) FILTER (WHERE su.status = 'waitlisted')
               FROM shift s LEFT JOIN signup su ON su.shift_id = s.id
               WHERE s.id = ANY(%s) GROUP BY s.id ORDER BY s.id""",
            ([r["shift_id"] for r in shifts],),
        ).fetchall()
    latencies.sort()
    return {
        "rounds": len(shifts),
        "clients": len(racers),
        "capacity": info["race"]["capacity"],
        "confirmed": [row[2] for row in counts],
        "waitlisted": [row[3] for row in counts],
        "overbooked": any(row[2] > row[1] for row in counts),
        "redirects": sum(1 for s in statuses if s in (302, 303)),
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "max_ms": latencies[-1],
    }


# -- one scale ---------------------------------------------------------------------


@dataclass
class Settings:
    seconds: int
    warmup: int
    rounds: int
    env: dict
    url: str
    log_dir: Path


def seed(scale: int, settings: Settings) -> dict:
    out = settings.log_dir / f"seed-{scale}.json"
    subprocess.run(
        [BIN / "python", BENCH / "seed.py", "--scale", str(scale), "--reset"]
        + ["--out", str(out)],
        env=settings.env,
        check=True,
    )
    return json.loads(out.read_text())


def first_request_ms(server: Server, path: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    status, _, body = Client(server.port).get(path)
    if status != 200:
        raise RuntimeError(f"{server.name} {path} answered {status}")
    return (time.perf_counter() - started) * 1000, body


def run_scale(scale: int, settings: Settings) -> dict:
    print(f"== scale {scale}x: seeding", flush=True)
    info = seed(scale, settings)
    gardenhub = Server("gardenhub", "gardenhub:create_app()")
    nocache = Server("gardenhub-nocache", "nocache:create_app()")
    reference = Server("reference", "reference:create_app()")
    servers = (gardenhub, nocache, reference)
    try:
        for server in servers:
            server.start(settings.env, settings.log_dir)
        gardenhub.wait_ready("/login")
        nocache.wait_ready("/login")
        reference.wait_ready("/hello")
        # Cold: the first feed request of a freshly started server.
        first = {
            "gardenhub": first_request_ms(gardenhub, "/calendar.ics"),
            "reference": first_request_ms(reference, "/calendar.ics"),
        }
        events = {
            name: body.count(b"BEGIN:VEVENT") for name, (_, body) in first.items()
        }
        return measure_scale(info, settings, servers, first, events)
    finally:
        for server in servers:
            server.stop()


def measure_scale(info, settings, servers, first, events) -> dict:
    gardenhub, nocache, reference = servers
    workday = f"/workdays/{info['busy_workday_id']}"
    volunteer = info["busy_volunteer"]["email"]
    session = gardenhub_login(gardenhub.port, volunteer, info["password"], workday)
    cookie = {"Cookie": session.cookie_header}
    plain = Client(reference.port)
    plain.get(f"/login/{info['busy_volunteer']['id']}")
    plain_cookie = {"Cookie": plain.cookie_header}
    _, headers, _ = Client(gardenhub.port).get("/calendar.ics")
    etag = {"If-None-Match": headers["ETag"]}
    private = f"/feeds/{info['feed_token']}.ics"
    hello = Target(reference, "/hello")
    public_ref = Target(reference, "/calendar.ics")
    private_ref = Target(reference, private)
    cases = [
        Case("home page `/`", Target(gardenhub, "/"), Target(reference, "/"), 0.5),
        Case(
            "busy workday page, logged in",
            Target(gardenhub, workday, cookie),
            Target(reference, workday, plain_cookie),
            0.5,
        ),
        Case(
            "public feed, built (cache emptied each request)",
            Target(nocache, "/calendar.ics"),
            public_ref,
            0.8,
        ),
        Case(
            "public feed, unchanged, served from cache (vs hello)",
            Target(gardenhub, "/calendar.ics"),
            hello,
            0.5,
        ),
        Case(
            "public feed, If-None-Match → 304 (vs hello)",
            Target(gardenhub, "/calendar.ics", etag, status=304),
            hello,
            0.5,
        ),
        Case(
            "private feed of the busy volunteer",
            Target(gardenhub, private),
            private_ref,
            0.8,
        ),
        Case(
            "private feed, built (cache emptied each request)",
            Target(nocache, private),
            private_ref,
            0.8,
            note="informational",
        ),
    ]
    measured: dict[tuple, Load] = {}

    def load_of(target: Target) -> Load:
        key = (target.server.name, target.path, tuple(target.headers.items()))
        if key not in measured:
            measured[key] = measure(target, settings, servers)
        return measured[key]

    rows = []
    for case in cases:
        print(f"  {case.label}", flush=True)
        gh = load_of(case.gardenhub)
        rows.append(
            Row(case, gh, load_of(case.reference), case.gardenhub.server.peak_rss_mib())
        )
    print("  sign-up race", flush=True)
    raced = race(gardenhub, info, settings.url, settings.rounds)
    return {
        "scale": info["scale"],
        "seed": info,
        "rows": rows,
        "hello": load_of(hello),
        "first_ms": {name: round(ms) for name, (ms, _) in first.items()},
        "events": events,
        "race": raced,
        "rss": {server.name: server.peak_rss_mib() for server in servers},
    }


# -- report ------------------------------------------------------------------------


def git_head() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "--no-optional-locks", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()

    if os.environ.get("BENCH_COMMIT"):  # an exported tree has no .git
        return os.environ["BENCH_COMMIT"]
    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (" + uncommitted changes" if git("status", "--porcelain") else "")


def machine() -> str:
    memory = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    with psycopg.connect(os.environ["BENCH_PG_URL"]) as connection:
        server = connection.execute("SHOW server_version").fetchone()[0]
    return (
        f"{os.cpu_count()} CPUs, {memory} RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, "
        f"PostgreSQL {server}"
    )


def fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def scale_section(result: dict) -> list[str]:
    seed = result["seed"]
    counts = seed["counts"]
    race_result = result["race"]
    lines = [
        f"### Scale {result['scale']}×",
        "",
        f"Seeded in {seed['seconds']} s: {counts['workday']:,} workdays, "
        f"{counts['shift']:,} shifts, {counts['user']:,} people, "
        f"{counts['signup']:,} sign-ups, {counts.get('plot', 0):,} plots "
        f"({counts.get('plot_assignment', 0):,} assigned, "
        f"{counts.get('plot_request', 0):,} waiting requests), "
        f"{counts.get('task', 0):,} tasks "
        f"({counts.get('task_assignment', 0):,} task assignments). "
        f"Public feed: {result['events']['gardenhub']} "
        f"events (reference: {result['events']['reference']}); private feed of "
        f"the busy volunteer: {seed['busy_upcoming_shifts']} upcoming shifts"
        + (
            f", {seed['busy_tasks']} tasks and a plot renewal deadline "
            "(GardenHub only; the reference lists shifts)."
            if seed.get("busy_tasks")
            else "."
        ),
        "",
        "| endpoint | GardenHub req/s | reference req/s | ratio | target | met "
        "| GH p50 / p99 ms | ref p50 / p99 ms | GH worker peak RSS MiB |",
        "|---|---:|---:|---:|---:|:-:|---:|---:|---:|",
    ]
    for row in result["rows"]:
        ref = row.reference
        met = {True: "yes", False: "**no**", None: "–"}[row.met]
        if row.case.note:
            met = f"({met}, {row.case.note})"
        errors = f" ({row.gardenhub.errors} errors)" if row.gardenhub.errors else ""
        lines.append(
            f"| {row.case.label} | {fmt(row.gardenhub.rps)}{errors} | {fmt(ref.rps)} "
            f"| {fmt(row.ratio, 2)} | ≥ {row.case.goal} | {met} "
            f"| {fmt(row.gardenhub.p50_ms)} / {fmt(row.gardenhub.p99_ms)} "
            f"| {fmt(ref.p50_ms)} / {fmt(ref.p99_ms)} | {fmt(row.rss_mib, 0)} |"
        )
    hello = result["hello"]
    lines += [
        f"| reference bare hello route | – | {fmt(hello.rps)} | – | – | – | – "
        f"| {fmt(hello.p50_ms)} / {fmt(hello.p99_ms)} | – |",
        "",
        f"- First `/calendar.ics` after a restart: GardenHub "
        f"{result['first_ms']['gardenhub']} ms, reference "
        f"{result['first_ms']['reference']} ms.",
        f"- Sign-up race on PostgreSQL: {race_result['rounds']} rounds of "
        f"{race_result['clients']} logged-in volunteers POSTing to one shift of "
        f"capacity {race_result['capacity']}: confirmed {race_result['confirmed']}, "
        f"waitlisted {race_result['waitlisted']}, overbooked: "
        f"{'**YES**' if race_result['overbooked'] else 'no'}; "
        f"{race_result['redirects']} of "
        f"{race_result['rounds'] * race_result['clients']} answered with a redirect; "
        f"latency p50 {race_result['p50_ms']:.0f} ms, p99 "
        f"{race_result['p99_ms']:.0f} ms, max {race_result['max_ms']:.0f} ms.",
        "- Peak RSS per worker (MiB): "
        + ", ".join(f"{name} {mib:.0f}" for name, mib in result["rss"].items())
        + ".",
        "",
    ]
    return lines


def scaling_section(results: list[dict]) -> list[str]:
    low, high = results[0], results[-1]
    factor = f"{high['scale']}×/{low['scale']}×"
    lines = [
        f"### Scaling {low['scale']}× → {high['scale']}× data",
        "",
        f"| endpoint | GH req/s {low['scale']}× | GH req/s {high['scale']}× "
        f"| GH {factor} | GH p50 ms {low['scale']}× → {high['scale']}× "
        f"| ref req/s {low['scale']}× | ref req/s {high['scale']}× | ref {factor} |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for a, b in zip(low["rows"], high["rows"], strict=True):
        lines.append(
            f"| {a.case.label} | {fmt(a.gardenhub.rps)} | {fmt(b.gardenhub.rps)} "
            f"| {fmt(b.gardenhub.rps / a.gardenhub.rps, 2)} "
            f"| {fmt(a.gardenhub.p50_ms)} → {fmt(b.gardenhub.p50_ms)} "
            f"| {fmt(a.reference.rps)} | {fmt(b.reference.rps)} "
            f"| {fmt(b.reference.rps / a.reference.rps, 2)} |"
        )
    return [*lines, ""]


def report(results: list[dict], settings: Settings, quick: bool) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        RUN_MARK,
        f"## {stamp} · {git_head()} · {'quick' if quick else 'full'} run",
        "",
        f"Machine: {machine()}.",
        f"Load: `wrk -t{THREADS} -c{CONNECTIONS} -d{settings.seconds}s` after a "
        f"{settings.warmup} s warm-up; each app under `gunicorn -w 2` (sync "
        "workers), all on this machine. Feed window: "
        f"{settings.env['GARDENHUB_FEED_DAYS_BACK']} days back, "
        f"{settings.env['GARDENHUB_FEED_DAYS_AHEAD']} ahead "
        "(GARDENHUB_FEED_DAYS_*, so the public feed holds ~500 events at 1×).",
        "",
    ]
    for result in results:
        lines += scale_section(result)
    if len(results) > 1:
        lines += scaling_section(results)
    return "\n".join(lines)


def save(section: str) -> None:
    header = (
        "# Benchmark results\n\n"
        "Written by `make bench` (bench/run.sh); newest run first, the last "
        f"{KEEP_RUNS} kept. Ratios compare GardenHub with bench/reference.py "
        "measured in the same run; absolute numbers depend on the machine and "
        "whatever else it was doing.\n\n"
    )
    runs = []
    if RESULTS.exists():
        runs = [
            RUN_MARK + part.rstrip() + "\n"
            for part in RESULTS.read_text().split(RUN_MARK)[1:]
        ]
    runs = [section.rstrip() + "\n", *runs][:KEEP_RUNS]
    RESULTS.write_text(header + "\n".join(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--log-dir", type=Path, required=True)
    args = parser.parse_args()
    url = os.environ["BENCH_PG_URL"]
    scales = [1] if args.quick else [int(s) for s in args.scales.split(",")]
    settings = Settings(
        seconds=3 if args.quick else 10,
        warmup=1 if args.quick else 2,
        rounds=2 if args.quick else 5,
        env=dict(os.environ),
        url=url,
        log_dir=args.log_dir,
    )
    results, failure = [], None
    for scale in scales:
        try:
            results.append(run_scale(scale, settings))
        except Exception as error:  # report what was measured, then fail
            failure = f"scale {scale}× failed: {error!r} (server logs: {args.log_dir})"
            break
    section = report(results, settings, args.quick)
    if failure:
        section += f"\n**Incomplete run:** {failure}\n"
    save(section)
    print()
    print(section)
    if failure:
        sys.exit(failure)
    failed = [r for result in results for r in result["rows"] if r.gardenhub.errors]
    if any(result["race"]["overbooked"] for result in results):
        sys.exit("A shift was overbooked in the sign-up race.")
    if failed:
        print(f"note: {len(failed)} measurements saw socket errors or timeouts")


if __name__ == "__main__":
    main()
