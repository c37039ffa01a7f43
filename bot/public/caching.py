"""Conditional answers for the public pages: ETag, Last-Modified, 304.

The ETag is a hash of the page as sent, so it changes exactly when what a reader would see
changes: a content reload that changes a text, a new day that shows a new article, staff
pinning a phase, a draft closing. Every process computes the same tag for the same page, so
a browser or proxy keeps its copy across processes behind a load balancer. Weak tags
(`W/"…"`), because a proxy that compresses the page changes its bytes but not its meaning.

Last-Modified is when this process first served the page's current version at that address
(kept for the last MEMORY addresses); a version that comes back (a pin set, then cleared) gets
a new time, so If-Modified-Since never answers 304 for a page that changed since the copy.
If-None-Match, when sent, decides alone (RFC 9110, 13.2.2).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict
from email.utils import format_datetime, parsedate_to_datetime
from threading import Lock

from fastapi import Request, Response

CACHE_CONTROL = "public, max-age=60"  # a minute old at most; then a cheap 304
MEMORY = 2048

_versions: OrderedDict[str, tuple[str, dt.datetime]] = OrderedDict()
_lock = Lock()


def etag_of(body: bytes) -> str:
    return f'W/"{hashlib.sha256(body).hexdigest()[:24]}"'


def _since(path: str, etag: str, now: dt.datetime) -> dt.datetime:
    with _lock:
        known = _versions.get(path)
        if known is None or known[0] != etag:
            known = (etag, now.replace(microsecond=0))
            _versions[path] = known
        _versions.move_to_end(path)
        while len(_versions) > MEMORY:
            _versions.popitem(last=False)
        return known[1]


def _matches(header: str, etag: str) -> bool:
    """Weak comparison against a list of tags (or "*")."""
    wanted = etag.removeprefix("W/")
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


def _unchanged_since(header: str, modified: dt.datetime) -> bool:
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False  # an unreadable date: answer in full
    if since is None or since.tzinfo is None:
        return False
    return modified <= since


def cached(request: Request, body: bytes, *, media_type: str, now: dt.datetime) -> Response:
    """The page with its validators, or 304 when the reader's copy is current."""
    etag = etag_of(body)
    modified = _since(request.url.path, etag, now.astimezone(dt.UTC))
    headers = {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True),
               "Cache-Control": CACHE_CONTROL}
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        fresh = _matches(if_none_match, etag)
    else:
        since = request.headers.get("if-modified-since")
        fresh = since is not None and _unchanged_since(since, modified)
    if fresh and request.method in ("GET", "HEAD"):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)
