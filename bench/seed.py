"""Bulk-load a large, realistic GardenHub data set into PostgreSQL for `make bench`.

Rows go in with psycopg COPY, never through the ORM or the services, so 1x takes
a few seconds and 10x well under two minutes. At scale 1:

- 5 gardens (four time zones), 30 projects (one archived) with 1-2 coordinators;
- 3,000 workdays spread over two years centred on now, ~25% of them in weekly
  series, ~6% cancelled; 4 shifts each (12,000);
- 5,000 volunteers sharing ONE password hash (computed once);
- ~60,000 sign-ups: at most `capacity` confirmed per shift, the rest waitlisted,
  ~5% cancelled history, one active sign-up per person and shift;
- a "busy workday" tomorrow (10 shifts, 100 sign-ups);
- a "busy volunteer" with ~40 upcoming confirmed shifts and a private feed token;
- 20 "racers" without sign-ups and one empty race shift (capacity 10) per round
  of the concurrent sign-up measurement;
- 500 plots (100 per garden: 2x2 beds with 1-unit paths on a map of at least
  40x30), ~70% assigned to volunteers for the current season (the calendar
  year), 200 waiting plot requests, two coordinators per garden; renewals for
  next year are open at the first garden;
- 2,000 tasks (about a third tied to a workday of their project, due dates over
  the same two years, a few without) with ~2,000 task assignments for the
  in-progress and done ones;
- the busy volunteer also holds a plot at the first garden (its renewal deadline
  is in the feed window) and 3 tasks due inside the feed window.

`--scale N` multiplies workdays, shifts, volunteers, sign-ups, plots, plot
requests and tasks; the time span stays two years, so the data gets denser (and
the plot maps bigger). Usage (the database must hold the migrated, empty schema,
or pass --reset to empty it first):

    GARDENHUB_SQLALCHEMY_DATABASE_URI=postgresql+psycopg://postgres@127.0.0.1/db \\
        .venv/bin/python bench/seed.py --scale 1 --reset --out /tmp/seed.json
"""

import argparse
import hashlib
import json
import math
import os
import random
import secrets
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql
from werkzeug.security import generate_password_hash

# Every seeded account logs in with this; the token opens the busy volunteer's feed.
PASSWORD = "bench-password-1234"  # noqa: S105
FEED_TOKEN = "bench-busy-volunteer-private-feed-token"  # noqa: S105

WORKDAYS = 3000
VOLUNTEERS = 5000
SIGNUPS = 60_000
SHIFTS_PER_WORKDAY = 4
SERIES_SHARE = 0.25
SERIES_LENGTH = 20
CANCELLED_SHARE = 0.06
SIGNUP_CANCELLED_SHARE = 0.05
BUSY_UPCOMING = 40
BUSY_PAST = 8
BUSY_SHIFTS = 10
BUSY_SIGNUPS_PER_SHIFT = 10
RACERS = 20
RACE_ROUNDS = 5
RACE_CAPACITY = 10
HORIZON = timedelta(days=365)
PLOTS_PER_GARDEN = 100
PLOT_COLUMNS = 13  # at 1x; the map grows by sqrt(scale) each way
ASSIGNED_SHARE = 0.75  # of the non-communal plots; ~3% inactive, ~3% reserved
REQUESTS_PER_GARDEN = 40
TASKS = 2000
TASK_ON_WORKDAY_SHARE = 0.35
TASK_UNDATED_SHARE = 0.12
FEES = [2500, 3000, 4000, 2000, None]  # seasonal fee per garden, in cents
TASK_TITLES = [
    "Turn the compost",
    "Fix the shed door hinge",
    "Bring tomato seedlings",
    "Repair the water butt",
    "Mow the paths",
    "Sharpen the secateurs",
    "Order woodchip for the paths",
    "Paint the noticeboard",
    "Sort the seed box",
    "Clear the pond of leaves",
    "Collect manure from the stables",
    "Mend the fence by the gate",
    "Water the seedlings on Tuesday",
    "Build a bug hotel",
    "Label the herb beds",
]

