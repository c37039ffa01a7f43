"""The regular expressions of the reading rules, and the words they look for around a match.

Kept apart from the handlers (rules.py) so that each can be read in one sitting. Every
pattern refuses to start or end inside a longer number or word, so that "2025" is never
read as "20" and "25", and "XIV" only where it stands alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable


def _latin_letters(predicate: Callable[[str], bool]) -> str:
    ranges = ((0x41, 0x5B), (0x61, 0x7B), (0xC0, 0x250), (0x1E00, 0x1F00))
    return "".join(chr(code) for start, end in ranges for code in range(start, end)
                   if predicate(chr(code)))


UPPER = _latin_letters(str.isupper)
LOWER = _latin_letters(str.islower)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_DASH = r"\s*[-–—]\s*"
_START = r"(?<![\w/.,])"           # not inside a number, a code or a word
_END = r"(?![\w/]|[.,]\d)"         # nor continued by one ("2025." ends a sentence)
_CODE = rf"[{UPPER}][{UPPER}a-zđ]+"

# Document numbers: 04-KH/ĐU, 57-NQ/TW, 1669/NQ-UBTVQH15, 168/2024/NĐ-CP, 123/QĐ-UBND.
DOCUMENT = re.compile(
    rf"(?<![\w/.,-])(?P<number>\d+)(?:/(?P<year>\d{{4}}))?[-/](?P<first>{_CODE})"
    rf"(?:[-/](?P<second>{_CODE}))?(?P<term>\d*)(?![\w/-])")
# Words that already say what kind of document the number belongs to.
DOCUMENT_KINDS = (
    "nghị quyết", "kế hoạch", "chỉ thị", "quyết định", "kết luận", "thông báo", "hướng dẫn",
    "báo cáo", "thông tri", "thông tư", "thông tư liên tịch", "nghị định", "công văn",
    "tờ trình", "quy định", "quy chế", "luật", "pháp lệnh", "công điện", "đề án",
    "chương trình", "văn bản", "điện", "lệnh")

# Telephone numbers after a word that announces one (any length from 3 digits: "gọi 113"),
# and those recognisable on their own (leading 0, 1800/1900 lines, 8 digits or more).
PHONE_AFTER_CUE = re.compile(
    r"(?P<cue>(?<!\w)(?i:điện thoại|đt|sđt|đtdđ|hotline|đường dây nóng|tổng đài|số máy|fax"
    r"|zalo|(?<!kêu )gọi(?: điện)?(?: (?:đến|tới|vào|cho))?)(?:\s*[:(]\s*|\s+)(?:số\s*:?\s*)?)"
    r"(?P<number>\+?\d(?:[ .-]?\d){2,})(?![\w]|[.,]\d)")
PHONE = re.compile(
    r"(?<![\w.,/:+-])(?P<number>\+84[ .]?\d{2,3}(?:[ .]?\d{3}){2}|0\d{2,3}[ .]\d{3}[ .]\d{3,4}"
    r"|0\d{3,}|1[89]00[ .]?\d{3,4}|\d{8,})(?![\w/:-]|[.,]\d)")

# A Roman or Arabic numeral after a word that numbers things. Roman numerals are read only
# here, and only from I, V, X (and L, C after them): "phần C", "mục D" are letters.
_ROMAN = r"(?=[IVX])(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
ORDINAL_WORDS = ("thứ",)
RANK_WORDS = ("hạng", "giải")
COUNTING_WORDS = (
    "đại hội đảng", "đại hội", "khóa", "khoá", "đợt", "phần", "mục", "chương", "thế kỷ", "thế kỉ",
    "quý", "giai đoạn", "tập", "cấp", "loại", "kỳ", "kì", "quân khu", "phụ lục", "vòng",
    "khu vực", "nhóm", "phân khu", "tiểu mục")
NUMBERED = re.compile(
    rf"(?<!\w)(?P<word>(?i:{'|'.join(ORDINAL_WORDS + RANK_WORDS + COUNTING_WORDS)}))\s+"
    rf"(?:(?P<roman>{_ROMAN})|(?P<arabic>\d+))(?:/(?P<year>\d{{4}}))?(?![\w/]|[.,]\d)")

# Dates. DATE: 19/1, 19/1/2026, 19–25/1, 26–27/9/2025, 19 đến 23/1, 19/1–23/1/2026.
DATE = re.compile(
    rf"{_START}(?P<d1>{_DAY})(?:(?:{_DASH}|[ \t]+(?:đến|tới)[ \t]+)(?P<d2>{_DAY}))?"
    rf"/(?P<m1>{_MONTH})(?:/(?P<y1>\d{{4}}))?"
    rf"(?:{_DASH}(?P<d3>{_DAY})/(?P<m3>{_MONTH})(?:/(?P<y3>\d{{4}}))?)?{_END}")
DATE_DOTTED = re.compile(  # 19-1-2026, 19.1.2026
    rf"(?<![\w/.,-])(?P<d1>{_DAY})(?P<sep>[.-])(?P<m1>{_MONTH})(?P=sep)(?P<y1>\d{{4}})"
    rf"(?![\w/-]|[.,]\d)")
DATE_ISO = re.compile(
    r"(?<![\w/.,-])(?P<y1>\d{4})-(?P<m1>0[1-9]|1[0-2])-(?P<d1>0[1-9]|[12]\d|3[01])"
    r"(?![\w/-]|[.,]\d)")
MONTH_YEAR = re.compile(rf"{_START}(?P<m>{_MONTH})/(?P<y>\d{{4}}){_END}")
MONTH_WORD = re.compile(rf"(?<!\w)(?P<word>[Tt]háng)\s+(?P<m>{_MONTH}){_END}")
DAY_WORD = re.compile(rf"(?<!\w)(?P<word>[Nn]gày|[Mm]ồng|[Mm]ùng)\s+(?P<d>{_DAY})(?=\s+[Tt]háng(?!\w))")
RATIO = re.compile(rf"{_START}(?P<a>\d+)/(?P<b>\d+){_END}")
# Words before a date that make "ngày" redundant, and before d/m that make it a fraction.
NO_DAY_WORD = frozenset({"ngày", "mồng", "mùng", "hôm", "sáng", "trưa", "chiều", "tối", "đêm",
                         "khuya"})
FRACTION_BEFORE = frozenset({"hơn", "gần", "trên", "dưới", "khoảng", "chiếm", "đạt", "được",
                             "có", "với", "quá"})
FRACTION_AFTER = re.compile(
    r"\s+(?:số|tổng|phiếu|điểm|đại biểu|dân số|diện tích|thành viên|cử tri)(?!\w)")
WORD_BEFORE = re.compile(r"(\w+)[ \t]*$")
# "… 04-KH/ĐU ngày 22/7/2025 của Ban Thường vụ …": the text names the issuer itself.
ISSUER_FOLLOWS = re.compile(r"[ \t]*,?[ \t]*(?:ngày[ \t]+[\d/.–-]+[ \t]*,?[ \t]*)?của(?!\w)")

# Ranges between numbers, times and percentages: 2025–2030, 7–9 giờ, 7h30–11h, 70–80%.
RANGE = re.compile(r"(?<![\w.,/:])(?P<first>\d[\d.,:]*(?:[hg]\d{0,2})?%?)\s*[-–—]\s*(?=\d)")
TIME = re.compile(
    r"(?<![\w:.,])(?P<h>[01]?\d|2[0-4])[hg](?P<m>[0-5]\d)?(?:(?<=\d)(?:ph(?:út)?|p|['’]))?(?!\w)")
TIME_COLON = re.compile(
    r"(?<![\w:.,])(?P<h>[01]?\d|2[0-4]):(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?(?![\w:]|[.,]\d)")

# Any number left, with what may follow it: 1.234, 2,5, 1.2.3 (section numbers), 1,234,567.
UNITS = {
    "%": "phần trăm", "‰": "phần nghìn", "°C": "độ C", "°": "độ",
    "km²": "ki-lô-mét vuông", "km2": "ki-lô-mét vuông", "m²": "mét vuông", "m2": "mét vuông",
    "m³": "mét khối", "m3": "mét khối", "km/h": "ki-lô-mét trên giờ", "km": "ki-lô-mét",
    "cm": "xăng-ti-mét", "mm": "mi-li-mét", "kg": "ki-lô-gam", "ha": "héc-ta", "kWh": "ki-lô-oát giờ",
    "kW": "ki-lô-oát", "MW": "mê-ga-oát", "m": "mét", "đ": "đồng", "VNĐ": "đồng", "VND": "đồng",
    "USD": "đô la Mỹ",
}
_UNIT = "|".join(re.escape(unit) for unit in sorted(UNITS, key=len, reverse=True))
NUMBER = re.compile(
    r"(?<![\d.,])(?:(?P<grouped>\d{1,3}(?:\.\d{3})+)(?:,(?P<gfrac>\d+))?"
    r"|(?P<english>\d{1,3}(?:,\d{3}){2,})|(?P<dotted>\d+(?:\.\d+)+)"
    r"|(?P<plain>\d+)(?:,(?P<frac>\d+))?)(?!\d|[.,]\d)"
    rf"(?:[ \t]?(?P<unit>{_UNIT})(?![\w²³]))?")
DIGITS = re.compile(r"\d+")
LETTER_DASH_DIGIT = re.compile(rf"(?<=[{UPPER}{LOWER}])-(?=\d)")
BEFORE_NUMBER = re.compile(r"[~≈]\s*(?=\d)|#\s*(?=\d)")

# Symbols read as words, and slashes: "đồng/tháng" → "đồng mỗi tháng", "ông/bà" → "ông, bà".
SYMBOLS = {"&": " và ", "+": " cộng ", "=": " bằng ", "×": " nhân ", "≥": " lớn hơn hoặc bằng ",
           "≤": " nhỏ hơn hoặc bằng ", ">": " lớn hơn ", "<": " nhỏ hơn ", "%": " phần trăm ",
           "‰": " phần nghìn ", "°": " độ ", "~": " khoảng ", "≈": " khoảng "}
SYMBOL = re.compile("|".join(re.escape(symbol) for symbol in SYMBOLS))
RATE_SLASH = re.compile(
    r"[ \t]*/[ \t]*(?=(?:ngày|tuần|tháng|năm|quý|giờ|phút|người|hộ|lần|lượt|suất|khẩu|con|"
    r"ha|héc-ta|ki-lô-mét|ki-lô-gam|mét|kg|km|tấn|lít|sào|mẫu)(?!\w))")
SLASH = re.compile(r"(?<=\w)[ \t]*/[ \t]*(?=\w)")
COMMAND_SLASH = re.compile(r"(?<![\w/])/(?=[a-z])")  # "lệnh /gopy": a bot command

# Tidying after the rules, and what is left that nobody knows how to read.
EMPTY_BRACKETS = re.compile(r"\(\s*[,.;:]?\s*\)|\[\s*\]|“\s*”|\"\s*\"")
SPACES = re.compile(r"[ \t\u00A0\u2000-\u200B\u202F]{2,}|[\t\u00A0\u2000-\u200B\u202F]")  # not each " "
SPACE_BEFORE_PUNCTUATION = re.compile(r" +(?=[.,;:!?…)\]”])")
SPACE_AFTER_OPENING = re.compile(r"(?<=[(\[“]) +")
REPEATED_COMMA = re.compile(r",(?:\s*,)+")
COMMA_BEFORE_STOP = re.compile(r",\s*(?=[.;:!?])")
COLON_BEFORE_STOP = re.compile(r":[ \t]*(?=[.;,!?]|$)", re.MULTILINE)  # "có trên: [link]."
# Sentences that start with something the rules rewrite ("40 năm…", "HTX…") are marked before
# the rules run, and start with a capital again afterwards; others keep the writer's case.
SENTENCE_MARK = "\x01"
SENTENCE_START = re.compile(rf"(?:^|(?<=[.!?…][ \t]))(?=[\d~#{UPPER}])", re.MULTILINE)
MARKED_START = re.compile(rf"{SENTENCE_MARK}(\W*?)(\w)")
BLANK_LINES = re.compile(r"\n\s*\n\s*")
# Superscripts, fractions, Roman-numeral and circled-number characters count as letters to \w.
UNKNOWN_SYMBOL = re.compile(
    "[^\\w\\s.,;:!?…()\\[\\]“”\"'‘’«»–—-]|[\u00B2\u00B3\u00B9\u00BC-\u00BE\u2070-\u209F"
    "\u2150-\u218F\u2460-\u24FF]")
# A word with two capitals or more; the first letter is matched before the look-behind so that
# the regex engine can skip to capitals instead of trying every position.
ACRONYM = re.compile(rf"[{UPPER}](?<!\w[{UPPER}])(?=[^\W\d_]*[{UPPER}])[^\W\d_]*(?!\w)")
ROMAN_ONLY = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_VOWELS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
SYLLABLE = re.compile(
    rf"(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnprstvx])?[{_VOWELS}]{{1,3}}"
    r"(?:ch|ng|nh|[cmnpt])?")
