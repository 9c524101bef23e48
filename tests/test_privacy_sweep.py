"""With the demo's named volunteers, no public page or feed names anyone."""

import re

import pytest
from sqlalchemy import select

from gardenhub import demo
from gardenhub.accounts import api_tokens
from gardenhub.accounts.models import User
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.gardens.models import Garden
from gardenhub.plots.models import Plot
from gardenhub.projects.models import Project
from gardenhub.tasks.models import Task
from gardenhub.workdays import signups
from gardenhub.workdays.models import Signup, Workday


@pytest.fixture
def seeded(app):
    demo.seed()
    db.session.commit()
    people = db.session.scalars(select(User)).all()
    return people


def public_urls():
    garden = db.session.scalars(select(Garden)).first()
    urls = [
        "/",
        "/calendar",
        "/projects",
        "/gardens",
        f"/gardens/{garden.slug}",
        "/calendar.ics",
        f"/gardens/{garden.slug}/calendar.ics",
        "/verify",
    ]
    for project in db.session.scalars(select(Project)):
        urls += [
            f"/projects/{project.slug}",
            f"/projects/{project.slug}/tasks",
            f"/projects/{project.slug}/calendar.ics",
        ]
    for workday in db.session.scalars(select(Workday).limit(8)):
        urls += [
            f"/workdays/{workday.id}",
            f"/workdays/{workday.id}.ics",
            f"/api/v1/workdays/{workday.id}",
        ]
    # The JSON API's public reads: exactly what the public pages show.
    urls += [
        "/api/v1/gardens",
        f"/api/v1/gardens/{garden.slug}",
        "/api/v1/projects?per_page=100",
        "/api/v1/workdays?per_page=100",
        f"/api/v1/workdays?garden={garden.slug}&per_page=100",
    ]
    urls += [f"/api/v1/projects/{p.slug}" for p in db.session.scalars(select(Project))]
    urls += [f"/plots/{p.id}" for p in db.session.scalars(select(Plot).limit(10))]
    urls += [
        f"/tasks/{t.id}" for t in db.session.scalars(select(Task).where(Task.is_public))
    ]
    return urls


def test_no_public_page_or_feed_shows_a_name_email_or_phone(client, seeded):
    secrets = set()
    for person in seeded:
        secrets.add(person.display_name)
        if person.email:
            secrets.add(person.email)
        if person.phone:
            secrets.add(person.phone)
    # The outreach project keeps the neutral public name: its own name, member
    # titles and URL never reach a public page.
    secrets.add("Recovery Month")
    secrets.add("recovery-month")
    for url in public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        for secret in secrets:
            assert secret not in text, (url, secret)


def test_fellow_volunteers_see_only_names_people_chose_to_show(client, auth, seeded):
    opted_in = {p.display_name for p in seeded if p.shows_name and not p.is_guest}
    opted_out = {
        p.display_name
        for p in seeded
        if not p.shows_name
        and p.role == "volunteer"
        and p.email != "volunteer@example.org"
    }
    viewer = db.session.scalars(
        select(User).where(User.email == "volunteer@example.org")
    ).one()
    auth.login(viewer, password="demo-volunteer-1234")
    seen = set()
    for workday in db.session.scalars(select(Workday).limit(10)):
        text = client.get(f"/workdays/{workday.id}").get_data(as_text=True)
        seen |= {name for name in opted_in if name in text}
        for name in opted_out:
            assert not re.search(re.escape(name), text), (workday.id, name)
    assert seen  # some opted-in names are visible to a fellow volunteer


def member_only_texts(seeded) -> set[str]:
    """Everything a circle keeps to itself, from the demo's own data."""
    from gardenhub.community.models import Goal, Thanks
    from gardenhub.projects.models import Membership

    secrets = {p.display_name for p in seeded if p.email != STRANGER}
    secrets |= {p.email for p in seeded if p.email and p.email != STRANGER}
    for project in db.session.scalars(select(Project)):
        if project.name != project.public_name:  # a name the group keeps
            secrets.add(project.name)
        if project.description:
            secrets.add(project.description)
    for workday in db.session.scalars(select(Workday)):
        if workday.title != workday.public_title:
            secrets.add(workday.title)
        secrets |= {workday.description, workday.cancel_reason} - {None}
    secrets |= {
        t.description for t in db.session.scalars(select(Task)) if t.description
    }
    secrets |= {t.title for t in db.session.scalars(select(Task)) if not t.is_public}
    secrets |= {t.text for t in db.session.scalars(select(Thanks))}
    secrets |= {m.note for m in db.session.scalars(select(Membership)) if m.note}
    secrets |= {s.note for s in db.session.scalars(select(Signup)) if s.note}
    secrets |= {
        f"{g.target.normalize():f} hours" for g in db.session.scalars(select(Goal))
    }
    # What a group chose to publish is not a secret (the crew's public name is
    # its own name, and the title of its Saturdays).
    published = {p.public_name for p in db.session.scalars(select(Project))}
    return secrets - published


