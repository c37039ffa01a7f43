"""Plain words that mean a command: the one table of them, and how a sentence is read.

Residents, elderly ones on Zalo above all, rarely type "/". So "menu", "quay lại", "thoát",
"góp ý", "thi", "lịch", "đăng ký", "hủy", "trợ giúp", "dữ liệu của tôi", "xin chào" work as
the commands they name: with or without diacritics, in any case, with polite padding ("cho
tôi xem lịch ạ", "bác muốn góp ý"). They are understood outside a flow and where a flow waits
for a button; where a flow waits for typed text, the text is the answer (handlers.router).

A phrase must be the whole message once the padding is taken off, so a search such as
"lịch sử Đảng" or "thi đua" is still a search; "tìm …" and "tra cứu …" always search.
A sentence that is a comment ("đề nghị …", "bác muốn góp ý về đường làng") is searched as
well, and handlers.search offers to send it as a comment (`comment_text`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from content.text import fold
from handlers import texts
from handlers.menu import show_menu
from handlers.router import BACK, MENU_PAYLOAD, Router, Turn


@dataclass(frozen=True)
class Intent:
    """What some plain words mean: a command ("/lich"), BACK, or a button payload."""

    name: str  # for tests and the docs
    phrases: tuple[str, ...]
    action: str
    in_flow: str | None = None  # what the words mean where a flow waits for a button


EXIT = "intent:exit"  # leave the flow, nothing changed, and show the menu

INTENTS: tuple[Intent, ...] = (
    Intent("menu", ("menu", "me nu", "danh muc", "menu chinh", "trang chu", "ve menu",
                    "chuc nang", "cac chuc nang"), MENU_PAYLOAD),
    Intent("back", ("quay lai", "tro lai", "quay ve", "tro ve", "lui lai", "lui"), BACK),
    Intent("exit", ("thoat", "thoat ra", "ket thuc", "thoi", "bo qua", "khong lam nua"),
           EXIT),
    Intent("comment", ("gop y", "gui gop y", "gop y van kien", "gop y du thao",
                       "dong gop y kien", "van kien"), "/gopy"),
    Intent("quiz", ("thi", "thi tim hieu", "cuoc thi", "tra loi cau hoi", "thi trac nghiem",
                    "lam bai thi", "du thi"), "/thi"),
    Intent("calendar", ("lich", "lich su kien", "lich dai hoi", "xem lich", "su kien"),
           "/lich"),
    Intent("news", ("tin", "tin tuc", "tin dai hoi", "ban tin", "doc tin"), "/tin"),
    Intent("search", ("tim", "tim kiem", "tra cuu"), "/timkiem"),
    Intent("faq", ("hoi dap", "cau hoi thuong gap"), "faq:list:0"),
    Intent("subscribe", ("dang ky", "dang ky nhan tin", "nhan tin", "dang ki"), "/dangky"),
    Intent("unsubscribe", ("huy", "dung", "dung lai", "stop", "huy dang ky",
                           "thoi nhan tin", "khong nhan tin nua"), "/huy", in_flow=EXIT),
    Intent("help", ("tro giup", "huong dan", "giup", "giup do", "help", "cach dung"),
           "/trogiup"),
    Intent("my_data", ("du lieu cua toi", "du lieu", "thong tin cua toi",
                       "du lieu ca nhan"), "/dulieu"),
    Intent("my_comments", ("gop y cua toi", "xem gop y cua toi"), "/gopycuatoi"),
    Intent("privacy", ("quyen rieng tu", "bao mat"), "privacy:show"),
    Intent("hello", ("xin chao", "chao", "chao ban", "chao loa so", "alo", "a lo", "hi",
                     "hello", "chao buoi sang"), "intent:hello"),
    Intent("thanks", ("cam on", "cam on ban", "cam on loa so", "thanks",
                      "thank you", "ok cam on"), "intent:thanks"),
)

# Phrases are written folded (no diacritics, lower case) because typed text is compared
# folded: "Quay lại", "QUAY LAI" and "quay lai" are one phrase. Polite padding around a
# request is taken off first; longest first, so "cho toi xem" wins over "cho toi".
LEADS = tuple(sorted({fold(lead) for lead in (
    "cho toi xem", "cho chau xem", "cho bac xem", "cho em xem", "cho minh xem", "cho tui xem",
    "cho toi", "cho chau", "cho bac", "cho em", "cho minh", "cho tui", "toi muon",
    "bac muon", "chau muon", "em muon", "minh muon", "tui muon", "ong muon", "ba muon",
    "co muon", "chu muon", "anh muon", "chi muon", "muon", "xin cho", "vui long",
    "lam on", "hay", "mo", "xem", "vao", "ve", "toi", "bac", "chau", "em", "minh", "loa so",
    "ban oi", "oi", "xin", "can")}, key=len, reverse=True))
TAILS = tuple(sorted({fold(tail) for tail in (
    "a", "nhe", "nha", "voi", "di", "da", "giup toi", "giup bac", "giup chau",
    "giup", "ho", "duoc khong", "dc khong", "duoc ko", "duoc chu", "oi", "ban oi",
    "loa so oi", "loa so", "cai", "nao", "the nao", "o dau", "dau", "xem sao", "voi a",
    "cho toi", "cho bac")}, key=len, reverse=True))
SEARCH_LEADS = tuple(fold(lead) for lead in (
    "tim kiem", "tim hieu ve", "tim giup", "tim", "tra cuu", "cho toi tim", "bac muon tim"))
# A sentence opening with these (after padding) is a comment to offer as one.
COMMENT_LEADS = tuple(fold(lead) for lead in (
    "gop y", "de nghi", "kien nghi", "de xuat", "phan anh", "y kien", "xin gop y",
    "muon gop y", "mong", "mong muon"))
COMMENT_MIN_WORDS = 3

_TABLE = {fold(phrase): intent for intent in INTENTS for phrase in intent.phrases}
_PUNCTUATION = re.compile(r"[^\w\s]+")


def key(text: str) -> str:
    """Folded words only: "Cho tôi xem LỊCH ạ!" → "cho toi xem lich a"."""
    return " ".join(_PUNCTUATION.sub(" ", fold(text)).split())


def strip_padding(folded: str) -> list[tuple[str, int, int]]:
    """The text with polite padding taken off bit by bit, most padded first: (text, words
    taken from the front, words taken from the end)."""
    forms = [(folded, 0, 0)]
    while True:
        current, front, back = forms[-1]
        tail = next((tail for tail in TAILS if current.endswith(" " + tail)), None)
        if tail is not None:
            forms.append((current[: -len(tail) - 1], front, back + len(tail.split())))
            continue
        lead = next((lead for lead in LEADS if current.startswith(lead + " ")), None)
        if lead is None:
            return forms
        forms.append((current[len(lead) + 1:], front + len(lead.split()), back))


def intent_of(text: str) -> Intent | None:
    """The intent the whole message names, padding aside; None if it is not a command."""
    folded = key(text)
    if not folded or len(folded) > 80:
        return None
    return next((_TABLE[form] for form, _, _ in strip_padding(folded) if form in _TABLE),
                None)


def search_words(text: str) -> str | None:
    """"tìm Tô Lâm nhé" → "Tô Lâm" (as typed); None unless the message asks to search."""
    typed = _PUNCTUATION.sub(" ", text).split()  # the same words as key(text), unfolded
    for form, front, back in reversed(strip_padding(key(text))):
        lead = next((lead for lead in SEARCH_LEADS if form.startswith(lead + " ")), None)
        if lead is not None:
            return " ".join(typed[front + len(lead.split()):len(typed) - back])
    return None


def comment_text(text: str) -> str | None:
    """The message as typed if it reads as a comment ("đề nghị sửa đường làng"), else None."""
    folded = key(text)
    if len(folded.split()) < COMMENT_MIN_WORDS:
        return None
    for form, _, _ in strip_padding(folded):
        if any(form.startswith(lead + " ") for lead in COMMENT_LEADS):
            return " ".join(text.split())
    return None


def understand(text: str, in_flow: bool) -> tuple[str, str] | None:
    """(action, argument) for the router: a command, BACK or a payload; None: not one."""
    query = search_words(text)
    if query:
        return "/timkiem", query
    intent = intent_of(text)
    if intent is None:
        return None
    return (intent.in_flow if in_flow and intent.in_flow else intent.action), ""


async def hello(turn: Turn) -> None:
    """intent:hello ("xin chào")."""
    show_menu(turn, texts.HELLO)


async def thanks(turn: Turn) -> None:
    """intent:thanks ("cảm ơn")."""
    show_menu(turn, texts.THANKS)


async def leave(turn: Turn) -> None:
    """intent:exit ("thoát", or "hủy" where a flow waits for a button): nothing changed."""
    turn.goto(None)
    show_menu(turn, texts.FLOW_LEFT)


def register(router: Router) -> None:
    router.intents(understand)
    router.steps("intent", {"hello": hello, "thanks": thanks, "exit": leave})
