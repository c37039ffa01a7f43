"""The reading rules: each a pattern (patterns.py) and what to say for a match.

Rules run one after another, in the order of `Reader.phases` (those about numbers only over
the lines that hold a digit): codes and telephone numbers before dates (they contain slashes
and hyphens), abbreviations before Roman numerals ("ĐH XIV"), dates before ranges (19–25/1 is
one date), ranges before times and numbers (7h30–11h), and the plain numbers last. Each
rule's output has no digits left, so no later rule reads it twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from content.speech import numbers
from content.speech import patterns as p
from content.speech.model import SpeechOptions

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]
_DIGIT = re.compile(r"\d")
_LINE_SEPARATOR = "\n\x02\n"  # \x02: neither a word nor a space, so no pattern crosses it
_OPENING = "([“\"'‘«–—-/"


def _word_before(text: str, start: int) -> str:
    match = p.WORD_BEFORE.search(text, max(0, start - 24), start)
    return match.group(1).casefold() if match else ""


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence holding text[start:end], without that part."""
    left = max(text.rfind("\n", 0, start), text.rfind(". ", 0, start)) + 1
    stops = [index for index in (text.find("\n", end), text.find(". ", end)) if index >= 0]
    return f"{text[left:start]} {text[end:min(stops, default=len(text))]}"


def _abbreviation_pattern(abbreviations: Mapping[str, str]) -> re.Pattern[str] | None:
    """Longest first; a key ending in a letter or digit must end a word ("TW", not "TWO")."""
    if not abbreviations:
        return None
    keys = sorted(abbreviations, key=len, reverse=True)
    alternatives = [re.escape(key) + (r"(?!\w)" if key[-1].isalnum() else "") for key in keys]
    words = "|".join(re.escape(key) for key in keys if key.isalnum())
    if words:  # "KH/ĐU" read from its parts
        alternatives.insert(0, rf"(?:{words})/(?:{words})(?![\w/])")
    return re.compile(rf"(?<![\w/])(?:{'|'.join(alternatives)})")


def _apply(text: str, rules: list[Rule]) -> str:
    for pattern, handler in rules:
        text = pattern.sub(handler, text)
    return text


