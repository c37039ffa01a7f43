"""The frame around the body: the letterhead (issuer, number, heading, place and date), the
type name and subject, and "Nơi nhận" with the signature block."""

from __future__ import annotations

from collections.abc import Sequence

from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_PARAGRAPH_ALIGNMENT
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from bot.reports.cells import docx_text
from bot.reports.layout import ooxml
from bot.reports.layout.fit import Line, fit_two_columns
from bot.reports.layout.letterhead import date_line, number_line
from bot.reports.layout.rules import (
    HEADER_PADDING_CM,
    HEADER_WIDTH_CM,
    MOTTO,
    NATION,
    PARTY_TITLE,
    RECIPIENTS,
    SIGNATURE_LINES,
    TABLE_PADDING_CM,
    TEXT_WIDTH_CM,
    Sizes,
)
from bot.reports.layout.spec import DocumentSpec, Letterhead, Run


def tight(paragraph: Paragraph,
          align: WD_PARAGRAPH_ALIGNMENT = WD_ALIGN_PARAGRAPH.CENTER) -> Paragraph:
    """A paragraph inside a letterhead or table cell: single spacing, no indent, no gap."""
    layout = paragraph.paragraph_format
    layout.space_before = layout.space_after = Pt(0)
    layout.line_spacing = 1.0
    layout.first_line_indent = Cm(0)
    paragraph.alignment = align
    return paragraph


def add_runs(paragraph: Paragraph, content: str | tuple[Run, ...], *, size: float | None = None,
             bold: bool = False, italic: bool = False, underline: bool = False) -> None:
    runs = (Run(content),) if isinstance(content, str) else content
    for piece in runs:
        if not piece.text:
            continue
        run = paragraph.add_run(docx_text(piece.text))
        run.bold = (piece.bold or bold) or None
        run.italic = (piece.italic or italic) or None
        run.underline = underline or None
        if size is not None:
            run.font.size = Pt(size)


def cell_lines(cell: _Cell, lines: Sequence[Line | None]) -> None:
    """Centred lines in a cell; None is an empty line."""
    first = cell.paragraphs[0]
    for index, line in enumerate(lines):
        paragraph = tight(first if index == 0 else cell.add_paragraph())
        if line is not None:
            add_runs(paragraph, line.text, size=line.pt, bold=line.bold, italic=line.italic,
                     underline=line.underline)


def rule(container: Document | _Cell, width_cm: float, column_cm: float,
         padding_cm: float = HEADER_PADDING_CM) -> Paragraph:
    """A short centred line under the line above it (state issuer, state subject)."""
    paragraph = tight(container.add_paragraph())
    side = max((column_cm - width_cm) / 2 - padding_cm, 0)
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = Cm(side)
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph.paragraph_format.line_spacing = Pt(3)
    ooxml.bottom_border(paragraph)
    return paragraph

# --- the letterhead ---------------------------------------------------------------------

def letterhead_lines(spec: DocumentSpec, sizes: Sizes
                     ) -> tuple[list[Line], Line, list[Line], Line]:
    """(issuer lines, number line, heading lines, date line) as measured `Line`s."""
    head = spec.letterhead
    issuer: list[Line] = []
    if head.parent:
        issuer.append(Line(head.parent.upper(), sizes.organisation, sizes.organisation_min))
    issuer.append(Line(head.body.upper(), sizes.organisation, sizes.organisation_min,
                       bold=True))
    number = Line(number_line(head, spec.type_code, spec.number), sizes.number,
                  sizes.organisation_min)
    date = Line(date_line(head.place, spec.day), sizes.date, sizes.date_min, italic=True)
    if head.layout == "party":
        heading = [Line(PARTY_TITLE, sizes.title, sizes.title_min, bold=True, underline=True)]
    else:
        heading = [Line(NATION, sizes.title, sizes.title_min, bold=True),
                   Line(MOTTO, sizes.motto, sizes.motto - 1, bold=True, underline=True)]
    return issuer, number, heading, date


