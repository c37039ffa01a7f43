"""The few WordprocessingML properties python-docx has no API for, in schema order."""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm
from docx.table import Table, _Row
from docx.text.paragraph import Paragraph

# CT_TblPr's children in the order the schema requires (Word refuses a file otherwise).
TBL_PR_ORDER = ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual",
                "w:tblStyleRowBandSize", "w:tblStyleColBandSize", "w:tblW", "w:jc",
                "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout",
                "w:tblCellMar", "w:tblLook")


def element(tag: str, **attributes: str) -> BaseOxmlElement:
    made = OxmlElement(tag)
    for name, value in attributes.items():
        made.set(qn(f"w:{name}"), value)
    return made


def set_table_property(table: Table, tag: str, **attributes: str) -> BaseOxmlElement:
    """Replace or add one child of <w:tblPr>, at its place in the schema order."""
    properties = table._tbl.tblPr
    old = properties.find(qn(tag))
    if old is not None:
        properties.remove(old)
    new = element(tag, **attributes)
    later = TBL_PR_ORDER[TBL_PR_ORDER.index(tag) + 1:]
    for child in properties:
        if child.tag in {qn(name) for name in later}:
            child.addprevious(new)
            return new
    properties.append(new)
    return new


def twips(cm: float) -> str:
    return str(Cm(cm).twips)


def fixed_widths(table: Table, widths_cm: list[float]) -> None:
    """Fixed column widths on the grid (LibreOffice reads it), on each cell (Word does) and
    the table's own width, so neither program re-flows the columns."""
    table.autofit = False
    set_table_property(table, "w:tblW", w=twips(sum(widths_cm)), type="dxa")
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm,
                             strict=True):
        column.set(qn("w:w"), twips(width))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def cell_margins(table: Table, side_cm: float) -> None:
    margins = set_table_property(table, "w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        margins.append(element(f"w:{side}", w="0" if side in ("top", "bottom")
                               else twips(side_cm), type="dxa"))


def no_borders(table: Table) -> None:
    borders = set_table_property(table, "w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(element(f"w:{side}", val="nil"))


def keep_row_whole(row: _Row, *, repeat_as_header: bool = False) -> None:
    """The row never breaks across pages; a heading row repeats on every page."""
    properties = row._tr.get_or_add_trPr()
    properties.append(element("w:cantSplit"))
    if repeat_as_header:
        properties.append(element("w:tblHeader"))


# CT_PPr's children that must come before <w:pBdr>.
BEFORE_PBDR = ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr",
               "w:widowControl", "w:numPr", "w:suppressLineNumbers")


def bottom_border(paragraph: Paragraph) -> None:
    """A thin rule under the paragraph (the lines under the organisation and the subject)."""
    properties = paragraph._p.get_or_add_pPr()
    borders = element("w:pBdr")
    borders.append(element("w:bottom", val="single", sz="6", space="1", color="auto"))
    earlier = [child for child in properties if child.tag in {qn(n) for n in BEFORE_PBDR}]
    if earlier:
        earlier[-1].addnext(borders)
    else:
        properties.insert(0, borders)


def page_field(paragraph: Paragraph) -> None:
    """The current page number, as a field Word and LibreOffice both update."""
    paragraph.add_run()._r.append(element("w:fldChar", fldCharType="begin"))
    instruction = element("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    paragraph.add_run()._r.append(instruction)
    paragraph.add_run()._r.append(element("w:fldChar", fldCharType="separate"))
    paragraph.add_run().text = "2"  # shown until the program updates the field
    paragraph.add_run()._r.append(element("w:fldChar", fldCharType="end"))
