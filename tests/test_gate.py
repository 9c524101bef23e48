"""At the gate: the installable app, the offline check-in queue (each change
applied once by its key, conflicts answered clearly) and the rotating code
volunteers scan to check themselves in."""

import html
import re
import uuid
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from gardenhub import qr, tokens
from gardenhub.accounts.models import Role
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.hours import gate
from gardenhub.hours.models import GateAction
from gardenhub.workdays import signups
from gardenhub.workdays.models import Signup


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.coordinator, name="Cory")


@pytest.fixture
def project(make_project, coordinator):
    return make_project(coordinators=[coordinator])


@pytest.fixture
def workday(make_workday, project):
    """Starts in about an hour: check-in is open."""
    return make_workday(project=project, days=0.04, hours=3, capacities=(3, 2))


def fresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def key() -> str:
    return str(uuid.uuid4())


def check_in(signup, **extra) -> dict:
    return {
        "key": key(),
        "kind": "check_in",
        "signup": signup.id,
        "made_at": utcnow().isoformat(),
        **extra,
    }


def sync(client, workday, *actions):
    return client.post(
        f"/workdays/{workday.id}/check-in/sync", json={"actions": list(actions)}
    )


def answers(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["answers"]


def check_ins() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Signup)
        .where(Signup.checked_in_at.is_not(None))
    )


# --- The queue --------------------------------------------------------------


def test_a_queued_check_in_undo_and_walk_in_are_applied_in_order(
    client, auth, coordinator, workday, make_signup, make_user
):
    robin = make_signup(workday.shifts[0], make_user(name="Robin"))
    sam = make_signup(workday.shifts[0], make_user(name="Sam"))
    auth.login(coordinator)
    made = (utcnow() - timedelta(minutes=20)).isoformat()
    got = answers(
        sync(
            client,
            workday,
            check_in(robin, made_at=made),
            check_in(sam),
            {"key": key(), "kind": "undo", "signup": sam.id},
            {
                "key": key(),
                "kind": "walk_in",
                "shift": workday.shifts[1].id,
                "name": "Wanda Walk-in",
                "made_at": made,
            },
        )
    )
    assert [a["outcome"] for a in got] == ["done"] * 4
    assert got[0]["message"] == "Robin is checked in."
    assert got[3]["message"] == "Walk-in added and checked in."
    # The check-in counts when it was made on the phone, not when it arrived.
    assert abs(fresh(robin).checked_in_at - (utcnow() - timedelta(minutes=20))) < (
        timedelta(minutes=1)
    )
    assert fresh(sam).checked_in_at is None
    wanda = db.session.scalar(
        select(Signup).where(Signup.shift_id == workday.shifts[1].id)
    )
    assert wanda.volunteer.display_name == "Wanda Walk-in" and wanda.checked_in_at


def test_the_same_key_sent_again_is_answered_once_and_counted_once(
    client, auth, coordinator, workday, make_signup
):
    signup = make_signup(workday.shifts[0])
    walk_in = {
        "key": key(),
        "kind": "walk_in",
        "shift": workday.shifts[0].id,
        "name": "Wally",
    }
    batch = [check_in(signup), walk_in]
    auth.login(coordinator)
    first = answers(sync(client, workday, *batch))
    again = answers(sync(client, workday, *batch))
    assert [a["replayed"] for a in first] == [False, False]
    assert [a["replayed"] for a in again] == [True, True]
    assert [a["message"] for a in again] == [a["message"] for a in first]
    assert check_ins() == 2
    assert db.session.scalar(select(func.count()).select_from(GateAction)) == 2


def test_a_person_who_cancelled_meanwhile_is_not_checked_in(
    client, auth, coordinator, workday, make_signup, make_user
):
    signup = make_signup(workday.shifts[0], make_user(name="Robin"))
    signups.cancel(signup, actor=signup.volunteer, now=utcnow())
    db.session.commit()
    auth.login(coordinator)
    queued = check_in(signup)
    [answer] = answers(sync(client, workday, queued))
    assert answer["outcome"] == "conflict"
    assert "Robin cancelled or was taken off the shift meanwhile" in answer["message"]
    [replay] = answers(sync(client, workday, queued))
    assert replay["outcome"] == "conflict" and replay["replayed"]
    assert check_ins() == 0