def write_letterhead(document: Document, spec: DocumentSpec, sizes: Sizes) -> None:
    """Two borderless columns: issuer and number left, heading and date right, the number
    and the date on the same line."""
    issuer, number, heading, date = letterhead_lines(spec, sizes)
    left, right = fit_two_columns([*issuer, number], [*heading, date], HEADER_WIDTH_CM,
                                  HEADER_PADDING_CM)
    table = document.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    ooxml.no_borders(table)
    ooxml.cell_margins(table, HEADER_PADDING_CM)
    ooxml.fixed_widths(table, [left, right])
    top_left, top_right = table.rows[0].cells
    bottom_left, bottom_right = table.rows[1].cells
    if spec.letterhead.layout == "party":
        cell_lines(top_left, [*issuer, Line("*", issuer[-1].pt, issuer[-1].pt)])
    else:
        cell_lines(top_left, issuer)
        rule(top_left, issuer[-1].width * 0.4, left)
    cell_lines(top_right, heading)
    cell_lines(bottom_left, [number])
    cell_lines(bottom_right, [date])
    for row in table.rows:
        ooxml.keep_row_whole(row)


def write_title(document: Document, spec: DocumentSpec, sizes: Sizes) -> None:
    name = tight(document.add_paragraph())
    name.paragraph_format.space_before = Pt(18)
    add_runs(name, spec.type_name.upper(), size=sizes.type_name, bold=True)
    subject = tight(document.add_paragraph())
    add_runs(subject, spec.subject, size=sizes.subject, bold=True)
    for paragraph in (name, subject):
        paragraph.paragraph_format.keep_with_next = True
    if spec.letterhead.layout == "party":
        dashes = tight(document.add_paragraph())
        add_runs(dashes, "-----", size=sizes.subject)
        dashes.paragraph_format.space_after = Pt(12)
    else:
        rule(document, TEXT_WIDTH_CM / 3, TEXT_WIDTH_CM, padding_cm=0).paragraph_format \
            .space_after = Pt(12)

# --- the signature and the recipients ---------------------------------------------------

def recipient_lines(head: Letterhead) -> list[str]:
    """"- X," … "- Lưu: VPĐU." (Party) or "- X;" … "- Lưu: VT." (state)."""
    separator = "," if head.layout == "party" else ";"
    entries = [entry.rstrip(",;.") for entry in head.recipients]
    return [f"- {entry}{'.' if index == len(entries) - 1 else separator}"
            for index, entry in enumerate(entries)]


def write_signature(document: Document, head: Letterhead, sizes: Sizes) -> None:
    """"Nơi nhận" bottom left, the signature block bottom right, as one unbreakable row."""
    signer = [Line(head.authority.upper(), sizes.signer, sizes.signer, bold=True)]
    if head.signer_title:
        signer.append(Line(head.signer_title.upper(), sizes.signer, sizes.signer, bold=True))
    name = Line(head.signer_name, sizes.signer, sizes.signer, bold=True) \
        if head.signer_name else None
    measured = [*signer, *([name] if name else [])]
    right = max(max(line.width for line in measured) * 1.05 + 2 * TABLE_PADDING_CM,
                TEXT_WIDTH_CM * 0.45)
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    ooxml.no_borders(table)
    ooxml.fixed_widths(table, [TEXT_WIDTH_CM - right, right])
    ooxml.keep_row_whole(table.rows[0])
    left_cell, right_cell = table.rows[0].cells
    cell_lines(right_cell, [*signer, *[None] * SIGNATURE_LINES, name])
    lines = recipient_lines(head)
    if not lines:
        return
    heading = tight(left_cell.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)
    if head.layout == "party":
        add_runs(heading, RECIPIENTS, size=sizes.recipients_head, underline=True)
    else:
        add_runs(heading, RECIPIENTS, size=sizes.recipients_head, bold=True, italic=True)
    for line in lines:
        add_runs(tight(left_cell.add_paragraph(), WD_ALIGN_PARAGRAPH.LEFT), line,
                 size=sizes.recipients)
