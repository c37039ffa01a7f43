"""What the two rules ask: the Party's (Hướng dẫn 36-HD/VPTW) and the state's (Nghị định
30/2020/NĐ-CP) page, words and point sizes.

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

from dataclasses import dataclass

from bot.reports.layout.spec import Letterhead

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
