"""A `DocumentSpec` as a DOCX in the Party's layout (Hướng dẫn 36-HD/VPTW) or the state's
(Nghị định 30/2020/NĐ-CP).

Both rules: A4 portrait; margins 20–25 mm top and bottom, 30–35 mm left, 15–20 mm right;
Times New Roman; the first line of a paragraph indented 1–1.27 cm, at least 6 pt between
paragraphs; the page number centred at the top from the second page. Party documents put
the body above the issuer and the issuer top left with a "*" under it, "ĐẢNG CỘNG SẢN
VIỆT NAM" top right (15 pt, bold, a line under it), the number "Số 12-BC/ĐU" under the star
and the place and date in italics under the heading; "Nơi nhận:" is underlined, its entries
end with commas. State documents carry the national title and motto top right and the
issuer top left with a short line under it, "Số: 12/BC-UBND", "Nơi nhận:" in bold italics,
entries ending with semicolons. Sizes follow each rule's table (`PARTY`, `STATE`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from bot.reports.cells import docx_text
from bot.reports.layout import ooxml
from bot.reports.layout.fit import Line, fit_two_columns, table_widths
from bot.reports.layout.letterhead import date_line, number_line
from bot.reports.layout.spec import (
    DocumentSpec,
    Heading,
    Image,
    Letterhead,
    Paragraph,
    Percent,
    Run,
    Table,
)
from content.text import format_number

FONT = "Times New Roman"
PAGE_CM = (21.0, 29.7)
TOP_CM, BOTTOM_CM, LEFT_CM, RIGHT_CM = 2.0, 2.0, 3.0, 1.5
TEXT_WIDTH_CM = PAGE_CM[0] - LEFT_CM - RIGHT_CM
# Printed letterheads customarily reach a little into the margins; 0.35 cm on each side keeps
# long commune names on one line at the sizes the rules ask for.
HEADER_WIDTH_CM = TEXT_WIDTH_CM + 0.7
HEADER_PADDING_CM = 0.1
TABLE_PADDING_CM = 0.19  # Word's default left and right cell margin
INDENT_CM = 1.0
PARTY_TITLE = "ĐẢNG CỘNG SẢN VIỆT NAM"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
RECIPIENTS = "Nơi nhận:"
SIGNATURE_LINES = 4  # room for the signature and the seal
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


@dataclass(frozen=True)
class Sizes:
    """Point sizes of one rule's elements; `*_min` is the smallest the rule allows."""

    title: float  # "ĐẢNG CỘNG SẢN VIỆT NAM" or the national title
    title_min: float
    motto: float
    organisation: float  # the issuer and the body above it
    organisation_min: float
    number: float
    date: float
    date_min: float
    type_name: float  # "BÁO CÁO"
    subject: float
    text: float
    table: float
    signer: float
    recipients_head: float
    recipients: float


PARTY = Sizes(title=15, title_min=14, motto=0, organisation=14, organisation_min=13,
              number=14, date=14, date_min=13, type_name=16, subject=14, text=14, table=13,
              signer=14, recipients_head=14, recipients=12)
STATE = Sizes(title=13, title_min=12, motto=14, organisation=13, organisation_min=12,
              number=13, date=14, date_min=13, type_name=14, subject=14, text=14, table=13,
              signer=14, recipients_head=12, recipients=11)


def sizes_for(letterhead: Letterhead) -> Sizes:
    return PARTY if letterhead.layout == "party" else STATE


def percent_text(share: Percent) -> str:
    """0.125 → "12,5%", 0.6 → "60%"."""
    return format_number(100 * share.fraction, 1).removesuffix(",0") + "%"


def cell_text(value) -> str:
    if isinstance(value, Percent):
        return percent_text(value)
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, float):
        return format_number(value, 1)
    return docx_text(str(value))


# --- the document and its styles --------------------------------------------------------

THEME_SLOTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
FONT_SLOTS = ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")


def set_size(rpr, size: float) -> None:
    for tag in ("w:sz", "w:szCs"):
        element = rpr.find(qn(tag))
        if element is None:
            element = OxmlElement(tag)
            rpr.append(element)
        element.set(qn("w:val"), str(round(size * 2)))


