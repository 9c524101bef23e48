"""Schemathesis: property-based tests generated from the API's own OpenAPI
description, run against the app in `make test`. Every operation, without a
token and with one that has every scope: no 5xx, every status documented, and
every response valid against its schema (errors included).

Hypothesis is driven directly (schemathesis' pytest plugin and this pytest
do not get along): one test per operation, listed from the description."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gardenhub import create_app
from gardenhub.accounts import api_tokens
from gardenhub.db import utcnow
from gardenhub.extensions import db
from tests.world import build_world

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every operation, read from the description itself."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    return sorted(
        (method.upper(), path)
        for path, methods in spec["paths"].items()
        for method in methods
        if method in ("get", "post", "put", "patch", "delete")
    )


OPERATIONS = _operations()


def test_the_description_covers_every_api_route(app):
    routes = {
        (method, str(rule).replace("<int:", "{").replace("<", "{").replace(">", "}"))
        for rule in app.url_map.iter_rules()
        if str(rule).startswith("/api/v1/")
        and rule.endpoint.startswith("api_")
        and rule.endpoint != "api_docs.docs"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_operation_keeps_its_promises(app, method, path):
    world = build_world()
    _row, secret = api_tokens.create(
        world.people["coordinator"],
        name="schemathesis",
        scopes=["read", "signup", "coordinate"],
        days=30,
        now=utcnow(),
    )
    db.session.commit()
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][
        method
    ]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=15,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(checks=CHECKS)
        case.call_and_validate(
            headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS
        )

    run()
