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


def fold(text: str) -> str:
    """Search key: no diacritics, đ→d, case-folded, single spaces ("Đại hội" → "dai hoi").

    đ/Đ have no Unicode decomposition, so they are mapped by hand before NFD.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_STROKE_D))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.casefold().split())


def words(text: str) -> list[str]:
    """Folded words with Roman numerals as digits: "Đại hội XIV" → ["dai", "hoi", "14"]."""
    return [_ROMAN.get(word, word) for word in _WORD.findall(fold(text))]
