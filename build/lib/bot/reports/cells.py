"""What may go into a cell of a file that leaves Loa Số (CSV, XLSX, DOCX).

Residents type comments, names and meeting notes; staff open the exports in Excel or
LibreOffice. A value that starts with a formula trigger would run as a formula there
(CWE-1236), so every text value passes through `neutralise` first: a line that starts with
= + - @ tab, CR or NUL — also after leading spaces, NBSP or zero-width characters, and on
any line of a multi-line value, because spreadsheet importers split cells on line breaks —
gets a single quote in front of it. The quote is the OWASP-recommended escape; it also
keeps "+84…" phone numbers and "-1" as text instead of numbers.
"""

from __future__ import annotations

import re
import unicodedata

TRIGGERS = "=+-@\t\r\0"

# Characters a spreadsheet skips before deciding that a cell is a formula: horizontal
# whitespace (NBSP included) and the invisible format characters people paste from phones.
_PADDING = r"(?:[^\S\r\n]|[\u200b-\u200d\u2060\ufeff])"

# Zero-width match at the start of the value or of any line (after CR, LF or CRLF) that is
# followed by a trigger: directly for tab/CR/NUL, after padding for = + - @ NUL.
_DANGER = re.compile(rf"(?:^|(?<=[\r\n]))(?=[\t\r\0]|{_PADDING}*[=+\-@\0])")

# First characters that can make a value dangerous without any line break in it.
_SUSPECT_FIRST = frozenset(TRIGGERS) | frozenset(
    chr(code) for code in range(0x3001)  # the last Unicode space is U+3000
    if chr(code).isspace() or 0x200B <= code <= 0x200D or code == 0x2060) | {"\ufeff"}

# XML 1.0 (DOCX, XLSX) cannot carry these at all.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

QUOTE = "'"


def neutralise(value: str) -> str:
    """The value with a single quote before every line that a spreadsheet would evaluate."""
    if not value:
        return value
    # Fast path: almost every cell is plain text on one line.
    if value[0] not in _SUSPECT_FIRST and "\n" not in value and "\r" not in value:
        return value
    return _DANGER.sub(QUOTE, value)


def cell_text(value: str | None) -> str:
    """Any text bound for a file: NFC (so Excel's search finds what a phone typed
    decomposed) and neutralised. One function because exports call it for every cell."""
    if not value:
        return ""
    if not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    if value[0] not in _SUSPECT_FIRST and "\n" not in value and "\r" not in value:
        return value
    return _DANGER.sub(QUOTE, value)


def is_dangerous(value: str) -> bool:
    return bool(value) and _DANGER.search(value) is not None


def xml_text(value: str) -> str:
    """Neutralised, and with characters XML forbids shown as U+FFFD (python-docx refuses them)."""
    return _XML_ILLEGAL.sub("\ufffd", neutralise(value))


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
