"""What people see: home, month view, workday page, My shifts, roster; privacy
and query counts."""

import pytest

from gardenhub.accounts.models import Role
from gardenhub.db import utcnow
from gardenhub.timezones import to_local


@pytest.fixture
def busy_workday(make_user, make_project, make_workday, make_signup, make_member):
    """A workday of members: one shows their name to fellow members, two do not."""
    coordinator = make_user(Role.coordinator, name="Coordinator Cleo")
    project = make_project(coordinators=[coordinator], name="Peer Support Circle")
    workday = make_workday(
        project=project,
        capacities=(2, 5),
        title="Circle workday",
        public_title="Community garden workday",
    )
    people = {
        "open": make_user(name="Olu Open", shows_name=True, phone="0301111"),
        "shy": make_user(name="Sasha Shy", phone="0302222"),
        "waiting": make_user(name="Wren Waiting"),
    }
    for person in people.values():
        make_member(project, person)
        make_signup(workday.shifts[0], person)
    return workday, coordinator, people


SECRETS = [
    "Olu Open",
    "Sasha Shy",
    "Wren Waiting",
    "person",
    "@example.org",
    "0301111",
    "0302222",
    "Peer Support Circle",
    "Circle workday",
]


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/calendar",
        "/workdays/{id}",
        "/projects",
        "/projects/{project}",
        "/gardens/{garden}",
    ],
)
def test_public_pages_show_counts_never_names(client, busy_workday, url):
    workday, _, _ = busy_workday
    page = client.get(
        url.format(
            id=workday.id, project=workday.project.slug, garden=workday.garden.slug
        )
    ).get_data(as_text=True)
    for secret in SECRETS:
        assert secret not in page, secret


def test_public_workday_page_shows_public_title_and_fill(client, busy_workday):
    workday, _, _ = busy_workday
    page = client.get(f"/workdays/{workday.id}").get_data(as_text=True)
    assert "Community garden workday" in page
    assert "2 of 2 filled · waitlist: 1" in page
    assert "0 of 5 filled" in page
    assert "Log in to sign up" in page


def test_home_lists_open_spots_per_workday(client, busy_workday):
    page = client.get("/").get_data(as_text=True)
    assert "5 spots open" in page


def test_fellow_volunteers_see_only_names_that_were_chosen(
    client, auth, make_user, busy_workday, make_member
):
    workday, _, _ = busy_workday
    fay = make_user(name="Fellow Fay")
    make_member(workday.project, fay)
    auth.login(fay)
    page = client.get(f"/workdays/{workday.id}").get_data(as_text=True)
    assert "Circle workday" in page  # members see the member title
    assert "Olu Open and 1 more" in page
    assert "Sasha Shy" not in page and "Wren Waiting" not in page


def test_roster_shows_names_and_contacts_to_the_projects_coordinator(
    client, auth, busy_workday
):
    workday, coordinator, _ = busy_workday
    auth.login(coordinator)
    page = client.get(f"/workdays/{workday.id}/roster").get_data(as_text=True)
    for expected in ["Olu Open", "Sasha Shy", "Wren Waiting", "0302222", "waitlisted"]:
        assert expected in page


def test_roster_is_closed_to_volunteers(client, auth, make_user, busy_workday):
    workday, _, _ = busy_workday
    auth.login(make_user())
    assert client.get(f"/workdays/{workday.id}/roster").status_code == 403


def test_my_shifts_lists_status_and_waitlist_position(client, auth, busy_workday):
    _, _, people = busy_workday
    auth.login(people["waiting"])
    page = client.get("/my/shifts").get_data(as_text=True)
    assert "Waitlist: number 1" in page
    assert "Circle workday" in page


def test_month_view_places_workdays_on_their_local_day(client, make_workday):
    workday = make_workday(days=10, public_title="Bulb planting")
    local = to_local(workday.starts_at, workday.timezone)
    page = client.get(f"/calendar?month={local:%Y-%m}").get_data(as_text=True)
    assert f"{local:%B %Y}" in page
    assert "Bulb planting" in page


def test_month_view_ignores_a_bad_month(client):
    response = client.get("/calendar?month=13-2026")
    assert response.status_code == 200
    assert f"{utcnow():%B %Y}" in response.get_data(as_text=True)


def test_home_filters_by_garden_and_project(client, make_workday, make_project):
    first = make_workday(public_title="Garden one day")
    second = make_workday(project=make_project(), public_title="Garden two day")
    page = client.get(f"/?garden={first.garden.slug}").get_data(as_text=True)
    assert "Garden one day" in page and "Garden two day" not in page
    page = client.get(f"/?project={second.project.slug}").get_data(as_text=True)
    assert "Garden two day" in page and "Garden one day" not in page


def queries_for(client, count_queries, url):
    with count_queries() as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_pages_run_a_constant_number_of_queries(
    client, auth, make_user, make_project, make_workday, make_signup, count_queries
):
    person = make_user()
    project = make_project()
    make_signup(make_workday(project=project, capacities=(3, 3)).shifts[0], person)
    auth.login(person)
    urls = [
        "/",
        "/calendar",
        "/my/shifts",
        f"/projects/{project.slug}",
        f"/gardens/{project.garden.slug}",
    ]
    few = {url: queries_for(client, count_queries, url) for url in urls}
    for day in range(20, 32):
        workday = make_workday(project=project, days=day, capacities=(2, 4, 6))
        make_signup(workday.shifts[0], person)
        make_signup(workday.shifts[1])
    many = {url: queries_for(client, count_queries, url) for url in urls}
    assert many == few
    # The project page adds its season totals (three counts) to the list.
    assert max(many.values()) <= 10


def test_workday_page_query_count_does_not_grow_with_shifts_or_signups(
    client, auth, make_user, make_project, make_workday, make_signup, count_queries
):
    coordinator = make_user(Role.coordinator)
    project = make_project(coordinators=[coordinator])
    small = make_workday(project=project, capacities=(2,))
    big = make_workday(project=project, capacities=(1, 3, 5, 8, 10, 12))
    for shift in big.shifts:
        for _ in range(shift.capacity + 1):
            make_signup(shift)
    make_signup(small.shifts[0])
    auth.login(coordinator)
    for url in ("/workdays/{}", "/workdays/{}/roster"):
        assert queries_for(client, count_queries, url.format(small.id)) == queries_for(
            client, count_queries, url.format(big.id)
        )
