"""A `DocumentSpec` as a DOCX: the page and styles the rules ask for, the frame
(`frame.py`) and the body blocks (headings, paragraphs, tables kept together with their
charts, pictures)."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from bot.reports.cells import docx_text
from bot.reports.layout import ooxml
from bot.reports.layout.fit import table_widths
from bot.reports.layout.frame import add_runs, tight, write_letterhead, write_signature, write_title
from bot.reports.layout.rules import (
    BOTTOM_CM,
    FONT,
    INDENT_CM,
    LEFT_CM,
    PAGE_CM,
    RIGHT_CM,
    TABLE_PADDING_CM,
    TEXT_WIDTH_CM,
    TOP_CM,
    Sizes,
    sizes_for,
)
from bot.reports.layout.spec import Cell, DocumentSpec, Heading, Image, Paragraph, Percent, Table
from content.text import format_number

ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


def percent_text(share: Percent) -> str:
    """0.125 → "12,5%", 0.6 → "60%"."""
    return format_number(100 * share.fraction, 1).removesuffix(",0") + "%"


def cell_text(value: Cell) -> str:
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


def set_size(rpr: BaseOxmlElement, size: float) -> None:
    for tag in ("w:sz", "w:szCs"):
        element = rpr.find(qn(tag))
        if element is None:
            element = OxmlElement(tag)
            rpr.append(element)
        element.set(qn("w:val"), str(round(size * 2)))


def new_document(sizes: Sizes) -> DocxDocument:
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

# --- the body ---------------------------------------------------------------------------

def write_paragraph(document: DocxDocument, block: Paragraph, sizes: Sizes) -> DocxParagraph:
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


def write_image(document: DocxDocument, image: Image, sizes: Sizes, *, keep_with_next: bool = False) -> None:
    picture = document.add_paragraph()
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = bool(image.caption) or keep_with_next or None
    picture.add_run().add_picture(io.BytesIO(image.data), width=Cm(image.width_cm))
    if image.caption:
        caption = document.add_paragraph()
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption.paragraph_format.keep_with_next = keep_with_next or None
        add_runs(caption, image.caption, italic=True, size=sizes.table)


def is_number(value: object) -> bool:
    return isinstance(value, int | float | Percent) and not isinstance(value, bool)


def write_table(document: DocxDocument, block: Table, sizes: Sizes) -> None:
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

# --- the whole document -----------------------------------------------------------------

def build(spec: DocumentSpec) -> DocxDocument:
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


def write_docx(path: Path | str, spec: DocumentSpec) -> None:
    """Write `spec` to `path` as DOCX."""
    build(spec).save(str(path))
