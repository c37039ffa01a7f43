"""Strip what is not read aloud: Markdown marks, links, addresses, emoji, editors' placeholders.

Each step is one regular-expression pass (C speed over a megabyte); the order matters:
placeholders and link targets go before bare URLs, URLs before emphasis (URLs hold "_").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from content.speech.patterns import UPPER

_END_PUNCTUATION = ".!?:;…,"
Notice = Callable[[str, str], None]

# Editors' notes such as "[[CẦN BỔ SUNG: …]]" (content/models.py PLACEHOLDER_PATTERN is one
# kind), with the rest of their sentence: "Xã hình thành từ: [[…]]." says nothing without it.
PLACEHOLDER = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)
_NEW_SENTENCE = re.compile(rf"[ \t]*(?:$|\n|[{UPPER}])")
_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)|\n")  # not the dot of "TP.HCM" or "dangcongsan.vn"
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\n]*\)")
_AUTOLINK = re.compile(r"<(?:https?://|mailto:)[^>\s]+>")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]“”\"']*[^\s<>()\[\]“”\"'.,;:!?]")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TLD = re.compile(r"(?:\.(?:vn|com|net|org|gov|edu|info|io))+(?![\w-])", re.IGNORECASE)
_DOMAIN_HEAD = re.compile(r"(?<![\w@/.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+$", re.IGNORECASE)
_DOMAIN_PATH = re.compile(r"(?:/[^\s()<>“”\"']*[^\s()<>“”\"'.,;:!?])?")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>\n]*>")
_FOOTNOTE = re.compile(r"\[\^[^\]\n]*\]")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
_RULE = re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.MULTILINE)
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}[-:| \t]*$", re.MULTILINE)
_QUOTE = re.compile(r"^[ \t]*>[ \t]?", re.MULTILINE)
_HEADING_OR_ITEM = re.compile(r"^[ \t]*(?:#{1,6}|[-*+•▪►◦‣]|\d+[.)])[ \t]+(.*?)[ \t#]*$", re.MULTILINE)
_STRONG_LINE = re.compile(r"^[ \t]*(\*\*|__)(?=\S)(.+?)(?<=\S)\1[ \t]*$", re.MULTILINE)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*])")
_CODE = re.compile(r"`+([^`\n]*)`+")
# Emoji, pictographs, dingbats, geometric bullets, keycaps, variation selectors, ZWJ, tags.
_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF\u25A0-\u25FF"
    "\uFE0E\uFE0F\u200D\u20E3\U000E0020-\U000E007F]+")
_INLINE_BULLET = re.compile(r"[ \t]*[•·‧∙][ \t]*")


def _sentence(content: str) -> str:
    if content and content[-1] not in _END_PUNCTUATION and not content.endswith(("”", '"', ")")):
        content += "."
    return content


def _line(match: re.Match[str]) -> str:
    """A heading or list item becomes a sentence of its own, so the voice pauses after it."""
    content = match.group(1)
    marker = match.group(0).lstrip()[0]
    if marker.isdigit():  # "1. Mục đích" keeps its number; "1)" reads as "1."
        number = match.group(0).lstrip().split(None, 1)[0].rstrip(".)")
        content = f"{number}. {content}"
    return _sentence(content)


def _drop_placeholders(text: str, notice: Notice) -> str:
    """Drop each placeholder with the sentence around it (to the sentence's end mark)."""
    kept: list[str] = []
    position = 0
    for match in PLACEHOLDER.finditer(text):
        notice("placeholder", " ".join(match.group(1).split()))
        start = position
        for boundary in _SENTENCE_END.finditer(text, position, match.start()):
            start = boundary.end()
        following = _SENTENCE_END.search(text, match.end())
        if _NEW_SENTENCE.match(text, match.end()):  # "[[…]] Đại hội…": the note stood alone
            end = match.end()
        else:
            end = len(text) if following is None else following.end() - (following.group(0) == "\n")
        kept.append(text[position:start])
        position = max(position, end)
    kept.append(text[position:])
    return "".join(kept)


def _drop_domains(text: str, notice: Notice) -> str:
    """Bare domains ("dangcongsan.vn"), found from their ending: a fast literal search instead
    of trying a domain pattern at every position of a megabyte."""
    kept: list[str] = []
    position = 0
    for ending in _TLD.finditer(text):
        if ending.start() < position:
            continue
        head = _DOMAIN_HEAD.search(text, max(position, ending.start() - 80), ending.start() + 1)
        if head is None:
            continue
        path = _DOMAIN_PATH.match(text, ending.end())
        end = path.end() if path else ending.end()
        notice("address", text[head.start():end])
        kept.append(text[position:head.start()])
        position = end
    kept.append(text[position:])
    return "".join(kept)


# (what the text must contain for the step to run, pattern, replacement): most articles have
# no tables, code, HTML or e-mail, and `in` is far cheaper than a regex pass over a megabyte.
_STEPS: tuple[tuple[tuple[str, ...], re.Pattern[str], Any], ...] = (
    (("![",), _IMAGE, ""),
    (("](",), _LINK, r"\1"),
    (("<",), _HTML_TAG, " "),
    (("[^",), _FOOTNOTE, ""),
    (("\\",), _ESCAPE, r"\1"),
    (("---", "***", "___"), _RULE, ""),
    (("---",), _TABLE_RULE, ""),
    ((">",), _QUOTE, ""),
    (("#", "-", "*", "+", "•", "▪", "►", "◦", "‣", ".", ")"), _HEADING_OR_ITEM, _line),
    (("**", "__"), _STRONG_LINE, lambda match: _sentence(match.group(2))),  # a bold line: a heading
    (("**", "__"), _STRONG, r"\2"),
    (("*", "_"), _EMPHASIS, r"\2"),
    (("`",), _CODE, r"\1"),
    (("•", "·", "‧", "∙"), _INLINE_BULLET, ", "),
)


def strip_markup(text: str, notice: Notice) -> str:
    """Plain sentences; what was dropped and may leave a sentence short goes to `notice`
    ("placeholder" with the note's text, "address" with the URL, domain or e-mail)."""
    if "[[" in text:
        text = _drop_placeholders(text, notice)

    def drop_address(match: re.Match[str]) -> str:
        notice("address", match.group(0).strip("<>"))
        return ""
    if "](" in text:  # a link's text is read, its target is not an address to warn about
        text = _LINK.sub(r"\1", _IMAGE.sub("", text))
    if "<" in text:
        text = _AUTOLINK.sub(drop_address, text)
    if "://" in text or "www." in text:
        text = _URL.sub(drop_address, text)
    if "@" in text:
        text = _EMAIL.sub(drop_address, text)
    text = _drop_domains(text, notice)
    for needles, pattern, replacement in _STEPS:
        if any(needle in text for needle in needles):
            text = pattern.sub(replacement, text)
    return _EMOJI.sub("", text).replace("|", ", ")