STRANGER = "stranger@example.org"


def test_a_logged_in_stranger_sees_no_member_only_text_anywhere(
    client, auth, seeded, smtp_server
):
    """The viewpoint of someone with an account who belongs to nothing: every
    page, feed, export, email and error page they can reach."""
    from gardenhub.notifications.delivery import deliver
    from gardenhub.workdays import services as workday_services

    crew = db.session.scalars(
        select(Project).where(Project.slug == "saturday-garden-crew")
    ).one()
    coordinator = crew.coordinators[0]
    cancelled = db.session.scalars(
        select(Workday)
        .where(Workday.project_id == crew.id, Workday.starts_at > utcnow())
        .order_by(Workday.starts_at.desc())
    ).first()
    stranger = db.session.scalars(select(User).where(User.email == STRANGER)).one()
    signups.sign_up(cancelled.shifts[0], stranger, now=utcnow())
    workday_services.cancel_workday(
        cancelled, reason="Our facilitator is unwell", actor=coordinator, now=utcnow()
    )
    db.session.commit()
    secrets = member_only_texts(seeded) | {"Our facilitator is unwell"}
    auth.login(stranger, password="demo-stranger-1234")
    urls = public_urls() + [
        "/me",
        "/my/shifts",
        "/my/hours",
        "/my/tasks",
        "/profile",
        "/me/data.json",
        "/me/goals/new",
        "/profile/pause",
        f"/workdays/{cancelled.id}",
        f"/workdays/{cancelled.id}.ics",
    ]
    made = client.post("/my/calendar", data={"name": "phone"})
    urls += sorted(set(re.findall(r"/feeds/[\w-]{40,}\.ics", made.get_data(True))))
    members_only = [w for w in db.session.scalars(select(Workday)) if w.is_members_only]
    assert members_only and made.status_code == 201 and urls[-1].endswith(".ics")
    for workday in members_only:
        for url in (f"/workdays/{workday.id}", f"/workdays/{workday.id}.ics"):
            response = client.get(url)
            assert response.status_code == 404, url
            text = response.get_data(as_text=True)
            assert not [s for s in secrets if s in text], url
    for project in db.session.scalars(select(Project)):
        assert client.get(f"/projects/{project.slug}/celebrations").status_code == 404
        assert client.get(f"/projects/{project.slug}/members").status_code in (403, 404)
    checked = 0
    for url in urls:
        response = client.get(url)
        if response.status_code >= 400:
            continue
        text = response.get_data(as_text=True)
        leaked = [s for s in secrets if s in text]
        assert not leaked, (url, leaked)
        checked += 1
    assert checked > 30
    # The API with the stranger's own token (every scope they may have):
    # their own data only, and no member-only workday, title or name.
    _row, secret = api_tokens.create(
        stranger, name="script", scopes=["read", "signup"], days=30, now=utcnow()
    )
    db.session.commit()
    token = {"Authorization": f"Bearer {secret}"}
    for url in ["/api/v1/me", "/api/v1/me/shifts", "/api/v1/me/tasks"]:
        response = client.get(url, headers=token)
        assert response.status_code == 200, url
        leaked = [s for s in secrets if s in response.get_data(as_text=True)]
        assert not leaked, (url, leaked)
    for workday in members_only:
        assert (
            client.get(f"/api/v1/workdays/{workday.id}", headers=token).status_code
            == 404
        )
        refused = client.post(
            f"/api/v1/shifts/{workday.shifts[0].id}/signup", headers=token
        )
        assert refused.status_code == 404
        assert not [s for s in secrets if s in refused.get_data(as_text=True)]
    assert client.get("/api/v1/coordinate/workdays", headers=token).status_code == 403
    deliver()
    mine = [m for rcpt, m in smtp_server.messages if rcpt == [STRANGER]]
    assert mine  # the cancellation reached them
    for message in mine:
        text = str(message["Subject"]) + message.get_body(("plain",)).get_content()
        assert not [s for s in secrets if s in text], message["Subject"]
