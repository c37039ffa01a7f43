"""Vietnamese text keys shared by search, matching and handlers (one folding function)."""

from __future__ import annotations

import re
import unicodedata

_STROKE_D = str.maketrans({"đ": "d", "Đ": "D"})
_WORD = re.compile(r"[a-z0-9]+")
# Roman numerals as congresses are numbered: "Đại hội XIV" and "Đại hội 14" are the same.
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7",
          "viii": "8", "ix": "9", "x": "10", "xi": "11", "xii": "12", "xiii": "13",
          "xiv": "14", "xv": "15", "xvi": "16", "xvii": "17", "xviii": "18", "xix": "19",
          "xx": "20"}


def _slow_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_STROKE_D))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def _fold_table() -> dict[int, str | None]:
    """One C-speed translate() instead of NFD plus a Python loop over every character."""
    table: dict[int, str | None] = {}
    for start, end in ((0x00C0, 0x0250), (0x1E00, 0x1F00)):  # Latin-1 … Extended Additional
        for code in range(start, end):
            folded = _slow_fold(chr(code))
            if folded != chr(code):
                table[code] = folded
    table.update({code: None for code in range(0x0300, 0x0370)})  # combining marks (NFD input)
    table.update({ord("đ"): "d", ord("Đ"): "D"})  # no Unicode decomposition: mapped by hand
    return table


_FOLD_TABLE = _fold_table()


def fold(text: str) -> str:
    """Search key: no diacritics, đ→d, case-folded, single spaces ("Đại hội" → "dai hoi")."""
    return " ".join(text.translate(_FOLD_TABLE).casefold().split())


def match_code(given: str, names: dict[str, str]) -> str | None:
    """The code whose code or printed name staff typed ("tiep_thu", "Tiếp thu", "tiếp thu",
    "chờ duyệt", "cho duyet"); None if none matches."""
    key = fold(given.replace("_", " "))
    for code, name in names.items():
        if key and key in (fold(str(code).replace("_", " ")), fold(name)):
            return str(code)
    return None


def words(text: str) -> list[str]:
    """Folded words with Roman numerals as digits: "Đại hội XIV" → ["dai", "hoi", "14"]."""
    return [_ROMAN.get(word, word) for word in _WORD.findall(fold(text))]


_VIETNAMESE_MARKS = str.maketrans(",.", ".,")


def format_number(value: float, decimals: int = 0) -> str:
    """A number as Vietnamese write it: "." between thousands, "," before the decimals
    (12345 → "12.345", 87.5 with decimals=1 → "87,5")."""
    text = (f"{value:,}" if decimals == 0 and isinstance(value, int)
            else f"{value:,.{decimals}f}")
    return text.translate(_VIETNAMESE_MARKS)


def shorten(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut at a word boundary with "…" (never mid-word)."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 1)]
    if " " in cut and not text[len(cut)].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.–-") + "…"
