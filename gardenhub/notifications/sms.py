"""Text messages: the backends that send them, their wording rules, and replies.

Two backends speak real APIs (README, *Text messages*):

- `TwilioBackend`: Twilio's Programmable Messaging through the official
  `twilio` client (`Messages.create`: POST /2010-04-01/Accounts/{Sid}/Messages.json);
- `GatewayBackend`: an Android phone running the open-source "SMS Gateway for
  Android" app (capcom6/android-sms-gateway), local server mode: POST
  {GARDENHUB_SMS_GATEWAY_URL}/message with Basic auth and
  {"textMessage": {"text": …}, "phoneNumbers": ["+49…"]}.

A backend's `send()` returns the provider's id for the message, or raises
`Refused` (it will never go: wrong credentials, a number the provider
refuses) or `Later` (try again: 429, 5xx, a timeout, the network), which the
outbox worker turns into "failed" or a retry (`delivery.deliver`).

Replies (STOP, START, HELP) come in through the webhooks in `sms_views`;
`receive()` cancels texts not yet sent to a number that said STOP, and tells
the listeners (`on_reply`: the accounts domain keeps consent) without this
leaf importing any domain.
"""

import base64
import json
import logging
import re
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from flask import current_app
from sqlalchemy import update

from gardenhub.extensions import db
from gardenhub.i18n import _
from gardenhub.notifications.models import Channel, Notification, OutboxStatus

log = logging.getLogger(__name__)

# Every text starts with who it is from: the brand, never a group's name.
SENDER = "GardenHub"
SEGMENT = 160  # characters of one GSM-7 text


class SmsError(Exception):
    """A text could not be handed to the provider."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Refused(SmsError):
    """It will not go however often we try (bad credentials, a refused number)."""


class Later(SmsError):
    """Try again: after `retry_after` when the provider said so, else back off."""

    def __init__(self, reason: str, retry_after: timedelta | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


def retry_after(value: str | None, now: datetime | None = None) -> timedelta | None:
    """A Retry-After header (seconds, or an HTTP date) as a delay, at most a day."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        delay = timedelta(seconds=int(value))
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        delay = when - (now or datetime.now(UTC))
    return max(timedelta(0), min(delay, timedelta(days=1)))


def _timeout() -> float:
    return float(current_app.config.get("SMS_TIMEOUT_SECONDS") or 10)


# --- Twilio ----------------------------------------------------------------


def _twilio_http_client():
    """Twilio's own HTTP client, remembering the last response's headers (a
    429's Retry-After) and logging nothing of a message (its number and text
    would otherwise reach the logs at INFO)."""
    from twilio.http.http_client import TwilioHttpClient

    quiet = logging.getLogger("gardenhub.notifications.twilio_http")
    quiet.setLevel(logging.WARNING)

    class HttpClient(TwilioHttpClient):
        last_headers: dict = {}

        def request(self, *args, **kwargs):
            self.last_headers = {}
            response = super().request(*args, **kwargs)
            self.last_headers = dict(response.headers or {})
            return response

    return HttpClient(timeout=_timeout(), logger=quiet)


class TwilioBackend:
    name = "twilio"

    def __init__(self, config):
        from twilio.rest import Client

        self.http = _twilio_http_client()
        self.client = Client(
            str(config["SMS_TWILIO_ACCOUNT_SID"]),
            str(config["SMS_TWILIO_AUTH_TOKEN"]),
            http_client=self.http,
        )
        # The REST domain's address (the client's own attribute): a regional
        # address, or the test suite's local server.
        self.client.api.base_url = str(config["SMS_TWILIO_API_URL"]).rstrip("/")
        self.sender = str(config["SMS_TWILIO_FROM"])

    def send(self, to: str, body: str, *, reference: str) -> str:
        import requests
        from twilio.base.exceptions import TwilioException, TwilioRestException

        sender = (
            {"messaging_service_sid": self.sender}
            if self.sender.startswith("MG")
            else {"from_": self.sender}
        )
        try:
            message = self.client.messages.create(to=to, body=body, **sender)
        except TwilioRestException as error:
            raise _twilio_error(error, self.http.last_headers) from None
        except requests.RequestException as error:
            raise Later(f"Twilio: {type(error).__name__}") from None
        except TwilioException as error:
            raise Later(f"Twilio: {error}"[:300]) from None
        return str(message.sid)


