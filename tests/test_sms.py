"""Text messages: numbers, consent, the outbox's second channel, both providers
on the wire (a local server that speaks each one's documented API), and the
STOP/START webhooks with their signatures."""

import base64
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from twilio.request_validator import RequestValidator

from gardenhub import create_app
from gardenhub.accounts import services as accounts
from gardenhub.accounts.models import Role, User
from gardenhub.audit import AuditEvent
from gardenhub.config import ConfigError
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.notifications import delivery, phones, sms
from gardenhub.notifications.models import Notification
from gardenhub.workdays import reminders, signups
from tests.conftest import database_url

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "twilio-auth-token"
SECRET = "gateway-signing-key"
MOBILE = "0170 1234567"
MOBILE_E164 = "+491701234567"


def outbox(channel=None, kind=None):
    db.session.expire_all()
    query = select(Notification).order_by(Notification.id)
    if channel:
        query = query.where(Notification.channel == channel)
    if kind:
        query = query.where(Notification.kind == kind)
    return db.session.scalars(query).all()


def deliver(now=None):
    counts = delivery.deliver(now=now or utcnow())
    db.session.expire_all()
    return counts


def fresh(person):
    db.session.expire_all()
    return db.session.get(User, person.id)


# --- local servers speaking each provider's API -------------------------------


