"""Built feed bytes, kept per process and keyed by everything they depend on.

Calendar apps poll for years; serializing a few hundred events is the expensive
part, so a poll that finds nothing changed reuses the bytes and their ETag.
"""

import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Built:
    body: bytes
    etag: str
    last_modified: datetime | None = None
    # The same bytes gzip-compressed once per build (mtime 0, so they are
    # stable), for the calendar apps that ask for it.
    gzipped: bytes = b""


class FeedCache:
    def __init__(self, max_entries: int = 256):
        self._entries: OrderedDict[str, Built] = OrderedDict()
        self._checked: dict[tuple, tuple[float, Built]] = {}
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def recent(self, identity: tuple, seconds: float) -> Built | None:
        """What this feed was at most `seconds` ago, without asking the database.

        Calendar apps are told to come back in minutes (max-age), so a few seconds
        of delay is invisible to them and spares the database most polls.
        """
        if seconds <= 0:
            return None
        with self._lock:
            checked = self._checked.get(identity)
        if checked and time.monotonic() - checked[0] < seconds:
            return checked[1]
        return None

    def remember(self, identity: tuple, built: Built) -> None:
        with self._lock:
            self._checked[identity] = (time.monotonic(), built)
            if len(self._checked) > self.max_entries:
                self._checked.pop(next(iter(self._checked)))

    def get_or_build(self, key: str, build) -> Built:
        """`build()` returns (bytes, last_modified); it runs only on a miss."""
        with self._lock:
            built = self._entries.get(key)
            if built is not None:
                self._entries.move_to_end(key)
                return built
        body, last_modified = build()
        built = Built(
            body=body,
            etag=hashlib.sha256(body).hexdigest()[:32],
            last_modified=last_modified,
            gzipped=gzip.compress(body, compresslevel=6, mtime=0),
        )
        with self._lock:
            self._entries[key] = built
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return built

    def current(
        self,
        identity: tuple,
        *,
        recheck_seconds: float,
        version: Callable[[], tuple],
        build: Callable[[], tuple[bytes, datetime | None]],
    ) -> Built:
        """This feed's bytes, ETag and Last-Modified, in one call.

        Within `recheck_seconds` of the last look, what this process saw then;
        otherwise `version()` (a cheap fingerprint of what the feed shows) picks
        the built bytes, and `build()` runs only for a version not built yet.
        """
        built = self.recent(identity, recheck_seconds)
        if built is None:
            built = self.get_or_build(fingerprint(identity, version()), build)
            self.remember(identity, built)
        return built

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._checked.clear()


def fingerprint(*parts) -> str:
    """A short, stable key for the data a feed depends on."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


feeds = FeedCache()
