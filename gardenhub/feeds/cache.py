"""Built feed bytes, kept per process and keyed by everything they depend on.

Calendar apps poll for years; serializing a few hundred events is the expensive
part, so a poll that finds nothing changed reuses the bytes and their ETag.

Every entry is keyed by its language too: a feed's Spanish and English
versions are different representations and never share bytes or an ETag.
"""

import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property


class Bounded:
    """A thread-safe mapping that keeps at most `max_entries`, dropping the
    least recently used first: every in-process cache of the feeds is one."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def get_many(self, keys: list) -> list:
        """`get` for each key, under one lock (None where missing)."""
        found = []
        with self._lock:
            for key in keys:
                value = self._entries.get(key)
                if value is not None:
                    self._entries.move_to_end(key)
                found.append(value)
        return found

    def put(self, key, value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def pop(self, key) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


@dataclass(frozen=True)
class Built:
    body: bytes
    etag: str
    last_modified: datetime | None = None
    language: str = ""  # what the words in the bytes are written in

    @cached_property
    def gzipped(self) -> bytes:
        """The same bytes gzip-compressed, once per build (mtime 0, so they
        are stable), when a calendar app first asks for them."""
        return gzip.compress(self.body, compresslevel=6, mtime=0)


class FeedCache:
    """Feeds built from rows, by a fingerprint of their events
    (`max_entries`); per public feed, when it was last looked at, the version
    it had and its bytes (`max_entries`); and serialized events by what each
    depends on (`max_pieces`)."""

    def __init__(self, max_entries: int = 256, max_pieces: int = 5000):
        self._entries = Bounded(max_entries)
        self._checked = Bounded(max_entries)
        self.pieces = Bounded(max_pieces)

    def get_or_build(self, key: str, build, *, language: str) -> Built:
        """`build()` returns (bytes, ETag, last_modified); it runs only on a
        miss. The entry (and the ETag) belongs to `language` as well as to
        `key`."""
        key = fingerprint(key, language)
        built = self._entries.get(key)
        if built is not None:
            return built
        body, tag, last_modified = build()
        built = Built(
            body=body, etag=tag, last_modified=last_modified, language=language
        )
        self._entries.put(key, built)
        return built

    def current(
        self,
        identity: tuple,
        *,
        language: str,
        recheck_seconds: float,
        version: Callable[[], tuple],
        build: Callable[[tuple], tuple[bytes, str, datetime | None]],
    ) -> Built:
        """This feed's bytes, ETag and Last-Modified, in one call.

        Within `recheck_seconds` of the last look, what this process saw then
        (calendar apps are told to come back in minutes, so a few seconds of
        delay is invisible to them and spares the database most polls).
        Otherwise `version()` (a cheap description of what the feed shows)
        is compared with the version seen last time, and `build(version)`
        runs only when it differs. `language` is part of the feed's
        identity: each language is looked at, built and remembered on its
        own.
        """
        identity = (*identity, ("language", language))
        looked = self._checked.get(identity)
        if looked is not None and time.monotonic() - looked[0] < recheck_seconds:
            return looked[2]
        seen = version()
        if looked is not None and looked[1] == seen:
            built = looked[2]
        else:
            body, tag, last_modified = build(seen)
            built = Built(
                body=body, etag=tag, last_modified=last_modified, language=language
            )
        self._checked.put(identity, (time.monotonic(), seen, built))
        return built

    def clear(self) -> None:
        self._entries.clear()
        self._checked.clear()
        self.pieces.clear()


def etag(body: bytes, language: str) -> str:
    """A strong ETag for these bytes in this language: the same bytes in
    another language (a feed with no words of ours yet) still get their own."""
    return hashlib.sha256(f"{language}\x00".encode() + body).hexdigest()[:32]


def fingerprint(*parts) -> str:
    """A short, stable key for the data a feed depends on."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


feeds = FeedCache()
