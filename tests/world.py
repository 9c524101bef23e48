"""A small world where every page shows every form it can show.

Used by the permission matrix (every route as every kind of visitor) and the
fuzz test (every field of every form). Built with the real services on an
empty database, so ids are the same every time it is built.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from gardenhub import tokens
from gardenhub.accounts import api_tokens
from gardenhub.accounts.models import Role, User
from gardenhub.community import goals
from gardenhub.community.models import Thanks
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.feeds import services as feed_services
from gardenhub.gardens.models import Garden
from gardenhub.guests import services as guest_services
from gardenhub.guests.services import Contact
from gardenhub.hours import gate
from gardenhub.hours import services as hours_services
from gardenhub.hours.models import HoursEntry
from gardenhub.notifications.models import Notification
from gardenhub.plots import services as plots
from gardenhub.plots import waitlist
from gardenhub.plots.models import Plot
from gardenhub.projects import membership
from gardenhub.projects.models import Membership, Project
from gardenhub.tasks import services as task_services
from gardenhub.tasks.models import Task
from gardenhub.workdays import signups
from gardenhub.workdays.models import Shift, Signup, Workday

ROLES = ("anonymous", "volunteer", "other coordinator", "coordinator", "admin")


@dataclass
class World:
    people: dict[str, User]
    values: dict[str, object]  # placeholders of the routes' URLs


# The language everyone in the world chose (build_world(language=...)), so the
# messages queued while it is built are written in it.
_language: str | None = None


def _person(name: str, role: Role = Role.volunteer, **fields) -> User:
    from tests.conftest import PASSWORD_HASH

    fields.setdefault("language", _language)
    fields.setdefault("email_confirmed_at", utcnow())
    person = User(
        display_name=name,
        email=f"{name.lower().replace(' ', '.')}@example.org",
        password_hash=PASSWORD_HASH,
        role=role,
        **fields,
    )
    db.session.add(person)
    return person


def _workday(project: Project, *, starts, hours: float = 3, capacity: int = 5):
    workday = Workday(
        project=project,
        garden=project.garden,
        title="Members' workday",
        public_title="Garden workday",
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
    )
    workday.shifts.append(
        Shift(
            name="Shift 1",
            capacity=capacity,
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
        )
    )
    db.session.add(workday)
    return workday


def _guest_link(shift, name: str, email: str, now) -> str:
    """Ask for a seat as a guest; the link's secret, read from the message."""
    guest_services.ask(
        shift, name=name, contact=Contact(email=email), now=now, language=_language
    )
    db.session.flush()
    message = db.session.scalars(
        select(Notification)
        .where(Notification.to_address == email)
        .order_by(Notification.id.desc())
    ).first()
    return re.search(r"/g/([\w-]+)", message.body_text)[1]


def build_world(language: str | None = None) -> World:
    """`language`: what every person and garden speaks (None: the default)."""
    global _language
    _language = language
    try:
        return _build(language or "en")
    finally:
        _language = None


