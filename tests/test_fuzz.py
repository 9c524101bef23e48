"""Hostile values in every field of every form, and in every route's ids.

The forms are found from the app itself, as a person would find them: every
page of the permission matrix is opened as every kind of visitor, and every
<form> on it is read (its fields, their current values, where it posts). A
new form is covered by itself once a page shows it; a route that takes POSTs
without any page showing a form for it fails here, and so does a form class
that no page renders.

For each route, a fresh world is built and its forms are sent with one field
(then all fields, then each field twice) set to each hostile value. The
promise: never a 5xx, never the database's safety net (a constraint the
database refused: the service should have said so first), and nothing
committed to the database when the answer is a refusal (a 4xx, or a redirect
with an error).
"""

import logging
import re
import string
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from sqlalchemy import event
from werkzeug.exceptions import HTTPException

from gardenhub import create_app
from gardenhub.accounts.models import User
from gardenhub.csrf import CHECKED_BY_FORM, CHECKED_BY_SIGNATURE, TOKEN_AUTH
from gardenhub.extensions import db
from gardenhub.formfields import BaseForm
from tests.conftest import IsolatedClient, database_url
from tests.test_permissions import MATRIX
from tests.world import build_world

HOSTILE = [
    "",
    "   ",
    "x" * 100_000,
    "a\x00b",
    "a\x07b\x1b[31m\x7f",
    "one\ntwo\r\nthree",
    b"\xff\xfe\xc3(",  # not UTF-8
    "🌱🌻" * 40,
    "-1",
    "0",
    "-99999999999999999999",
    "9" * 30,
    str(2**31),
    str(2**63),
    "NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "1e999",
    "0001-01-01",
    "9999-12-31",
    "0001-01",
    "25:61",
    "<script>alert(1)</script>",
]
HOSTILE_IDS = ["0", str(2**31), str(2**63), "9" * 30]
HOSTILE_TEXT = ["%00", "x" * 3000, "%ff%fe", "..", "🌱", "%0d%0aSet-Cookie:x=1"]
# Pages that show forms only with a real token (the matrix uses forged ones).
EXTRA_PAGES = [
    "/offers/{offer_token}",
    "/g/{pending_link}",
    "/register/confirm/{confirm_token}",
    "/password/reset/{reset_token}",
    "/workdays/{today_workday}/check-in",
    "/workdays/{today_workday}/roster",
    "/my/hours",
    "/plots/{free_plot}",
    "/gardens/garden-2/renewals",
    "/gardens/garden-3/renewals",
    "/tasks/{done_task}",
    "/projects/project-2",
    "/projects/project-3",
    "/projects/project-4",
    "/workdays/{past_workday}",
    "/projects/{project}/celebrations",
    "/me/goals/new",
    "/shifts/{gate_shift}/here",
]
# The self check-in page shows its form only to a browser that just scanned
# the gate's code: the crawl scans it first, as a volunteer's phone does.
SCANNED = "/shifts/{gate_shift}/here"
# The check-in page's offline queue posts JSON, not a form: its hostile
# bodies are in tests/test_gate.py (each refused with a reason, nothing
# written). The JSON API (csrf.TOKEN_AUTH) takes tokens, not forms:
# schemathesis generates its hostile requests (tests/test_api_schema.py).
JSON_ONLY = {"gate.sync"}
CRAWL_AS = ("anonymous", "volunteer", "coordinator", "admin")


@dataclass
class Form:
    role: str
    page: str
    method: str
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys(name for name, _ in self.fields))


