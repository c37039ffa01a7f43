"""A document for the Party committee or the People's Committee, as plain data.

A report builds a `DocumentSpec` (who issues it, its number, date, title and body blocks)
and hands it to `write_docx`; the layout rules live in the writer, the words in the report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Layout = Literal["party", "state"]
LAYOUTS: tuple[Layout, ...] = ("party", "state")
Align = Literal["left", "center", "right", "justify"]


@dataclass(frozen=True)
class Letterhead:
    """Every line that differs between communes: from settings, else from the content pack."""

    layout: Layout
    body: str  # the issuer: "Đảng ủy xã Nam An Phụ", "UBND xã Nam An Phụ"
    symbol: str  # the issuer in document numbers: "ĐU" (Số 12-BC/ĐU), "UBND" (Số: 12/BC-UBND)
    place: str  # the place of the date line: "Nam An Phụ"
    authority: str  # "T/M BAN THƯỜNG VỤ", "TM. ỦY BAN NHÂN DÂN"
    parent: str | None = None  # the body above the issuer: "Đảng bộ thành phố Hải Phòng"
    signer_title: str | None = None  # "PHÓ BÍ THƯ THƯỜNG TRỰC"; blank line when unset
    signer_name: str | None = None  # blank line (signed by hand) when unset
    recipients: tuple[str, ...] = ()  # "Nơi nhận", the last one customarily "Lưu: VPĐU"


@dataclass(frozen=True)
class Run:
    """A piece of a paragraph with its own emphasis."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Heading:
    """"I. SỐ LƯỢNG Ý KIẾN" (level 1), "1. Theo phần, mục" (level 2), "a) …" (level 3)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """Body text. The first line is indented as the rules ask unless `indent_cm` says
    otherwise (then the whole paragraph is indented by it, as for quoted comments)."""

    content: str | tuple[Run, ...]
    align: Align = "justify"
    italic: bool = False
    bold: bool = False
    indent_cm: float | None = None
    keep_with_next: bool = False


@dataclass(frozen=True)
class Percent:
    """A share shown as Vietnamese write it ("12,5%"); `fraction` is 0.125."""

    fraction: float


Cell = str | int | float | Percent


@dataclass(frozen=True)
class Image:
    """A picture (PNG or JPEG bytes), e.g. a chart; centred, with an optional caption."""

    data: bytes
    width_cm: float
    caption: str | None = None


@dataclass(frozen=True)
class Table:
    """A bordered table with a bold heading row. Its title, rows, total and chart are kept
    on one page when they fit on one. Numbers and percentages are right-aligned; the column
    widths are measured so that no heading and no number wraps."""

    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    title: str | None = None
    total: tuple[Cell, ...] | None = None
    chart: Image | None = None


Block = Heading | Paragraph | Table | Image


@dataclass(frozen=True)
class DocumentSpec:
    letterhead: Letterhead
    type_name: str  # "BÁO CÁO"
    type_code: str  # "BC", in the number
    subject: str  # the trích yếu under the type name
    day: dt.date
    number: str | None = None  # left blank for the office to fill in when it registers it
    blocks: tuple[Block, ...] = field(default_factory=tuple)