def _twilio_error(error, headers: dict) -> SmsError:
    status = int(error.status or 0)
    detail = f"Twilio {status}"
    if error.code:
        detail += f" (code {error.code})"
    if status == 401:
        return Refused(
            _(
                "%(detail)s: the account SID or auth token is not right. Check "
                "GARDENHUB_SMS_TWILIO_ACCOUNT_SID and GARDENHUB_SMS_TWILIO_AUTH_TOKEN.",
                detail=detail,
            )
        )
    if status == 429:
        wait = retry_after(_header(headers, "Retry-After"))
        return Later(_("%(detail)s: too many messages at once.", detail=detail), wait)
    if status >= 500:
        return Later(_("%(detail)s: Twilio had a problem.", detail=detail))
    message = str(getattr(error, "msg", "") or "")[:200]
    return Refused(f"{detail}: {message}")


def _header(headers: dict, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value
    return None


# --- SMS Gateway for Android -------------------------------------------------


class GatewayBackend:
    name = "gateway"

    def __init__(self, config):
        self.url = str(config["SMS_GATEWAY_URL"]).rstrip("/") + "/message"
        login = f"{config['SMS_GATEWAY_USERNAME']}:{config['SMS_GATEWAY_PASSWORD']}"
        self.auth = "Basic " + base64.b64encode(login.encode()).decode("ascii")

    def send(self, to: str, body: str, *, reference: str) -> str:
        if not self.url.startswith(("http://", "https://")):
            raise Refused(_("GARDENHUB_SMS_GATEWAY_URL must start with http(s)://."))
        payload = {
            # The app's optional message id ("for idempotency", its docs
            # say): the outbox row's, so the phone's log matches the outbox.
            "id": reference,
            "textMessage": {"text": body},
            "phoneNumbers": [to],
        }
        request = urllib.request.Request(  # noqa: S310 (the configured http(s) URL)
            self.url,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={
                "Authorization": self.auth,
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=_timeout()) as answer:  # noqa: S310
                data = json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise _gateway_error(error) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise Later(f"gateway: {type(reason).__name__}") from None
        except ValueError:
            return reference  # accepted, with an answer we cannot read
        return str(data.get("id") or reference)


def _gateway_error(error: urllib.error.HTTPError) -> SmsError:
    status = error.code
    if status in (401, 403):
        return Refused(
            _(
                "Gateway %(status)s: the username or password is not right. Check "
                "GARDENHUB_SMS_GATEWAY_USERNAME and GARDENHUB_SMS_GATEWAY_PASSWORD "
                "against the app's Local Server screen.",
                status=status,
            )
        )
    if status == 429:
        wait = retry_after(error.headers.get("Retry-After") if error.headers else None)
        return Later(_("Gateway 429: too many messages at once."), wait)
    if status >= 500:
        return Later(_("Gateway %(status)s: the phone had a problem.", status=status))
    try:
        detail = json.loads(error.read() or b"{}").get("message", "")
    except (ValueError, AttributeError):
        detail = ""
    return Refused(f"Gateway {status}: {detail}"[:300])


# --- choosing a backend ------------------------------------------------------


BACKENDS = {"twilio": TwilioBackend, "gateway": GatewayBackend}


def configured() -> bool:
    """A backend is chosen (the start-up check saw it has its settings)."""
    return current_app.config.get("SMS_BACKEND") in BACKENDS


def backend():
    return BACKENDS[current_app.config["SMS_BACKEND"]](current_app.config)


def send(row: Notification, using) -> str:
    """Hand one outbox row to the provider; returns its id for the message."""
    return using.send(row.to_address, row.body_text, reference=f"gardenhub-{row.id}")


# --- wording -----------------------------------------------------------------

# The GSM 03.38 basic alphabet: one text holds 160 of these (70 otherwise).
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€")  # two characters each
_PLAIN = {
    "‘": "'",
    "’": "'",
    "‚": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "«": '"',
    "»": '"',
    "–": "-",
    "—": "-",
    "…": "...",
    "\u00a0": " ",
    "\u202f": " ",
    "·": "-",
}


def gsm7(text: str) -> str:
    """`text` in the GSM alphabet where a close letter exists (curly quotes,
    dashes, "á" → "a"), so a Spanish text is not cut to 70-character parts.
    Characters without one (emoji in a name) stay."""
    out = []
    for char in text:
        char = _PLAIN.get(char, char)
        if all(c in GSM7 or c in GSM7_EXTENDED for c in char):
            out.append(char)
            continue
        base = unicodedata.normalize("NFD", char)[0]
        out.append(base if base in GSM7 else char)
    return "".join(out)


def segments(text: str) -> int:
    """How many texts the provider bills for `text` (GSM-7: 160, or 153 per
    part; otherwise UCS-2: 70, or 67 per part)."""
    if all(c in GSM7 or c in GSM7_EXTENDED for c in text):
        length = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
        return 1 if length <= 160 else -(-length // 153)
    length = sum(2 if ord(c) > 0xFFFF else 1 for c in text)
    return 1 if length <= 70 else -(-length // 67)


_SPACES = re.compile(r"\s+")


def one_text(text: str) -> str:
    """A rendered SMS template as one line: spaces collapsed, GSM letters, and
    a sentence ending in a cut name ("Hauptstraße....") with three dots."""
    return re.sub(r"\.{4,}", "...", gsm7(_SPACES.sub(" ", text).strip()))


def short(text: str | None, limit: int = 28) -> str:
    """A name cut to fit a text, at a word where one is near ("Members'
    workday at the..."): three dots, which every phone shows in one text."""
    text = _SPACES.sub(" ", text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 3]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:-") + "..."


# --- replies -----------------------------------------------------------------

STOP_WORDS = {
    "STOP",
    "STOPP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "ARRET",
    "BAJA",
    "ALTO",
}
START_WORDS = {"START", "UNSTOP", "YES"}
HELP_WORDS = {"HELP", "INFO", "AYUDA", "HILFE"}


def keyword(text: str | None) -> str | None:
    """ "stop", "start" or "help" when the whole reply is one of the words
    carriers know (any case, accents and trailing punctuation ignored: "Stop.",
    "Arrêt"); None for anything else ("cancel my shift" changes nothing)."""
    word = unicodedata.normalize("NFD", (text or "").strip())
    word = "".join(c for c in word if not unicodedata.combining(c))
    word = word.strip(" .!?¡¿\"'").upper()
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    if word in HELP_WORDS:
        return "help"
    return None


@dataclass(frozen=True)
class Reply:
    number: str  # E.164
    action: str  # "stop", "start" or "help"


Listener = Callable[[Reply, datetime], None]
_listeners: list[Listener] = []


def on_reply(listener: Listener) -> Listener:
    """Register `listener(reply, now)`, called for every STOP/START/HELP in the
    webhook's transaction (the accounts domain turns consent off and on)."""
    _listeners.append(listener)
    return listener


def receive(number: str, text: str, *, now: datetime) -> Reply | None:
    """A text came back from `number` (E.164). STOP cancels every text to that
    number still waiting in the outbox; listeners record the choice. The same
    happens whether or not anybody has the number, and the webhook's answer
    does not depend on it."""
    action = keyword(text)
    if action is None:
        return None
    reply = Reply(number=number, action=action)
    if action == "stop":
        db.session.execute(
            update(Notification)
            .where(
                Notification.channel == Channel.sms,
                Notification.to_address == number,
                Notification.status.in_((OutboxStatus.queued, OutboxStatus.held)),
            )
            .values(status=OutboxStatus.cancelled)
        )
    for listener in _listeners:
        listener(reply, now)
    return reply