GARDENS = [
    ("Riverside Community Garden", "riverside", "Uferweg 3, Berlin", "Europe/Berlin"),
    ("Hillside Allotments", "hillside", "Bergstraße 12, Berlin", "Europe/Berlin"),
    ("Canal Street Garden", "canal-street", "12 Canal St, Manchester", "Europe/London"),
    ("Eastside Growers", "eastside", "200 E 7th St, New York", "America/New_York"),
    ("Rooftop Herb Garden", "rooftop", "Dakweg 4, Amsterdam", "Europe/Amsterdam"),
]
COORDINATES = [
    (52.51, 13.40),
    (52.48, 13.35),
    (53.47, -2.24),
    (40.72, -73.98),
    (52.37, 4.90),
]
PROJECTS = 30
PROJECTS_AWAY = 5  # projects that meet at a free-text place, not a garden
SHIFT_NAMES = ["Weeding", "Watering", "Compost", "Harvest and tidy-up"]
CAPACITIES = [4, 5, 6, 8, 10, 12]

COLUMNS = {
    "garden": "id name slug address description timezone latitude longitude "
    "created_at map_width map_height season_name season_starts_on season_ends_on "
    "renewal_deadline next_season_name next_season_starts_on next_season_ends_on",
    "user": "id email display_name phone password_hash role is_active is_guest "
    "shows_name is_discreet feed_shows_waitlist session_token created_at "
    "last_login_at email_confirmed_at",
    "project": "id name public_name slug description garden_id timezone colour "
    "is_active created_at",
    "project_coordinator": "project_id user_id",
    "workday_series": "id project_id weekdays interval_weeks starts_on ends_on "
    "count start_time end_time timezone created_at",
    "series_shift": "id series_id name start_time end_time capacity description skill",
    "workday": "id project_id garden_id series_id title public_title description "
    "location starts_at ends_at is_newcomer_friendly status cancelled_at "
    "cancel_reason revision created_at updated_at",
    "shift": "id workday_id name starts_at ends_at capacity description skill "
    "seats_changed_at",
    "signup": "id shift_id volunteer_id added_by_id status created_at confirmed_at "
    "offered_at offer_expires_at cancelled_at",
    "feed_token": "id user_id name token_hash created_at last_used_at revoked_at",
    "garden_coordinator": "garden_id user_id",
    "plot": "id garden_id label size size_unit kind status x y width height notes "
    "fee_cents created_at",
    "plot_assignment": "id plot_id gardener_id season_name starts_on ends_on "
    "assigned_by_id created_at ended_at renewed_at fee_status",
    "plot_request": "id garden_id requester_id min_size needs_accessible notes "
    "status created_at confirmed_at missed_offers closed_at lapse_reason",
    "task": "id project_id workday_id title description due_on people_needed "
    "priority status is_public done_at done_note created_by_id created_at "
    "updated_at revision",
    "task_assignment": "id task_id volunteer_id assigned_by_id created_at "
    "released_at released_by_id",
}