class FormReader(HTMLParser):
    """Every <form> of a page, with the value each field would send."""

    def __init__(self, page: str, role: str):
        super().__init__(convert_charrefs=True)
        self.page, self.role = page, role
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urljoin(self.page, attrs.get("action") or self.page)
            self.form = Form(
                self.role, self.page, (attrs.get("method") or "get").upper(), action
            )
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                if kind == "checkbox":
                    self.form.fields.append((attrs["name"], attrs.get("value", "y")))
                return
            self.form.fields.append((attrs["name"], attrs.get("value", "")))
        elif tag == "button" and attrs.get("name"):
            if attrs["name"] not in self.form.names:
                self.form.fields.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select":
            self.select, self.options = attrs.get("name"), []
        elif tag == "option" and self.select:
            self.options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea":
            self.textarea, self.text = attrs.get("name"), ""

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select and self.form:
            chosen = [v for v, selected in self.options if selected] or [
                v for v, _ in self.options[:1]
            ]
            self.form.fields += [(self.select, v) for v in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea and self.form:
            self.form.fields.append((self.textarea, self.text))
            self.textarea = None


def login(client, user_id: int | None) -> None:
    """Log the client in as this person (or out), with no messages waiting."""
    with client.session_transaction() as session:
        session.clear()
        if user_id is not None:
            session["_user_id"] = db.session.get(User, user_id).session_token
            session["_fresh"] = True


def pages(values: dict) -> list[str]:
    found = [
        url.format(**values)
        for url, methods in MATRIX.values()
        if "GET" in methods and ".ics" not in url and ".csv" not in url
    ]
    return sorted(set(found + [p.format(**values) for p in EXTRA_PAGES]))


def endpoint_of(app, method: str, url: str) -> str | None:
    parts = urlsplit(url)
    try:
        rule, _ = app.url_map.bind("localhost").match(
            parts.path, method=method, return_rule=True
        )
    except HTTPException:
        return None
    return rule.endpoint


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> dict[str, list[Form]]:
    """endpoint -> the forms that pages show for it (found once per run)."""
    folder = tmp_path_factory.mktemp("crawl")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url(folder),
            "WTF_CSRF_ENABLED": False,
            "BASE_URL": "https://gardenhub.test",
            "RATELIMIT_ENABLED": False,
        }
    )
    app.test_client_class = IsolatedClient
    found: dict[str, list[Form]] = {}
    seen: set[tuple] = set()
    with app.app_context():
        db.drop_all()
        db.create_all()
        world = build_world()
        for role in CRAWL_AS:
            client = app.test_client()
            person = world.people.get(role)
            for url in pages(world.values):
                login(client, person and person.id)
                if url == SCANNED.format(**world.values):
                    client.get(f"/c/{world.values['gate_code']}")
                response = client.get(url)
                if response.status_code != 200 or "html" not in response.content_type:
                    continue
                reader = FormReader(url, role)
                reader.feed(response.get_data(as_text=True))
                for form in reader.forms:
                    endpoint = endpoint_of(app, form.method, form.action)
                    key = (endpoint, form.method, tuple(form.names))
                    if endpoint and key not in seen:
                        seen.add(key)
                        found.setdefault(endpoint, []).append(form)
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return found


def form_classes() -> list[type]:
    classes, todo = [], [BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            classes.append(sub)
            todo.append(sub)
    return [c for c in classes if c.__module__.startswith("gardenhub.")]


def test_every_form_class_is_on_some_page(crawled):
    rendered = [set(form.names) for forms in crawled.values() for form in forms]
    missing = []
    for cls in form_classes():
        names = {
            name for name, value in vars(cls).items() if hasattr(value, "field_class")
        } | {
            name
            for base in cls.__mro__[1:]
            if base.__module__.startswith("gardenhub.")
            for name, value in vars(base).items()
            if hasattr(value, "field_class")
        }
        names = {n for n in names if n != "shifts"}  # rows: shifts-0-name, …
        if names and not any(names <= shown for shown in rendered):
            missing.append(f"{cls.__module__}.{cls.__name__} {sorted(names)}")
    assert missing == [], f"forms no page renders (so nothing fuzzes them): {missing}"


def routes():
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "BASE_URL": "https://x",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
        }
    )
    return sorted({r.endpoint for r in app.url_map.iter_rules()} - {"static"})


class Watch:
    """Commits that wrote something, and the database safety nets' warnings."""

    def __init__(self):
        self.dirty: set = set()
        self.commits_with_writes = 0
        self.safety_nets: list[str] = []

    def execute(self, conn, cursor, statement, *args):
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.dirty.add(conn)

    def commit(self, conn):
        if conn in self.dirty:
            self.commits_with_writes += 1
        self.dirty.discard(conn)

    def rollback(self, conn):
        self.dirty.discard(conn)


