"""The measurement behind `make bench`: seed, serve, load with wrk, race, report.

bench/run.sh prepares a throw-away PostgreSQL database with the schema (and makes
sure Redis answers) and then runs this module. For each scale it seeds the data
(bench/seed.py), serves three gunicorn apps with 2 sync workers each on free
loopback ports:

- GardenHub as deployed: `gardenhub:create_app()`;
- GardenHub with its feed caches emptied before every request
  (bench/nocache.py), to measure what building a feed costs;
- the plain reference app (bench/reference.py), whose `/bytes` route answers
  GardenHub's public feed bytes from memory;

drives them with wrk (bench/wrk.lua adds the request headers), checks the gzip
answers of the public feed, and reads each worker's peak RSS. Then, with those
servers stopped, it times the public feed after one sign-up against a full build
(bench/incremental.py, in-process), and starts two separate GardenHub instances
(two gunicorns on two ports, one database, rate limits in one Redis database)
to show that a sign-up race spread over both never overbooks, that a change
made through one shows in the other's feed within FEED_RECHECK_SECONDS, and
that failed log-ins spread over both are counted together. It writes
bench/RESULTS.md: per scale the measurements, and at the end every target of
issue 22 with whether it is met. A ratio is GardenHub requests/s divided by the
reference's, measured in the same run, so a noisy machine moves both sides.
"""

import argparse
import gzip
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
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "9"))  # flushed by each scale
POLL_SECONDS = 0.2  # how often the two-instance check polls the other's feed


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
    extra_env: dict = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def start(self, env: dict, log_dir: Path) -> None:
        env = {
            **env,
            "GARDENHUB_BASE_URL": f"http://127.0.0.1:{self.port}",
            **self.extra_env,
        }
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
        "BENCH_HEADERS": "\n".join(
            f"{name}: {value}" for name, value in headers.items()
        ),
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
    key: str = ""  # names the row of issue 22's table it measures, if any


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


def race(servers: tuple[Server, ...], info: dict, url: str, rounds: int) -> dict:
    """20 logged-in volunteers post a sign-up for the same shift at once, spread
    over `servers`: racer i logs in on server i mod n and, in round r, posts to
    server (i + r) mod n, so every round hits every instance."""
    racers = [
        gardenhub_login(
            servers[index % len(servers)].port,
            email,
            info["password"],
            f"/workdays/{info['race']['rounds'][0]['workday_id']}",
        )
        for index, email in enumerate(info["racers"])
    ]
    tokens = [csrf_token(client.page) for client in racers]
    latencies: list[float] = []
    statuses: list[int] = []
    posts = {server.name: 0 for server in servers}
    shifts = info["race"]["rounds"][:rounds]
    for number, race_round in enumerate(shifts):
        barrier = threading.Barrier(len(racers))
        path = f"/shifts/{race_round['shift_id']}/signup"
        for index, client in enumerate(racers):
            server = servers[(index + number) % len(servers)]
            client.port = server.port
            posts[server.name] += 1

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
        "posts": posts,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "max_ms": latencies[-1],
    }


# -- gzip --------------------------------------------------------------------------


def vary_names(headers: http.client.HTTPMessage) -> set[str]:
    values = headers.get_all("Vary") or []
    return {name.strip().lower() for value in values for name in value.split(",")}


