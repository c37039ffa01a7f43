"""Masking names, phone numbers, e-mail and street addresses in residents' words before
they are quoted to the standing committee (the weekly opinion summary).

Rules, not a model: Vietnamese phone numbers (0… or +84…, with spaces, dots or dashes),
e-mail addresses, house and street addresses ("số 12", "ngõ 5", "đường …", "phố …",
"tổ 3", "xóm …") and personal names: a title ("ông", "bà", "anh", "chị", "cô", "chú",
"bác", "em", "cháu") or a common family name followed by capitalised words. It errs toward
masking: a masked word costs less than a named neighbour.
"""

from __future__ import annotations

import re

NAME = "[tên]"
PHONE = "[số điện thoại]"
EMAIL = "[thư điện tử]"
ADDRESS = "[địa chỉ]"

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
            "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đào", "Đinh", "Mai", "Trịnh", "Lương",
            "Cao", "Vương", "Tạ", "Lâm", "Quách", "Hà", "Triệu", "Tô", "Đoàn", "Chu", "Lưu")
TITLES = ("ông", "bà", "anh", "chị", "cô", "chú", "bác", "em", "cháu", "cụ", "thím", "dì")
# Vietnamese capitals and small letters, listed (a range such as À-Ỹ mixes both cases)
_LETTERS = [chr(code) for code in range(0xC0, 0x1EFA) if chr(code).isalpha()]
_UPPER = "A-Z" + "".join(char for char in _LETTERS if char.isupper())
_LOWER = "a-z" + "".join(char for char in _LETTERS if char.islower())
_CAPITAL_WORD = rf"[{_UPPER}][{_LOWER}]+"

# "số 0912 345 678" as a whole: the word "số" before a number is part of it
_PHONE = re.compile(r"(?:\b(?i:số điện thoại|số)\s+)?(?<!\d)(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# the keyword in any case, the name after it capitalised (so "số điện thoại" is no address)
_ADDRESS = re.compile(
    r"\b(?i:số nhà|số|ngõ|ngách|hẻm|kiệt|tổ|xóm|khu phố|đường|phố)\s+"
    rf"(?:\d+[\w/]*|{_CAPITAL_WORD}(?:\s+{_CAPITAL_WORD})*)")
_TITLED_NAME = re.compile(
    rf"\b((?i:{'|'.join(TITLES)}))\s+{_CAPITAL_WORD}(?:\s+{_CAPITAL_WORD}){{0,3}}")
_SURNAME_NAME = re.compile(rf"\b(?:{'|'.join(SURNAMES)})(?:\s+{_CAPITAL_WORD}){{1,3}}")


def mask(text: str) -> str:
    """`text` with phone numbers, e-mail, addresses and names replaced by labels."""
    text = _EMAIL.sub(EMAIL, text)
    text = _PHONE.sub(PHONE, text)
    text = _ADDRESS.sub(ADDRESS, text)
    text = _TITLED_NAME.sub(lambda match: f"{match.group(1)} {NAME}", text)
    return _SURNAME_NAME.sub(NAME, text)
