"""Rate limits on log-in, registration and password reset (memory and Redis)."""

import uuid

import pytest

from tests.conftest import PASSWORD


@pytest.fixture(params=["memory", "redis"])
def app_config(request):
    storage = "memory://" if request.param == "memory" else "redis://127.0.0.1:6379/15"
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": storage,
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
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


def test_registration_is_rate_limited_per_address(client):
    codes = [
        client.post(
            "/register",
            data={
                "email": f"n{n}@example.org",
                "display_name": "N",
                "password": "long enough",
            },
        ).status_code
        for n in range(11)
    ]
    assert codes.count(302) == 10 and codes[-1] == 429
