"""Plots, the map, assignments, renewals, fees and the fair plot waitlist."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from gardenhub.accounts.models import Role
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.gardens.models import Garden
from gardenhub.plots import services as plots
from gardenhub.plots import waitlist
from gardenhub.plots.models import Plot, PlotAssignment, PlotOffer, PlotRequest


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.coordinator, name="Gale Gardencoord")


@pytest.fixture
def garden(make_garden, coordinator):
    garden = make_garden(name="Riverside")
    garden.coordinators.append(coordinator)
    db.session.commit()
    return garden


@pytest.fixture
def make_plot(garden):
    counter = iter(range(100))

    def make(**fields) -> Plot:
        n = next(counter)
        data = {
            "label": f"P{n}",
            "size": 10.0,
            "x": (n * 3) % 21,
            "y": (n // 7) * 3,
            "width": 2,
            "height": 2,
            **fields,
        }
        plot = Plot(
            garden=fields.pop("garden", garden),
            **{k: v for k, v in data.items() if k != "garden"},
        )
        db.session.add(plot)
        db.session.commit()
        return plot

    return make


def season(days: int = 200) -> plots.Season:
    today = utcnow().date()
    return plots.Season("2027", today, today + timedelta(days=days))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_map_shows_status_to_the_public_and_holders_to_coordinators(
    client, auth, garden, coordinator, make_user, make_plot
):
    holder = make_user(name="Hidden Holder")
    taken, free = make_plot(label="A1"), make_plot(label="A2")
    plots.assign(taken, holder, season(), actor=coordinator, now=utcnow())
    db.session.commit()
    public = client.get(f"/gardens/{garden.slug}").get_data(as_text=True)
    assert "<svg" in public and 'aria-label="Plot A1, assigned"' in public
    assert 'class="plot status-available"' in public
    assert "Hidden Holder" not in public
    auth.login(holder)
    mine = client.get(f"/gardens/{garden.slug}").get_data(as_text=True)
    assert 'aria-label="Plot A1, assigned, yours"' in mine
    assert free.label in mine
    auth.logout()
    auth.login(coordinator)
    page = client.get(f"/gardens/{garden.slug}").get_data(as_text=True)
    assert "Hidden Holder" in page


def plot_form(**overrides):
    form = {
        "label": "B1",
        "kind": "raised_bed",
        "size": "12",
        "size_unit": "m²",
        "x": "0",
        "y": "0",
        "width": "2",
        "height": "2",
        "fee": "",
        "notes": "",
    }
    form.update(overrides)
    return form


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"label": "a1"}, "already has a plot A1"),
        ({"x": "1", "y": "1", "label": "B9"}, "overlaps plot A1"),
        ({"size": "-2"}, "The size must be more than 0."),
        ({"fee": "-5"}, "The fee cannot be negative."),
        ({"x": "23", "label": "B9"}, "must fit on the map"),
    ],
)
def test_bad_plots_are_refused(
    client, auth, garden, coordinator, make_plot, overrides, message
):
    make_plot(label="A1", x=0, y=0)
    auth.login(coordinator)
    response = client.post(
        f"/gardens/{garden.slug}/plots/new", data=plot_form(**overrides)
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Plot) == 1


def test_block_of_plots_is_created_on_the_grid(client, auth, garden, coordinator):
    auth.login(coordinator)
    response = client.post(
        f"/gardens/{garden.slug}/plots/block",
        data={
            "rows": "A-D",
            "first": "1",
            "last": "5",
            "kind": "in_ground",
            "size": "8",
            "size_unit": "m²",
            "x": "0",
            "y": "0",
            "width": "3",
            "height": "2",
            "gap": "1",
            "fee": "20.00",
        },
    )
    assert response.headers["Location"] == f"/gardens/{garden.slug}"
    labels = set(db.session.scalars(select(Plot.label)))
    assert labels == {f"{r}{n}" for r in "ABCD" for n in range(1, 6)}
    d5 = db.session.scalars(select(Plot).where(Plot.label == "D5")).one()
    assert (d5.x, d5.y, d5.fee_cents) == (16, 9, 2000)


def test_overlapping_block_creates_nothing(
    client, auth, garden, coordinator, make_plot
):
    make_plot(label="X1", x=5, y=0)
    auth.login(coordinator)
    response = client.post(
        f"/gardens/{garden.slug}/plots/block",
        data={
            "rows": "A",
            "first": "1",
            "last": "5",
            "kind": "in_ground",
            "size": "8",
            "size_unit": "m²",
            "x": "0",
            "y": "0",
            "width": "2",
            "height": "2",
            "gap": "1",
        },
    )
    assert response.status_code == 422
    assert "overlaps plot X1" in response.get_data(as_text=True)
    assert count(Plot) == 1


def test_assigning_twice_for_a_season_is_refused_and_history_kept(
    client, auth, coordinator, make_user, make_plot
):
    plot = make_plot()
    first, second = (
        make_user(email="first@example.org"),
        make_user(email="second@example.org"),
    )
    auth.login(coordinator)
    form = {
        "email": "first@example.org",
        "season_name": "2027",
        "starts_on": utcnow().date().isoformat(),
        "ends_on": (utcnow().date() + timedelta(days=100)).isoformat(),
    }
    client.post(f"/plots/{plot.id}/assign", data=form)
    page = client.post(
        f"/plots/{plot.id}/assign",
        data={**form, "email": "second@example.org"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "already assigned for 2027" in page
    assignment = db.session.scalars(select(PlotAssignment)).one()
    assert assignment.gardener_id == first.id
    client.post(f"/plot-assignments/{assignment.id}/end")
    client.post(
        f"/plots/{plot.id}/assign",
        data={
            **form,
            "email": "second@example.org",
            "starts_on": (utcnow().date() + timedelta(days=1)).isoformat(),
        },
    )
    history = db.session.scalars(
        select(PlotAssignment.gardener_id).order_by(PlotAssignment.id)
    ).all()
    assert history == [first.id, second.id]


def test_assigned_plot_cannot_be_deactivated_and_plots_are_never_deleted(
    client, auth, coordinator, make_user, make_plot
):
    plot = make_plot()
    plots.assign(plot, make_user(), season(), actor=coordinator, now=utcnow())
    db.session.commit()
    auth.login(coordinator)
    page = client.post(
        f"/plots/{plot.id}/status", data={"status": "inactive"}, follow_redirects=True
    )
    assert "end the assignment first" in page.get_data(as_text=True)
    db.session.expire_all()
    assert plot.status == "assigned"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("volunteer", 403),
        ("other garden coordinator", 403),
        ("coordinator", 200),
    ],
)
def test_plot_management_is_for_this_gardens_coordinators(
    client, auth, garden, coordinator, make_user, make_garden, make_plot, who, status
):
    plot = make_plot()
    people = {"volunteer": make_user(), "coordinator": coordinator}
    if who == "other garden coordinator":
        people[who] = make_user(Role.coordinator)
        other_garden = make_garden()
        other_garden.coordinators.append(people[who])
        db.session.commit()
    if who in people:
        auth.login(people[who])
    for url in (
        f"/gardens/{garden.slug}/plots/new",
        f"/plots/{plot.id}/edit",
        f"/gardens/{garden.slug}/waitlist",
        f"/gardens/{garden.slug}/renewals",
    ):
        assert client.get(url).status_code == status, url
    assert client.post(f"/plots/{plot.id}/offer").status_code in (
        {302} if status in (200, 302) else {403}
    )


def join(client, auth, person, garden, **form):
    auth.login(person)
    response = client.post(f"/gardens/{garden.slug}/request", data=form)
    auth.logout()
    return response


def test_waitlist_is_first_come_first_served_and_private(
    client, auth, garden, make_user
):
    people = [make_user(name=f"Waiting {n}") for n in range(3)]
    for person in people:
        join(client, auth, person, garden)
    auth.login(people[2])
    page = client.get("/my/plot").get_data(as_text=True)
    assert "You are number <strong>3</strong> in line" in page
    assert "Waiting 0" not in page and "Waiting 1" not in page
    again = client.post(f"/gardens/{garden.slug}/request", data={})
    assert again.status_code == 422
    assert "already on this garden&#39;s waitlist" in again.get_data(as_text=True)
    assert count(PlotRequest) == 3


def test_coordinator_offers_a_freed_plot_to_the_first_match(
    client, auth, garden, coordinator, make_user, make_plot
):
    plot = make_plot(size=5)
    needs_access = make_user(name="Needs Access")
    wants_big = make_user(name="Wants Big")
    first_match = make_user(name="First Match")
    join(client, auth, needs_access, garden, needs_accessible="y")
    join(client, auth, wants_big, garden, min_size="20")
    join(client, auth, first_match, garden)
    auth.login(coordinator)
    page = client.get(f"/plots/{plot.id}").get_data(as_text=True)
    assert "First in line for this plot: <strong>First Match</strong>" in page
    client.post(f"/plots/{plot.id}/offer")
    offer = db.session.scalars(select(PlotOffer)).one()
    assert offer.request.requester_id == first_match.id
    assert offer.expires_at - offer.created_at == timedelta(hours=48)
    db.session.expire_all()
    assert plot.status == "reserved"
    second = client.post(f"/plots/{plot.id}/offer", follow_redirects=True)
    assert "not available" in second.get_data(as_text=True)
    assert count(PlotOffer) == 1


def test_accepting_creates_the_assignment(
    client, auth, garden, coordinator, make_user, make_plot
):
    plot = make_plot()
    person = make_user()
    join(client, auth, person, garden)
    offer = waitlist.offer(plot, None, actor=coordinator, now=utcnow())
    db.session.commit()
    intruder = make_user()
    auth.login(intruder)
    assert client.post(f"/plot-offers/{offer.id}/accept").status_code == 403
    auth.logout()
    auth.login(person)
    page = client.post(f"/plot-offers/{offer.id}/accept", follow_redirects=True)
    assert f"Plot {plot.label} is yours" in page.get_data(as_text=True)
    assignment = db.session.scalars(select(PlotAssignment)).one()
    assert assignment.gardener_id == person.id
    db.session.expire_all()
    assert (plot.status, offer.request.status) == ("assigned", "accepted")


def test_decline_moves_the_offer_to_the_next_and_keeps_the_place(
    client, auth, garden, coordinator, make_user, make_plot
):
    plot = make_plot()
    first, second = make_user(), make_user()
    join(client, auth, first, garden)
    join(client, auth, second, garden)
    offer = waitlist.offer(plot, None, actor=coordinator, now=utcnow())
    db.session.commit()
    auth.login(first)
    client.post(f"/plot-offers/{offer.id}/decline")
    db.session.expire_all()
    following = db.session.scalars(
        select(PlotOffer).where(PlotOffer.status == "open")
    ).one()
    assert following.request.requester_id == second.id
    assert offer.request.status == "waiting"
    assert "number <strong>1</strong>" in client.get("/my/plot").get_data(as_text=True)


def test_expired_offers_move_on_and_two_misses_lapse_a_request(
    runner, app, garden, coordinator, make_user, make_plot
):
    slow, other = make_user(), make_user()
    now = utcnow()
    request = waitlist.request_plot(
        garden,
        slow,
        min_size=None,
        needs_accessible=False,
        notes=None,
        now=now - timedelta(days=2),
    )
    waitlist.request_plot(
        garden,
        other,
        min_size=None,
        needs_accessible=False,
        notes=None,
        now=now - timedelta(days=1),
    )
    for plot in (make_plot(), make_plot()):
        offer = waitlist.offer(
            plot, request, actor=coordinator, now=now - timedelta(hours=49)
        )
        db.session.commit()
        result = runner.invoke(args=["plots", "expire-offers"])
        assert "1 expired plot offer moved on" in result.output
        db.session.expire_all()
        assert offer.status == "expired"
        moved = db.session.scalars(
            select(PlotOffer).where(
                PlotOffer.plot_id == plot.id, PlotOffer.status == "open"
            )
        ).one()
        assert moved.request.requester_id == other.id
        waitlist.decline(moved, person=other, now=utcnow())
        db.session.commit()
    db.session.expire_all()
    assert request.status == "lapsed"
    assert request.lapse_reason == "No answer to two offers."


def test_accepting_an_expired_offer_is_refused(
    client, auth, garden, coordinator, make_user, make_plot
):
    person = make_user()
    request = waitlist.request_plot(
        garden, person, min_size=None, needs_accessible=False, notes=None, now=utcnow()
    )
    offer = waitlist.offer(
        make_plot(), request, actor=coordinator, now=utcnow() - timedelta(hours=49)
    )
    db.session.commit()
    auth.login(person)
    page = client.post(f"/plot-offers/{offer.id}/accept", follow_redirects=True)
    assert "expired" in page.get_data(as_text=True)
    assert count(PlotAssignment) == 0


def test_stale_requests_lapse(runner, garden, make_user):
    request = waitlist.request_plot(
        garden,
        make_user(),
        min_size=None,
        needs_accessible=False,
        notes=None,
        now=utcnow() - timedelta(days=400),
    )
    db.session.commit()
    runner.invoke(args=["plots", "expire-offers"])
    db.session.expire_all()
    assert request.status == "lapsed"


def test_two_coordinators_offering_at_once_make_one_offer(
    app, garden, coordinator, make_user, make_plot
):
    plot_id = make_plot().id
    for _ in range(6):
        waitlist.request_plot(
            garden,
            make_user(),
            min_size=None,
            needs_accessible=False,
            notes=None,
            now=utcnow(),
        )
    coordinator_id = coordinator.id
    db.session.commit()
    start = threading.Barrier(6)

    def race(_):
        start.wait(timeout=60)
        with app.app_context():
            try:
                waitlist.offer(
                    db.session.get(Plot, plot_id),
                    None,
                    actor=db.session.get(type(coordinator), coordinator_id),
                    now=utcnow(),
                )
                db.session.commit()
                return True
            except waitlist.WaitlistError:
                db.session.rollback()
                return False

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(race, range(6)))
    assert results.count(True) == 1
    assert count(PlotOffer) == 1


def test_renewals_keep_plots_and_free_the_rest(
    client, auth, garden, coordinator, make_user, make_plot
):
    today = utcnow().date()
    keeper, leaver = make_user(), make_user()
    kept, left = make_plot(label="K1"), make_plot(label="L1")
    this_season = plots.Season(
        "2026", today - timedelta(days=100), today + timedelta(days=20)
    )
    for plot, person in ((kept, keeper), (left, leaver)):
        plots.assign(plot, person, this_season, actor=coordinator, now=utcnow())
    db.session.commit()
    auth.login(coordinator)
    response = client.post(
        f"/gardens/{garden.slug}/renewals",
        data={
            "season_name": "2027",
            "starts_on": (today + timedelta(days=30)).isoformat(),
            "ends_on": (today + timedelta(days=300)).isoformat(),
            "deadline": (today + timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302
    auth.logout()
    auth.login(keeper)
    page = client.get("/my/plot").get_data(as_text=True)
    assert "Keep this plot for 2027?" in page
    mine = db.session.scalars(
        select(PlotAssignment).where(PlotAssignment.gardener_id == keeper.id)
    ).one()
    client.post(f"/plot-assignments/{mine.id}/renew")
    assert count(PlotAssignment) == 3
    garden_row = db.session.get(Garden, garden.id)
    garden_row.renewal_deadline = today - timedelta(days=1)  # the deadline passes
    db.session.commit()
    auth.logout()
    auth.login(coordinator)
    client.post(f"/gardens/{garden.slug}/renewals/close")
    db.session.expire_all()
    assert (kept.status, left.status) == ("assigned", "available")
    assert garden_row.season_name == "2027"


def test_renewing_after_the_deadline_or_someone_elses_plot_is_refused(
    client, auth, garden, coordinator, make_user, make_plot
):
    today = utcnow().date()
    person = make_user()
    assignment = plots.assign(
        make_plot(),
        person,
        plots.Season("2026", today, today + timedelta(days=20)),
        actor=coordinator,
        now=utcnow(),
    )
    plots.open_renewals(
        garden,
        plots.Season("2027", today + timedelta(days=30), today + timedelta(days=200)),
        today,
        actor=coordinator,
        today=today,
    )
    garden.renewal_deadline = today - timedelta(days=1)
    db.session.commit()
    auth.login(make_user())
    assert client.post(f"/plot-assignments/{assignment.id}/renew").status_code == 403
    auth.logout()
    auth.login(person)
    page = client.post(
        f"/plot-assignments/{assignment.id}/renew", follow_redirects=True
    )
    assert "deadline has passed" in page.get_data(as_text=True)


def test_a_fee_waiver_is_confidential(
    garden, coordinator, make_user, make_plot, make_project
):
    gardener = make_user()
    plot = make_plot(fee_cents=2500)
    assignment = plots.assign(plot, gardener, season(), actor=coordinator, now=utcnow())
    plots.set_fee_status(assignment, "waived", actor=coordinator)
    project_coordinator = make_user(Role.coordinator)
    make_project(coordinators=[project_coordinator], garden=garden)
    assert plots.fee_label(coordinator, assignment) == "waived"
    assert plots.fee_label(make_user(Role.admin), assignment) == "waived"
    assert plots.fee_label(gardener, assignment) == "waived"
    assert plots.fee_label(project_coordinator, assignment) == "cleared"


def test_renewal_deadline_is_in_the_private_feed(
    client, auth, garden, coordinator, make_user, make_plot
):
    today = utcnow().date()
    person = make_user()
    assignment = plots.assign(
        make_plot(label="Z9"),
        person,
        plots.Season("2026", today, today + timedelta(days=20)),
        actor=coordinator,
        now=utcnow(),
    )
    plots.open_renewals(
        garden,
        plots.Season(
            "2027, spring; \\ main",
            today + timedelta(days=30),
            today + timedelta(days=200),
        ),
        today + timedelta(days=7),
        actor=coordinator,
        today=today,
    )
    db.session.commit()
    auth.login(person)
    page = client.post("/my/calendar", data={"name": "phone"}).get_data(as_text=True)
    token = page.split("/feeds/")[1].split(".ics")[0]
    text = client.get(f"/feeds/{token}.ics").get_data(as_text=True)
    assert "Renew plot Z9 at Riverside" in text
    assert f"DTSTART;VALUE=DATE:{today + timedelta(days=7):%Y%m%d}" in text
    # The UID is made of ids, never of the season's name as typed.
    assert f"UID:plot-renewal-{assignment.id}@gardenhub.test\r\n" in text


def test_garden_page_query_count_does_not_grow_with_plots(
    client, auth, garden, coordinator, make_user, make_plot, count_queries
):
    auth.login(coordinator)

    def queries():
        with count_queries() as statements:
            client.get(f"/gardens/{garden.slug}")
        return len(statements)

    make_plot()
    few = queries()
    for _ in range(12):
        plots.assign(
            make_plot(), make_user(), season(), actor=coordinator, now=utcnow()
        )
    db.session.commit()
    assert queries() == few


def test_my_plot_without_anything(client, auth, make_user):
    auth.login(make_user())
    assert "You have no plot yet" in client.get("/my/plot").get_data(as_text=True)


def test_season_dates_default_to_the_rest_of_the_year(garden):
    assert plots.current_season(garden, date(2027, 5, 1)) == plots.Season(
        "2027", date(2027, 5, 1), date(2027, 12, 31)
    )


def test_a_plot_without_width_is_explained_not_a_crash(
    client, auth, garden, coordinator
):
    auth.login(coordinator)
    response = client.post(
        f"/gardens/{garden.slug}/plots/new", data=plot_form(width="", height="")
    )
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)
    assert count(Plot) == 0