class SafetyNet(logging.Handler):
    def __init__(self, watch: Watch):
        super().__init__(logging.WARNING)
        self.watch = watch

    def emit(self, record):
        self.watch.safety_nets.append(record.getMessage())


@pytest.fixture
def watch(app):
    found = Watch()
    engine = db.engine
    event.listen(engine, "before_cursor_execute", found.execute)
    event.listen(engine, "commit", found.commit)
    event.listen(engine, "rollback", found.rollback)
    handler = SafetyNet(found)
    logger = logging.getLogger("gardenhub.errors")
    logger.addHandler(handler)
    yield found
    logger.removeHandler(handler)
    event.remove(engine, "before_cursor_execute", found.execute)
    event.remove(engine, "commit", found.commit)
    event.remove(engine, "rollback", found.rollback)


def variants(form: Form):
    """(what, fields) pairs: one field hostile, all hostile, each field twice."""
    for name in form.names:
        if name == "csrf_token":
            continue
        for value in HOSTILE:
            yield (
                f"{name}={value[:20]!r}",
                [(n, value if n == name else v) for n, v in form.fields],
            )
    for value in HOSTILE:
        yield (
            f"all={value[:20]!r}",
            [(n, v if n == "csrf_token" else value) for n, v in form.fields],
        )
    yield "each field twice", form.fields + [(n, "x" * 300) for n, _ in form.fields]


def path_variants(endpoint: str, values: dict):
    url, methods = MATRIX[endpoint]
    placeholders = [p for _, p, _, _ in string.Formatter().parse(url) if p]
    for placeholder in placeholders:
        is_id = isinstance(values[placeholder], int)
        for value in HOSTILE_IDS if is_id else HOSTILE_TEXT:
            yield url.format(**{**values, placeholder: value}), list(methods)
    if "?" in url:
        base = url.split("?")[0].format(**values)
        for value in HOSTILE_TEXT:
            yield f"{base}?code={value}&page={value}&month={value}", ["GET"]


def refused(client, response) -> bool:
    if response.status_code >= 400:
        return True
    with client.session_transaction() as session:
        return any(c == "error" for c, _ in session.get("_flashes", []))


@pytest.mark.parametrize("endpoint", routes())
def test_hostile_input_never_breaks_a_route(app, watch, crawled, endpoint):
    world = build_world()
    ids = {role: person.id for role, person in world.people.items()}
    methods = set(MATRIX[endpoint][1])
    forms = crawled.get(endpoint, [])
    failures: list[str] = []
    machines_post = (
        endpoint in signature_checked_endpoints(app)
        or endpoint in JSON_ONLY
        or endpoint.split(".")[0] in TOKEN_AUTH
    )
    if (
        "POST" in methods
        and not machines_post
        and not any(f.method == "POST" for f in forms)
    ):
        failures.append("no page shows a form that posts here")
    client = app.test_client()

    def send(role: str, method: str, url: str, fields=None, what="") -> None:
        login(client, ids.get(role))
        before = watch.commits_with_writes
        nets = len(watch.safety_nets)
        body = urlencode(fields or [], encoding="utf-8")
        if method == "GET":
            response = client.get(url + ("&" if "?" in url else "?") + body)
        else:
            response = client.open(
                url,
                method=method,
                data=body,
                content_type="application/x-www-form-urlencoded",
            )
        where = f"{role} {method} {url[:80]} {what}"
        if response.status_code >= 500:
            failures.append(f"{response.status_code}: {where}")
        elif len(watch.safety_nets) > nets:
            failures.append(f"safety net ({watch.safety_nets[-1]}): {where}")
        elif refused(client, response) and watch.commits_with_writes > before:
            failures.append(f"refused but wrote to the database: {where}")

    for form in forms:
        for what, fields in variants(form):
            send(form.role, form.method, form.action, fields, what)
    for url, url_methods in path_variants(endpoint, world.values):
        for method in url_methods:
            for role in ("volunteer", "admin"):
                send(role, method, url, what="(hostile path)")
    assert failures == [], "\n".join(failures[:25])


