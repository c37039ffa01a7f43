"""The loudspeaker script as files: UTF-8 text (IP loudspeaker systems that read text, or
the announcer's own printer) and a DOCX in large type for reading at the microphone."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_BREAK
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from bot.outputs.loudspeaker import Script

TITLE = "BẢN TIN TRUYỀN THANH"
URGENT_FLAG = "[KHẨN CẤP]"
NOTES_TITLE = "Ghi chú cho người đọc (không đọc lên loa)"
LEFT_OUT = "Không đủ thời gian, chưa đưa vào: "
LEFT_OUT_SHOWN = 10
FONT = "Times New Roman"
BODY_PT, HEADING_PT, NOTE_PT = 18, 20, 13
RED = RGBColor(0xC0, 0x00, 0x00)


def header_lines(script: Script) -> list[str]:
    lines = [f"{TITLE} NGÀY {script.day:%d/%m/%Y}", script.reading_time]
    if script.urgent:
        lines.append(f"Có {script.urgent} thông báo khẩn cấp, đọc đầu tiên.")
    return lines


def note_lines(script: Script) -> list[str]:
    notes = list(script.warnings)
    if script.left_out:
        shown = script.left_out[:LEFT_OUT_SHOWN]
        more = len(script.left_out) - len(shown)
        notes.append(LEFT_OUT + "; ".join(shown) + (f"; và {more} mục khác" if more else ""))
    notes += [f"{item.label}: đã rút gọn cho vừa thời lượng" for item in script.items
              if item.shortened]
    return notes


def to_text(script: Script) -> str:
    """The script as plain text: a header (day, reading time), then what is read, paragraph
    by paragraph. Notes for the announcer are not in it (the command prints them)."""
    parts = ["\n".join(header_lines(script)), script.opening]
    for item in script.items:
        lead = f"{URGENT_FLAG} " if item.urgent else ""
        parts.append(f"{lead}{item.heading}\n{item.text}")
    parts.append(script.closing)
    return "\n\n".join(parts) + "\n"


def spoken_text(script: Script) -> str:
    """Only what is read aloud, for a text-to-speech command."""
    parts = [script.opening, *(f"{item.heading}\n{item.text}" for item in script.items),
             script.closing]
    return "\n\n".join(parts) + "\n"


def write_text(script: Script, path: Path) -> None:
    path.write_text(to_text(script), encoding="utf-8")


def write_docx(script: Script, path: Path) -> None:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(BODY_PT)
    style.paragraph_format.line_spacing = 1.5
    style.paragraph_format.space_after = Pt(10)

    _line(document, header_lines(script)[0], size=HEADING_PT, bold=True)
    for line in header_lines(script)[1:]:
        _line(document, line, size=NOTE_PT, italic=True)
    _line(document, script.opening)
    for number, item in enumerate(script.items, 1):
        heading = document.add_paragraph()
        heading.paragraph_format.keep_with_next = True
        if item.urgent:
            _run(heading, URGENT_FLAG + " ", size=HEADING_PT, bold=True, color=RED)
        _run(heading, f"{number}. {item.heading}", size=HEADING_PT, bold=True)
        _line(document, item.text)
    _line(document, script.closing)
    notes = note_lines(script)
    if notes:
        document.paragraphs[-1].runs[-1].add_break(WD_BREAK.PAGE)
        _line(document, NOTES_TITLE, size=NOTE_PT, bold=True)
        for note in notes:
            _line(document, f"– {note}", size=NOTE_PT)
    document.save(str(path))


def _line(document: DocxDocument, text: str, *, size: int = BODY_PT, bold: bool = False,
          italic: bool = False) -> Paragraph:
    paragraph = document.add_paragraph()
    _run(paragraph, text, size=size, bold=bold, italic=italic)
    return paragraph


def _run(paragraph: Paragraph, text: str, *, size: int, bold: bool = False, italic: bool = False,
         color: RGBColor | None = None) -> None:
    run = paragraph.add_run(text)
    run.font.size, run.bold, run.italic = Pt(size), bold, italic
    run.font.name = FONT
    if color is not None:
        run.font.color.rgb = color