class Api(ThreadingHTTPServer):
    """A provider's HTTP API on 127.0.0.1: records every request and answers
    from `script` (one planned answer per request, then "ok")."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[dict] = []
        self.script: list = []
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def planned(self):
        with self.lock:
            return self.script.pop(0) if self.script else "ok"

    def stop(self):
        self.release.set()
        self.shutdown()
        self.server_close()

    def answer(self, handler, request) -> tuple[int, dict, dict]:
        raise NotImplementedError


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):  # noqa: N802 (http.server)
        length = int(self.headers.get("Content-Length") or 0)
        request = {
            "path": self.path,
            "headers": dict(self.headers),
            "body": self.rfile.read(length),
        }
        with self.server.lock:
            self.server.requests.append(request)
        plan = self.server.planned()
        if plan == "hang":  # a provider that does not answer in time
            self.server.release.wait(timeout=5)
            return
        if plan == "ok":
            status, headers, body = self.server.answer(self, request)
        else:
            status, headers, body = plan
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)


def basic_auth(request) -> tuple[str, str] | None:
    value = request["headers"].get("Authorization", "")
    if not value.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(value[6:]).decode().partition(":")
    return user, password


class TwilioApi(Api):
    """Twilio's Programmable Messaging REST API, as documented: POST
    /2010-04-01/Accounts/{AccountSid}/Messages.json, HTTP Basic auth with the
    account SID and auth token, form fields To, From (or MessagingServiceSid)
    and Body; 201 with the Message resource (sid, status "queued")."""

    PATH = re.compile(r"^/2010-04-01/Accounts/(AC\w{32})/Messages\.json$")

    def answer(self, handler, request):
        found = self.PATH.match(request["path"])
        if basic_auth(request) != (SID, TOKEN) or not found or found[1] != SID:
            return 401, {"WWW-Authenticate": 'Basic realm="Twilio API"'}, ERR_401
        form = {k: v[0] for k, v in parse_qs(request["body"].decode()).items()}
        if "To" not in form:
            return (
                400,
                {},
                {
                    "code": 21604,
                    "message": "A 'To' phone number is required.",
                    "status": 400,
                },
            )
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return (
                400,
                {},
                {
                    "code": 21603,
                    "message": "A 'From' phone number is required.",
                    "status": 400,
                },
            )
        sid = "SM" + uuid.uuid4().hex
        return (
            201,
            {},
            {
                "account_sid": SID,
                "api_version": "2010-04-01",
                "body": form["Body"],
                "date_created": "Thu, 24 Aug 2023 05:01:45 +0000",
                "date_sent": None,
                "date_updated": "Thu, 24 Aug 2023 05:01:45 +0000",
                "direction": "outbound-api",
                "error_code": None,
                "error_message": None,
                "from": form.get("From"),
                "messaging_service_sid": form.get("MessagingServiceSid"),
                "num_media": "0",
                "num_segments": "1",
                "price": None,
                "price_unit": "USD",
                "sid": sid,
                "status": "queued",
                "subresource_uris": {
                    "media": f"/2010-04-01/Accounts/{SID}/Messages/{sid}/Media.json"
                },
                "to": form["To"],
                "uri": f"/2010-04-01/Accounts/{SID}/Messages/{sid}.json",
            },
        )


ERR_401 = {
    "code": 20003,
    "message": "Authenticate",
    "more_info": "https://www.twilio.com/docs/errors/20003",
    "status": 401,
}


class GatewayApi(Api):
    """SMS Gateway for Android's local server, as documented: POST /message,
    HTTP Basic auth with the app's username and password, JSON
    {"textMessage": {"text": …}, "phoneNumbers": […]}; 202 with the message's
    state ("Pending")."""

    def answer(self, handler, request):
        if basic_auth(request) != ("sms", "gateway-password"):
            return 401, {}, {"message": "Unauthorized"}
        if request["path"] != "/message":
            return 404, {}, {"message": "Not Found"}
        body = json.loads(request["body"])
        if not body.get("textMessage", {}).get("text") or not body.get("phoneNumbers"):
            return 400, {}, {"message": "invalid request"}
        return (
            202,
            {},
            {
                "id": body.get("id") or uuid.uuid4().hex[:21],
                "state": "Pending",
                "isHashed": False,
                "isEncrypted": False,
                "recipients": [
                    {"phoneNumber": n, "state": "Pending"} for n in body["phoneNumbers"]
                ],
            },
        )


@pytest.fixture
def twilio(app):
    server = TwilioApi()
    app.config.update(
        SMS_BACKEND="twilio",
        SMS_TWILIO_ACCOUNT_SID=SID,
        SMS_TWILIO_AUTH_TOKEN=TOKEN,
        SMS_TWILIO_FROM="+4915100000000",
        SMS_TWILIO_API_URL=server.url,
        SMS_TIMEOUT_SECONDS=0.5,
    )
    yield server
    server.stop()


@pytest.fixture
def gateway(app):
    server = GatewayApi()
    app.config.update(
        SMS_BACKEND="gateway",
        SMS_GATEWAY_URL=server.url,
        SMS_GATEWAY_USERNAME="sms",
        SMS_GATEWAY_PASSWORD="gateway-password",
        SMS_GATEWAY_WEBHOOK_SECRET=SECRET,
        SMS_TIMEOUT_SECONDS=0.5,
    )
    yield server
    server.stop()


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.coordinator)


@pytest.fixture
def texter(coordinator):
    """A guest with only a phone, who told the coordinator yes to texts."""

    def make(name="Gita", phone=MOBILE, *, agreed=True):
        guest = accounts.add_guest(
            name,
            actor=coordinator,
            phone=phone,
            texts_agreed=agreed,
            zone="Europe/Berlin",
            now=utcnow(),
        )
        db.session.commit()
        return guest

    return make


def daytime():
    """The last noon in Berlin: outside the default quiet hours, and past (so
    what is queued then is due now)."""
    zone = ZoneInfo("Europe/Berlin")
    day = utcnow().astimezone(zone).date()
    noon = datetime.combine(day, datetime.min.time(), zone) + timedelta(hours=12)
    return noon if noon <= utcnow() else noon - timedelta(days=1)


def sign_up(shift, person, now=None):
    signup = signups.sign_up(shift, person, now=now or daytime())
    db.session.commit()
    return signup


# --- phone numbers ------------------------------------------------------------


def test_numbers_are_stored_in_e164_and_shown_nationally(client, auth, make_user):
    person = make_user()
    auth.login(person)
    response = client.post(
        "/profile",
        data={"display_name": "Pia", "phone": MOBILE, "texts_on": "y"},
    )
    assert response.status_code == 302
    person = fresh(person)
    assert person.phone == MOBILE_E164
    assert person.texts_on and person.sms_consent_source == "self"
    assert person.sms_consent_at is not None and person.sms_opted_out_at is None
    page = client.get("/profile").get_data(as_text=True)
    assert f'value="{MOBILE}"' in page and "Texts are on since" in page
    with client.application.test_request_context():
        assert phones.national("+34612345678") == "+34 612 34 56 78"
        assert phones.national("call me: 555") == "call me: 555"  # typed long ago


@pytest.mark.parametrize(
    ("typed", "texts", "message"),
    [
        ("0170 123", False, "This is not a valid phone number in Germany"),
        ("+49 32 12345678", False, "Check the digits after the country code"),
        ("0900 1234567", False, "premium-rate or shared-cost"),
        ("0180 5123456", False, "premium-rate or shared-cost"),
        ("+34 612 345 678", True, "only to mobile numbers from Germany"),
        ("+1 202 555 0123", True, "only to mobile numbers from Germany"),
        ("030 1234567", True, "Texts need a mobile number"),
        ("", True, "Give a mobile number to get texts."),
    ],
)
def test_bad_numbers_get_clear_form_errors(
    client, auth, make_user, typed, texts, message
):
    person = make_user(name="Pat", phone="+49301234567")
    auth.login(person)
    data = {"display_name": "Changed", "phone": typed}
    if texts:
        data["texts_on"] = "y"
    response = client.post("/profile", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    person = fresh(person)
    assert (person.display_name, person.phone, person.texts_on) == (
        "Pat",
        "+49301234567",
        False,
    )


def test_a_foreign_number_is_fine_without_texts_and_texts_can_go_abroad_if_allowed(
    app, client, auth, make_user
):
    person = make_user()
    auth.login(person)
    client.post("/profile", data={"display_name": "Ana", "phone": "+34 612 345 678"})
    assert fresh(person).phone == "+34612345678"
    app.config["SMS_COUNTRIES"] = ["DE", "ES"]
    client.post(
        "/profile",
        data={"display_name": "Ana", "phone": "+34 612 345 678", "texts_on": "y"},
    )
    assert fresh(person).texts_on


def test_the_gate_checks_a_guests_number_the_same_way_and_records_consent(
    client, auth, coordinator, make_project, make_workday
):
    workday = make_workday(project=make_project(coordinators=[coordinator]), days=0.02)
    shift = workday.shifts[0]
    auth.login(coordinator)
    refused = client.post(
        f"/shifts/{shift.id}/walk-in",
        data={"name": "Wanda", "phone": "0900 1234567", "texts_agreed": "y"},
        follow_redirects=True,
    )
    assert "premium-rate or shared-cost" in refused.get_data(as_text=True)
    assert db.session.scalars(select(User).where(User.is_guest)).all() == []
    client.post(
        f"/shifts/{shift.id}/walk-in",
        data={"name": "Wanda", "phone": MOBILE, "texts_agreed": "y"},
    )
    (guest,) = db.session.scalars(select(User).where(User.is_guest)).all()
    assert guest.phone == MOBILE_E164 and guest.texts_on
    assert guest.sms_consent_source == "coordinator"
    (event,) = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.sms_consent")
    ).all()
    assert (event.actor_id, event.target_id, event.detail) == (
        coordinator.id,
        guest.id,
        "coordinator",
    )


def test_the_services_check_a_number_without_a_form(coordinator):
    with pytest.raises(accounts.AccountError, match="premium-rate") as refused:
        accounts.add_guest("Ola", actor=coordinator, phone="0900 1234567")
    assert refused.value.field == "phone"
    with pytest.raises(accounts.AccountError, match="Texts need a mobile"):
        accounts.add_guest(
            "Ola", actor=coordinator, phone="030 1234567", texts_agreed=True
        )


def test_the_gardens_time_zone_gives_the_country_of_a_national_number(app):
    with app.test_request_context():
        assert phones.region_for("Europe/Madrid") == "ES"
        assert phones.region_for("Nowhere/Else") == "DE"
        assert (
            phones.parse("612 345 678", region=phones.region_for("Europe/Madrid"))
            == "+34612345678"
        )


# --- the outbox's second channel ---------------------------------------------


def test_a_guest_with_only_a_phone_gets_texts_instead_of_held_emails(
    texter, make_workday
):
    guest = texter()
    sign_up(make_workday(days=5).shifts[0], guest)
    (message,) = outbox()
    assert (message.channel, message.to_address, message.status) == (
        "sms",
        MOBILE_E164,
        "held",  # no backend configured: readable in the outbox
    )
    assert message.body_text.startswith("GardenHub: You're signed up:")
    assert message.body_text.endswith("Reply STOP to stop.")  # the first text
    assert len(message.body_text) <= 160 and sms.segments(message.body_text) == 1
    sign_up(make_workday(days=6).shifts[0], guest)
    second = outbox()[-1]
    assert second.channel == "sms" and "STOP" not in second.body_text


def test_without_consent_a_guest_gets_held_emails_as_before(texter, make_workday):
    guest = texter(agreed=False)
    sign_up(make_workday().shifts[0], guest)
    (message,) = outbox()
    assert (message.channel, message.to_address, message.status) == (
        "email",
        None,
        "held",
    )


def test_email_and_text_for_the_standard_kinds_only_unless_chosen(
    client, auth, make_user, make_workday, make_task
):
    person = make_user(phone=MOBILE_E164, sms_consent_at=utcnow())
    sign_up(make_workday().shifts[0], person)
    assert [(m.channel, m.kind) for m in outbox()] == [
        ("email", "signup_confirmed"),
        ("sms", "signup_confirmed"),
    ]
    from gardenhub.tasks import services as tasks

    task = make_task()
    tasks.assign(task, person, actor=person, now=utcnow())
    db.session.commit()
    assert [m.channel for m in outbox(kind="task_assigned")] == ["email"]
    auth.login(person)
    page = client.get("/profile/notifications").get_data(as_text=True)
    assert 'name="text" value="task_assigned"' in page
    client.post(
        "/profile/notifications",
        data={
            "receive": ["task_assigned", "reminder"],
            "text": ["task_assigned", "signup_confirmed"],
            "quiet_start": "21:00",
            "quiet_end": "08:00",
        },
    )
    person = fresh(person)
    assert set(person.sms_kinds.split(",")) == {"task_assigned", "signup_confirmed"}
    tasks.assign(make_task(), person, actor=person, now=utcnow())
    db.session.commit()
    assert [m.channel for m in outbox(kind="task_assigned")] == [
        "email",
        "email",
        "sms",
    ]


def test_discreet_texts_never_name_the_group(make_user, make_project, make_workday):
    guest = make_user(phone=MOBILE_E164, sms_consent_at=utcnow(), is_discreet=True)
    project = make_project(name="Recovery circle")
    workday = make_workday(project=project, title="Recovery circle garden")
    signup = sign_up(workday.shifts[0], guest)
    signups.cancel(signup, actor=guest, now=daytime())
    db.session.commit()
    texts = outbox("sms")
    assert [t.kind for t in texts] == ["signup_confirmed", "signup_cancelled"]
    for message in texts:
        assert "Recovery" not in message.body_text
        assert "garden shift" in message.body_text
        assert sms.segments(message.body_text) == 1


def test_every_standard_text_fits_one_segment(
    app, client, auth, texter, make_user, coordinator, make_project, make_workday
):
    project = make_project(coordinators=[coordinator], name="A long project name")
    workday = make_workday(
        project=project,
        days=1,
        capacities=(1,),
        title="Members' Saturday workday at the orchard",
        location="Hauptstraße 12, behind the big gate",
    )
    shift = workday.shifts[0]
    first = make_user(name="Ana", phone=MOBILE_E164, sms_consent_at=utcnow())
    second = texter("Ben", "0151 23456789")
    seat = sign_up(shift, first)
    sign_up(shift, second)  # waitlisted
    signups.cancel(seat, actor=first, now=daytime())
    db.session.commit()  # Ben is offered the seat
    signups.confirm(seat_of(second), person=second, now=daytime())
    db.session.commit()
    reminders.send_due(now=shift.starts_at - timedelta(hours=20))
    db.session.commit()
    auth.login(coordinator)
    local = workday.starts_at.astimezone(ZoneInfo("Europe/Berlin"))
    client.post(
        f"/workdays/{workday.id}/edit",
        data={
            "title": workday.title,
            "public_title": workday.public_title,
            "garden_id": workday.garden_id,
            "location": workday.location,
            "day": f"{local:%Y-%m-%d}",
            "start": f"{local + timedelta(hours=1):%H:%M}",
            "end": f"{local + timedelta(hours=4):%H:%M}",
            "scope": "this",
        },
    )
    client.post(f"/workdays/{workday.id}/cancel", data={"reason": "Storm"})
    texts = outbox("sms")
    kinds = {t.kind for t in texts}
    assert {
        "signup_confirmed",
        "signup_cancelled",
        "seat_offered",
        "reminder",
        "workday_changed",
        "workday_cancelled",
    } <= kinds
    for message in texts:
        assert message.body_text.startswith("GardenHub: ")
        assert re.search(r"https://gardenhub\.test/\S+", message.body_text)
        assert set(message.body_text) <= sms.GSM7 | sms.GSM7_EXTENDED
        # An offer carries its one-click link (a long token): two parts at most.
        limit = 2 if message.kind == "seat_offered" else 1
        assert sms.segments(message.body_text) <= limit, message.body_text


def seat_of(person):
    from gardenhub.workdays.models import Signup

    db.session.expire_all()
    return db.session.scalars(
        select(Signup).where(Signup.volunteer_id == person.id)
    ).one()


def test_reminders_by_text(texter, make_workday):
    guest = texter()
    shift = make_workday(days=1).shifts[0]
    sign_up(shift, guest)
    reminders.send_due(now=shift.starts_at - timedelta(hours=20))
    db.session.commit()
    (reminder,) = outbox("sms", "reminder")
    assert reminder.body_text.startswith("GardenHub: Reminder:")
    assert sms.segments(reminder.body_text) == 1


def test_a_text_queued_in_quiet_hours_waits_until_they_end(texter, make_workday):
    guest = texter()
    zone = ZoneInfo("Europe/Berlin")
    night = datetime.combine(
        utcnow().astimezone(zone).date() + timedelta(days=1),
        datetime.min.time(),
        zone,
    ) + timedelta(hours=23)
    sign_up(make_workday(days=5).shifts[0], guest, now=night)
    (message,) = outbox("sms")
    morning = datetime.combine(
        night.date() + timedelta(days=1), datetime.min.time(), zone
    ) + timedelta(hours=8)
    assert message.next_attempt_at == morning


def test_gsm_letters_and_segments():
    assert sms.gsm7("Qué día – “sí”…") == 'Qué dia - "si"...'  # é is GSM
    assert sms.gsm7("Grüße, Ärger, ñ") == "Grüße, Ärger, ñ"  # in the alphabet
    assert sms.segments("x" * 160) == 1 and sms.segments("x" * 161) == 2
    assert sms.segments("🌱" + "x" * 69) == 2  # UCS-2: 70 per text
    assert sms.segments("€" * 80) == 1 and sms.segments("€" * 81) == 2


# --- Twilio, on the wire --------------------------------------------------------


def test_twilio_sends_through_the_real_client(twilio, texter, make_workday):
    guest = texter()
    sign_up(make_workday().shifts[0], guest)
    assert deliver() == {"sent": 1, "retry": 0, "failed": 0}
    (request,) = twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert basic_auth(request) == (SID, TOKEN)
    assert "twilio-python" in request["headers"]["User-Agent"]  # the real client
    form = {k: v[0] for k, v in parse_qs(request["body"].decode()).items()}
    (message,) = outbox("sms")
    assert form == {
        "To": MOBILE_E164,
        "From": "+4915100000000",
        "Body": message.body_text,
    }
    assert message.status == "sent" and message.provider_ref.startswith("SM")
    assert deliver() == {"sent": 0, "retry": 0, "failed": 0}
    assert len(twilio.requests) == 1


def test_twilio_messaging_service_sender(app, twilio, texter, make_workday):
    app.config["SMS_TWILIO_FROM"] = "MG" + "a" * 32
    sign_up(make_workday().shifts[0], texter())
    deliver()
    form = parse_qs(twilio.requests[0]["body"].decode())
    assert form["MessagingServiceSid"] == ["MG" + "a" * 32] and "From" not in form


def test_twilio_401_fails_with_a_clear_error(app, twilio, texter, make_workday):
    app.config["SMS_TWILIO_AUTH_TOKEN"] = "wrong"
    sign_up(make_workday().shifts[0], texter())
    assert deliver() == {"sent": 0, "retry": 0, "failed": 1}
    (message,) = outbox("sms")
    assert message.status == "failed"
    assert "Twilio 401 (code 20003)" in message.last_error
    assert "GARDENHUB_SMS_TWILIO_AUTH_TOKEN" in message.last_error


def test_twilio_429_waits_as_long_as_retry_after_says(twilio, texter, make_workday):
    shift = make_workday(capacities=(5,)).shifts[0]
    sign_up(shift, texter("Ana"))
    sign_up(shift, texter("Ben", "0151 23456789"))
    too_many = {"code": 20429, "message": "Too Many Requests", "status": 429}
    twilio.script = [(429, {"Retry-After": "120"}, too_many)]
    now = utcnow()
    assert deliver(now) == {"sent": 0, "retry": 2, "failed": 0}
    first, second = outbox("sms")
    assert (
        first.next_attempt_at == second.next_attempt_at == now + timedelta(seconds=120)
    )
    assert (first.attempts, second.attempts) == (1, 0)  # the second was not tried
    assert len(twilio.requests) == 1
    assert deliver(now + timedelta(seconds=60)) == {"sent": 0, "retry": 0, "failed": 0}
    assert deliver(now + timedelta(seconds=121)) == {"sent": 2, "retry": 0, "failed": 0}


@pytest.mark.parametrize(
    "failure",
    [
        (500, {}, {"code": 20500, "message": "Internal Server Error", "status": 500}),
        (503, {}, {"code": 20503, "message": "Service Unavailable", "status": 503}),
        "hang",
    ],
)
def test_twilio_5xx_and_timeouts_back_off(twilio, texter, make_workday, failure):
    sign_up(make_workday().shifts[0], texter())
    twilio.script = [failure]
    now = utcnow()
    assert deliver(now) == {"sent": 0, "retry": 1, "failed": 0}
    (message,) = outbox("sms")
    assert message.status == "queued" and message.attempts == 1
    assert message.next_attempt_at == now + delivery.backoff(1)
    assert (
        "Timeout" in message.last_error
        if failure == "hang"
        else "Twilio 5" in message.last_error
    )
    assert deliver(now + delivery.backoff(1)) == {"sent": 1, "retry": 0, "failed": 0}


# --- SMS Gateway for Android, on the wire --------------------------------------


def test_gateway_sends_to_the_phone(gateway, texter, make_workday):
    sign_up(make_workday().shifts[0], texter())
    assert deliver() == {"sent": 1, "retry": 0, "failed": 0}
    (request,) = gateway.requests
    (message,) = outbox("sms")
    assert request["path"] == "/message"
    assert basic_auth(request) == ("sms", "gateway-password")
    assert request["headers"]["Content-Type"] == "application/json"
    assert json.loads(request["body"]) == {
        "id": f"gardenhub-{message.id}",
        "textMessage": {"text": message.body_text},
        "phoneNumbers": [MOBILE_E164],
    }
    assert (message.status, message.provider_ref) == ("sent", f"gardenhub-{message.id}")


def test_gateway_failures(app, gateway, texter, make_workday):
    shift = make_workday(capacities=(5,)).shifts[0]
    sign_up(shift, texter())
    now = utcnow()
    gateway.script = [(500, {}, {"message": "internal error"}), "hang"]
    assert deliver(now) == {"sent": 0, "retry": 1, "failed": 0}
    later = now + delivery.backoff(1)
    assert deliver(later) == {"sent": 0, "retry": 1, "failed": 0}
    (message,) = outbox("sms")
    assert message.attempts == 2 and "timeout" in message.last_error.lower()
    gateway.script = [(429, {"Retry-After": "30"}, {"message": "slow down"})]
    again = later + delivery.backoff(2)
    assert deliver(again) == {"sent": 0, "retry": 1, "failed": 0}
    assert outbox("sms")[0].next_attempt_at == again + timedelta(seconds=30)
    app.config["SMS_GATEWAY_PASSWORD"] = "wrong"
    assert deliver(again + timedelta(seconds=30)) == {
        "sent": 0,
        "retry": 0,
        "failed": 1,
    }
    (message,) = outbox("sms")
    assert message.status == "failed" and "Gateway 401" in message.last_error
    assert "GARDENHUB_SMS_GATEWAY_PASSWORD" in message.last_error


@pytest.mark.parametrize("provider", ["twilio", "gateway"])
def test_texts_go_exactly_once_even_with_two_workers(
    request, app, provider, texter, make_workday
):
    server = request.getfixturevalue(provider)
    shift = make_workday(capacities=(30,)).shifts[0]
    for n in range(12):
        sign_up(shift, texter(f"Guest {n}", f"0170 12345{n:02d}"))
    start = threading.Barrier(2)

    def worker():
        start.wait(timeout=30)
        with app.app_context():
            delivery.deliver(now=utcnow())

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    deliver()
    assert len(server.requests) == 12
    bodies = [r["body"] for r in server.requests]
    assert len(set(bodies)) == 12  # twelve numbers, each once
    assert {n.status for n in outbox("sms")} == {"sent"}


def test_without_a_backend_texts_stay_held_and_the_worker_sends_email_only(
    runner, texter, make_workday
):
    sign_up(make_workday().shifts[0], texter())
    result = runner.invoke(args=["outbox", "deliver"])
    assert "messages stay in the outbox" in result.output
    assert [m.status for m in outbox("sms")] == ["held"]


def test_the_outbox_page_shows_texts(client, auth, make_user, texter, make_workday):
    sign_up(make_workday().shifts[0], texter())
    auth.login(make_user(Role.admin))
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "text message" in page and MOBILE in page
    assert "No SMS backend is configured" in page
    (message,) = outbox("sms")
    assert MOBILE in client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)


# --- replies: STOP and START --------------------------------------------------


def twilio_post(client, sender, body, *, signature=None):
    params = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": SID,
        "From": sender,
        "To": "+4915100000000",
        "Body": body,
        "NumMedia": "0",
    }
    if signature is None:
        signature = RequestValidator(TOKEN).compute_signature(
            "https://gardenhub.test/sms/twilio", params
        )
    headers = {"X-Twilio-Signature": signature} if signature else {}
    return client.post("/sms/twilio", data=params, headers=headers)


def gateway_post(client, sender, message, *, secret=SECRET, stamp=None, sign=True):
    event = {
        "deviceId": "ffffffffceb0b1db0000018e937c815b",
        "event": "sms:received",
        "id": uuid.uuid4().hex[:21],
        "payload": {
            "messageId": "abc123",
            "message": message,
            "phoneNumber": sender,
            "simNumber": 1,
            "receivedAt": "2024-06-22T15:46:11.000+07:00",
        },
        "webhookId": "gardenhub",
    }
    body = json.dumps(event).encode()
    stamp = str(int(time.time()) if stamp is None else stamp)
    signature = hmac.new(secret.encode(), body + stamp.encode(), hashlib.sha256)
    headers = {"X-Timestamp": stamp}
    if sign:
        headers["X-Signature"] = signature.hexdigest()
    return client.post(
        "/sms/gateway", data=body, headers=headers, content_type="application/json"
    )


def test_twilio_stop_and_start_change_consent(client, twilio, texter, make_workday):
    guest = texter()
    shared = texter("Sam", MOBILE)  # one phone, shared
    shift = make_workday(days=5).shifts[0]
    sign_up(shift, guest)  # queued, not sent yet
    answer = twilio_post(client, MOBILE_E164, " Stop. ")
    assert answer.status_code == 200
    assert answer.get_data(as_text=True) == (
        '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
    )
    assert not fresh(guest).texts_on and not fresh(shared).texts_on
    assert fresh(guest).sms_opted_out_at is not None
    assert [m.status for m in outbox("sms")] == ["cancelled"]  # never sent
    assert deliver()["sent"] == 0 and twilio.requests == []
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("user.sms_stop") == 2
    assert twilio_post(client, MOBILE_E164, "START").status_code == 200
    guest = fresh(guest)
    assert guest.texts_on and guest.sms_consent_source == "reply"


@pytest.mark.parametrize(
    "word", ["STOPALL", "unsubscribe", "Cancel", "END", "quit", "Arrêt", "BAJA", "alto"]
)
def test_the_usual_stop_words(client, twilio, texter, word):
    guest = texter()
    twilio_post(client, MOBILE_E164, word)
    assert not fresh(guest).texts_on


def test_a_sentence_is_not_a_keyword(client, twilio, texter):
    guest = texter()
    twilio_post(client, MOBILE_E164, "cancel my shift tomorrow please")
    assert fresh(guest).texts_on
    assert sms.keyword("yes") == "start" and sms.keyword("UNSTOP") == "start"
    assert sms.keyword("stop it") is None


@pytest.mark.parametrize("signature", ["", "bm90IHRoZSByaWdodCBvbmU=", "forged"])
def test_twilio_webhook_refuses_bad_signatures_and_changes_nothing(
    client, twilio, texter, signature
):
    guest = texter()
    answer = twilio_post(client, MOBILE_E164, "STOP", signature=signature)
    assert answer.status_code == 403
    assert fresh(guest).texts_on
    assert (
        db.session.scalars(select(AuditEvent.action)).all().count("user.sms_stop") == 0
    )


def test_twilio_webhook_refuses_a_signature_for_other_content(client, twilio, texter):
    guest = texter()
    good = RequestValidator(TOKEN).compute_signature(
        "https://gardenhub.test/sms/twilio",
        {"From": "+491709999999", "Body": "hello"},
    )
    assert twilio_post(client, MOBILE_E164, "STOP", signature=good).status_code == 403
    assert fresh(guest).texts_on


def test_gateway_stop_start_and_its_answer(client, gateway, texter):
    guest = texter()
    answer = gateway_post(client, "01701234567", "STOP")  # as the phone saw it
    assert answer.status_code == 204
    assert not fresh(guest).texts_on
    (reply,) = outbox("sms")
    assert reply.to_address == MOBILE_E164 and reply.status == "queued"
    assert reply.body_text == (
        "GardenHub: You will get no more texts from us. Reply START to get them again."
    )
    gateway_post(client, MOBILE_E164, "stop")
    assert len(outbox("sms")) == 1  # one answer a day, never a loop
    assert gateway_post(client, MOBILE_E164, "Start").status_code == 204
    assert fresh(guest).texts_on


@pytest.mark.parametrize(
    "bad",
    [
        {"sign": False},
        {"secret": "not-the-key"},
        {"stamp": int(time.time()) - 3600},  # replayed an hour later
        {"stamp": int(time.time()) + 3600},
        {"stamp": "soon"},
    ],
)
def test_gateway_webhook_refuses_unsigned_old_or_forged_requests(
    client, gateway, texter, bad
):
    guest = texter()
    answer = gateway_post(client, MOBILE_E164, "STOP", **bad)
    assert answer.status_code == 403
    assert fresh(guest).texts_on and outbox() == []


def test_webhooks_refuse_everything_while_no_secret_is_set(client, texter):
    guest = texter()
    assert twilio_post(client, MOBILE_E164, "STOP").status_code == 403
    assert gateway_post(client, MOBILE_E164, "STOP").status_code == 403
    assert fresh(guest).texts_on


def test_a_stop_from_an_unknown_number_reveals_nothing(client, twilio, gateway, texter):
    texter()
    for post in (twilio_post, gateway_post):
        known = post(client, MOBILE_E164, "STOP")
        unknown = post(client, "+491719876543", "STOP")
        assert (
            known.status_code,
            known.get_data(),
            known.headers.get("Content-Type"),
        ) == (
            unknown.status_code,
            unknown.get_data(),
            unknown.headers.get("Content-Type"),
        )
        assert "Set-Cookie" not in unknown.headers


# --- the "done means", for texts ------------------------------------------


def test_a_walk_in_guest_with_only_a_phone_is_reminded_and_told_of_a_move(
    client, auth, coordinator, make_project, make_workday, texter, gateway
):
    guest = texter("Wim")
    workday = make_workday(project=make_project(coordinators=[coordinator]), days=1)
    shift = workday.shifts[0]
    signups.sign_up(shift, guest, now=daytime(), added_by=coordinator)
    db.session.commit()
    reminders.send_due(now=shift.starts_at - timedelta(hours=20))
    db.session.commit()
    auth.login(coordinator)
    local = workday.starts_at.astimezone(ZoneInfo("Europe/Berlin"))
    client.post(
        f"/workdays/{workday.id}/edit",
        data={
            "title": workday.title,
            "public_title": workday.public_title,
            "garden_id": workday.garden_id,
            "day": f"{local:%Y-%m-%d}",
            "start": f"{local + timedelta(hours=1):%H:%M}",
            "end": f"{local + timedelta(hours=4):%H:%M}",
            "scope": "this",
        },
    )
    far_ahead = utcnow() + timedelta(days=1)  # past anyone's quiet hours
    deliver(far_ahead)
    sent = [json.loads(r["body"])["textMessage"]["text"] for r in gateway.requests]
    assert [m.kind for m in outbox("sms")] == [
        "signup_confirmed",
        "reminder",
        "workday_changed",
    ]
    assert len(sent) == 3 and all(s.startswith("GardenHub: ") for s in sent)
    assert "Reply STOP to stop." in sent[0]
    assert outbox("email") == []  # nothing held for nobody to read


# --- settings and the migration ---------------------------------------------------


def test_an_sms_backend_needs_its_settings(tmp_path):
    base = {
        "TESTING": True,
        "SECRET_KEY": "x",
        "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
    }
    with pytest.raises(ConfigError, match="not known"):
        create_app({**base, "SMS_BACKEND": "pigeon"})
    with pytest.raises(ConfigError, match="GARDENHUB_SMS_TWILIO_AUTH_TOKEN"):
        create_app(
            {
                **base,
                "SMS_BACKEND": "twilio",
                "SMS_TWILIO_ACCOUNT_SID": SID,
                "SMS_TWILIO_FROM": "+4915100000000",
            }
        )


def test_the_migration_normalises_what_parses_and_keeps_the_rest(app):
    from flask_migrate import downgrade, upgrade

    db.drop_all()
    upgrade(revision="0012")
    typed = ["0170 1234567", "+49 (30) 123-4567", "ask at the gate", "0170 123"]
    with db.engine.begin() as connection:
        for n, phone in enumerate(typed):
            connection.execute(
                text(
                    'insert into "user" (email, display_name, role, is_active, '
                    "is_guest, shows_name, session_token, created_at, phone) "
                    "values (:email, 'P', 'volunteer', true, false, false, "
                    ":token, '2026-01-01 10:00:00', :phone)"
                ),
                {"email": f"p{n}@example.org", "token": f"t{n}", "phone": phone},
            )
    upgrade(revision="0013")
    with db.engine.connect() as connection:
        phones_now = (
            connection.execute(text('select phone from "user" order by email'))
            .scalars()
            .all()
        )
        channels = connection.execute(text("select channel from notification")).all()
    assert phones_now == [
        "+491701234567",
        "+49301234567",
        "ask at the gate",
        "0170 123",
    ]
    assert channels == []
    downgrade(revision="base")


def test_a_text_asked_for_at_a_number_goes_there_unless_it_said_stop(
    client, twilio, make_workday, texter
):
    from gardenhub.notifications import services as notifications

    guest = texter(agreed=False)  # no standing consent to texts
    signup = sign_up(make_workday().shifts[0], guest)
    notifications.queue(
        guest, "signup_confirmed", signup=signup, now=daytime(), text_to=MOBILE_E164
    )
    db.session.commit()
    assert [(m.channel, m.status) for m in outbox()][-1] == ("sms", "queued")
    twilio_post(client, MOBILE_E164, "STOP")
    notifications.queue(
        fresh(guest),
        "signup_confirmed",
        signup=signup,
        now=daytime(),
        text_to=MOBILE_E164,
    )
    db.session.commit()
    assert [(m.channel, m.status) for m in outbox()][-1] == ("email", "held")
