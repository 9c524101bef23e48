"""Rate limits on log-in, registration and password reset (memory and Redis)."""

import os

import pytest
import redis

from gardenhub.extensions import db
from tests.conftest import PASSWORD

REDIS = "redis://127.0.0.1:6379/15"
# Flask-Limiter keeps the first key prefix it sees for the whole process, so
# one prefix per test process keeps runs on one machine apart, and each test
# deletes this process's keys first.
PREFIX = f"gardenhub-test-{os.getpid()}"


@pytest.fixture(params=["memory", "redis"])
def app_config(request):
    """Each app gets a fresh storage: memory is new per app; this process's
    keys in the Redis test database are deleted first."""
    if request.param == "redis":
        store = redis.Redis.from_url(REDIS)
        for key in store.scan_iter(f"*{PREFIX}*"):
            store.delete(key)
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URL": "memory://" if request.param == "memory" else REDIS,
        "RATELIMIT_KEY_PREFIX": PREFIX,
    }


def test_login_is_rate_limited_per_account_without_locking_out_for_long(
    client, make_user
):
    person = make_user(email="target@example.org")
    for _ in range(10):
        client.post("/login", data={"email": "target@example.org", "password": "nope"})
    blocked = client.post(
        "/login", data={"email": "target@example.org", "password": PASSWORD}
    )
    assert blocked.status_code == 429
    assert "wait a few minutes" in blocked.get_data(as_text=True)
    assert int(blocked.headers["Retry-After"]) <= 300
    other = make_user(email="someone.else@example.org")
    fine = client.post("/login", data={"email": other.email, "password": PASSWORD})
    assert fine.status_code == 302
    assert person.is_active


def test_password_reset_requests_are_rate_limited(client, make_user):
    make_user(email="reset@example.org")
    codes = [
        client.post("/password/forgot", data={"email": "reset@example.org"}).status_code
        for _ in range(4)
    ]
    assert codes[:3] == [302, 302, 302] and codes[3] == 429


def register(client, email: str, **kwargs):
    return client.post(
        "/register",
        data={"email": email, "display_name": "N", "password": "long enough"},
        **kwargs,
    ).status_code


def test_an_open_day_on_one_address_is_not_locked_out(client):
    """Twenty people register on the garden's Wi-Fi within a minute, some with a
    typo first; the typos (refused forms) do not count towards the hourly cap."""
    for n in range(9):
        assert register(client, f"typo{n}") == 422
    assert [register(client, f"n{n}@example.org") for n in range(12)] == [302] * 12


def test_registrations_per_address_are_capped_counting_only_successes(client, app):
    app.config["REGISTER_LIMIT_PER_ADDRESS"] = "3 per hour"
    codes = []
    for n in range(4):
        codes.append(register(client, f"typo{n}"))
        codes.append(register(client, f"n{n}@example.org"))
    assert codes == [422, 302, 422, 302, 422, 302, 429, 429]


def test_a_burst_of_attempts_from_one_address_is_slowed(client):
    codes = [register(client, f"typo{n}") for n in range(31)]
    assert codes == [422] * 30 + [429]


def test_one_email_address_can_be_tried_only_a_few_times(client):
    codes = [register(client, "same@example.org") for _ in range(6)]
    assert codes == [302] * 5 + [429]
    assert register(client, "other@example.org") == 302


def test_logging_in_successfully_never_counts_towards_the_limit(client, make_user):
    """A coordinator on a phone, a tablet and the office computer, all day."""
    person = make_user(email="busy@example.org")
    for _ in range(15):
        ok = client.post("/login", data={"email": person.email, "password": PASSWORD})
        assert ok.status_code == 302
        client.post("/logout")
    for _ in range(10):
        client.post("/login", data={"email": person.email, "password": "nope"})
    blocked = client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert blocked.status_code == 429


@pytest.fixture
def proxied(app):
    """Behind one trusted proxy (nginx), as the README recommends."""
    from gardenhub import create_app

    proxied_app = create_app({**app.config, "TRUSTED_PROXIES": 1})
    yield proxied_app.test_client()
    with proxied_app.app_context():
        db.engine.dispose()  # its own pool: close it, or the GC warns later


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(proxied, make_user):
    make_user(email="a@example.org")

    emails = (f"try{n}@example.org" for n in range(100))

    def attempt(client_ip: str) -> int:
        return proxied.post(
            "/login",
            data={"email": next(emails), "password": "nope"},
            headers={"X-Forwarded-For": client_ip},
        ).status_code

    assert [attempt("203.0.113.7") for _ in range(30)] == [422] * 30
    assert attempt("203.0.113.7") == 429
    assert attempt("198.51.100.2") == 422


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(client):
    codes = [
        client.post(
            "/login",
            data={"email": f"x{n}@example.org", "password": "nope"},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        ).status_code
        for n in range(31)
    ]
    assert codes[-1] == 429