def new_document(sizes: Sizes):
    """A4 portrait, the rules' margins, Times New Roman in every script slot of every style
    (no theme font for Word to prefer), Vietnamese as the language."""
    document = Document()
    styles = document.styles.element
    default_rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_size(default_rpr, sizes.text)
    language = default_rpr.find(qn("w:lang"))
    if language is not None:
        language.set(qn("w:val"), "vi-VN")
    normal = document.styles["Normal"]
    normal.font.name = FONT  # gives Normal its own rFonts, so nothing inherits a theme
    for fonts in styles.iter(qn("w:rFonts")):
        for theme in THEME_SLOTS:
            fonts.attrib.pop(qn(theme), None)
        for slot in FONT_SLOTS:
            fonts.set(qn(slot), FONT)
    normal.font.size = Pt(sizes.text)
    body = normal.paragraph_format
    body.space_before, body.space_after = Pt(0), Pt(6)
    body.line_spacing = 1.15
    body.widow_control = True
    for level in (1, 2, 3):
        heading = document.styles[f"Heading {level}"]
        set_size(heading.element.get_or_add_rPr(), sizes.text)
        heading.font.bold = True
        heading.font.italic = level == 3
        heading.font.color.rgb = RGBColor(0, 0, 0)
        layout = heading.paragraph_format
        layout.space_before, layout.space_after = Pt(6), Pt(6)
        layout.first_line_indent = Cm(INDENT_CM)
        layout.keep_with_next = True
    page = document.sections[0]
    page.orientation = WD_ORIENT.PORTRAIT
    page.page_width, page.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
    page.top_margin, page.bottom_margin = Cm(TOP_CM), Cm(BOTTOM_CM)
    page.left_margin, page.right_margin = Cm(LEFT_CM), Cm(RIGHT_CM)
    page.different_first_page_header_footer = True  # no number on the first page
    number = page.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    ooxml.page_field(number)
    return document


def tight(paragraph, align=WD_ALIGN_PARAGRAPH.CENTER):
    """A paragraph inside a letterhead or table cell: single spacing, no indent, no gap."""
    layout = paragraph.paragraph_format
    layout.space_before = layout.space_after = Pt(0)
    layout.line_spacing = 1.0
    layout.first_line_indent = Cm(0)
    paragraph.alignment = align
    return paragraph


