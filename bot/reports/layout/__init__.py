"""One layout for the documents Loa Số writes for the Party committee (Hướng dẫn
36-HD/VPTW) and the People's Committee (Nghị định 30/2020/NĐ-CP).

A report describes its document as data and lets the layout write it:

    head = letterhead(settings, pack, "party")   # or "state"
    spec = DocumentSpec(head, type_name="Báo cáo", type_code="BC",
                        subject="Kết quả thực hiện Kế hoạch 04-KH/ĐU", day=today,
                        number=None, blocks=(Heading("I. …"), Paragraph("…"),
                                             Table(headers, rows, title=…, total=…), …))
    write_docx(path, spec)

The letterhead, title, page numbers, "Nơi nhận" and signature come from the spec; column
widths are measured (`metrics`) so no letterhead line, table heading or number wraps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.reports.layout.letterhead import date_line, letterhead, number_line, place_name
from bot.reports.layout.spec import (
    LAYOUTS,
    Block,
    Cell,
    DocumentSpec,
    Heading,
    Image,
    Layout,
    Letterhead,
    Paragraph,
    Percent,
    Run,
    Table,
)

if TYPE_CHECKING:
    from bot.reports.layout.writer import build, percent_text, write_docx

# The writer needs python-docx (15 MB of imports): it loads when a document is written, not
# with the layout's data types, which every `serve` imports.
_WRITER = {"build", "percent_text", "write_docx"}


def __getattr__(name: str) -> Any:
    if name in _WRITER:
        from bot.reports.layout import writer

        return getattr(writer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["LAYOUTS", "Block", "Cell", "DocumentSpec", "Heading", "Image", "Layout",
           "Letterhead", "Paragraph", "Percent", "Run", "Table", "build", "date_line",
           "letterhead", "number_line", "percent_text", "place_name", "write_docx"]
