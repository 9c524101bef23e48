"""Built feed bytes, kept per process and keyed by everything they depend on.

Calendar apps poll for years; serializing a few hundred events is the expensive
part, so a poll that finds nothing changed reuses the bytes and their ETag.
"""

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class Built:
    body: bytes
    etag: str


class FeedCache:
    def __init__(self, max_entries: int = 256):
        self._entries: OrderedDict[str, Built] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get_or_build(self, key: str, build) -> Built:
        with self._lock:
            built = self._entries.get(key)
            if built is not None:
                self._entries.move_to_end(key)
                return built
        body = build()
        built = Built(body=body, etag=hashlib.sha256(body).hexdigest()[:32])
        with self._lock:
            self._entries[key] = built
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return built

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def fingerprint(*parts) -> str:
    """A short, stable key for the data a feed depends on."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


feeds = FeedCache()
