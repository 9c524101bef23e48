"""The API's documentation page, drawn on the server from the same OpenAPI
description that /api/v1/openapi.json serves (no script, nothing from a CDN)."""

from flask import Blueprint, render_template

from gardenhub.security import sessionless

bp = Blueprint("api_docs", __name__)


@bp.get("/api/v1/docs")
@sessionless
def docs():
    from gardenhub.api.views import api

    spec = api.spec.to_dict()
    operations = [
        {"path": path, "method": method.upper(), **operation}
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    return render_template(
        "api/docs.html", spec=spec, operations=operations, tags=spec.get("tags", [])
    )