def add_runs(paragraph, content: str | tuple[Run, ...], *, size: float | None = None,
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


def cell_lines(cell, lines: list[Line | None]) -> None:
    """Centred lines in a cell; None is an empty line."""
    first = cell.paragraphs[0]
    for index, line in enumerate(lines):
        paragraph = tight(first if index == 0 else cell.add_paragraph())
        if line is not None:
            add_runs(paragraph, line.text, size=line.pt, bold=line.bold, italic=line.italic,
                     underline=line.underline)


def rule(container, width_cm: float, column_cm: float, padding_cm: float = HEADER_PADDING_CM):
    """A short centred line under the line above it (state issuer, state subject)."""
    paragraph = tight(container.add_paragraph())
    side = max((column_cm - width_cm) / 2 - padding_cm, 0)
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = Cm(side)
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph.paragraph_format.line_spacing = Pt(3)
    ooxml.bottom_border(paragraph)
    return paragraph


# --- the letterhead ---------------------------------------------------------------------

def letterhead_lines(spec: DocumentSpec, sizes: Sizes):
    """(issuer lines, number line, heading lines, date line) as measured `Line`s."""
    head = spec.letterhead
    issuer = []
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


def write_letterhead(document, spec: DocumentSpec, sizes: Sizes) -> None:
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


def write_title(document, spec: DocumentSpec, sizes: Sizes) -> None:
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


# --- the body ---------------------------------------------------------------------------

def write_paragraph(document, block: Paragraph, sizes: Sizes):
    paragraph = document.add_paragraph()
    paragraph.alignment = ALIGN[block.align]
    layout = paragraph.paragraph_format
    if block.indent_cm is None:
        layout.first_line_indent = Cm(INDENT_CM if block.align in ("justify", "left") else 0)
    else:
        layout.left_indent = Cm(block.indent_cm)
    layout.keep_with_next = block.keep_with_next or None
    add_runs(paragraph, block.content, bold=block.bold, italic=block.italic)
    return paragraph


def write_image(document, image: Image, sizes: Sizes, *, keep_with_next: bool = False) -> None:
    picture = document.add_paragraph()
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = bool(image.caption) or keep_with_next or None
    picture.add_run().add_picture(io.BytesIO(image.data), width=Cm(image.width_cm))
    if image.caption:
        caption = document.add_paragraph()
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption.paragraph_format.keep_with_next = keep_with_next or None
        add_runs(caption, image.caption, italic=True, size=sizes.table)


def is_number(value) -> bool:
    return isinstance(value, int | float | Percent) and not isinstance(value, bool)


def write_table(document, block: Table, sizes: Sizes) -> None:
    """The title, the table and its chart kept together: every paragraph but the last keeps
    with the next and no row splits, so they move to the next page as one when they would
    straddle it (a table longer than a page still breaks, with its heading row repeated)."""
    if block.title:
        write_paragraph(document, Paragraph(block.title, align="left", bold=True,
                                            keep_with_next=True), sizes)
    body = [*block.rows, *([block.total] if block.total is not None else [])]
    texts = [[docx_text(header) for header in block.headers],
             *[[cell_text(value) for value in row] for row in body]]
    numeric = [bool(body) and all(is_number(row[col]) or row[col] in ("", None)
                                  for row in body) and any(is_number(row[col]) for row in body)
               for col in range(len(block.headers))]
    bold_rows = {0} | ({len(texts) - 1} if block.total is not None else set())
    widths = table_widths(texts, numeric, bold_rows, sizes.table, TEXT_WIDTH_CM,
                          TABLE_PADDING_CM)
    table = document.add_table(rows=len(texts), cols=len(block.headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    ooxml.fixed_widths(table, widths)
    last = len(texts) - 1
    for index, row in enumerate(table.rows):
        ooxml.keep_row_whole(row, repeat_as_header=index == 0)
        for col, cell in enumerate(row.cells):
            align = (WD_ALIGN_PARAGRAPH.CENTER if index == 0
                     else WD_ALIGN_PARAGRAPH.RIGHT if numeric[col] else WD_ALIGN_PARAGRAPH.LEFT)
            paragraph = tight(cell.paragraphs[0], align)
            paragraph.paragraph_format.keep_with_next = index < last or block.chart is not None
            add_runs(paragraph, texts[index][col], size=sizes.table, bold=index in bold_rows)
    if block.chart is not None:
        write_image(document, block.chart, sizes)
    spacer = document.add_paragraph()  # the table's own gap before what follows
    spacer.paragraph_format.space_after = Pt(0)


# --- the signature and the recipients ---------------------------------------------------

def recipient_lines(head: Letterhead) -> list[str]:
    """"- X," … "- Lưu: VPĐU." (Party) or "- X;" … "- Lưu: VT." (state)."""
    separator = "," if head.layout == "party" else ";"
    entries = [entry.rstrip(",;.") for entry in head.recipients]
    return [f"- {entry}{'.' if index == len(entries) - 1 else separator}"
            for index, entry in enumerate(entries)]


def write_signature(document, head: Letterhead, sizes: Sizes) -> None:
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


# --- the whole document -----------------------------------------------------------------

def build(spec: DocumentSpec):
    """The python-docx Document for `spec` (write_docx saves it)."""
    sizes = sizes_for(spec.letterhead)
    document = new_document(sizes)
    write_letterhead(document, spec, sizes)
    write_title(document, spec, sizes)
    for block in spec.blocks:
        if isinstance(block, Heading):
            document.add_heading(docx_text(block.text), level=min(max(block.level, 1), 3))
        elif isinstance(block, Paragraph):
            write_paragraph(document, block, sizes)
        elif isinstance(block, Table):
            write_table(document, block, sizes)
        elif isinstance(block, Image):
            write_image(document, block, sizes)
        else:
            raise TypeError(f"not a document block: {block!r}")
    if document.paragraphs:  # the last words of the body stay with the signature
        document.paragraphs[-1].paragraph_format.keep_with_next = True
    write_signature(document, spec.letterhead, sizes)
    return document


def write_docx(path, spec: DocumentSpec) -> None:
    """Write `spec` to `path` as DOCX."""
    build(spec).save(str(path))
