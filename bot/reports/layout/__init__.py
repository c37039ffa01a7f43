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
from bot.reports.layout.writer import build, percent_text, write_docx

__all__ = ["LAYOUTS", "Block", "Cell", "DocumentSpec", "Heading", "Image", "Layout",
           "Letterhead", "Paragraph", "Percent", "Run", "Table", "build", "date_line",
           "letterhead", "number_line", "percent_text", "place_name", "write_docx"]
