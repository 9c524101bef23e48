"""Demo data for `make run`: a living garden to click through. Idempotent."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from gardenhub import tokens
from gardenhub.accounts import services as accounts
from gardenhub.accounts.models import Role, User
from gardenhub.community import celebrations, goals
from gardenhub.community.queries import season_start
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.gardens import services as gardens
from gardenhub.hours import services as hours
from gardenhub.hours.models import HoursEntry
from gardenhub.plots import services as plots
from gardenhub.plots import waitlist
from gardenhub.plots.models import Plot, PlotKind
from gardenhub.projects import membership
from gardenhub.projects import services as projects
from gardenhub.projects.models import Membership, Project
from gardenhub.tasks import services as tasks
from gardenhub.tasks.models import Task
from gardenhub.timezones import local_time_problem, to_local, to_utc
from gardenhub.workdays import newcomers, signups
from gardenhub.workdays import services as workdays
from gardenhub.workdays.models import Shift, Signup, Workday
from gardenhub.workdays.recurrence import WeeklyRule
from gardenhub.workdays.services import ShiftData, WorkdayData

ZONE = "Europe/Berlin"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: Role
    name: str


# Demo accounts only exist where `flask demo` ran, which it refuses in production.
LOGINS = [
    DemoLogin("admin@example.org", "demo-admin-1234", Role.admin, "Alex Admin"),
    DemoLogin(
        "coordinator@example.org",
        "demo-coord-1234",
        Role.coordinator,
        "Casey Coordinator",
    ),
    DemoLogin(
        "volunteer@example.org", "demo-volunteer-1234", Role.volunteer, "Val Volunteer"
    ),
    # Has an account but belongs to no project: see what a non-member sees.
    DemoLogin(
        "stranger@example.org", "demo-stranger-1234", Role.volunteer, "Sky Stranger"
    ),
]
# The invitation-only circle's demo link (a real one is shown once, then only
# its hash is kept; the demo's is known, like its passwords).
DEMO_INVITE = "demo-invite-evening-circle"
INVITE_PATH = f"/join/{DEMO_INVITE}"
# Fellow volunteers (they cannot log in with a known password).
NEIGHBOURS = [
    ("Robin", True),
    ("Sam", False),
    ("Noor", True),
    ("Kim", False),
    ("Jo", False),
    ("Ari", True),
    ("Lee", False),
    ("Mika", False),
    ("Dani", True),
    ("Eli", False),
]


def seed(now: datetime | None = None) -> list[DemoLogin]:
    """Create whatever demo data is missing; never duplicates or overwrites."""
    now = now or utcnow()
    users = {login.email: _ensure_user(login) for login in LOGINS}
    neighbours = [_ensure_neighbour(name, shows) for name, shows in NEIGHBOURS]
    db.session.flush()
    admin = users["admin@example.org"]
    coordinator = users["coordinator@example.org"]
    volunteer = users["volunteer@example.org"]
    crew = _find_project("saturday-garden-crew")
    if crew is None:
        _seed_workdays(admin, coordinator, volunteer, neighbours, now)
        crew = _find_project("saturday-garden-crew")
    if db.session.scalars(select(HoursEntry)).first() is None:
        _seed_history(crew, coordinator, volunteer, neighbours, now)
    if db.session.scalars(select(Plot)).first() is None:
        _seed_plots(crew.garden, coordinator, volunteer, neighbours, now)
    if (
        db.session.scalars(select(Task).where(Task.project_id == crew.id)).first()
        is None
    ):
        _seed_tasks(crew, coordinator, volunteer, neighbours, now)
    if _find_project("evening-garden-group") is None:
        _seed_belonging(crew, coordinator, volunteer, neighbours, now)
    return LOGINS


def _find_project(slug: str) -> Project | None:
    return db.session.scalars(select(Project).where(Project.slug == slug)).first()


def _ensure_user(login: DemoLogin) -> User:
    user = accounts.find_by_email(login.email)
    if user is None:
        user = accounts.create_account(
            login.email, login.name, login.password, role=login.role, now=utcnow()
        )
    return user


def _ensure_neighbour(name: str, shows_name: bool) -> User:
    email = f"{name.lower()}@example.org"
    user = accounts.find_by_email(email)
    if user is None:
        user = User(
            email=email,
            display_name=f"{name} (demo)",
            shows_name=shows_name,
            email_confirmed_at=utcnow(),
        )
        db.session.add(user)
    return user


def _next_weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def _seed_workdays(admin, coordinator, volunteer, neighbours, now: datetime) -> None:
    garden = gardens.create_garden(
        gardens.GardenData(
            name="Riverside Community Garden",
            timezone=ZONE,
            address="Uferweg 12, Berlin",
            latitude=52.5,
            longitude=13.4,
            description="Thirty plots, a compost corner and a big shared herb bed.",
        ),
        actor=admin,
    )
    crew = projects.create_project(
        projects.ProjectData(
            name="Saturday Garden Crew",
            public_name="Saturday Garden Crew",
            timezone=ZONE,
            garden=garden,
            description="Our weekly peer-support garden morning. Tea at 10:30.",
            what_to_expect="Wear clothes that can get muddy; gloves and tea are "
            "here. We meet at the green shed. Nobody has to share anything "
            "about themselves: come, garden, and have a cup of tea.",
            org_name="Riverside Peer Support e.V.",
            org_address="Uferweg 12, 10999 Berlin",
            org_contact="office@riverside-peers.example",
        ),
        actor=coordinator,
    )
    outreach = projects.create_project(
        projects.ProjectData(
            name="Recovery Month Outreach",
            timezone=ZONE,
            garden=garden,
            colour="#1d4f91",
            description="Clean-ups and workshops with the neighbourhood.",
            join_mode="open",
        ),
        actor=coordinator,
    )
    db.session.flush()
    # The crew is a circle: the demo volunteer and most neighbours belong.
    for person in [volunteer, *neighbours[:9]]:
        db.session.add(
            Membership(
                project=crew,
                user=person,
                status="member",
                joined_at=now,
                created_at=now,
            )
        )
    today = to_local(now, ZONE).date()

    saturday = _next_weekday(today, 5)
    series = workdays.create_series(
        crew,
        WorkdayData(
            title="Saturday Garden Crew",
            day=saturday,
            start=time(9),
            end=time(12),
            garden=garden,
            is_newcomer_friendly=True,
            description="Weeding, watering and a tea break together. Gloves provided.",
            shifts=[
                ShiftData("Morning watering", time(9), time(10, 30), 3),
                ShiftData("Beds and compost", time(9), time(12), 6),
            ],
        ),
        WeeklyRule(weekdays=(5,), interval_weeks=1, starts_on=saturday, count=12),
        actor=coordinator,
        now=now,
    )
    cleanup = workdays.create_workday(
        outreach,
        WorkdayData(
            title="Recovery Month: riverbank clean-up",
            day=_next_weekday(today, 2),
            start=time(16),
            end=time(18),
            location="Meet at the footbridge, Uferweg",
            public_title="Neighbourhood clean-up",
            shifts=[ShiftData("Litter picking", time(16), time(18), 4)],
        ),
        actor=coordinator,
        now=now,
    )
    workshop = workdays.create_workday(
        outreach,
        WorkdayData(
            title="Seed-saving workshop",
            day=_next_weekday(today, 6),
            start=time(13, 30),
            end=time(16),
            garden=garden,
            public_title="Seed-saving workshop",
            is_newcomer_friendly=True,
            shifts=[
                ShiftData("Workshop", time(14), time(16), 12),
                ShiftData("Set-up helpers", time(13, 30), time(14), 2),
            ],
        ),
        actor=coordinator,
        now=now,
    )
    db.session.flush()
    first_saturday = db.session.scalars(
        select(Workday)
        .where(Workday.series_id == series.id)
        .order_by(Workday.starts_at)
        .limit(1)
    ).one()
    watering = first_saturday.shifts[0]
    # A full shift with a waitlist, and a full clean-up.
    for person in [*neighbours[:3], volunteer, neighbours[3]]:
        signups.sign_up(watering, person, now=now)
    for person in neighbours[4:8]:
        signups.sign_up(cleanup.shifts[0], person, now=now)
    for person in neighbours[5:9]:
        signups.sign_up(workshop.shifts[0], person, now=now)
    _seed_drop_in(crew, garden, coordinator, neighbours, now)


def _seed_drop_in(crew, garden, coordinator, neighbours, now: datetime) -> None:
    """A short workday starting within the hour, so check-in at the gate can be
    tried at once (it opens two hours before a shift)."""
    local = to_local(now, ZONE).replace(second=0, microsecond=0)
    start = local + timedelta(minutes=20 - local.minute % 5)
    if (start + timedelta(minutes=90)).date() != start.date():
        start = datetime.combine(start.date() + timedelta(days=1), time(0, 5))
    end = start + timedelta(minutes=90)
    if local_time_problem(start.date(), start.time(), ZONE) or local_time_problem(
        end.date(), end.time(), ZONE
    ):
        return  # the night the clocks change: no drop-in this time
    drop_in = workdays.create_workday(
        crew,
        WorkdayData(
            title="Drop-in watering",
            day=start.date(),
            start=start.time(),
            end=end.time(),
            garden=garden,
            public_title="Drop-in watering",
            is_newcomer_friendly=True,
            shifts=[ShiftData("Watering", start.time(), end.time(), 4)],
        ),
        actor=coordinator,
        now=now,
    )
    db.session.flush()
    for person in neighbours[:2]:
        signups.sign_up(drop_in.shifts[0], person, now=now)


def _seed_tasks(crew, coordinator, volunteer, neighbours, now: datetime) -> None:
    """A handful of tasks in different states, one of them needing attention."""
    today = to_local(now, ZONE).date()
    first_saturday = db.session.scalars(
        select(Workday)
        .where(Workday.project_id == crew.id)
        .order_by(Workday.starts_at)
        .limit(1)
    ).one()

    def task(title, **fields):
        return tasks.create_task(
            crew, tasks.TaskData(title=title, **fields), actor=coordinator, now=now
        )

    compost = task(
        "Build the compost bin",
        people_needed=2,
        due_on=today + timedelta(days=6),
        workday=first_saturday,
        description="Pallets are behind the shed; screws in the blue box.",
    )
    task(
        "Bring 20 tomato seedlings",
        due_on=today + timedelta(days=1),
        priority="high",
        is_public=True,
        description="Any variety. We'll plant them on Saturday.",
    )
    watering = task("Water bed C on Tuesday", due_on=today + timedelta(days=3))
    shed = task("Fix the shed door hinge")
    task("Ask the council about a second water butt", priority="low")
    db.session.flush()
    tasks.claim(compost, volunteer, now=now)
    tasks.assign(watering, neighbours[0], actor=coordinator, now=now)
    tasks.claim(shed, neighbours[2], now=now)
    tasks.mark_done(shed, actor=neighbours[2], note="New hinge, oiled.", now=now)


def _seed_plots(garden, coordinator, volunteer, neighbours, now: datetime) -> None:
    """About 30 plots of several kinds, most assigned, a waitlist, one open offer."""
    garden.coordinators.append(coordinator)
    today = to_local(now, ZONE).date()
    plots.create_block(
        garden,
        plots.BlockData(
            rows="A-C",
            first=1,
            last=8,
            size=10,
            kind="raised_bed",
            x=1,
            y=1,
            width=2,
            height=2,
            gap=1,
            fee_cents=2500,
        ),
        actor=coordinator,
    )
    for number, x in enumerate((1, 4, 7), start=1):
        plots.create_plot(
            garden,
            plots.PlotData(
                label=f"R{number}",
                size=6,
                kind=PlotKind.accessible,
                x=x,
                y=11,
                width=2,
                height=2,
                notes="Wheelchair height",
            ),
            actor=coordinator,
        )
    plots.create_plot(
        garden,
        plots.PlotData(
            label="Herbs",
            size=30,
            kind=PlotKind.communal,
            x=10,
            y=11,
            width=6,
            height=3,
        ),
        actor=coordinator,
    )
    db.session.flush()
    every = db.session.scalars(
        select(Plot).where(Plot.garden_id == garden.id).order_by(Plot.id)
    ).all()
    season = plots.Season(str(today.year), today, today.replace(month=12, day=31))
    gardeners = [volunteer, *neighbours]
    holders = [p for p in every if p.kind != PlotKind.communal][:20]
    for index, plot in enumerate(holders):
        plots.assign(
            plot, gardeners[index % len(gardeners)], season, actor=coordinator, now=now
        )
    plots.set_status(every[22], "inactive", actor=coordinator, now=now)
    # A waitlist of several people; the first gets an open offer.
    for offset, person in enumerate(neighbours[4:9]):
        waitlist.request_plot(
            garden,
            person,
            min_size=None,
            needs_accessible=offset == 2,
            notes=None,
            now=now - timedelta(days=40 - offset),
        )
    free = next(p for p in every if p.status == "available" and p.kind == "raised_bed")
    waitlist.offer(free, None, actor=coordinator, now=now)


def _seed_history(crew, coordinator, volunteer, neighbours, now: datetime) -> None:
    """Past Saturdays with check-ins and hours, so the dashboard and My hours
    have something to show."""
    garden = crew.garden
    for weeks_ago in (1, 2, 3, 5, 7, 9):
        day = to_local(now, ZONE).date() - timedelta(weeks=weeks_ago)
        starts_at = to_utc(day, time(9), ZONE)
        workday = Workday(
            project=crew,
            garden=garden,
            title="Saturday Garden Crew",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=3),
            created_at=starts_at - timedelta(days=14),
            updated_at=starts_at - timedelta(days=14),
        )
        shift = Shift(
            workday=workday,
            name="Beds and compost",
            capacity=6,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=3),
        )
        db.session.add_all([workday, shift])
        crowd = [volunteer, *neighbours[weeks_ago % 3 : weeks_ago % 3 + 4]]
        for index, person in enumerate(crowd):
            signup = Signup(
                shift=shift,
                volunteer=person,
                status="confirmed",
                created_at=starts_at - timedelta(days=3),
                confirmed_at=starts_at - timedelta(days=3),
            )
            db.session.add(signup)
            db.session.flush()
            if index != 2:  # one person stayed home: absent, privately
                hours.check_in(signup, actor=coordinator, now=starts_at)
    db.session.add_all(
        [
            HoursEntry(
                volunteer_id=volunteer.id,
                project=crew,
                hours=2,
                worked_on=to_local(now, ZONE).date() - timedelta(days=4),
                description="Watered on Tuesday evening",
                status="approved",
                decided_by_id=coordinator.id,
                decided_at=now,
            ),
            HoursEntry(
                volunteer_id=volunteer.id,
                project=crew,
                hours=1.5,
                worked_on=to_local(now, ZONE).date() - timedelta(days=1),
                description="Picked up seedlings",
                status="pending",
            ),
        ]
    )


def _seed_belonging(crew, coordinator, volunteer, neighbours, now: datetime) -> None:
    """The circle's life: a pending request, a members-only evening, an
    invitation-only group with a live link, a newcomer with a welcome buddy,
    goals with partners, thanks after last Saturday and a shared milestone."""
    robin, noor, eli = neighbours[0], neighbours[2], neighbours[9]
    today = to_local(now, ZONE).date()
    membership.ask(crew, eli, note="I saw your poster at the library.", now=now)
    val = membership.membership_of(crew, volunteer)
    val.joined_at = now - timedelta(days=400)
    val.welcomes_newcomers = True
    evening = workdays.create_workday(
        crew,
        WorkdayData(
            title="Thursday sharing circle and potting",
            public_title="Garden evening",
            day=_next_weekday(today, 3),
            start=time(18),
            end=time(19, 30),
            garden=crew.garden,
            description="We pot up seedlings and, for those who want, share how "
            "the week went.",
            visibility="members",
            shifts=[ShiftData("Potting bench", time(18), time(19, 30), 8)],
        ),
        actor=coordinator,
        now=now,
    )
    db.session.flush()
    signups.sign_up(evening.shifts[0], volunteer, now=now)
    signups.sign_up(evening.shifts[0], robin, now=now)
    # A newcomer on the first Saturday who asked for a buddy: Val.
    tam = _ensure_neighbour("Tam", shows_name=False)
    db.session.flush()
    db.session.add(
        Membership(
            project=crew, user=tam, status="member", joined_at=now, created_at=now
        )
    )
    saturday = db.session.scalars(
        select(Workday)
        .where(
            Workday.project_id == crew.id,
            Workday.series_id.is_not(None),
            Workday.starts_at > now,
        )
        .order_by(Workday.starts_at)
        .limit(1)
    ).one()
    db.session.flush()
    beds = saturday.shifts[1]  # Val is on the watering shift that morning
    newcomer = signups.sign_up(
        beds,
        tam,
        now=now,
        note="First time: a quiet task would be nice.",
        wants_buddy=True,
        buddy_sees_name=True,
    )
    db.session.flush()
    crew.forget_members()
    newcomers.pair(newcomer, volunteer, actor=coordinator, now=now)
    # Goals and partners: Val's own with Robin, and Noor's with Val.
    season = max(season_start(crew, today), today - timedelta(days=70))
    mine = goals.set_goal(
        volunteer,
        crew,
        kind="hours",
        target=Decimal(30),
        starts_on=season,
        ends_on=today + timedelta(days=90),
        now=now,
    )
    noors = goals.set_goal(
        noor,
        crew,
        kind="workdays_per_month",
        target=Decimal(2),
        starts_on=today.replace(day=1),
        ends_on=today + timedelta(days=120),
        now=now,
    )
    db.session.flush()
    for goal, partner, owner in ((mine, robin, volunteer), (noors, volunteer, noor)):
        asked = goals.ask_partner(goal, partner, person=owner, now=now)
        goals.answer(asked, person=partner, accept=True, now=now)
    # Thanks after last Saturday, and a milestone Val chose to share.
    last = db.session.scalars(
        select(Workday)
        .where(Workday.project_id == crew.id, Workday.starts_at < now)
        .order_by(Workday.starts_at.desc())
        .limit(1)
    ).first()
    if last is not None:
        celebrations.thank(
            last,
            author=coordinator,
            text="Thank you all for a lovely morning: the new herb bed looks great!",
            now=now,
        )
    celebrations.share(crew, volunteer, "workdays-5", share=True, now=now)
    # An invitation-only circle with a live link.
    circle = projects.create_project(
        projects.ProjectData(
            name="Wednesday Evening Circle",
            public_name="Evening garden group",
            timezone=ZONE,
            garden=crew.garden,
            colour="#7a3e9d",
            join_mode="invitation",
            default_visibility="members",
            description="A small circle that gardens together after work.",
            what_to_expect="We meet at the gate at six. Bring a warm layer; "
            "nobody has to say anything about themselves.",
        ),
        actor=coordinator,
    )
    db.session.flush()
    invite, _ = membership.create_invite(
        circle,
        label="Demo invitation",
        days=90,
        max_uses=50,
        actor=coordinator,
        now=now,
    )
    invite.token_hash = tokens.hash_secret(DEMO_INVITE)