def compression(server: Server) -> dict:
    """The public feed plain and twice with `Accept-Encoding: gzip`: sizes, the
    representations' ETags and Vary, and what compressing once costs here."""
    gz = {"Accept-Encoding": "gzip"}
    status, plain_headers, plain = Client(server.port).get("/calendar.ics")
    answers = [Client(server.port).get("/calendar.ics", gz) for _ in range(2)]
    if status != 200 or any(answer[0] != 200 for answer in answers):
        raise RuntimeError("a /calendar.ics answer for the gzip check was not 200")
    (_, first_headers, first), (_, second_headers, second) = answers
    plain_etag = plain_headers.get("ETag") or ""
    gz_etag = first_headers.get("ETag") or ""
    try:
        unpacked = gzip.decompress(first)
    except (OSError, EOFError):
        unpacked = None
    conditional, _, _ = Client(server.port).get(
        "/calendar.ics", {**gz, "If-None-Match": gz_etag}
    )
    costs = []
    for _ in range(5):
        started = time.perf_counter()
        gzip.compress(plain, compresslevel=6, mtime=0)
        costs.append((time.perf_counter() - started) * 1000)
    checks = {
        "Content-Encoding: gzip": all(
            (h.get("Content-Encoding") or "").lower() == "gzip"
            for h in (first_headers, second_headers)
        ),
        "both gzip answers the same bytes": first == second,
        "both gzip answers the same ETag": bool(gz_etag)
        and gz_etag == (second_headers.get("ETag") or ""),
        "gzip ETag strong (no W/)": bool(gz_etag) and not gz_etag.startswith("W/"),
        "gzip ETag differs from the plain one": bool(gz_etag) and gz_etag != plain_etag,
        "Vary has Accept-Encoding (plain and gzip)": all(
            "accept-encoding" in vary_names(h)
            for h in (plain_headers, first_headers, second_headers)
        ),
        "gunzips to the plain bytes": unpacked == plain,
        "If-None-Match with the gzip ETag → 304": conditional == 304,
    }
    return {
        "plain_bytes": len(plain),
        "gzip_bytes": len(first),
        "ratio": len(plain) / len(first) if first else None,
        "plain_etag": plain_etag,
        "gzip_etag": gz_etag,
        "checks": checks,
        "compress_ms": statistics.median(costs),
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
    quick: bool = False


def recheck_seconds(settings: Settings) -> float:
    """FEED_RECHECK_SECONDS as the servers see it: the environment, else the
    default in gardenhub/config.py."""
    configured = settings.env.get("GARDENHUB_FEED_RECHECK_SECONDS")
    if configured:
        return float(configured)
    try:
        from gardenhub.config import Defaults

        return float(Defaults.FEED_RECHECK_SECONDS)
    except Exception:  # the app is being edited; the documented default
        return 5.0


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


def attempt(name: str, step) -> dict:
    """Run one part of a scale; a failure is reported, not fatal to the rest."""
    try:
        return step()
    except Exception as error:
        print(f"  {name} failed: {error!r}", flush=True)
        return {"error": f"{error!r}"[:300]}


def run_scale(scale: int, settings: Settings) -> dict:
    print(f"== scale {scale}x: seeding", flush=True)
    info = seed(scale, settings)
    feed_file = settings.log_dir / f"feed-{scale}.ics"
    feed_file.unlink(missing_ok=True)
    gardenhub = Server("gardenhub", "gardenhub:create_app()")
    nocache = Server("gardenhub-nocache", "nocache:create_app()")
    reference = Server(
        "reference",
        "reference:create_app()",
        extra_env={"BENCH_FEED_BYTES": str(feed_file)},
    )
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
        # The reference's /bytes answers exactly these bytes (read on its first
        # request); the check below makes sure it does.
        feed_file.write_bytes(first["gardenhub"][1])
        result = measure_scale(info, settings, servers, first, events)
        result["same_bytes"] = (
            Client(reference.port).get("/bytes")[2] == first["gardenhub"][1]
        )
        result["rss"] = {server.name: server.peak_rss_mib() for server in servers}
    finally:
        for server in servers:
            server.stop()
    print("  public feed after one sign-up vs a full build (in-process)", flush=True)
    result["incremental"] = attempt("incremental", lambda: incremental(scale, settings))
    print("  two instances", flush=True)
    result["instances"] = attempt(
        "two instances", lambda: two_instances(info, settings)
    )
    return result


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
    cached = Target(gardenhub, "/calendar.ics")
    cases = [
        Case("home page `/`", Target(gardenhub, "/"), Target(reference, "/"), 0.5),
        Case(
            "busy workday page, logged in",
            Target(gardenhub, workday, cookie),
            Target(reference, workday, plain_cookie),
            0.8,
            key="workday_page",
        ),
        Case(
            "public feed, built (cache emptied each request)",
            Target(nocache, "/calendar.ics"),
            public_ref,
            1.0,
            key="feed_build",
        ),
        Case(
            "public feed, unchanged, served from cache (vs hello)",
            cached,
            hello,
            0.5,
        ),
        Case(
            "public feed, unchanged, 200 from memory (vs the same bytes, bare route)",
            cached,
            Target(reference, "/bytes"),
            0.8,
            key="poll_200_bytes",
        ),
        Case(
            "public feed, gzip, 200 from memory (vs hello)",
            Target(gardenhub, "/calendar.ics", {"Accept-Encoding": "gzip"}),
            hello,
            0.8,
            note="informational",
            key="poll_gzip",
        ),
        Case(
            "public feed, If-None-Match → 304 (vs hello)",
            Target(gardenhub, "/calendar.ics", etag, status=304),
            hello,
            0.8,
            key="poll_304",
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
    print("  gzip answers of the public feed", flush=True)
    return {
        "scale": info["scale"],
        "seed": info,
        "rows": rows,
        "hello": load_of(hello),
        "first_ms": {name: round(ms) for name, (ms, _) in first.items()},
        "events": events,
        "gzip": attempt("gzip check", lambda: compression(gardenhub)),
    }


# -- the public feed after one sign-up (bench/incremental.py) ----------------------


def incremental(scale: int, settings: Settings) -> dict:
    """bench/incremental.py in a subprocess with the servers' environment."""
    env = {**settings.env, "GARDENHUB_FEED_RECHECK_SECONDS": "0"}
    seed_file = settings.log_dir / f"seed-{scale}.json"
    done = subprocess.run(
        [BIN / "python", BENCH / "incremental.py", "--info", str(seed_file)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    (settings.log_dir / f"incremental-{scale}.log").write_text(
        done.stdout + done.stderr
    )
    line = next(
        (x for x in done.stdout.splitlines() if x.startswith("BENCH_INCREMENTAL ")),
        None,
    )
    if done.returncode or line is None:
        raise RuntimeError(
            f"incremental.py exited {done.returncode}: "
            + (done.stderr.strip().splitlines() or ["no output"])[-1]
        )
    data = json.loads(line.removeprefix("BENCH_INCREMENTAL "))
    print(
        f"    full build {data['full_ms']:.1f} ms, after one change "
        f"{data['after_change_ms']:.1f} ms: {data['ratio']}; same bytes as a full "
        f"build: {'yes' if data['identical_to_full_build'] else 'NO'}",
        flush=True,
    )
    return data


# -- two instances -------------------------------------------------------------------


def redis_cli(*args: str) -> str:
    return subprocess.run(
        ["redis-cli", "-n", str(REDIS_DB), *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def event_block(body: bytes, workday_id: int) -> bytes | None:
    """The VEVENT of one workday, lines unfolded."""
    unfolded = body.replace(b"\r\n ", b"").replace(b"\r\n\t", b"")
    at = unfolded.find(f"UID:workday-{workday_id}@".encode())
    if at < 0:
        return None
    start = unfolded.rfind(b"BEGIN:VEVENT", 0, at)
    end = unfolded.find(b"END:VEVENT", at)
    return unfolded[start:end]


def spots(block: bytes | None) -> str:
    """What the event's description says first (e.g. "10 spots open")."""
    found = re.search(rb"^DESCRIPTION[^:]*:(.*?)\r?$", block or b"", re.MULTILINE)
    if not found:
        return "?"
    text = found.group(1).decode(errors="replace").replace("\\,", ",")
    return text.split(". ")[0].split(": ")[0].strip()


def feed_of(client: Client, path: str, workday_id: int) -> bytes | None:
    status, _, body = client.get(path)
    if status != 200:
        raise RuntimeError(f"{path} answered {status} on port {client.port}")
    return event_block(body, workday_id)


def propagation(a: Server, b: Server, info: dict, settings: Settings) -> dict:
    """A sign-up and then its cancellation through A (one racer, the first
    race shift, which is empty again before the race). After each, B's feed is
    polled every POLL_SECONDS until FEED_RECHECK_SECONDS + 3 s have passed; the
    delay is the time of the first poll from which on every poll showed the
    change (B has two workers with a memory each; polls land on either)."""
    recheck = recheck_seconds(settings)
    race_round = info["race"]["rounds"][0]
    workday_id, shift_id = race_round["workday_id"], race_round["shift_id"]
    email = info["racers"][0]
    client = gardenhub_login(a.port, email, info["password"], f"/workdays/{workday_id}")
    token = csrf_token(client.page)
    poller = Client(b.port)
    path = "/calendar.ics"
    if feed_of(poller, path, workday_id) is None:
        # The 10x public feed stops at 1,000 events, before this workday:
        # watch the feed of its project, which holds it.
        with psycopg.connect(settings.url) as connection:
            slug = connection.execute(
                "SELECT p.slug FROM workday w JOIN project p ON p.id = w.project_id"
                " WHERE w.id = %s",
                (workday_id,),
            ).fetchone()[0]
        path = f"/projects/{slug}/calendar.ics"
        if feed_of(poller, path, workday_id) is None:
            raise RuntimeError(f"workday {workday_id} is in no feed B serves")
    changes = []
    for kind in ("sign-up", "cancel"):
        # Both of B's workers have seen (and remember) the feed as it is now.
        before = None
        for _ in range(8):
            before = feed_of(poller, path, workday_id)
            time.sleep(POLL_SECONDS)
        if kind == "sign-up":
            target = f"/shifts/{shift_id}/signup"
        else:
            with psycopg.connect(settings.url) as connection:
                signup_id = connection.execute(
                    """SELECT su.id FROM signup su JOIN "user" u
                       ON u.id = su.volunteer_id WHERE su.shift_id = %s
                       AND u.email = %s AND su.status IN
                       ('confirmed', 'offered', 'waitlisted')""",
                    (shift_id, email),
                ).fetchone()[0]
            target = f"/signups/{signup_id}/cancel"
        status, _, _ = client.post(target, {"csrf_token": token})
        if status not in (302, 303):
            raise RuntimeError(f"{kind} through A answered {status}")
        done = time.perf_counter()
        polls: list[tuple[float, bool]] = []  # (seconds after the change, shown)
        after = before
        while time.perf_counter() < done + recheck + 3:
            asked = time.perf_counter() - done
            block = feed_of(poller, path, workday_id)
            polls.append((asked, block != before))
            if block != before:
                after = block
            time.sleep(max(0.0, done + len(polls) * POLL_SECONDS - time.perf_counter()))
        shown = [seconds for seconds, changed in polls if changed]
        every = None
        for index in range(len(polls)):
            if all(changed for _, changed in polls[index:]):
                every = polls[index][0]
                break
        changes.append(
            {
                "kind": kind,
                "first_s": shown[0] if shown else None,
                "every_s": every,
                "polls": len(polls),
                "stale_after_first": sum(
                    1
                    for seconds, changed in polls
                    if shown and seconds > shown[0] and not changed
                ),
                "before": spots(before),
                "after": spots(after),
            }
        )
        print(
            f"    {kind} through A: B's {path} showed it after "
            + (f"{shown[0]:.1f} s" if shown else "never")
            + (
                f", on every poll from {every:.1f} s on"
                if every is not None
                else ", not yet on every poll"
            )
            + f" ({len(polls)} polls; {spots(before)} → {spots(after)})",
            flush=True,
        )
    return {
        "feed": path,
        "recheck_s": recheck,
        "changes": changes,
        "met": all(
            c["every_s"] is not None and c["every_s"] <= recheck + 1 for c in changes
        ),
    }


def login_limits() -> list[str]:
    """The failed log-in limits GardenHub applies (per account, per address)."""
    found: list[str] = []
    try:
        from gardenhub import security

        found = [
            value
            for name in ("LOGIN_PER_ACCOUNT", "LOGIN_PER_IP")
            if isinstance(value := getattr(security, name, None), str)
        ]
    except Exception:  # the app is being edited; look in the settings instead
        found = []
    if not found:
        from gardenhub.config import Defaults

        found = [
            value
            for name, value in vars(Defaults).items()
            if name.startswith("LOGIN") and isinstance(value, str) and " per " in value
        ]
    return found


def shared_limits(a: Server, b: Server, info: dict) -> dict:
    """Failed log-ins for one account from one address, alternating A and B,
    until one is refused with 429; then one more on the other instance."""
    import limits

    configured = login_limits()
    amounts = [item.amount for text in configured for item in limits.parse_many(text)]
    limit = min(amounts) if amounts else None
    email = info["racers"][-1]
    client = Client(a.port)
    _, _, page = client.get("/login")
    token = csrf_token(page)
    wrong = {"email": email, "password": "not-the-password-0000", "csrf_token": token}
    answers: list[tuple[str, int]] = []
    refused_at = None
    for number in range(1, (limit or 30) + 4):
        server = (a, b)[(number - 1) % 2]
        client.port = server.port
        status, _, _ = client.post("/login", wrong)
        answers.append((server.name, status))
        if status == 429:
            refused_at = number
            break
    after = None
    if refused_at is not None:
        other = (a, b)[refused_at % 2]
        client.port = other.port
        after = (other.name, client.post("/login", wrong)[0])
    before = answers[:-1] if refused_at else answers
    print(
        f"    failed log-ins alternating A/B: 429 at attempt {refused_at} "
        f"(limit {limit}: {', '.join(configured) or 'unknown'})"
        + (f"; then {after[0]}: {after[1]}" if after else ""),
        flush=True,
    )
    return {
        "limits": configured,
        "limit": limit,
        "refused_at": refused_at,
        "before": {
            name: sum(1 for n, _ in before if n == name) for name in (a.name, b.name)
        },
        "before_statuses": sorted({status for _, status in before}),
        "after": after,
        "met": limit is not None
        and refused_at == limit + 1
        and (after is None or after[1] == 429),
    }


def two_instances(info: dict, settings: Settings) -> dict:
    """Two separate GardenHub gunicorns on one database, rate limits in Redis."""
    redis_cli("flushdb")
    storage = f"redis://127.0.0.1:6379/{REDIS_DB}"
    shared = {"GARDENHUB_RATELIMIT_STORAGE_URL": storage}
    a = Server("gardenhub-a", "gardenhub:create_app()", extra_env=shared)
    b = Server("gardenhub-b", "gardenhub:create_app()", extra_env=shared)
    try:
        for server in (a, b):
            server.start(settings.env, settings.log_dir)
        a.wait_ready("/login")
        b.wait_ready("/login")
        result = {
            "ports": [a.port, b.port],
            "storage": storage,
            "propagation": attempt(
                "change through A", lambda: propagation(a, b, info, settings)
            ),
        }
        print("    sign-up race over both instances", flush=True)
        result["race"] = attempt(
            "race", lambda: race((a, b), info, settings.url, settings.rounds)
        )
        result["limits"] = attempt("shared limits", lambda: shared_limits(a, b, info))
        result["redis_keys"] = int(redis_cli("dbsize") or 0)
        return result
    finally:
        for server in (a, b):
            server.stop()


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


def yes(flag: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "–"}[flag]


def row_of(result: dict, key: str) -> Row | None:
    return next((row for row in result["rows"] if row.case.key == key), None)


def kb(size: int) -> str:
    return f"{size / 1000:,.1f} KB"


def gzip_met(result: dict) -> bool | None:
    data = result.get("gzip") or {}
    if "checks" not in data:
        return None
    plain, zipped = row_of(result, "poll_200_bytes"), row_of(result, "poll_gzip")
    per_version = (
        plain is not None
        and zipped is not None
        and zipped.gardenhub.rps >= 0.8 * plain.gardenhub.rps
    )
    return (
        bool(data["ratio"] and data["ratio"] >= 5)
        and all(data["checks"].values())
        and per_version
    )


def rss_ratio(result: dict) -> float | None:
    rss = result.get("rss") or {}
    if not rss.get("reference"):
        return None
    return rss["gardenhub"] / rss["reference"]


def gzip_lines(result: dict) -> list[str]:
    data = result.get("gzip") or {}
    if "checks" not in data:
        return [f"- Compression check failed: {data.get('error', 'not run')}."]
    failed = [name for name, ok in data["checks"].items() if not ok]
    plain, zipped = row_of(result, "poll_200_bytes"), row_of(result, "poll_gzip")
    hello = result["hello"].rps
    line = (
        f"- Compression (`Accept-Encoding: gzip`, asked twice): plain "
        f"{kb(data['plain_bytes'])}, gzip {kb(data['gzip_bytes'])}, "
        f"{fmt(data['ratio'])}× smaller (target ≥ 5×); "
        + (
            f"all {len(data['checks'])} checks hold (" + "; ".join(data["checks"]) + ")"
            if not failed
            else "**failed:** " + "; ".join(failed)
        )
        + f". ETags: plain `{data['plain_etag']}`, gzip `{data['gzip_etag']}`."
    )
    if plain and zipped:
        line += (
            f" The gzip 200 poll runs at {fmt(zipped.gardenhub.rps)} req/s: "
            f"{fmt(zipped.gardenhub.rps / hello, 2)} of hello and "
            f"{fmt(zipped.gardenhub.rps / plain.gardenhub.rps, 2)} of the plain "
            f"200 poll (compressed once per version means ≥ 0.8 of it: "
            f"{yes(zipped.gardenhub.rps >= 0.8 * plain.gardenhub.rps)}); one "
            f"`gzip.compress` of these bytes takes {data['compress_ms']:.1f} ms "
            f"here, so compressing per request would hold two workers below "
            f"{fmt(2000 / data['compress_ms'], 0)} req/s."
        )
    return [line]


def incremental_lines(result: dict) -> list[str]:
    data = result.get("incremental") or {}
    if "ratio" not in data:
        return [
            "- Public feed after one sign-up: **failed:** "
            f"{data.get('error', 'not run')}."
        ]
    kinds = list(dict.fromkeys(data["changes"]))
    line = (
        "- Public feed after one sign-up (bench/incremental.py: in-process test "
        "client, FEED_RECHECK_SECONDS=0, wall clock `time.perf_counter`, the "
        f"database included): full build median {data['full_ms']:.1f} ms "
        f"({data['builds']} builds), after one change median "
        f"{data['after_change_ms']:.1f} ms ({data['rounds']} changes, "
        f"{' and '.join(kinds)} in turn, of {data['volunteer']} on shift "
        f"{data['shift_id']} of workday {data['workday_id']}): ratio "
        f"{fmt(data['ratio'], 2)} (target ≤ 0.1); CPU time "
        f"(`time.process_time`) {data['full_cpu_ms']:.1f} → "
        f"{data['after_change_cpu_ms']:.1f} ms, ratio "
        f"{fmt(data['cpu_ratio'], 2)}. The bytes changed after "
        f"{data['bytes_changed_rounds']} of {data['rounds']} changes; after the "
        "last they equal a full build's: "
        + ("yes." if data["identical_to_full_build"] else "**NO**.")
    )
    if not data["in_feed"]:
        line += (
            f" (The feed's {data['events']} events end before this workday, the "
            "first one open for sign-up: the change moves the feed's version, "
            "not its bytes.)"
        )
    return [line]


def instance_lines(result: dict) -> list[str]:
    data = result.get("instances") or {}
    if "ports" not in data:
        return [f"- Two instances: **failed:** {data.get('error', 'not run')}."]
    lines = [
        f"- Two instances (A on :{data['ports'][0]}, B on :{data['ports'][1]}, "
        "`gardenhub:create_app()` under `gunicorn -w 2` each, one PostgreSQL, "
        f"rate limits in `{data['storage']}`; afterwards Redis held "
        f"{data.get('redis_keys', '?')} keys):"
    ]
    race_result = data.get("race") or {}
    if "confirmed" in race_result:
        posts = ", ".join(f"{n} to {name}" for name, n in race_result["posts"].items())
        lines.append(
            f"  - Sign-up race: {race_result['rounds']} rounds of "
            f"{race_result['clients']} logged-in volunteers POSTing to one shift "
            f"of capacity {race_result['capacity']} ({posts}): confirmed "
            f"{race_result['confirmed']}, waitlisted {race_result['waitlisted']}, "
            f"overbooked: {'**YES**' if race_result['overbooked'] else 'no'}; "
            f"{race_result['redirects']} of "
            f"{race_result['rounds'] * race_result['clients']} answered with a "
            f"redirect; latency p50 {race_result['p50_ms']:.0f} ms, p99 "
            f"{race_result['p99_ms']:.0f} ms, max {race_result['max_ms']:.0f} ms."
        )
    else:
        lines.append(f"  - Sign-up race **failed:** {race_result.get('error')}.")
    seen = data.get("propagation") or {}
    if "changes" in seen:
        parts = []
        for change in seen["changes"]:
            first = change["first_s"]
            every = change["every_s"]
            parts.append(
                f"{change['kind']} ({change['before']} → {change['after']}): first "
                f"seen after {'never' if first is None else f'{first:.1f} s'}, on "
                "every poll from "
                + ("– (never)" if every is None else f"{every:.1f} s")
                + f" on ({change['polls']} polls, "
                f"{change['stale_after_first']} stale after the first)"
            )
        lines.append(
            f"  - A change through A in B's `{seen['feed']}` (polled every "
            f"{POLL_SECONDS} s for {seen['recheck_s'] + 3:g} s; "
            f"FEED_RECHECK_SECONDS {seen['recheck_s']:g}, target "
            f"≤ {seen['recheck_s'] + 1:g} s): " + "; ".join(parts) + f". Met: "
            f"{yes(seen['met'])}."
        )
    else:
        lines.append(f"  - Change through A **failed:** {seen.get('error')}.")
    limited = data.get("limits") or {}
    if "refused_at" in limited:
        before = limited["before"]
        counted = ", ".join(f"{n} on {name}" for name, n in before.items())
        after = limited["after"]
        lines.append(
            "  - Failed log-ins for one account from one address, alternating A "
            f"and B (limits: {', '.join(limited['limits']) or 'unknown'}): "
            f"{sum(before.values())} refused as wrong ({counted}; status "
            f"{', '.join(map(str, limited['before_statuses'])) or '–'}), then "
            + (
                f"429 at attempt {limited['refused_at']}"
                if limited["refused_at"]
                else "no 429 at all"
            )
            + (f", and {after[0]} answered {after[1]} next" if after else "")
            + f". Counted together (429 at limit + 1 = {fmt(limited['limit'], 0)}"
            f" + 1): {yes(limited['met'])}."
        )
    else:
        lines.append(f"  - Shared rate limits **failed:** {limited.get('error')}.")
    return lines


def scale_section(result: dict) -> list[str]:
    seed = result["seed"]
    counts = seed["counts"]
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
        met = yes(row.met)
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
    rss = result.get("rss") or {}
    lines += [
        f"| reference bare hello route | – | {fmt(hello.rps)} | – | – | – | – "
        f"| {fmt(hello.p50_ms)} / {fmt(hello.p99_ms)} | – |",
        "",
        f"- First `/calendar.ics` after a restart: GardenHub "
        f"{result['first_ms']['gardenhub']} ms, reference "
        f"{result['first_ms']['reference']} ms.",
        "- The reference's `/bytes` answers the bytes GardenHub's `/calendar.ics` "
        "answered (from memory, `text/calendar`): "
        + ("yes." if result.get("same_bytes") else "**no**."),
        *gzip_lines(result),
        *incremental_lines(result),
        *instance_lines(result),
        "- Peak RSS per worker (MiB): "
        + ", ".join(f"{name} {mib:.0f}" for name, mib in rss.items())
        + f"; GardenHub ÷ reference {fmt(rss_ratio(result), 2)}× (target ≤ 1.4×).",
        "",
    ]
    return lines


def scaling_pairs(results: list[dict]) -> list[tuple[Row, Row]]:
    """Each endpoint once (rows that share GardenHub's measurement count once)."""
    low, high = results[0], results[-1]
    seen, pairs = set(), []
    for a, b in zip(low["rows"], high["rows"], strict=True):
        target = a.case.gardenhub
        key = (target.server.name, target.path, tuple(sorted(target.headers)))
        if key not in seen:
            seen.add(key)
            pairs.append((a, b))
    return pairs


SCALING_GOAL = 0.9


def scaling_section(results: list[dict]) -> list[str]:
    low, high = results[0], results[-1]
    factor = f"{high['scale']}×/{low['scale']}×"
    lines = [
        f"### Scaling {low['scale']}× → {high['scale']}× data",
        "",
        f"| endpoint | GH req/s {low['scale']}× | GH req/s {high['scale']}× "
        f"| GH {factor} | target | met | GH p50 ms {low['scale']}× → {high['scale']}× "
        f"| ref req/s {low['scale']}× | ref req/s {high['scale']}× | ref {factor} |",
        "|---|---:|---:|---:|---:|:-:|---:|---:|---:|---:|",
    ]
    for a, b in scaling_pairs(results):
        ratio = b.gardenhub.rps / a.gardenhub.rps if a.gardenhub.rps else None
        lines.append(
            f"| {a.case.label} | {fmt(a.gardenhub.rps)} | {fmt(b.gardenhub.rps)} "
            f"| {fmt(ratio, 2)} | ≥ {SCALING_GOAL} "
            f"| {yes(None if ratio is None else ratio >= SCALING_GOAL)} "
            f"| {fmt(a.gardenhub.p50_ms)} → {fmt(b.gardenhub.p50_ms)} "
            f"| {fmt(a.reference.rps)} | {fmt(b.reference.rps)} "
            f"| {fmt(b.reference.rps / a.reference.rps, 2)} |"
        )
    return [*lines, ""]


def ratio_cell(row: Row | None) -> tuple[str, bool | None]:
    if row is None:
        return "not measured", None
    return (
        f"{fmt(row.ratio, 2)} ({fmt(row.gardenhub.rps)} vs "
        f"{fmt(row.reference.rps)} req/s)",
        row.met,
    )


def issue_cells(
    result: dict, results: list[dict]
) -> dict[str, tuple[str, bool | None]]:
    """Issue 22's rows as measured at one scale: (what was measured, met)."""
    cells = {
        key: ratio_cell(row_of(result, key))
        for key in ("poll_304", "poll_200_bytes", "feed_build", "workday_page")
    }
    data = result.get("gzip") or {}
    if "checks" in data:
        zipped, plain = row_of(result, "poll_gzip"), row_of(result, "poll_200_bytes")
        relative = (
            fmt(zipped.gardenhub.rps / plain.gardenhub.rps, 2)
            if zipped and plain and plain.gardenhub.rps
            else "–"
        )
        held = sum(data["checks"].values())
        cells["gzip"] = (
            f"{kb(data['plain_bytes'])} → {kb(data['gzip_bytes'])}: "
            f"{fmt(data['ratio'])}× smaller; {held} of {len(data['checks'])} "
            f"checks; gzip poll {relative} of the plain poll",
            gzip_met(result),
        )
    else:
        cells["gzip"] = (f"failed: {data.get('error', 'not run')}", None)
    data = result.get("incremental") or {}
    if "ratio" in data:
        cells["incremental"] = (
            f"{fmt(data['ratio'], 2)} ({data['after_change_ms']:.0f} vs "
            f"{data['full_ms']:.0f} ms; CPU {fmt(data['cpu_ratio'], 2)}); same "
            "bytes as a full build: "
            + ("yes" if data["identical_to_full_build"] else "NO")
            + ("" if data["in_feed"] else "; change outside the capped feed"),
            data["ratio"] <= 0.1 and data["identical_to_full_build"],
        )
    else:
        cells["incremental"] = (f"failed: {data.get('error', 'not run')}", None)
    rss, ratio = result.get("rss") or {}, rss_ratio(result)
    cells["rss"] = (
        f"{fmt(ratio, 2)}× ({fmt(rss.get('gardenhub'), 0)} vs "
        f"{fmt(rss.get('reference'), 0)} MiB)",
        None if ratio is None else ratio <= 1.4,
    )
    if len(results) > 1 and result is results[-1]:
        ratios = [
            (b.gardenhub.rps / a.gardenhub.rps, a.case.label)
            for a, b in scaling_pairs(results)
            if a.gardenhub.rps
        ]
        worst = min(ratios)
        held = sum(1 for value, _ in ratios if value >= SCALING_GOAL)
        cells["scaling"] = (
            f"{held} of {len(ratios)} endpoints ≥ {SCALING_GOAL}; lowest "
            f"{fmt(worst[0], 2)} ({worst[1]})",
            held == len(ratios),
        )
    else:
        cells["scaling"] = ("– (the 10× column)", None)
    two = result.get("instances") or {}
    race_result = two.get("race") or {}
    cells["race"] = (
        (
            f"confirmed {race_result['confirmed']} of {race_result['capacity']}, "
            f"waitlisted {race_result['waitlisted']}"
            if "confirmed" in race_result
            else f"failed: {race_result.get('error', two.get('error', 'not run'))}"
        ),
        (not race_result["overbooked"]) if "confirmed" in race_result else None,
    )
    seen = two.get("propagation") or {}
    cells["propagation"] = (
        (
            ", ".join(
                f"{c['kind']} "
                + ("never" if c["every_s"] is None else f"{c['every_s']:.1f} s")
                for c in seen["changes"]
            )
            + f" (recheck {seen['recheck_s']:g} s)"
            if "changes" in seen
            else f"failed: {seen.get('error', two.get('error', 'not run'))}"
        ),
        seen.get("met"),
    )
    limited = two.get("limits") or {}
    cells["limits"] = (
        (
            f"429 at attempt {limited['refused_at']} "
            f"(limit {fmt(limited['limit'], 0)}, alternating A/B)"
            if "refused_at" in limited
            else f"failed: {limited.get('error', two.get('error', 'not run'))}"
        ),
        limited.get("met"),
    )
    return cells


ISSUE_ROWS = [
    ("poll_304", "feed poll answered 304, vs bare hello", "≥ 0.8"),
    (
        "poll_200_bytes",
        "unchanged feed, 200 from memory, vs the same bytes from a bare Flask route",
        "≥ 0.8",
    ),
    (
        "gzip",
        "bytes on the wire for the public feed with `Accept-Encoding: gzip`",
        "≥ 5× smaller, compressed once per version (gzip poll ≥ 0.8 of the plain)",
    ),
    ("incremental", "public feed rebuilt after one sign-up, vs a full build", "≤ 0.1"),
    ("feed_build", "public feed full build, vs the reference", "≥ 1.0"),
    ("workday_page", "busy workday page (logged in), vs the reference", "≥ 0.8"),
    ("rss", "worker peak RSS, vs the reference", "≤ 1.4×"),
    ("scaling", "each endpoint at 10× data, vs its own 1×", f"≥ {SCALING_GOAL}"),
    ("race", "two instances: the sign-up race never overbooks", "no overbooking"),
    (
        "propagation",
        "two instances: a change through A in B's feed (every poll)",
        "≤ FEED_RECHECK_SECONDS + 1 s",
    ),
    (
        "limits",
        "two instances: failed log-ins counted together",
        "429 at the limit + 1",
    ),
]


def targets_section(results: list[dict], quick: bool) -> list[str]:
    scales = [result["scale"] for result in results]
    quick = quick and len(scales) == 1  # a quick run without 10x: say so
    head = "| what | target |" + "".join(f" {s}× | met |" for s in scales)
    lines = [
        "### Issue 22 targets",
        "",
        head + (" 10× | met |" if quick else ""),
        "|---|---|" + "---|:-:|" * (len(scales) + (1 if quick else 0)),
    ]
    cells = [issue_cells(result, results) for result in results]
    for key, what, goal in ISSUE_ROWS:
        line = f"| {what} | {goal} |"
        for scale_cells in cells:
            text, met = scale_cells[key]
            line += f" {text} | {yes(met)} |"
        if quick:
            line += " not run (quick run) | – |"
        lines.append(line)
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
    if results:
        lines += targets_section(results, quick)
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
    parser.add_argument("--scales", help="default: 1,10 (quick: 1)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--log-dir", type=Path, required=True)
    args = parser.parse_args()
    url = os.environ["BENCH_PG_URL"]
    chosen = args.scales or ("1" if args.quick else "1,10")
    scales = [int(s) for s in chosen.split(",")]
    settings = Settings(
        seconds=3 if args.quick else 10,
        warmup=1 if args.quick else 2,
        rounds=2 if args.quick else 5,
        env=dict(os.environ),
        url=url,
        log_dir=args.log_dir,
        quick=args.quick,
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
    races = [(result.get("instances") or {}).get("race") or {} for result in results]
    if any(race_result.get("overbooked") for race_result in races):
        sys.exit("A shift was overbooked in the sign-up race.")
    if failed:
        print(f"note: {len(failed)} measurements saw socket errors or timeouts")


if __name__ == "__main__":
    main()
