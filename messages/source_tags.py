"""Poster source tags ("pano-truong-hoc"): what a QR code's link carries so the campaign
report can count residents who came from each poster, and nothing else about them.

Telegram's link is `?start=src-<tag>` (its start parameter allows letters, digits, "_" and
"-" only); the web chat's `/chat?src=<tag>` opens the conversation with `src:<tag>`.
"""

from __future__ import annotations

import re

SOURCE_TAG = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
_SOURCE_START = re.compile(r"src[-:](" + SOURCE_TAG.pattern + ")")


def source_tag(value: str | None) -> str | None:
    """`value` if it is a source tag, else None."""
    return value if value is not None and SOURCE_TAG.fullmatch(value) else None


def source_of_start(value: str | None) -> str | None:
    """The source tag of a `/start src-<tag>` (None for anything else)."""
    found = _SOURCE_START.fullmatch((value or "").strip())
    return found.group(1) if found else None
