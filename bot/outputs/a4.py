"""The page both printed outputs start from: an A4 Word document in Times New Roman, the
type Vietnamese administrative documents use, with even margins."""

from __future__ import annotations

from docx import Document
from docx.document import Document as DocxDocument
from docx.shared import Cm, Pt

FONT = "Times New Roman"


def a4_document(*, margin_cm: float, body_pt: int) -> DocxDocument:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(margin_cm))
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(body_pt)
    return document