class Reader:
    """Rules bound to one abbreviation table and one set of reading options."""

    def __init__(self, abbreviations: Mapping[str, str], options: SpeechOptions) -> None:
        self.abbreviations = dict(abbreviations)
        self.options = options
        # (rules, whether they only touch lines with a digit): two lines in three have none,
        # and a megabyte costs each regex pass some 10 ms even where nothing matches.
        self.phases: list[tuple[list[Rule], bool]] = [
            ([(p.DOCUMENT, self.document),
              (p.PHONE_AFTER_CUE, self.phone_after_cue),
              (p.PHONE, lambda match: self.phone(match.group("number")))], True),
        ]
        abbreviation = _abbreviation_pattern(self.abbreviations)
        self.phases.append(([(abbreviation, self.abbreviation)] if abbreviation else [], False))
        self.phases.append(([(p.NUMBERED, self.numbered)], False))  # Roman numerals: no digit
        self.phases.append(([
            (p.DATE, self.date),
            (p.DATE_DOTTED, self.date),
            (p.DATE_ISO, self.date),
            (p.MONTH_YEAR, self.month_year),
            (p.MONTH_WORD, lambda match: f"{match['word']} {numbers.month(int(match['m']))}"),
            (p.DAY_WORD, self.day_word),
            (p.RANGE, lambda match: f"{match['first']} đến "),
            (p.TIME, self.time),
            (p.TIME_COLON, self.time),
            (p.RATIO, self.ratio),
            (p.LETTER_DASH_DIGIT, lambda match: " "),
            (p.BEFORE_NUMBER, lambda match: "khoảng " if match.group(0)[0] in "~≈" else "số "),
            (p.NUMBER, self.number),
            (p.DIGITS, self.leftover),  # oddly written numbers ("x.13"): never leave a digit
        ], True))
        self.phases.append(([
            (p.SYMBOL, lambda match: p.SYMBOLS[match.group(0)]),
            (p.RATE_SLASH, lambda match: " mỗi "),
            (p.COMMAND_SLASH, lambda match: ""),
            (p.SLASH, lambda match: ", "),
        ], False))

    @property
    def rules(self) -> list[Rule]:
        return [rule for rules, _ in self.phases for rule in rules]

    def apply(self, text: str) -> str:
        for rules, digits_only in self.phases:
            text = self._apply_to_digit_lines(text, rules) if digits_only else _apply(text, rules)
        return text

    @staticmethod
    def _apply_to_digit_lines(text: str, rules: list[Rule]) -> str:
        """The rules over the lines that hold a digit, joined by a separator no rule matches."""
        lines = text.split("\n")
        chosen = [index for index, line in enumerate(lines) if _DIGIT.search(line)]
        parts = _apply(_LINE_SEPARATOR.join(lines[index] for index in chosen), rules).split(
            _LINE_SEPARATOR)
        if len(parts) != len(chosen):  # cannot happen with the shipped rules; stay correct anyway
            return _apply(text, rules)
        for index, part in zip(chosen, parts):
            lines[index] = part
        return "\n".join(lines)

    # Numbers ----------------------------------------------------------------------------

    def cardinal(self, value: int | str) -> str:
        return numbers.cardinal(int(value), self.options.zero_tens, self.options.thousand)

    def integer(self, written: str) -> str:
        """A plain digit string: "05" is five (documents pad counts), long or 0-led ones are
        codes or telephone numbers read digit by digit."""
        if len(written) >= 8 or (written[0] == "0" and len(written) >= 4):
            return numbers.digits(written)
        return self.cardinal(written)

    def number(self, match: re.Match[str]) -> str:
        if match["grouped"]:
            spoken = self._with_fraction(int(match["grouped"].replace(".", "")), match["gfrac"])
        elif match["english"]:
            spoken = self.cardinal(match["english"].replace(",", ""))
        elif match["dotted"]:
            spoken = " chấm ".join(self.integer(part) for part in match["dotted"].split("."))
        elif match["frac"]:
            spoken = self._with_fraction(int(match["plain"]), match["frac"])
        else:
            spoken = self.integer(match["plain"])
        if match["unit"]:
            spoken += " " + p.UNITS[match["unit"]]
        return self._spaced(spoken, match.string, match.start(), match.end())

    def leftover(self, match: re.Match[str]) -> str:
        return self._spaced(self.integer(match.group(0)), match.string, match.start(), match.end())

    @staticmethod
    def _spaced(spoken: str, text: str, start: int, end: int) -> str:
        if start and not (text[start - 1].isspace() or text[start - 1] in _OPENING):
            spoken = " " + spoken  # "QH15", "§5": a word of its own
        if end < len(text) and (text[end].isalpha() or text[end] in "§#@$€£¥"):
            spoken += " "
        return spoken

    def _with_fraction(self, integer: int, fraction: str | None) -> str:
        if fraction is None:
            return self.cardinal(integer)
        return numbers.decimal(integer, fraction, self.options.zero_tens, self.options.thousand)

    def phone(self, written: str) -> str:
        groups = [group for group in re.split(r"[ .-]", written.lstrip("+")) if group]
        spoken = ", ".join(numbers.digits(group) for group in groups)
        return f"cộng {spoken}" if written.startswith("+") else spoken

    def phone_after_cue(self, match: re.Match[str]) -> str:
        return match["cue"] + self.phone(match["number"])

    # Words with numbers -------------------------------------------------------------------

    def abbreviation(self, match: re.Match[str]) -> str:
        written = match.group(0)
        if written not in self.abbreviations:  # "KH/ĐU": a document's kind and its issuer
            kind, issuer = (self.abbreviations[part] for part in written.split("/"))
            joiner = " của " if kind.casefold() in p.DOCUMENT_KINDS else ", "
            return kind + joiner + issuer
        spoken = self.abbreviations[written]
        end = match.end()
        if not match.group(0)[-1].isalnum() and end < len(match.string) and match.string[end].isalnum():
            spoken += " "  # "TP.HCM": the dot was the only separator
        return spoken

    def numbered(self, match: re.Match[str]) -> str:
        word = match["word"]
        kind = word.casefold()
        if match["roman"]:
            value = numbers.roman(match["roman"])
        elif kind in p.ORDINAL_WORDS or kind in p.RANK_WORDS or match["year"]:
            value = int(match["arabic"])
        else:  # "khóa 2020–2025", "mục 3": the plain number rules read these
            return match.group(0)
        if kind in p.ORDINAL_WORDS:
            spoken = numbers.ordinal(value, self.options.zero_tens)
        elif kind in p.RANK_WORDS:
            spoken = numbers.rank(value, self.options.zero_tens)
        else:
            spoken = self.cardinal(value)
        year = f" năm {self.cardinal(match['year'])}" if match["year"] else ""
        return f"{word} {spoken}{year}"

    def document(self, match: re.Match[str]) -> str:
        """"Kế hoạch 04-KH/ĐU" → "Kế hoạch không bốn của Đảng ủy": the kind of document when
        the text has not just said it, the number as its name is said (04 "không bốn"), and
        the issuer unless the sentence already names it."""
        text, start, end = match.string, match.start(), match.end()
        first, second, term = match["first"], match["second"], match["term"]
        kind, issuer = (first, second) if second else ((None, first) if term else (first, None))
        words: list[str] = []
        before = text[max(0, start - 40):start].casefold().rstrip(" :")
        before = before[:-3].rstrip() if before.endswith(" số") else before
        if kind and not any(before.endswith(name) for name in p.DOCUMENT_KINDS):
            words.append(self.abbreviations.get(kind, kind))
        number = match["number"]
        words.append(numbers.digits(number) if number.startswith("0") and len(number) > 1
                     else self.cardinal(number))
        if match["year"]:
            words.append(f"năm {self.cardinal(match['year'])}")
        if issuer:
            name = self.abbreviations.get(issuer, issuer)
            sentence = _sentence_around(text, start, end)
            named = (p.ISSUER_FOLLOWS.match(text, end) or name.casefold() in sentence.casefold()
                     or re.search(rf"(?<!\w){re.escape(issuer)}(?!\w)", sentence))
            if not named:
                words.append(f"của {name}" + (f" khóa {self.cardinal(term)}" if term else ""))
        return " ".join(words)

    # Dates and times ----------------------------------------------------------------------

    def _day(self, value: str, with_mong: bool = True) -> str:
        small_day = self.options.small_day if with_mong else ""
        return numbers.day(int(value), small_day, self.options.zero_tens)

    def _day_month_year(self, day: str, month: str, year: str | None, with_mong: bool) -> str:
        spoken = f"{self._day(day, with_mong)} tháng {numbers.month(int(month))}"
        return f"{spoken} năm {self.cardinal(year)}" if year else spoken

    def date(self, match: re.Match[str]) -> str:
        text, start = match.string, match.start()
        groups = match.groupdict()
        before = _word_before(text, start)
        if (groups.get("d2") is None and groups.get("d3") is None and groups["y1"] is None
                and self._is_fraction(text, match)):
            return self.ratio(match, numerator="d1", denominator="m1")
        with_mong = before not in ("mồng", "mùng")
        prefix = "" if before in p.NO_DAY_WORD else "ngày "
        if groups.get("d2"):  # 19–25/1: one month, two days
            first = self._day(groups["d1"], with_mong)
            last = self._day_month_year(groups['d2'], groups['m1'], groups['y1'], True)
            spoken = prefix + f"{first} đến {last}"
        else:
            spoken = prefix + self._day_month_year(groups["d1"], groups["m1"], groups["y1"], with_mong)
        if groups.get("d3"):
            spoken += " đến ngày " + self._day_month_year(groups["d3"], groups["m3"], groups["y3"], True)
        return spoken

    @staticmethod
    def _is_fraction(text: str, match: re.Match[str]) -> bool:
        """"hơn 2/3 số phiếu" is a fraction; "sáng 2/3" and "ngày 2/3" are dates."""
        before = _word_before(text, match.start())
        if before == "ngày":
            return False
        return before in p.FRACTION_BEFORE or bool(p.FRACTION_AFTER.match(text, match.end()))

    def ratio(self, match: re.Match[str], numerator: str = "a", denominator: str = "b") -> str:
        """"2/3" → "hai phần ba" when it reads as a fraction, "50/60" → "năm mươi trên sáu mươi"."""
        top, bottom = int(match[numerator]), int(match[denominator])
        if 0 < top < bottom <= 10:  # a fraction: "một phần tư", as 4 is said in "thứ tư"
            return f"{self.cardinal(top)} phần {'tư' if bottom == 4 else self.cardinal(bottom)}"
        return f"{self.cardinal(top)} trên {self.cardinal(bottom)}"

    def month_year(self, match: re.Match[str]) -> str:
        before = _word_before(match.string, match.start())
        year = self.cardinal(match["y"])
        if before == "số":  # "số 12/2025": a number of that year, not December
            return f"{self.cardinal(match['m'])} năm {year}"
        prefix = "" if before == "tháng" else "tháng "
        return f"{prefix}{numbers.month(int(match['m']))} năm {year}"

    def day_word(self, match: re.Match[str]) -> str:
        with_mong = match["word"].casefold() == "ngày"
        return f"{match['word']} {self._day(match['d'], with_mong)}"

    def time(self, match: re.Match[str]) -> str:
        spoken = f"{self.cardinal(match['h'])} giờ"
        if match["m"] and int(match["m"]):
            spoken += f" {self.cardinal(match['m'])} phút"
        seconds = match.groupdict().get("s")
        if seconds and int(seconds):
            spoken += f" {self.cardinal(seconds)} giây"
        return spoken