def test_a_check_in_made_outside_the_window_is_refused(
    client, auth, coordinator, make_workday, project, make_signup
):
    later = make_workday(project=project, days=2)
    signup = make_signup(later.shifts[0])
    auth.login(coordinator)
    [answer] = answers(sync(client, later, check_in(signup)))
    assert answer["outcome"] == "conflict" and "opens" in answer["message"]
    assert check_ins() == 0


def test_a_queue_older_than_a_day_cannot_reach_back(app, workday):
    now = utcnow()
    assert gate.made_at(now - timedelta(days=3), now) == now - timedelta(
        hours=app.config["GATE_QUEUE_HOURS"]
    )
    assert gate.made_at(now + timedelta(hours=1), now) == now  # a clock ahead


def test_two_coordinators_checking_the_same_people_in_make_one_check_in_each(
    client, auth, app, coordinator, workday, make_signup, make_user
):
    other = make_user(Role.coordinator, name="Olu")
    workday.project.coordinators.append(other)
    db.session.commit()
    people = [make_signup(workday.shifts[0]) for _ in range(2)]
    auth.login(coordinator)
    assert [
        a["outcome"] for a in answers(sync(client, workday, *map(check_in, people)))
    ] == ["done", "done"]
    second = app.test_client()
    second.post(
        "/login", data={"email": other.email, "password": "correct horse battery"}
    )
    got = answers(sync(second, workday, *map(check_in, people)))
    assert [a["outcome"] for a in got] == ["done", "done"]
    assert all("already checked in" in a["message"] for a in got)
    assert check_ins() == 2


def test_a_coordinator_who_lost_their_rights_is_told_and_nothing_changes(
    client, auth, coordinator, workday, make_signup
):
    signup = make_signup(workday.shifts[0])
    workday.project.coordinators.remove(coordinator)
    db.session.commit()
    auth.login(coordinator)
    response = sync(client, workday, check_in(signup), check_in(signup))
    assert response.status_code == 403
    assert (
        "You no longer coordinate this workday"
        in response.get_json()["error"]["message"]
    )
    assert "2 changes" in response.get_json()["error"]["message"]
    assert check_ins() == 0


def test_someone_from_another_workday_and_bad_changes_are_refused_clearly(
    client, auth, coordinator, workday, make_workday, project, make_signup
):
    elsewhere = make_signup(make_workday(project=project, days=0.04).shifts[0])
    auth.login(coordinator)
    got = answers(
        sync(
            client,
            workday,
            check_in(elsewhere),
            {"key": "short", "kind": "check_in", "signup": 1},
            {"key": key(), "kind": "explode"},
            "not a change",
            {
                "key": key(),
                "kind": "walk_in",
                "shift": workday.shifts[0].id,
                "email": "not an address",
            },
            {"key": key(), "kind": "check_in", "signup": True, "made_at": "yesterday"},
        )
    )
    assert [a["outcome"] for a in got] == [
        "conflict",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
        "conflict",
    ]
    assert "no longer on this workday's roster" in got[0]["message"]
    assert "Email of someone with an account" in got[4]["message"]
    assert check_ins() == 0
    assert db.session.scalar(select(func.count()).select_from(Signup)) == 1


