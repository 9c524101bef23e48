"""Public feed polls answered before Flask runs.

Calendar apps poll every subscribed feed forever, mostly to hear "nothing
changed". A public feed's answer depends only on the request's address, query
string and Accept-Encoding (never on a session or a person), so once Flask has
answered one, the same request within the feed recheck interval
(FEED_RECHECK_SECONDS) gets the same answer replayed from memory: no request
context, session, user loader, rate limiter or database. The replay carries
every header the full answer had (the security headers included); only the
conditional part (304 or 200) is decided per request, by werkzeug, exactly as
Flask would.

A view opts in by calling `answer_here(response)` instead of making the
response conditional itself; nothing else is ever replayed.
"""

import time
from dataclasses import dataclass

from flask import request
from werkzeug.wrappers import Response

from gardenhub.feeds.cache import Bounded

ENVIRON_KEY = "gardenhub.poll"
# The parts of a request a public feed's answer can depend on.
KEY_PARTS = (
    "wsgi.url_scheme",
    "HTTP_HOST",
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "HTTP_ACCEPT_ENCODING",
)


@dataclass(frozen=True)
class Snapshot:
    taken: float  # time.monotonic()
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


def answer_here(response: Response) -> Response:
    """Mark a public feed's full 200 answer for the poll layer, which makes it
    conditional and may replay it. Outside the layer (no WSGI wrapper), made
    conditional here."""
    if ENVIRON_KEY in request.environ:
        request.environ[ENVIRON_KEY]["replayable"] = True
        return response
    return response.make_conditional(request)


class FeedPolls:
    """WSGI middleware: replays marked answers for `seconds`, at most
    `max_entries` of them (least recently used dropped first)."""

    def __init__(self, app, *, seconds: float, max_entries: int = 256):
        self.app = app
        self.seconds = seconds
        self._snapshots = Bounded(max_entries)

    @property
    def max_entries(self) -> int:
        return self._snapshots.max_entries

    @max_entries.setter
    def max_entries(self, value: int) -> None:
        self._snapshots.max_entries = value

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "GET":
            return self.app(environ, start_response)
        key = tuple(environ.get(part, "") for part in KEY_PARTS)
        snapshot = self._fresh(key)
        if snapshot is not None:
            return self._replay(snapshot, environ, start_response)
        marker: dict = {}
        environ[ENVIRON_KEY] = marker
        captured: list = []

        def start(status, headers, exc_info=None):
            if not (marker.get("replayable") and status.startswith("200")):
                return start_response(status, headers, exc_info)
            captured[:] = [status, headers]
            return _unused_write

        body = self.app(environ, start)
        if not captured:  # not a public feed: it went out as Flask made it
            return body
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        snapshot = Snapshot(time.monotonic(), captured[0], tuple(captured[1]), data)
        if self.seconds > 0:
            self._snapshots.put(key, snapshot)
        return self._replay(snapshot, environ, start_response)

    def _fresh(self, key: tuple) -> Snapshot | None:
        snapshot = self._snapshots.get(key)
        if snapshot is not None and time.monotonic() - snapshot.taken >= self.seconds:
            self._snapshots.pop(key)
            return None
        return snapshot

    @staticmethod
    def _replay(snapshot: Snapshot, environ, start_response):
        response = Response(
            snapshot.body, status=snapshot.status, headers=list(snapshot.headers)
        )
        return response.make_conditional(environ)(environ, start_response)

    def clear(self) -> None:
        self._snapshots.clear()


def _unused_write(data: bytes) -> None:
    raise RuntimeError("feed answers are returned, never written")