def row_label(n: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: plot rows are lettered like the plot blocks."""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Workday:
    id: int
    project: int
    zone: str
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    cancelled: bool
    active: bool
    shifts: list[tuple[int, int, datetime]] = field(default_factory=list)


class Seeder:
    def __init__(self, scale: int, now: datetime, seed: int):
        self.scale = scale
        self.now = now
        self.rng = random.Random(seed)
        self.rows: dict[str, list[tuple]] = {table: [] for table in COLUMNS}
        self.workdays: list[Workday] = []
        self.project_zone: dict[int, tuple[int | None, str]] = {}
        self.next_id = {table: 1 for table in COLUMNS}
        self.password_hash = generate_password_hash(PASSWORD)  # once, for everyone
        self.info: dict = {"scale": scale, "password": PASSWORD}
        self.inactive: set[int] = set()
        # Plots are handed out for the calendar year; renewals for the next one
        # are open at the first garden, with a deadline three weeks from now.
        today = now.date()
        self.season = (
            str(today.year),
            date(today.year, 1, 1),
            date(today.year, 12, 31),
        )
        self.next_season = (
            str(today.year + 1),
            date(today.year + 1, 1, 1),
            date(today.year + 1, 12, 31),
        )
        self.renewal_deadline = min(today + timedelta(days=21), self.season[2])
        columns = max(PLOT_COLUMNS, round(PLOT_COLUMNS * math.sqrt(scale)))
        rows = math.ceil(PLOTS_PER_GARDEN * scale / columns)
        # 2x2 plots, a 1-unit path around each: 3 units per plot, plus the edge.
        self.plot_grid = (columns, rows)
        self.map_size = (max(40, 3 * columns + 1), max(30, 3 * rows + 1))
        if max(self.map_size) > 200:
            sys.exit(f"scale {scale}: the plot map would exceed 200x200 units")

    def new_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def add(self, table: str, *values) -> None:
        self.rows[table].append(values)

    def ago(self, low_days: float, high_days: float) -> datetime:
        return self.now - timedelta(days=self.rng.uniform(low_days, high_days))

    # -- people, places, projects -------------------------------------------------

    def user(self, email: str, name: str, role: str = "volunteer", **flags) -> int:
        user_id = self.new_id("user")
        is_active = flags.get("is_active", True)
        if not is_active:
            self.inactive.add(user_id)
        self.add(
            "user",
            user_id,
            email,
            name,
            None,
            self.password_hash,
            role,
            is_active,
            False,
            flags.get("shows_name", self.rng.random() < 0.3),
            False,
            False,
            secrets.token_urlsafe(32),
            created := self.ago(30, 900),
            None,
            created,  # confirmed their address when they joined
        )
        return user_id

    def people(self) -> None:
        self.user("admin@bench.example", "Bench Admin", "admin")
        self.coordinators = [
            self.user(
                f"coordinator{n}@bench.example", f"Coordinator {n}", "coordinator"
            )
            for n in range(1, 41)
        ]
        first = self.next_id["user"]
        for n in range(1, VOLUNTEERS * self.scale + 1):
            self.user(
                f"volunteer{n}@bench.example",
                f"Volunteer {n}",
                is_active=self.rng.random() > 0.01,
            )
        self.volunteer_ids = range(first, self.next_id["user"])
        self.busy_volunteer = self.user(
            "busy@bench.example", "Busy Volunteer", shows_name=True
        )
        self.racers = [
            self.user(f"racer{n}@bench.example", f"Racer {n}") for n in range(RACERS)
        ]
        self.info["busy_volunteer"] = {
            "id": self.busy_volunteer,
            "email": "busy@bench.example",
        }
        self.info["racers"] = [f"racer{n}@bench.example" for n in range(RACERS)]

    def places(self) -> None:
        for (name, slug, address, zone), (lat, lon) in zip(
            GARDENS, COORDINATES, strict=True
        ):
            self.add(
                "garden",
                self.new_id("garden"),
                name,
                slug,
                address,
                f"{name}: raised beds, a tool shed and a compost corner.",
                zone,
                lat,
                lon,
                self.ago(800, 900),
                *self.map_size,
                *self.season,
                *(
                    (self.renewal_deadline, *self.next_season)
                    if slug == GARDENS[0][1]
                    else (None, None, None, None)
                ),
            )
        for n in range(PROJECTS):
            project_id = self.new_id("project")
            away = n >= PROJECTS - PROJECTS_AWAY
            garden_id = None if away else n % len(GARDENS) + 1
            zone = "Europe/Berlin" if away else GARDENS[n % len(GARDENS)][3]
            self.project_zone[project_id] = (garden_id, zone)
            self.add(
                "project",
                project_id,
                f"Garden Crew {n + 1}",
                "Community garden project" if n % 3 else f"Open Garden Group {n + 1}",
                f"crew-{n + 1}",
                "Peer-support gardening: come as you are.",
                garden_id,
                zone,
                "#2f6b3a",
                n != PROJECTS - 1,  # the last project is archived
                self.ago(700, 800),
            )
            self.add("project_coordinator", project_id, self.coordinators[n])
            if n < 10:
                self.add("project_coordinator", project_id, self.coordinators[30 + n])

    # -- workdays and shifts --------------------------------------------------------

    def workday(
        self,
        project_id: int,
        local_start: datetime,
        hours: float,
        *,
        series_id: int | None = None,
        cancelled: bool | None = None,
        title: str | None = None,
    ) -> Workday:
        garden_id, zone = self.project_zone[project_id]
        starts_at = local_start.astimezone(UTC)
        ends_at = starts_at + timedelta(hours=hours)
        created = starts_at - timedelta(days=self.rng.uniform(14, 90))
        if created > self.now:
            created = self.ago(1, 30)
        updated = min(created + timedelta(hours=self.rng.uniform(0, 72)), self.now)
        if cancelled is None:
            cancelled = self.rng.random() < CANCELLED_SHARE
        revision = self.rng.randint(0, 2) + (1 if cancelled else 0)
        cancelled_at = (
            max(min(starts_at - timedelta(days=2), self.now), created)
            if cancelled
            else None
        )
        if cancelled_at:
            updated = max(updated, cancelled_at)
        workday = Workday(
            id=self.new_id("workday"),
            project=project_id,
            zone=zone,
            starts_at=starts_at,
            ends_at=ends_at,
            created_at=created,
            cancelled=cancelled,
            active=project_id != PROJECTS,
        )
        self.add(
            "workday",
            workday.id,
            project_id,
            garden_id,
            series_id,
            title or f"Garden Crew {project_id} workday",
            "Community garden workday",
            "Bring gloves and water; tea and snacks are on us.",
            "by the tool shed" if garden_id else "Meet at the station entrance",
            starts_at,
            ends_at,
            self.rng.random() < 0.2,
            "cancelled" if cancelled else "scheduled",
            cancelled_at,
            "Heavy rain forecast" if cancelled else None,
            revision,
            created,
            updated,
        )
        self.workdays.append(workday)
        return workday

    def shift(
        self, workday: Workday, name: str, starts_at: datetime, hours: float, cap: int
    ) -> int:
        shift_id = self.new_id("shift")
        ends_at = starts_at + timedelta(hours=hours)
        workday.shifts.append((shift_id, cap, starts_at))
        self.shift_rows[shift_id] = [
            shift_id,
            workday.id,
            name,
            starts_at,
            ends_at,
            cap,
            "Tools provided.",
            None,
            None,
        ]
        return shift_id

    def standard_shifts(self, workday: Workday, capacities: list[int]) -> None:
        half = (workday.ends_at - workday.starts_at) / 2
        for k, name in enumerate(SHIFT_NAMES):
            start = workday.starts_at + (k // 2) * half
            self.shift(workday, name, start, half.total_seconds() / 3600, capacities[k])

    def series(self, count: int) -> None:
        """Weekly series: same local time every week, across DST changes."""
        for _ in range(count):
            series_id = self.new_id("workday_series")
            project_id = self.rng.randint(1, PROJECTS)
            zone = self.project_zone[project_id][1]
            weekday = self.rng.randint(0, 6)
            first_day = (self.now - HORIZON).date() + timedelta(
                days=self.rng.randint(0, 2 * 365 - 7 * SERIES_LENGTH)
            )
            first_day += timedelta(days=(weekday - first_day.weekday()) % 7)
            start_hour = self.rng.choice([9, 10, 14])
            capacities = [self.rng.choice(CAPACITIES) for _ in SHIFT_NAMES]
            self.add(
                "workday_series",
                series_id,
                project_id,
                str(weekday),
                1,
                first_day,
                None,
                SERIES_LENGTH,
                clock(start_hour),
                clock(start_hour + 3),
                zone,
                self.ago(400, 500),
            )
            halves = [clock(start_hour), clock(start_hour + 1, 30)]
            halves.append(clock(start_hour + 3))
            for k, name in enumerate(SHIFT_NAMES):
                self.add(
                    "series_shift",
                    self.new_id("series_shift"),
                    series_id,
                    name,
                    halves[k // 2],
                    halves[k // 2 + 1],
                    capacities[k],
                    None,
                    None,
                )
            for week in range(SERIES_LENGTH):
                day = first_day + timedelta(weeks=week)
                local_start = datetime.combine(day, clock(start_hour), ZoneInfo(zone))
                workday = self.workday(project_id, local_start, 3, series_id=series_id)
                self.standard_shifts(workday, capacities)

    def single_workdays(self, count: int) -> None:
        start_day = (self.now - HORIZON).date()
        for _ in range(count):
            project_id = self.rng.randint(1, PROJECTS)
            zone = self.project_zone[project_id][1]
            day = start_day + timedelta(days=self.rng.randint(0, 2 * 365 - 1))
            hour = self.rng.choice([9, 10, 13, 14, 17])
            local_start = datetime.combine(day, clock(hour), ZoneInfo(zone))
            workday = self.workday(project_id, local_start, self.rng.choice([3, 4]))
            self.standard_shifts(
                workday, [self.rng.choice(CAPACITIES) for _ in SHIFT_NAMES]
            )

    # -- sign-ups --------------------------------------------------------------------

    def signups_for(
        self, workday: Workday, shift_id: int, cap: int, people: list[int]
    ) -> None:
        """Confirm up to `cap` people in order, waitlist the rest; some cancelled."""
        latest = min(workday.starts_at - timedelta(hours=1), self.now)
        earliest = min(workday.created_at, latest - timedelta(days=1))
        span = (latest - earliest).total_seconds()
        stamps = sorted(
            earliest + timedelta(seconds=self.rng.uniform(0, span)) for _ in people
        )
        confirmed = 0
        changed = None
        for person, created in zip(people, stamps, strict=True):
            cancelled_at = None
            if (
                person != self.busy_volunteer
                and self.rng.random() < SIGNUP_CANCELLED_SHARE
            ):
                status = "cancelled"
                cancelled_at = min(created + timedelta(hours=6), latest)
            elif confirmed < cap:
                status = "confirmed"
                confirmed += 1
            else:
                status = "waitlisted"
            self.add(
                "signup",
                self.new_id("signup"),
                shift_id,
                person,
                None,
                status,
                created,
                created if status == "confirmed" else None,
                None,
                None,
                cancelled_at,
            )
            changed = cancelled_at or created
        self.shift_rows[shift_id][8] = changed

    def pick_busy_shifts(self) -> set[int]:
        """The busy volunteer's shifts: ~40 upcoming and a few past, one per workday."""

        def shifts_between(low_days: int, high_days: int, k: int) -> list[int]:
            low = self.now + timedelta(days=low_days)
            high = self.now + timedelta(days=high_days)
            candidates = [
                w
                for w in self.workdays
                if low <= w.starts_at < high and w.active and not w.cancelled
            ]
            chosen = self.rng.sample(candidates, min(k, len(candidates)))
            return [self.rng.choice(w.shifts)[0] for w in chosen]

        # Inside any feed window of at least 30 days back and 90 ahead.
        upcoming = shifts_between(2, 85, BUSY_UPCOMING)
        past = shifts_between(-25, -1, BUSY_PAST)
        self.info["busy_upcoming_shifts"] = len(upcoming)
        return set(upcoming) | set(past)

    def random_signups(self) -> None:
        busy = self.pick_busy_shifts()
        # Mean demand per shift, so the total is SIGNUPS x scale.
        top = 2 * SIGNUPS // (WORKDAYS * SHIFTS_PER_WORKDAY)
        for workday in self.workdays:
            for shift_id, cap, _ in workday.shifts:
                demand = self.rng.randint(0, top)
                people = self.rng.sample(self.volunteer_ids, demand)
                if shift_id in busy:
                    people.insert(0, self.busy_volunteer)
                if people:
                    self.signups_for(workday, shift_id, cap, people)

    # -- the special cases the benchmark looks at ----------------------------------

    def busy_workday(self) -> None:
        """Tomorrow, 10 shifts, 100 sign-ups; the busy volunteer holds one seat and
        waits on another shift."""
        zone = ZoneInfo(GARDENS[0][3])
        tomorrow = (self.now.astimezone(zone) + timedelta(days=1)).date()
        workday = self.workday(
            1,
            datetime.combine(tomorrow, clock(9), zone),
            5,
            cancelled=False,
            title="Big autumn planting day",
        )
        pool = self.rng.sample(self.volunteer_ids, BUSY_SHIFTS * BUSY_SIGNUPS_PER_SHIFT)
        capacities = [8, 10, 12, 10, 8, 10, 12, 10, 8, 10]
        for k in range(BUSY_SHIFTS):
            start = workday.starts_at + timedelta(hours=k // 2)
            name = f"{SHIFT_NAMES[k % 2]} {k // 2 + 1}"
            shift_id = self.shift(workday, name, start, 1, capacities[k])
            start_at = k * BUSY_SIGNUPS_PER_SHIFT
            people = pool[start_at : start_at + BUSY_SIGNUPS_PER_SHIFT]
            if k == 0:
                people[0] = self.busy_volunteer  # confirmed
            if k == 4:
                people[-1] = self.busy_volunteer  # waitlisted (capacity 8)
            self.signups_for(workday, shift_id, capacities[k], people)
        self.info["busy_workday_id"] = workday.id

    def race_shifts(self) -> None:
        """One empty shift per round, on different evenings, for the racers."""
        zone = ZoneInfo(GARDENS[0][3])
        rounds = []
        for n in range(RACE_ROUNDS):
            day = (self.now.astimezone(zone) + timedelta(days=7 + n)).date()
            workday = self.workday(
                1,
                datetime.combine(day, clock(18), zone),
                2,
                cancelled=False,
                title=f"Evening watering {n + 1}",
            )
            shift_id = self.shift(
                workday, "Watering", workday.starts_at, 2, RACE_CAPACITY
            )
            rounds.append({"workday_id": workday.id, "shift_id": shift_id})
        self.info["race"] = {"capacity": RACE_CAPACITY, "rounds": rounds}

    def feed_token(self) -> None:
        token_hash = hashlib.sha256(FEED_TOKEN.encode()).hexdigest()
        # last_used_at is recent, so polls during the run never write.
        self.add(
            "feed_token",
            self.new_id("feed_token"),
            self.busy_volunteer,
            "phone",
            token_hash,
            self.ago(10, 11),
            self.now,
            None,
        )
        self.info["feed_token"] = FEED_TOKEN

    # -- plots and the plot waitlist -----------------------------------------------

    def plots(self) -> None:
        """Per garden: two coordinators, a grid of 2x2 plots with 1-unit paths,
        most assigned for the current season (the busy volunteer holds one at the
        first garden), and a waitlist of people without a plot there."""
        self.active_volunteers = [
            v for v in self.volunteer_ids if v not in self.inactive
        ]
        season_name, starts_on, ends_on = self.season
        season_start = datetime.combine(starts_on, clock(9), UTC)
        columns, _ = self.plot_grid
        count = PLOTS_PER_GARDEN * self.scale
        for garden_id in range(1, len(GARDENS) + 1):
            coordinators = [
                self.coordinators[garden_id - 1],
                self.coordinators[30 + garden_id - 1],
            ]
            for coordinator in coordinators:
                self.add("garden_coordinator", garden_id, coordinator)
            holders = self.rng.sample(self.active_volunteers, count)
            if garden_id == 1:
                holders[0] = self.busy_volunteer
            gardeners: set[int] = set()
            for n in range(count):
                row, column = divmod(n, columns)
                label = f"{row_label(row)}{column + 1}"
                roll = self.rng.random()
                kind = (
                    "communal"
                    if roll < 0.04
                    else "accessible"
                    if roll < 0.12
                    else "in_ground"
                    if roll < 0.37
                    else "raised_bed"
                )
                size = {"accessible": 6.0, "communal": 16.0}.get(kind) or (
                    self.rng.choice([4.0, 6.0, 8.0, 10.0])
                )
                fee_cents = None if kind == "communal" else FEES[garden_id - 1]
                roll = self.rng.random()
                if kind == "communal":
                    status = "available"
                elif roll < 0.03:
                    status = "inactive"
                elif roll < 0.06:
                    status = "reserved"
                elif roll < 0.06 + ASSIGNED_SHARE or not gardeners:
                    status = "assigned"
                else:
                    status = "available"
                plot_id = self.new_id("plot")
                self.add(
                    "plot",
                    plot_id,
                    garden_id,
                    label,
                    size,
                    "m²",
                    kind,
                    status,
                    1 + 3 * column,
                    1 + 3 * row,
                    2,
                    2,
                    "Wheelchair height" if kind == "accessible" else None,
                    fee_cents,
                    self.ago(400, 700),
                )
                if status != "assigned":
                    continue
                gardener = holders[len(gardeners)]
                gardeners.add(gardener)
                if gardener == self.busy_volunteer:
                    self.info["busy_plot"] = f"{GARDENS[0][1]} {label}"
                if self.rng.random() < 0.8:  # before the season starts
                    created = season_start - timedelta(days=self.rng.uniform(1, 40))
                else:
                    created = self.ago(0, (self.now - season_start).days)
                self.add(
                    "plot_assignment",
                    self.new_id("plot_assignment"),
                    plot_id,
                    gardener,
                    season_name,
                    starts_on,
                    ends_on,
                    self.rng.choice(coordinators),
                    created,
                    None,
                    None,
                    "due" if fee_cents else None,
                )
            self.plot_requests(garden_id, gardeners)

    def plot_requests(self, garden_id: int, gardeners: set[int]) -> None:
        """The garden's waitlist: people without a plot there, one request each."""
        wanted = REQUESTS_PER_GARDEN * self.scale
        pool = self.rng.sample(self.active_volunteers, wanted + len(gardeners))
        requesters = [person for person in pool if person not in gardeners][:wanted]
        for requester in requesters:
            created = self.ago(1, 500)
            self.add(
                "plot_request",
                self.new_id("plot_request"),
                garden_id,
                requester,
                self.rng.choice([None, None, None, 4.0, 6.0, 8.0]),
                self.rng.random() < 0.1,
                "Happy to share a bed" if self.rng.random() < 0.1 else None,
                "waiting",
                created,
                max(created, self.ago(0, 120)),
                0,
                None,
                None,
            )

    # -- tasks -------------------------------------------------------------------------

    def task(
        self,
        project_id: int,
        title: str,
        due: date | None,
        *,
        workday_id: int | None = None,
        status: str | None = None,
        people: int | None = None,
        person: int | None = None,
    ) -> None:
        """One task; in-progress and done ones get their people (`person` first)."""
        today = self.now.date()
        if status is None:
            if due is None:
                weights = [45, 25, 25, 5]
            elif due < today:
                weights = [7, 8, 75, 10]
            else:
                weights = [60, 30, 5, 5]
            status = self.rng.choices(
                ["open", "in_progress", "done", "cancelled"], weights
            )[0]
        if people is None:
            people = self.rng.choices([1, 2, 3], [60, 30, 10])[0]
        if due is None:
            created = self.ago(1, 700)
        else:
            noon = datetime.combine(due, clock(12), UTC)
            created = noon - timedelta(days=self.rng.uniform(3, 60))
            if created > self.now:
                created = self.ago(0.1, 30)
        done_at = None
        if status == "done":
            end = self.now
            if due is not None:
                end = min(end, datetime.combine(due, clock(18), UTC))
            end = max(end, created)
            done_at = created + self.rng.uniform(0, 1) * (end - created)
            updated = done_at
        else:
            updated = min(created + timedelta(hours=self.rng.uniform(0, 240)), self.now)
        coordinator = self.coordinators[project_id - 1]
        task_id = self.new_id("task")
        self.add(
            "task",
            task_id,
            project_id,
            workday_id,
            title,
            None
            if self.rng.random() < 0.4
            else "Tools are in the shed; ask a coordinator if unsure.",
            due,
            people,
            self.rng.choices(["low", "normal", "high"], [25, 55, 20])[0],
            status,
            self.rng.random() < 0.3,
            done_at,
            "Done, all tidy." if done_at and self.rng.random() < 0.5 else None,
            coordinator,
            created,
            updated,
            0,
        )
        if status not in ("in_progress", "done"):
            return
        taken = people if status == "done" else self.rng.randint(1, people)
        volunteers = self.rng.sample(self.active_volunteers, taken)
        if person is not None:
            volunteers[0] = person
        until = done_at or self.now
        for volunteer in volunteers:
            self.add(
                "task_assignment",
                self.new_id("task_assignment"),
                task_id,
                volunteer,
                coordinator if self.rng.random() < 0.4 else None,
                created + self.rng.uniform(0, 1) * (until - created),
                None,
                None,
            )

    def tasks(self, workdays: list[Workday]) -> None:
        """Tasks across the two years; about a third belong to a workday of their
        project and are due on its (local) date, a few have no due date."""
        by_project: dict[int, list[Workday]] = {}
        for workday in workdays:
            by_project.setdefault(workday.project, []).append(workday)
        today = self.now.date()
        for _ in range(TASKS * self.scale):
            project_id = self.rng.randint(1, PROJECTS)
            title = self.rng.choice(TASK_TITLES)
            roll = self.rng.random()
            if roll < TASK_ON_WORKDAY_SHARE and by_project.get(project_id):
                workday = self.rng.choice(by_project[project_id])
                local = workday.starts_at.astimezone(ZoneInfo(workday.zone))
                self.task(project_id, title, local.date(), workday_id=workday.id)
            elif roll < 1 - TASK_UNDATED_SHARE:
                due = today + timedelta(days=self.rng.randint(-365, 365))
                self.task(project_id, title, due)
            else:
                self.task(project_id, title, None)

    def busy_tasks(self) -> None:
        """Three tasks of the busy volunteer, due inside any feed window of at
        least 30 days back and 90 ahead: two in progress, one done."""
        today = self.now.date()
        self.task(
            1,
            "Bring 20 tomato seedlings",
            today + timedelta(days=4),
            status="in_progress",
            people=1,
            person=self.busy_volunteer,
        )
        self.task(
            1,
            "Turn the compost",
            today + timedelta(days=25),
            status="in_progress",
            people=2,
            person=self.busy_volunteer,
        )
        self.task(
            2,
            "Mend the fence by the gate",
            today - timedelta(days=6),
            status="done",
            people=1,
            person=self.busy_volunteer,
        )
        self.info["busy_tasks"] = 3

    def build(self) -> None:
        self.shift_rows: dict[int, list] = {}
        self.people()
        self.places()
        in_series = round(WORKDAYS * self.scale * SERIES_SHARE / SERIES_LENGTH)
        self.series(in_series)
        self.single_workdays(WORKDAYS * self.scale - in_series * SERIES_LENGTH)
        regular = list(self.workdays)  # tasks stay off the special workdays below
        self.random_signups()
        self.busy_workday()
        self.race_shifts()
        self.feed_token()
        # After everything else, so the random draws above (and with them the
        # workdays and sign-ups) stay the same as before plots and tasks came.
        self.plots()
        self.tasks(regular)
        self.busy_tasks()
        self.rows["shift"] = [tuple(row) for row in self.shift_rows.values()]


def database_url(value: str | None) -> str:
    url = value or os.environ.get("GARDENHUB_SQLALCHEMY_DATABASE_URI", "")
    if not url.startswith("postgresql"):
        sys.exit("seed.py needs a PostgreSQL URL (--database-url or GARDENHUB_…_URI)")
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def reset(connection: psycopg.Connection) -> None:
    """Empty every application table, whatever migrations added since."""
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"
        )
    ]
    if tables:
        names = sql.SQL(", ").join(map(sql.Identifier, tables))
        connection.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(names)
        )