@pytest.mark.parametrize(
    "body", [None, {"actions": "all"}, {"actions": [{}] * 201}, {"nothing": []}]
)
def test_a_malformed_batch_gets_a_json_reason(client, auth, coordinator, workday, body):
    auth.login(coordinator)
    response = client.post(f"/workdays/{workday.id}/check-in/sync", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_a_logged_out_phone_is_asked_to_log_in_again(client, workday):
    response = client.post(
        f"/workdays/{workday.id}/check-in/sync", json={"actions": []}
    )
    assert response.status_code == 401
    assert "Log in again" in response.get_json()["error"]["message"]
    assert client.post("/workdays/999999/check-in/sync", json={}).status_code == 401


def test_the_queue_needs_the_page_token(
    app, client, auth, coordinator, workday, make_signup
):
    signup = make_signup(workday.shifts[0])
    auth.login(coordinator)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(f"/workdays/{workday.id}/check-in").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', page)[1]
    assert sync(client, workday, check_in(signup)).status_code == 400
    assert check_ins() == 0
    response = client.post(
        f"/workdays/{workday.id}/check-in/sync",
        json={"actions": [check_in(signup)]},
        headers={"X-CSRFToken": token},
    )
    assert answers(response)[0]["outcome"] == "done"


def test_retention_forgets_old_keys(app, runner, coordinator):
    db.session.add(
        GateAction(
            key=key(),
            actor_id=coordinator.id,
            kind="check_in",
            created_at=utcnow() - timedelta(days=40),
        )
    )
    db.session.add(GateAction(key=key(), actor_id=coordinator.id, kind="check_in"))
    db.session.commit()
    result = runner.invoke(args=["privacy", "retention"])
    assert "1 keys of check-ins sent from phones forgotten" in result.output
    assert db.session.scalar(select(func.count()).select_from(GateAction)) == 1


# --- The check-in page and the installable app -------------------------------


def test_the_check_in_page_may_be_kept_for_its_person_only(
    client, auth, coordinator, workday, make_user
):
    auth.login(coordinator)
    response = client.get(f"/workdays/{workday.id}/check-in")
    assert response.headers["GardenHub-Offline"] == "keep"
    mine = response.headers["GardenHub-Person"]
    assert mine and coordinator.email not in mine and str(coordinator.id) != mine
    page = response.get_data(as_text=True)
    assert f'data-person="{mine}"' in page and "js/gate.js" in page
    assert "Show a code volunteers scan" in page
    auth.logout()
    assert client.get("/").headers["GardenHub-Person"] == ""
    auth.login(make_user(Role.admin))
    other = client.get(f"/workdays/{workday.id}/check-in").headers["GardenHub-Person"]
    assert other not in ("", mine)


def test_logging_out_clears_what_the_app_kept(client, auth, coordinator):
    auth.login(coordinator)
    response = auth.logout()
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_the_manifest_and_worker_make_it_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert manifest["start_url"] == "/start?source=app"
    assert manifest["display"] == "standalone" and manifest["theme_color"]
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as found:
            assert found.status_code == 200
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    worker = client.get("/sw.js")
    assert worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-cache"
    assert "GardenHub-Offline" in worker.get_data(as_text=True)
    assert 'rel="manifest"' in client.get("/").get_data(as_text=True)


def test_the_manifest_speaks_the_readers_language(client):
    client.set_cookie("lang", "de")
    manifest = client.get("/manifest.webmanifest").get_json()
    assert manifest["lang"] == "de"
    assert manifest["description"] == "Gartentage, Check-in und Stunden."


def test_the_offline_page_names_nobody(client, auth, coordinator):
    auth.login(coordinator)
    page = client.get("/offline").get_data(as_text=True)
    assert "No signal" in page
    assert "Cory" not in page and "csrf" not in page and "Log out" not in page


def test_the_app_opens_on_todays_check_in_or_my_page(
    client, auth, coordinator, workday, make_user
):
    assert client.get("/start").headers["Location"] == "/"
    auth.login(coordinator)
    assert client.get("/start?source=app").headers["Location"] == (
        f"/workdays/{workday.id}/check-in"
    )
    auth.logout()
    auth.login(make_user())
    assert client.get("/start").headers["Location"] == "/me"


def test_an_open_check_in_after_local_midnight_is_still_where_the_app_opens(
    coordinator, workday
):
    """At 23:50 in Berlin, a workday starting at 00:30 is tomorrow's date but
    its check-in is open: the app opens on it, not on My page."""
    berlin_midnight = workday.starts_at.astimezone(ZoneInfo("Europe/Berlin"))
    berlin_midnight = berlin_midnight.replace(hour=0, minute=0) + timedelta(days=1)
    workday.starts_at = berlin_midnight.astimezone(UTC) + timedelta(minutes=30)
    workday.ends_at = workday.starts_at + timedelta(hours=3)
    for shift in workday.shifts:
        shift.starts_at, shift.ends_at = workday.starts_at, workday.ends_at
    db.session.commit()
    late_evening = workday.starts_at - timedelta(minutes=40)
    assert gate.todays_workday(coordinator, late_evening) == workday
    # A day earlier the check-in is not open and it is not today: none.
    assert gate.todays_workday(coordinator, late_evening - timedelta(days=1)) is None


# --- The code on the coordinator's screen -------------------------------------


def scan(client, code):
    return client.get(f"/c/{code}")


def test_a_volunteer_scans_the_code_and_checks_in_with_one_tap(
    client, auth, coordinator, workday, make_signup, make_user
):
    robin = make_user(name="Robin")
    signup = make_signup(workday.shifts[0], robin)
    auth.login(coordinator)
    screen = client.get(f"/shifts/{workday.shifts[0].id}/code")
    assert screen.status_code == 200 and "Scan to check in" in screen.get_data(
        as_text=True
    )
    image = client.get(f"/shifts/{workday.shifts[0].id}/code.svg")
    assert (
        image.mimetype == "image/svg+xml"
        and image.headers["Cache-Control"] == "private, no-store"
    )
    # The picture is the QR code of the link it names.
    link = image.headers["GardenHub-Code-Link"]
    assert image.data == qr.svg_document(link)
    assert b'xmlns="http://www.w3.org/2000/svg"' in image.data
    assert link.startswith("https://gardenhub.test/c/")
    code = link.rsplit("/", 1)[1]
    # The code names the shift and the time step: nothing about anyone.
    assert tokens.read("gate-code", code, max_age=60)[0] == workday.shifts[0].id
    auth.logout()
    auth.login(robin)
    response = scan(client, code)
    assert response.headers["Location"] == f"/shifts/{workday.shifts[0].id}/here"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Check me in" in page
    done = client.post(f"/shifts/{workday.shifts[0].id}/here", follow_redirects=True)
    assert "You're checked in. Welcome!" in text(done)
    assert fresh(signup).checked_in_at is not None
    assert fresh(signup).checked_in_by_id == robin.id


def test_someone_not_signed_up_joins_as_a_walk_in_while_there_is_a_seat(
    client, auth, workday, make_signup, make_user
):
    shift = workday.shifts[1]  # two seats
    make_signup(shift)
    newcomer = make_user(name="Nia")
    auth.login(newcomer)
    scan(client, gate.code_for(shift, utcnow()))
    assert "join as a walk-in" in client.get(f"/shifts/{shift.id}/here").get_data(
        as_text=True
    )
    client.post(f"/shifts/{shift.id}/here")
    mine = db.session.scalar(select(Signup).where(Signup.volunteer_id == newcomer.id))
    assert mine.status == "confirmed" and mine.checked_in_at is not None
    late = make_user()
    auth.logout()
    auth.login(late)
    scan(client, gate.code_for(shift, utcnow()))
    assert "This shift is full" in client.get(f"/shifts/{shift.id}/here").get_data(
        as_text=True
    )
    refused = client.post(f"/shifts/{shift.id}/here", follow_redirects=True)
    assert "This shift is full" in refused.get_data(as_text=True)
    assert fresh(shift).capacity == 2
    assert (
        db.session.scalar(select(Signup).where(Signup.volunteer_id == late.id)) is None
    )


def test_an_old_code_or_a_forged_one_does_not_work(
    client, auth, workday, make_signup, make_user
):
    person = make_user()
    signup = make_signup(workday.shifts[0], person)
    auth.login(person)
    step = timedelta(seconds=30)
    old = gate.code_for(workday.shifts[0], utcnow() - 3 * step)
    response = scan(client, old)
    assert response.status_code == 410
    assert "This code has expired" in response.get_data(as_text=True)
    assert scan(client, "forged.code").status_code == 410
    # Without a fresh scan, the tap is refused.
    assert client.post(f"/shifts/{workday.shifts[0].id}/here").status_code == 403
    assert fresh(signup).checked_in_at is None
    # A code from the step before still works (it was on screen a moment ago).
    assert (
        scan(client, gate.code_for(workday.shifts[0], utcnow() - step)).status_code
        == 302
    )


def test_there_is_no_code_outside_the_check_in_window(
    client, auth, coordinator, make_workday, project
):
    later = make_workday(project=project, days=2).shifts[0]
    auth.login(coordinator)
    assert "There is no code while check-in is closed" in client.get(
        f"/shifts/{later.id}/code"
    ).get_data(as_text=True)
    assert client.get(f"/shifts/{later.id}/code.svg").status_code == 409
    with pytest.raises(gate.CodeExpired):
        gate.read_code(
            tokens.make("gate-code", [later.id, gate._step(utcnow())]), utcnow()
        )


def test_a_pass_from_one_shift_does_not_open_another(
    client, auth, workday, make_signup, make_user
):
    person = make_user()
    make_signup(workday.shifts[1], person)
    auth.login(person)
    scan(client, gate.code_for(workday.shifts[0], utcnow()))
    assert client.post(f"/shifts/{workday.shifts[1].id}/here").status_code == 403


def test_a_logged_out_scanner_is_offered_log_in_or_the_guest_way(client, workday):
    response = scan(client, gate.code_for(workday.shifts[0], utcnow()))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Log in to check yourself in" in page
    assert f"/shifts/{workday.shifts[0].id}/guest" in page
    assert "Members&#39; workday" not in page and "Garden workday" in page


def test_a_scan_before_logging_in_still_counts_after(
    client, auth, workday, make_signup, make_user
):
    person = make_user()
    signup = make_signup(workday.shifts[0], person)
    response = scan(client, gate.code_for(workday.shifts[0], utcnow()))
    here = response.headers["Location"]
    login = client.get(here).get_data(as_text=True)
    assert "/login?next=" in login
    auth.login(person)
    assert "Check me in" in client.get(here).get_data(as_text=True)
    client.post(here)
    assert fresh(signup).checked_in_at is not None


def test_members_only_workday_takes_no_stranger_as_a_walk_in(
    client, auth, make_workday, project, make_user
):
    shift = make_workday(project=project, days=0.04, visibility="members").shifts[0]
    stranger = make_user()
    auth.login(stranger)
    scan(client, gate.code_for(shift, utcnow()))
    refused = client.post(f"/shifts/{shift.id}/here", follow_redirects=True)
    assert "for the project's members" in text(refused)
    assert db.session.scalar(select(func.count()).select_from(Signup)) == 0


@pytest.mark.parametrize(
    "hostile",
    [
        {"name": "Null\x00byte"},
        {"name": "x" * 500},
        {"name": "Bell\x07"},
        {"email": {"nested": "object"}, "name": ["list"]},
        {"phone": "+1 900 555 0100", "texts_agreed": True},
        {"shift": "1; drop table signup"},
        {"shift": 10**30, "name": "Huge"},
    ],
)
def test_hostile_walk_ins_are_refused_and_change_nothing(
    client, auth, coordinator, workday, hostile
):
    auth.login(coordinator)
    action = {"key": key(), "kind": "walk_in", "shift": workday.shifts[0].id}
    [answer] = answers(sync(client, workday, {**action, **hostile}))
    assert answer["outcome"] in ("invalid", "conflict") and answer["message"]
    assert db.session.scalar(select(func.count()).select_from(Signup)) == 0
