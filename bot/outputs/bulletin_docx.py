"""The loudspeaker script as a DOCX in large type for reading at the microphone: A4, 18-point
type at 1.5 spacing, urgent items flagged in red, the announcer's notes on a last page."""

from __future__ import annotations

from pathlib import Path

from docx.document import Document as DocxDocument
from docx.enum.text import WD_BREAK
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph

from bot.outputs.a4 import FONT, a4_document
from bot.outputs.bulletin_files import NOTES_TITLE, URGENT_FLAG, header_lines, note_lines
from bot.outputs.loudspeaker import Script

BODY_PT, HEADING_PT, NOTE_PT = 18, 20, 13
RED = RGBColor(0xC0, 0x00, 0x00)


def write_docx(script: Script, path: Path) -> None:
    document = a4_document(margin_cm=2, body_pt=BODY_PT)
    style = document.styles["Normal"]
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