def load(connection: psycopg.Connection, rows: dict[str, list[tuple]]) -> None:
    with connection.cursor() as cursor:
        for table, columns in COLUMNS.items():
            names = sql.SQL(", ").join(map(sql.Identifier, columns.split()))
            statement = sql.SQL("COPY {} ({}) FROM STDIN")
            with cursor.copy(statement.format(sql.Identifier(table), names)) as copy:
                for row in rows[table]:
                    copy.write_row(row)
            if "id" in columns.split():
                # Rows carry their ids, so move each sequence past them.
                cursor.execute(
                    sql.SQL(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                        "(SELECT coalesce(max(id), 0) + 1 FROM {}), false)"
                    ).format(sql.Identifier(table)),
                    (f'"{table}"',),
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--database-url")
    parser.add_argument("--reset", action="store_true", help="empty the tables first")
    parser.add_argument("--out", help="write ids, emails and the feed token here")
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args()

    url = database_url(args.database_url)
    started = time.perf_counter()
    seeder = Seeder(args.scale, datetime.now(UTC), args.seed + args.scale)
    seeder.build()
    built = time.perf_counter()
    with psycopg.connect(url) as connection:
        if args.reset:
            reset(connection)
        elif connection.execute('SELECT count(*) FROM "user"').fetchone()[0]:
            sys.exit("The database already holds users; pass --reset to empty it.")
        load(connection, seeder.rows)
        connection.commit()
        connection.autocommit = True
        connection.execute("ANALYZE")
    counts = {table: len(rows) for table, rows in seeder.rows.items()}
    seeder.info.update(
        counts=counts,
        seconds=round(time.perf_counter() - started, 1),
        build_seconds=round(built - started, 1),
        seeded_at=seeder.now.isoformat(),
    )
    if args.out:
        with open(args.out, "w") as f:
            json.dump(seeder.info, f, indent=2)
    summary = ", ".join(f"{n:,} {table}" for table, n in counts.items())
    print(f"seeded scale {args.scale} in {seeder.info['seconds']} s: {summary}")


if __name__ == "__main__":
    main()
