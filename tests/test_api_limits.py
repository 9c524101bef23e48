"""The API's rate limit: per token (or address), answered with Retry-After."""

import pytest


@pytest.fixture
def app_config():
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URL": "memory://",
        "API_RATE_LIMIT": "3 per minute",
    }


def test_too_many_requests_get_retry_after_in_the_error_shape(client):
    answers = [client.get("/api/v1/gardens") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert refused.headers["Access-Control-Allow-Origin"] == "*"


def test_each_token_has_its_own_allowance(client):
    for _ in range(3):
        client.get("/api/v1/gardens")
    other = client.get("/api/v1/gardens", headers={"Authorization": "Bearer gh_x"})
    assert other.status_code == 200
