"""Stored answers for the read channels (GraphQL, the iCal feeds): built once per content version, kept with their
compressed twins, served to everyone who may see them.

Where: the "responses" cache (cms/settings/base.py), Redis when REDIS_URL is set (one copy shared by every
process) and a per-process memory cache otherwise. Keys always start with the content version
(cms/content_version.py), read from the database on every request, so a publish is seen by every process the
moment it commits, whatever an entry's expiry; the expiry (RESPONSE_CACHE_SECONDS) only bounds answers that change
with the clock (an expiry time passing before `publish_scheduled` runs, an event no longer upcoming).

Bounded: an entry larger than RESPONSE_CACHE_MAX_ENTRY_BYTES is not stored, and the memory cache holds at most
RESPONSE_CACHE_MAX_ENTRIES (Redis is bounded by its own `maxmemory`, with the entries' expiry).
"""

import gzip
import hashlib
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

from cms import compression
from cms.content_version import current as content_version

__all__ = ["Entry", "content_version", "entry_for", "get", "respond", "store"]


@dataclass
class Entry:
    """An answer as stored: the body, its gzip/brotli twins (compressed once, when stored) and its validators."""

    etag: str
    content_type: str
    body: bytes
    encoded: dict[str, bytes] = field(default_factory=dict)
    last_modified: int | None = None
    checked_at: float = field(default_factory=time.time)  # when its validators were last found unchanged

    @property
    def size(self) -> int:
        return len(self.body) + sum(map(len, self.encoded.values()))


def cache():
    return caches["responses"]


def digest(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def entry_for(body: bytes, *, etag: str, content_type: str, last_modified: int | None = None) -> Entry:
    encoded = {}
    if len(body) >= compression.MIN_LENGTH:
        # mtime=0: the same body gives the same bytes in every process.
        encoded["gzip"] = gzip.compress(body, compresslevel=6, mtime=0)
        if compression.brotli is not None:
            encoded["br"] = compression.brotli.compress(body, quality=compression.BROTLI_QUALITY)
    encoded = {name: data for name, data in encoded.items() if len(data) < len(body)}
    return Entry(etag=etag, content_type=content_type, body=body, encoded=encoded, last_modified=last_modified)


def get(key: str) -> Entry | None:
    entry = cache().get(key)
    return entry if isinstance(entry, Entry) else None


def store(key: str, entry: Entry, seconds: int | None = None) -> bool:
    """Keep `entry` for `seconds` (default RESPONSE_CACHE_SECONDS), unless it is over the size bound."""
    if entry.size > settings.RESPONSE_CACHE_MAX_ENTRY_BYTES:
        return False
    cache().set(key, entry, settings.RESPONSE_CACHE_SECONDS if seconds is None else seconds)
    return True


def respond(request, entry: Entry, *, status: int = 200, head: bool = False) -> HttpResponse:
    """The entry as a response, in the encoding the client prefers among those stored (never recompressed)."""
    encoding = compression.preferred(request, entry.encoded)
    body = entry.encoded[encoding] if encoding else entry.body
    response = HttpResponse(b"" if head else body, status=status, content_type=entry.content_type)
    if encoding:
        response["Content-Encoding"] = encoding
    response["Content-Length"] = str(len(body))
    patch_vary_headers(response, ["Accept-Encoding"])
    return response
