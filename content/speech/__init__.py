"""Text normalised for reading aloud: the loudspeaker script, text-to-speech, anything read out.

    >>> normalise_for_speech("Ngày 19/1/2026, Đại hội XIV khai mạc.").text
    'Ngày mười chín tháng Một năm hai nghìn không trăm hai mươi sáu, Đại hội mười bốn khai mạc.'

Dates, times, numbers (Vietnamese grouping and decimals), ordinals and Roman numerals in
the places they number things, percentages, ranges, units, telephone numbers, document
numbers and the pack's abbreviations become words; URLs, e-mail addresses, Markdown marks,
emoji and editors' placeholders are dropped. What it cannot read (a symbol, an abbreviation
missing from the table, a Roman numeral out of context) is kept as written and listed in
`warnings`, so the announcer can check it before going on air.

A leaf package: the standard library and its own data, plus PyYAML to read the pack's table.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from content.speech import patterns as p
from content.speech.markup import strip_markup
from content.speech.model import SpeechOptions, SpeechText, SpeechWarning
from content.speech.rules import Reader
from content.speech.table import FILE_NAME, SpeechTableError, load_abbreviations, parse_abbreviations

__all__ = [
    "FILE_NAME", "SpeechNormaliser", "SpeechOptions", "SpeechTableError", "SpeechText",
    "SpeechWarning", "load_abbreviations", "normalise_for_speech", "parse_abbreviations",
]

_CONTEXT_CHARS = 30


class SpeechNormaliser:
    """One abbreviation table and one set of options, compiled once, used for many texts."""

    def __init__(self, abbreviations: Mapping[str, str] | None = None,
                 options: SpeechOptions | None = None) -> None:
        self.reader = Reader(abbreviations or {}, options or SpeechOptions())

    def __call__(self, text: str) -> SpeechText:
        dropped: list[SpeechWarning] = []
        text = strip_markup(unicodedata.normalize("NFC", text),
                            lambda kind, token: dropped.append(SpeechWarning(kind, _shorten(token), "")))
        text = p.SENTENCE_START.sub(p.SENTENCE_MARK, text)
        text = _tidy(self.reader.apply(text))
        return SpeechText(text, tuple(_merge(dropped + _unknown(text))))


def normalise_for_speech(text: str, abbreviations: Mapping[str, str] | None = None, *,
                         options: SpeechOptions | None = None) -> SpeechText:
    """The spoken form of `text` and its warnings (for many texts, keep a SpeechNormaliser)."""
    key = (tuple(sorted((abbreviations or {}).items())), options or SpeechOptions())
    normaliser = _CACHE.get(key)
    if normaliser is None:
        if len(_CACHE) >= 8:
            _CACHE.clear()
        normaliser = _CACHE[key] = SpeechNormaliser(abbreviations, options)
    return normaliser(text)


_CACHE: dict[tuple[Any, ...], SpeechNormaliser] = {}


def _tidy(text: str) -> str:
    text = p.EMPTY_BRACKETS.sub("", text)
    text = p.SPACES.sub(" ", text)
    text = p.REPEATED_COMMA.sub(",", text)
    text = p.COMMA_BEFORE_STOP.sub("", text)
    text = p.COLON_BEFORE_STOP.sub("", text)
    text = p.SPACE_BEFORE_PUNCTUATION.sub("", text)
    text = p.SPACE_AFTER_OPENING.sub("", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = p.MARKED_START.sub(lambda match: match.group(1) + match.group(2).upper(), text)
    return p.BLANK_LINES.sub("\n\n", text.replace(p.SENTENCE_MARK, "")).strip()


def _shorten(token: str, limit: int = 80) -> str:
    return token if len(token) <= limit else token[:limit - 1].rstrip() + "…"


def _context(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - _CONTEXT_CHARS):end + _CONTEXT_CHARS].split())


def _unknown(text: str) -> list[SpeechWarning]:
    """Symbols left in the spoken text, and upper-case tokens that are not Vietnamese words."""
    found: list[tuple[int, SpeechWarning]] = []
    for match in p.UNKNOWN_SYMBOL.finditer(text):
        found.append((match.start(), SpeechWarning(
            "symbol", match.group(0), _context(text, match.start(), match.end()))))
    for match in p.ACRONYM.finditer(text):
        token = match.group(0)
        capitals = sum(char.isupper() for char in token)
        if capitals * 2 < len(token) or p.SYLLABLE.fullmatch(token.lower()):
            continue  # "TikTok", "CHÀO MỪNG": read as they are written
        kind = "roman" if p.ROMAN_ONLY.fullmatch(token) else "abbreviation"
        found.append((match.start(), SpeechWarning(
            kind, token, _context(text, match.start(), match.end()))))
    found.sort(key=lambda item: item[0])
    return [warning for _, warning in found]


def _merge(warnings: list[SpeechWarning]) -> list[SpeechWarning]:
    """One warning per token, in the order of first appearance, with its count."""
    merged: dict[tuple[str, str], SpeechWarning] = {}
    for warning in warnings:
        key = (warning.kind, warning.token)
        first = merged.get(key)
        merged[key] = warning if first is None else SpeechWarning(
            first.kind, first.token, first.context, first.count + 1)
    return list(merged.values())
