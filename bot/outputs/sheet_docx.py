"""The hamlet sheet as a one-page A4 DOCX in large type (and a PDF through LibreOffice when
it is installed)."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from bot.outputs.a4 import FONT, a4_document
from bot.outputs.sheet import Sheet
from content.calendar import CalendarEntry

RED = RGBColor(0xC0, 0x00, 0x00)
TITLE = "BẢN TIN THÔN"
WEEK = "Tuần từ {monday:%d/%m} đến {sunday:%d/%m/%Y}"
NEWS = "TIN CHÍNH TRONG TUẦN"
NOTICES = "THÔNG BÁO"
EVENTS = "LỊCH SỰ KIỆN SẮP TỚI"
URGENT = "[KHẨN CẤP] "
TENTATIVE = " (dự kiến)"
PDF_TIMEOUT = 120


def event_line(entry: CalendarEntry) -> str:
    if not entry.dated:
        when = entry.when
    elif entry.end and entry.end != entry.start:
        when = f"{entry.start:%d/%m}–{entry.end:%d/%m/%Y}"
    else:
        when = f"{entry.start:%d/%m/%Y}"
    return f"{when}: {entry.event.name}" + (TENTATIVE if entry.tentative else "")


# A conservative estimate of the page (A4, 1.6 cm margins): a character is taken as 0.55 of
# the type size wide, a line as 1.25 of it high. Used to keep the sheet on one page.
PAGE_HEIGHT_CM, TEXT_WIDTH_CM = 29.7 - 3.2, 21 - 3.2
PT_CM = 2.54 / 72
QR_CM = 3.8


def _height(text: str, size: float, width_cm: float = TEXT_WIDTH_CM) -> float:
    per_line = max(1, int(width_cm / (size * PT_CM * 0.55)))
    lines = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
    return lines * size * PT_CM * 1.25 + 3 * PT_CM


def estimated_height_cm(sheet: Sheet) -> float:
    title = TITLE + (f" — {sheet.hamlet.upper()}" if sheet.hamlet else "")
    total = _height(sheet.organisation, 13) + _height(title, 26) + _height(WEEK, 14)
    total += _height(sheet.slogan, 14) if sheet.slogan else 0
    total += _height(NEWS, 17) + sum(_height(a.title, 16) + _height(a.summary, 15)
                                     for a in sheet.articles)
    if sheet.notices:
        total += _height(NOTICES, 17) + sum(
            _height(URGENT * n.urgent + f"{n.author}: {n.text}", 15) for n in sheet.notices)
    if sheet.events:
        total += _height(EVENTS, 17) + sum(_height(f"• {event_line(e)}", 14) for e in sheet.events)
    if sheet.qr_png:
        total += max(QR_CM + 0.4, _height(sheet.qr_caption, 15, TEXT_WIDTH_CM - QR_CM - 0.8))
    return total


def fit_to_page(sheet: Sheet) -> Sheet:
    """Drop the last events, then notices, then articles until the estimate fits one page
    (the first of each stays)."""
    for items in (sheet.events, sheet.notices, sheet.articles):
        while len(items) > 1 and estimated_height_cm(sheet) > PAGE_HEIGHT_CM:
            items.pop()
    return sheet


def write_docx(sheet: Sheet, path: Path) -> None:
    document = a4_document(margin_cm=1.6, body_pt=14)
    style = document.styles["Normal"]
    style.paragraph_format.space_after = Pt(3)

    _para(document, sheet.organisation.upper(), 13, bold=True, center=True)
    title = TITLE + (f" — {sheet.hamlet.upper()}" if sheet.hamlet else "")
    _para(document, title, 26, bold=True, center=True)
    _para(document, WEEK.format(monday=sheet.monday, sunday=sheet.sunday), 14, italic=True,
          center=True)
    if sheet.slogan:
        _para(document, sheet.slogan, 14, bold=True, center=True, color=RED)
    _para(document, NEWS, 17, bold=True)
    for article in sheet.articles:
        _para(document, article.title, 16, bold=True)
        _para(document, article.summary, 15)
    if sheet.notices:
        _para(document, NOTICES, 17, bold=True)
        for notice in sheet.notices:
            paragraph = document.add_paragraph()
            if notice.urgent:
                _run(paragraph, URGENT, 15, bold=True, color=RED)
            _run(paragraph, f"{notice.author}: ", 15, bold=True)
            _run(paragraph, notice.text, 15)
    if sheet.events:
        _para(document, EVENTS, 17, bold=True)
        for entry in sheet.events:
            _para(document, f"• {event_line(entry)}", 14)
    if sheet.qr_png:
        table = document.add_table(rows=1, cols=2)
        picture, words = table.rows[0].cells
        picture.width, words.width = Cm(QR_CM + 0.4), Cm(TEXT_WIDTH_CM - QR_CM - 0.4)
        picture.paragraphs[0].add_run().add_picture(io.BytesIO(sheet.qr_png), width=Cm(QR_CM))
        _run(words.paragraphs[0], sheet.qr_caption, 15, bold=True)
    document.save(str(path))


def _para(document: DocxDocument, text: str, size: float, *, bold: bool = False, italic: bool = False,
          center: bool = False, color: RGBColor | None = None) -> Paragraph:
    paragraph = document.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, text, size, bold=bold, italic=italic, color=color)
    return paragraph


def _run(paragraph: Paragraph, text: str, size: float, *, bold: bool = False, italic: bool = False,
         color: RGBColor | None = None) -> None:
    run = paragraph.add_run(text)
    run.font.name, run.font.size, run.bold, run.italic = FONT, Pt(size), bold, italic
    if color is not None:
        run.font.color.rgb = color


def office() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx_path: Path) -> Path | None:
    """The PDF beside the DOCX, converted by LibreOffice; None when it is not installed.
    Raises RuntimeError (Vietnamese message) when it is there and fails."""
    binary = office()
    if binary is None:
        return None
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [binary, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
             "pdf", "--outdir", str(docx_path.parent), str(docx_path)],
            capture_output=True, text=True, timeout=PDF_TIMEOUT, check=False)
    pdf = docx_path.with_suffix(".pdf")
    if result.returncode != 0 or not pdf.is_file():
        raise RuntimeError(f"LibreOffice không chuyển được sang PDF (mã {result.returncode}).")
    return pdf
