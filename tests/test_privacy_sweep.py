"""With the demo's named volunteers, no public page or feed names anyone."""

import re

import pytest
from sqlalchemy import select

from gardenhub import demo
from gardenhub.accounts.models import User
from gardenhub.extensions import db
from gardenhub.gardens.models import Garden
from gardenhub.plots.models import Plot
from gardenhub.projects.models import Project
from gardenhub.tasks.models import Task
from gardenhub.workdays.models import Workday


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
        urls += [f"/workdays/{workday.id}", f"/workdays/{workday.id}.ics"]
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
