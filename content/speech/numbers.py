"""Numbers as Vietnamese says them: cardinals, decimals, digit strings, ordinals, dates.

The conventions (northern standard, as read on the radio):
- tens: "mười" for 10–19, "mươi" after 2–9 ("hai mươi");
- units after "mươi": 1 → "mốt", 4 → "tư", 5 → "lăm" (21 hai mươi mốt, 24 hai mươi tư,
  25 hai mươi lăm); after "mười" only 5 changes (15 mười lăm, 11 mười một, 14 mười bốn);
- an empty tens place before a unit is "linh" (105 một trăm linh năm), or "lẻ" on request;
- a group after a larger one is read in full: 2025 hai nghìn không trăm hai mươi lăm;
  empty groups are skipped: 1.000.005 một triệu không trăm linh năm;
- groups of three: nghìn, triệu, tỷ; above that tỷ repeats (một nghìn tỷ, một triệu tỷ).
"""

from __future__ import annotations

from messages.types import is_number

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_AFTER_MUOI = {1: "mốt", 4: "tư", 5: "lăm"}
MONTHS = ("", "Một", "Hai", "Ba", "Tư", "Năm", "Sáu", "Bảy", "Tám", "Chín", "Mười",
          "Mười Một", "Mười Hai")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_BILLION = 10**9


def _group(value: int, full: bool, zero_tens: str) -> list[str]:
    """0 < value < 1000; `full` when a larger group came before ("không trăm", "linh")."""
    hundreds, tens, units = value // 100, value // 10 % 10, value % 10
    words: list[str] = []
    if full or hundreds:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append(zero_tens)
            words.append(DIGITS[units])
    elif tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else DIGITS[units])
    else:
        words += [DIGITS[tens], "mươi"]
        if units:
            words.append(_AFTER_MUOI.get(units, DIGITS[units]))
    return words


def _below_billion(value: int, leading: bool, zero_tens: str, thousand: str) -> list[str]:
    words: list[str] = []
    for group, unit in ((value // 1_000_000, "triệu"), (value // 1000 % 1000, thousand),
                        (value % 1000, "")):
        if group:
            words += _group(group, not leading, zero_tens)
            if unit:
                words.append(unit)
            leading = False
    return words


def _cardinal_words(value: int, zero_tens: str, thousand: str) -> list[str]:
    if value < _BILLION:
        return _below_billion(value, True, zero_tens, thousand)
    head, rest = divmod(value, _BILLION)
    words = _cardinal_words(head, zero_tens, thousand) + ["tỷ"]
    if rest:
        words += _below_billion(rest, False, zero_tens, thousand)
    return words


def cardinal(value: int, zero_tens: str = "linh", thousand: str = "nghìn") -> str:
    """2025 → "hai nghìn không trăm hai mươi lăm"; 105 → "một trăm linh năm"."""
    if value < 0:
        return "âm " + cardinal(-value, zero_tens, thousand)
    if value == 0:
        return DIGITS[0]
    return " ".join(_cardinal_words(value, zero_tens, thousand))


def digits(text: str) -> str:
    """Digit by digit, as telephone numbers and codes are read: "0912" → "không chín một hai"."""
    return " ".join(DIGITS[int(char)] for char in text if is_number(char))


def fraction_digits(text: str, zero_tens: str = "linh") -> str:
    """The part after "phẩy": leading zeros one by one, then up to three digits as a number
    ("05" → "không năm", "14" → "mười bốn"), longer tails digit by digit."""
    stripped = text.lstrip("0")
    zeros = [DIGITS[0]] * (len(text) - len(stripped))
    if not stripped:
        return " ".join(zeros)
    tail = cardinal(int(stripped), zero_tens) if len(stripped) <= 3 else digits(stripped)
    return " ".join(zeros + [tail])


def decimal(integer: int, fraction: str, zero_tens: str = "linh", thousand: str = "nghìn") -> str:
    """2 and "5" → "hai phẩy năm"."""
    return f"{cardinal(integer, zero_tens, thousand)} phẩy {fraction_digits(fraction, zero_tens)}"


def ordinal(value: int, zero_tens: str = "linh") -> str:
    """After "thứ": 1 → "nhất", 4 → "tư", otherwise the cardinal (thứ hai, thứ mười bốn)."""
    return {1: "nhất", 4: "tư"}.get(value) or cardinal(value, zero_tens)


def rank(value: int, zero_tens: str = "linh") -> str:
    """After "hạng", "giải": nhất, nhì, ba, tư, then cardinals."""
    return {1: "nhất", 2: "nhì", 4: "tư"}.get(value) or cardinal(value, zero_tens)


def roman(text: str) -> int:
    """Value of a well-formed upper-case Roman numeral (the caller's pattern checks the form)."""
    total = 0
    for char, following in zip(text, text[1:] + " "):
        value = _ROMAN_VALUES[char]
        total += -value if following != " " and _ROMAN_VALUES[following] > value else value
    return total


def month(value: int) -> str:
    """1 → "Một", 4 → "Tư", 12 → "Mười Hai" (as said after "tháng")."""
    return MONTHS[value]


def day(value: int, small_day: str = "mồng", zero_tens: str = "linh") -> str:
    """Day of the month: 1–10 take "mồng" (mồng hai tháng Chín), the rest the cardinal."""
    spoken = cardinal(value, zero_tens)
    return f"{small_day} {spoken}" if small_day and value <= 10 else spoken
