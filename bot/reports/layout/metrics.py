"""How wide a line of text is in Times New Roman, so that columns can be sized to fit it.

python-docx cannot measure text, and Word and LibreOffice lay a table out from the widths
the file gives. A header line or a table heading that does not fit is wrapped ("ĐẢNG ỦY XÃ
NAM AN / PHỤ", "ST/T"), so the layout measures every line that must not wrap.

The widths are the advance widths of Liberation Serif 2 (SIL Open Font License), which was
made metric-compatible with Times New Roman: a line has the same width in Word with Times
New Roman and in LibreOffice with Liberation Serif. They are in font units (2048 to the em)
for the characters below; a Vietnamese letter is as wide as its base letter without the
tone and vowel marks, except the horned ơ and ư, which have their own entries (checked for
every Vietnamese letter of the font). To regenerate (needs fontTools and the font):
`python -m bot.reports.layout.metrics /usr/share/fonts/truetype/liberation2`.
"""

from __future__ import annotations

import sys
import unicodedata
from functools import lru_cache

UNITS_PER_EM = 2048
CM_PER_POINT = 2.54 / 72
CHARS = "".join(chr(code) for code in range(0x20, 0x7F)) + "ĐđƠơƯư“”‘’–—…›•°\u00a0"
STYLE_FILES = {"regular": "Regular", "bold": "Bold", "italic": "Italic",
               "bold_italic": "BoldItalic"}
HORN = "\u031b"

WIDTHS = {
    "regular": (
        512, 682, 836, 1024, 1024, 1706, 1593, 369, 682, 682, 1024, 1155, 512, 682, 512, 569,
        1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 569, 569, 1155, 1155, 1155,
        909, 1886, 1479, 1366, 1366, 1479, 1251, 1139, 1479, 1479, 682, 797, 1479, 1251, 1821,
        1479, 1479, 1139, 1479, 1366, 1139, 1251, 1479, 1479, 1933, 1479, 1479, 1251, 682, 569,
        682, 961, 1024, 682, 909, 1024, 909, 1024, 909, 682, 1024, 1024, 569, 569, 1024, 569,
        1593, 1024, 1024, 1024, 1024, 682, 797, 569, 1024, 1024, 1479, 1024, 1024, 909, 983,
        410, 983, 1108, 1479, 1024, 1479, 1083, 1589, 1110, 909, 909, 682, 682, 1024, 2048,
        2048, 682, 717, 819, 512
    ),
    "bold": (
        512, 682, 1137, 1024, 1024, 2048, 1706, 569, 682, 682, 1024, 1167, 512, 682, 512, 569,
        1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 682, 682, 1167, 1167, 1167,
        1024, 1905, 1479, 1366, 1479, 1479, 1366, 1251, 1593, 1593, 797, 1024, 1593, 1366, 1933,
        1479, 1593, 1251, 1593, 1479, 1139, 1366, 1479, 1479, 2048, 1479, 1479, 1366, 682, 569,
        682, 1190, 1024, 682, 1024, 1139, 909, 1139, 909, 682, 1024, 1139, 569, 682, 1139, 569,
        1706, 1139, 1024, 1139, 1139, 909, 797, 682, 1139, 1024, 1479, 1024, 1024, 909, 807,
        451, 807, 1065, 1479, 1139, 1593, 1134, 1630, 1229, 1024, 1024, 682, 682, 1024, 2048,
        2048, 682, 717, 819, 512
    ),
    "italic": (
        512, 682, 860, 1024, 1024, 1706, 1593, 438, 682, 682, 1024, 1382, 512, 682, 512, 569,
        1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 682, 682, 1382, 1382, 1382,
        1024, 1884, 1251, 1251, 1366, 1479, 1251, 1251, 1479, 1479, 682, 909, 1366, 1139, 1706,
        1366, 1479, 1251, 1479, 1251, 1024, 1139, 1479, 1251, 1706, 1251, 1139, 1139, 797, 569,
        797, 864, 1024, 682, 1024, 1024, 909, 1024, 909, 569, 1024, 1024, 569, 569, 909, 569,
        1479, 1024, 1024, 1024, 1024, 797, 797, 569, 1024, 909, 1366, 909, 909, 797, 819, 563,
        819, 1108, 1479, 1024, 1479, 1093, 1544, 1117, 1139, 1139, 682, 682, 1024, 1821, 1821,
        682, 717, 819, 512
    ),
    "bold_italic": (
        512, 797, 1137, 1024, 1024, 1706, 1593, 569, 682, 682, 1024, 1167, 512, 682, 512, 569,
        1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 682, 682, 1167, 1167, 1167,
        1024, 1704, 1366, 1366, 1366, 1479, 1366, 1366, 1479, 1593, 797, 1024, 1366, 1251, 1821,
        1479, 1479, 1251, 1479, 1366, 1139, 1251, 1479, 1366, 1821, 1366, 1251, 1251, 682, 569,
        682, 1167, 1024, 682, 1024, 1024, 909, 1024, 909, 682, 1024, 1139, 569, 569, 1024, 569,
        1593, 1139, 1024, 1024, 1024, 797, 797, 569, 1139, 909, 1366, 1024, 909, 797, 713, 451,
        713, 1167, 1479, 1024, 1479, 1099, 1587, 1227, 1024, 1024, 682, 682, 1024, 2048, 2048,
        682, 717, 819, 512
    ),
}

_TABLES = {style: dict(zip(CHARS, widths, strict=True)) for style, widths in WIDTHS.items()}
# A character the table does not know is taken as wide as "M", so a column is never too narrow.
_UNKNOWN = {style: table["M"] for style, table in _TABLES.items()}


@lru_cache(maxsize=4096)
def _base(char: str) -> str:
    """The table's entry for a letter: the letter without tone and vowel marks (horn kept)."""
    if char in _TABLES["regular"]:
        return char
    decomposed = unicodedata.normalize("NFD", char)
    base = decomposed[0]
    if HORN in decomposed:
        base = unicodedata.normalize("NFC", base + HORN)
    return base


def style_name(*, bold: bool = False, italic: bool = False) -> str:
    if italic:
        return "bold_italic" if bold else "italic"
    return "bold" if bold else "regular"


def text_width_cm(text: str, size_pt: float, *, bold: bool = False,
                  italic: bool = False) -> float:
    """The width of one line of `text` set at `size_pt`, in centimetres."""
    style = style_name(bold=bold, italic=italic)
    table, unknown = _TABLES[style], _UNKNOWN[style]
    units = sum(table.get(_base(char), unknown) for char in text)
    return units / UNITS_PER_EM * size_pt * CM_PER_POINT


def longest_word_cm(text: str, size_pt: float, *, bold: bool = False,
                    italic: bool = False) -> float:
    """The narrowest a column can be before a word of `text` is broken."""
    return max((text_width_cm(word, size_pt, bold=bold, italic=italic)
                for word in text.split()), default=0.0)


def _regenerate(folder: str) -> None:  # pragma: no cover - a maintainer's tool
    import textwrap

    from fontTools.ttLib import TTFont

    for style, suffix in STYLE_FILES.items():
        font = TTFont(f"{folder}/LiberationSerif-{suffix}.ttf")
        cmap, metrics = font.getBestCmap(), font["hmtx"]
        widths = ", ".join(str(metrics[cmap[ord(char)]][0]) for char in CHARS)
        print(f'    "{style}": (\n{textwrap.indent(textwrap.fill(widths, 88), " " * 8)}\n    ),')


if __name__ == "__main__":  # pragma: no cover
    _regenerate(sys.argv[1])