def _build(language: str) -> World:
    now = utcnow()
    people = {
        "volunteer": _person("Vol"),
        "coordinator": _person("Coord", Role.coordinator),
        "other coordinator": _person("Other", Role.coordinator),
        "admin": _person("Admin", Role.admin),
    }
    volunteer, coordinator = people["volunteer"], people["coordinator"]
    unconfirmed = _person("New Person", email_confirmed_at=None)
    garden = Garden(
        name="Garden 1", slug="garden-1", timezone="Europe/Berlin", language=language
    )
    garden.coordinators.append(coordinator)
    other_garden = Garden(
        name="Garden 2", slug="garden-2", timezone="Europe/Berlin", language=language
    )
    other_garden.coordinators.append(people["other coordinator"])
    project = Project(
        name="Project 1",
        slug="project-1",
        timezone="Europe/Berlin",
        garden=garden,
        coordinators=[coordinator],
    )
    other_project = Project(
        name="Project 2",
        slug="project-2",
        timezone="Europe/Berlin",
        garden=other_garden,
        coordinators=[people["other coordinator"]],
    )
    # Renewals: open in garden 1, past their deadline in garden 2, not yet
    # asked in garden 3, so each renewal form shows somewhere.
    other_garden.renewal_deadline = now.date() - timedelta(days=1)
    other_garden.next_season_name = "Next"
    other_garden.next_season_starts_on = now.date() + timedelta(days=30)
    other_garden.next_season_ends_on = now.date() + timedelta(days=200)
    quiet_garden = Garden(
        name="Garden 3", slug="garden-3", timezone="Europe/Berlin", language=language
    )
    # Belonging: an open project the volunteer has not joined, and one where
    # they are taking a break.
    open_project = Project(
        name="Open Project",
        slug="project-3",
        timezone="Europe/Berlin",
        join_mode="open",
    )
    break_project = Project(
        name="Break Project", slug="project-4", timezone="Europe/Berlin"
    )
    db.session.add_all(
        [
            garden,
            other_garden,
            quiet_garden,
            project,
            other_project,
            open_project,
            break_project,
        ]
    )
    start = (now + timedelta(days=3)).replace(hour=8, minute=0, second=0, microsecond=0)
    workday = _workday(project, starts=start)
    # A workday starting soon: check-in is open, so its forms show.
    today = _workday(project, starts=now + timedelta(minutes=30), capacity=4)
    db.session.flush()
    shift = workday.shifts[0]
    signup = signups.sign_up(shift, volunteer, now=now)
    here = signups.sign_up(today.shifts[0], _person("Here Hana"), now=now)
    # A newcomer who asked for a welcome buddy, and a member happy to be one.
    signups.sign_up(today.shifts[0], _person("Coming Cai"), now=now, wants_buddy=True)
    welcoming = _person("Welcoming Wen")
    db.session.add(
        Membership(
            project=project,
            user=welcoming,
            status="member",
            joined_at=now,
            welcomes_newcomers=True,
        )
    )
    # The volunteer asked for one too, and Wen will welcome them.
    signup.wants_buddy, signup.buddy = True, welcoming
    hours_services.check_in(here, actor=coordinator, now=now)
    # A seat offered to the volunteer (a freed seat on a full shift).
    full = _workday(project, starts=start + timedelta(days=1), capacity=1)
    db.session.flush()
    holder = signups.sign_up(full.shifts[0], _person("Holder Hal"), now=now)
    offered = signups.sign_up(full.shifts[0], volunteer, now=now)
    signups.cancel(holder, actor=holder.volunteer, now=now)
    task = Task(
        project=project,
        title="Build the compost bin",
        due_on=now.date() + timedelta(days=5),
        is_public=True,
        people_needed=3,
    )
    db.session.add(task)
    db.session.flush()
    task_assignment = task_services.claim(task, volunteer, now=now)
    done = Task(project=project, title="Fix the shed door", people_needed=1)
    db.session.add(done)
    db.session.flush()
    task_services.mark_done(done, actor=coordinator, note=None, now=now)
    plot = Plot(garden=garden, label="A1", size=10, x=0, y=0, fee_cents=1000)
    free_plot = Plot(garden=garden, label="A2", size=10, x=3, y=0)
    offered_plot = Plot(garden=garden, label="A3", size=10, x=6, y=0)
    db.session.add_all([plot, free_plot, offered_plot])
    db.session.flush()
    assignment = plots.assign(
        plot,
        volunteer,
        plots.Season("2027", now.date(), now.date() + timedelta(days=100)),
        actor=coordinator,
        now=now,
    )
    plots.open_renewals(
        garden,
        plots.Season(
            "Next", now.date() + timedelta(days=101), now.date() + timedelta(days=300)
        ),
        now.date() + timedelta(days=30),
        actor=coordinator,
        today=now.date(),
    )
    plot_request = waitlist.request_plot(
        garden, volunteer, min_size=None, needs_accessible=False, notes=None, now=now
    )
    waiting_request = waitlist.request_plot(
        other_garden,
        volunteer,
        min_size=None,
        needs_accessible=False,
        notes=None,
        now=now,
    )
    offer = waitlist.offer(offered_plot, plot_request, actor=coordinator, now=now)
    # Someone still waiting whom the free plot suits: the plot page suggests them.
    waitlist.request_plot(
        garden,
        _person("Wai Ting"),
        min_size=None,
        needs_accessible=False,
        notes=None,
        now=now,
    )
    entry = HoursEntry(
        volunteer_id=volunteer.id,
        project=project,
        hours=Decimal(2),
        worked_on=now.date(),
        description="Weeding",
    )
    db.session.add(entry)
    member = Membership(
        project=project, user=volunteer, status="member", joined_at=now, created_at=now
    )
    paused = Membership(
        project=break_project,
        user=volunteer,
        status="paused",
        joined_at=now,
        created_at=now,
    )
    own_request = Membership(
        project=other_project,
        user=volunteer,
        status="requested",
        note="I'd like to come",
        created_at=now,
    )
    asking = Membership(
        project=project,
        user=_person("Asking Ash"),
        status="requested",
        note="A friend told me about you",
        created_at=now,
    )
    db.session.add_all([member, paused, own_request, asking])
    db.session.flush()
    # Together: the volunteer joined over a year ago and came last week (so
    # a milestone can be shared), was thanked, has a goal, and is asked to be
    # Wen's goal partner.
    member.joined_at = now - timedelta(days=400)
    project.org_name = "Garden Trust"  # so letters can come from it
    past = _workday(project, starts=now - timedelta(days=7))
    db.session.flush()
    db.session.add(
        Signup(
            shift=past.shifts[0],
            volunteer=volunteer,
            status="confirmed",
            created_at=now - timedelta(days=9),
            checked_in_at=now - timedelta(days=7),
            hours=Decimal(3),
        )
    )
    db.session.add(
        Thanks(workday=past, author=coordinator, text="Thank you all!", created_at=now)
    )
    goal = goals.set_goal(
        volunteer,
        project,
        kind="hours",
        target=Decimal(20),
        starts_on=now.date() - timedelta(days=30),
        ends_on=now.date() + timedelta(days=60),
        now=now,
    )
    wens_goal = goals.set_goal(
        welcoming,
        project,
        kind="workdays_per_month",
        target=Decimal(2),
        starts_on=now.date(),
        ends_on=now.date() + timedelta(days=90),
        now=now,
    )
    db.session.flush()
    project.forget_members()  # rows were added straight to the session above
    partnership = goals.ask_partner(wens_goal, volunteer, person=welcoming, now=now)
    goals.ask_partner(goal, welcoming, person=volunteer, now=now)
    goals.set_goal(  # and one without a partner yet, so the "ask" form shows
        volunteer,
        project,
        kind="workdays_per_month",
        target=Decimal(2),
        starts_on=now.date(),
        ends_on=now.date() + timedelta(days=90),
        now=now,
    )
    invite, invite_secret = membership.create_invite(
        project, label="Open evening", days=14, max_uses=5, actor=coordinator, now=now
    )
    # The admin is taking a break, so the "resume" form shows somewhere.
    people["admin"].paused_at = now
    feed_token, token = feed_services.create_token(volunteer, "phone", now=now)
    # Signing up without an account: the open project's public workday with a
    # link still to confirm, and a shift starting soon with a confirmed one.
    guest_shift = _workday(open_project, starts=start).shifts[0]
    soon_shift = _workday(open_project, starts=now + timedelta(minutes=30)).shifts[0]
    db.session.flush()
    pending_link = _guest_link(guest_shift, "Gia", "gia@example.org", now)
    guest_link = _guest_link(soon_shift, "Gus", "gus@example.org", now)
    guest_services.confirm(guest_services.find(guest_link), now=now)
    api_token, _api_secret = api_tokens.create(
        volunteer, name="script", scopes=["read"], days=30, now=now
    )
    letter = hours_services.issue_letter(
        volunteer,
        starts_on=now.date(),
        ends_on=now.date(),
        names_projects=False,
        now=now,
    )
    db.session.flush()
    failed = Notification(
        user_id=volunteer.id,
        to_address=volunteer.email,
        kind="reminder",
        subject="Your shift",
        body_text="Hello",
        body_html="<p>Hello</p>",
        status="failed",
        last_error="SMTPServerDisconnected",
    )
    db.session.add(failed)
    db.session.commit()
    values = {
        "garden": garden.slug,
        "project": project.slug,
        "workday": workday.id,
        "today_workday": today.id,
        "shift": shift.id,
        "signup": signup.id,
        "checked_in": here.id,
        "task": task.id,
        "task_assignment": task_assignment.id,
        "done_task": done.id,
        "plot": plot.id,
        "free_plot": free_plot.id,
        "assignment": assignment.id,
        "plot_request": plot_request.id,
        "waiting_request": waiting_request.id,
        "offer": offer.id,
        "entry": entry.id,
        "feed_token": token,
        "feed_token_id": feed_token.id,
        "letter": letter.code,
        "volunteer": volunteer.id,
        "notification": failed.id,
        "offered": offered.id,
        "membership": member.id,
        "own_request": own_request.id,
        "request": asking.id,
        "invite": invite.id,
        "invite_secret": invite_secret,
        "past_workday": past.id,
        "goal": goal.id,
        "partnership": partnership.id,
        "offer_token": tokens.make("seat-offer", [offered.id, volunteer.id]),
        "guest_shift": guest_shift.id,
        "pending_link": pending_link,
        "guest_link": guest_link,
        "gate_code": gate.code_for(soon_shift, now),
        "gate_shift": soon_shift.id,
        "guest_workday": guest_shift.workday_id,
        "api_token": api_token.id,
        "confirm_token": tokens.make(
            "confirm-email", [unconfirmed.id, unconfirmed.email, ""]
        ),
        "reset_token": tokens.make(
            "password-reset", [volunteer.id, volunteer.password_hash[-16:]]
        ),
    }
    return World(people, values)
