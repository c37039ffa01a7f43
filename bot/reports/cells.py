"""What may go into a cell of a file that leaves Loa Số (CSV, XLSX, DOCX).

Residents type comments, names and meeting notes; staff open the exports in Excel or
LibreOffice. A value that starts with a formula trigger would run as a formula there
(CWE-1236), so every text value of a spreadsheet or CSV passes through `neutralise` first:
a line that starts with = + - @ tab, CR or NUL — also after leading spaces, NBSP or
zero-width characters or direction marks (U+200E, U+202E…, U+180E), and on any line of a
multi-line value, because spreadsheet importers split cells on line breaks (LF, CR, and
also VT, FF, NEL, U+2028, U+2029) — gets a single quote in front of it. The quote is the
OWASP-recommended escape; it also keeps "+84…" phone numbers and "-1" as text instead of
numbers. A Word document evaluates nothing, so its text (`docx_text`) keeps what the
resident wrote, quote-free.
"""

from __future__ import annotations

import re
import unicodedata

TRIGGERS = "=+-@\t\r\0"

# Everything an importer may take for a line break: CR, LF, and also VT, FF, the file/group/
# record separators, NEL, and the Unicode line and paragraph separators (U+2028, U+2029).
_BREAKS = "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_HAS_BREAK = re.compile(f"[{_BREAKS}]")

# Invisible format characters people paste from phones, or plant: zero-width ones, the
# direction marks and embeddings (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), the word
# joiner and invisible operators (U+2060-U+2064), the Mongolian vowel separator (U+180E,
# no longer a space to Unicode but still skipped by some importers) and the BOM.
_INVISIBLE = "\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"

# Characters a spreadsheet skips before deciding that a cell is a formula: horizontal
# whitespace (NBSP included) and the invisible characters above.
_PADDING = rf"(?:[^\S{_BREAKS}]|[{_INVISIBLE}])"

# Zero-width match at the start of the value or of any line (after any break above) that is
# followed by a trigger: directly for tab/CR/NUL, after padding for = + - @ NUL.
_DANGER = re.compile(rf"(?:^|(?<=[{_BREAKS}]))(?=[\t\r\0]|{_PADDING}*[=+\-@\0])")

# First characters that can make a value dangerous without any line break in it.
_SUSPECT_FIRST = frozenset(TRIGGERS) | frozenset(
    chr(code) for code in range(0x3001)  # the last Unicode space is U+3000
    if chr(code).isspace() or re.fullmatch(f"[{_INVISIBLE}]", chr(code))) | {"\ufeff"}

# XML 1.0 (DOCX, XLSX) cannot carry these at all.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

QUOTE = "'"


def neutralise(value: str) -> str:
    """The value with a single quote before every line that a spreadsheet would evaluate."""
    if not value:
        return value
    # Fast path: almost every cell is plain text on one line.
    if value[0] not in _SUSPECT_FIRST and not _HAS_BREAK.search(value):
        return value
    return _DANGER.sub(QUOTE, value)


def cell_text(value: str | None) -> str:
    """Any text bound for a file: NFC (so Excel's search finds what a phone typed
    decomposed) and neutralised. One function because exports call it for every cell."""
    if not value:
        return ""
    if not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    if value[0] not in _SUSPECT_FIRST and not _HAS_BREAK.search(value):
        return value
    return _DANGER.sub(QUOTE, value)


def is_dangerous(value: str) -> bool:
    return bool(value) and _DANGER.search(value) is not None


def spreadsheet_text(value: str) -> str:
    """Neutralised for a cell that xlsxwriter writes itself (headers, report sheets).

    xlsxwriter copies a string that starts with "<r>" and ends with "</r>" into the file as
    raw rich-text XML, so such a value could smuggle a formula element into the sheet; it
    gets the same leading quote as a formula trigger.
    """
    value = neutralise(value)
    if value.startswith("<r>") and value.endswith("</r>"):
        return QUOTE + value
    return value


def docx_text(value: str) -> str:
    """Text for a Word document: NFC, and characters XML forbids shown as U+FFFD.

    No formula escape: Word does not evaluate text, so a comment "=1+1" is printed as the
    resident wrote it. The leading quote belongs to spreadsheets and CSV only.
    """
    if not value:
        return ""
    if not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    return _XML_ILLEGAL.sub("\ufffd", value)