def test_the_crawl_finds_forms_for_every_route_that_takes_posts(crawled):
    """A sanity check of the crawler itself: forms with their fields were read."""
    sign_up = crawled["workdays.sign_up"][0]
    assert sign_up.method == "POST"
    assert re.fullmatch(r"/shifts/\d+/signup", urlsplit(sign_up.action).path)
    plan = crawled["planning.new_workday"][0]
    assert {"title", "day", "shifts-0-name"} <= set(plan.names)


def exempt_endpoints(app, checked_by=CHECKED_BY_FORM) -> list[str]:
    """Endpoints whose view opted out of the app-wide CSRF check."""
    found = []
    for endpoint, view in app.view_functions.items():
        chain = [view]
        while hasattr(chain[-1], "__wrapped__"):
            chain.append(chain[-1].__wrapped__)
        if any(f in checked_by for f in chain):
            found.append(endpoint)
    return sorted(found)


def signature_checked_endpoints(app) -> list[str]:
    """Webhooks: machines post here with a signature instead of a token."""
    return exempt_endpoints(app, CHECKED_BY_SIGNATURE)


def test_every_signature_checked_view_refuses_unsigned_requests(app, watch):
    """`signature_checked` is safe only because the view checks the
    signature first: hostile bodies, unsigned or with forged signatures, get
    a 403 (whoever is logged in) and save nothing."""
    world = build_world()
    ids = {role: person.id for role, person in world.people.items()}
    client = app.test_client()
    endpoints = signature_checked_endpoints(app)
    assert endpoints, "the SMS webhooks are signature-checked"
    forged = [
        {},
        {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
        {"X-Signature": "0" * 64, "X-Timestamp": "1700000000"},
        {"X-Signature": "", "X-Timestamp": "99999999999999999999"},
    ]
    unsafe = []
    for endpoint in endpoints:
        url = MATRIX[endpoint][0].format(**world.values)
        for role in ("anonymous", "admin"):
            for value in HOSTILE:
                for headers in forged:
                    login(client, ids.get(role))
                    before = watch.commits_with_writes
                    text = value if isinstance(value, str) else "x"
                    for body, kind in (
                        (urlencode({"From": text, "Body": "STOP"}), "form"),
                        (value, "raw"),
                    ):
                        response = client.post(
                            url,
                            data=body,
                            headers=headers,
                            content_type="application/x-www-form-urlencoded"
                            if kind == "form"
                            else "application/json",
                        )
                        # 400: a NUL in a form is refused before any view.
                        if (
                            response.status_code not in (400, 403)
                            or watch.commits_with_writes > before
                        ):
                            unsafe.append(
                                f"{endpoint} {role} {kind} {str(value)[:20]!r}: "
                                f"{response.status_code}"
                            )
    assert unsafe == [], unsafe[:10]


def test_every_csrf_exempt_view_checks_the_token_in_its_form(app, watch, crawled):
    """`token_checked_by_form` is safe only because the form checks the token:
    each such view, sent its form without a token, refuses and saves nothing."""
    world = build_world()
    ids = {role: person.id for role, person in world.people.items()}
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    exempt = exempt_endpoints(app)
    assert "planning.new_workday" in exempt and "workdays.cancel" not in exempt
    unsafe = []
    for endpoint in exempt:
        for form in (f for f in crawled.get(endpoint, []) if f.method == "POST"):
            login(client, ids.get(form.role))
            before = watch.commits_with_writes
            fields = [(n, v) for n, v in form.fields if n != "csrf_token"]
            response = client.post(
                form.action,
                data=urlencode(fields),
                content_type="application/x-www-form-urlencoded",
            )
            if not refused(client, response) or watch.commits_with_writes > before:
                unsafe.append(f"{endpoint} ({form.role}): {response.status_code}")
    assert unsafe == []
