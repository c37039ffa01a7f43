"""Deep links into the web chat: `/chat?start=<kind>:<id>`.

The public pages link into the chat at a place: "Hỏi Loa Số" under an article, "Góp ý" beside
a draft. The convention, which the web chat (`GET /chat`) honours:

    /chat?start=tin:<article id>    open that article in "Tin Đại hội" (button news:art:<id>)
    /chat?start=gy:<draft id>       open that draft in "Văn kiện & Góp ý" (button gy:d:<id>)

Ids are content-pack ids (lower-case ASCII letters, digits and "-", at most 40 characters), so
a link never needs escaping beyond the ":" that query strings allow as it is. A value that does
not parse, or names something residents may not see on the day (an article not yet true, a
draft not yet open), is ignored: the chat opens at its start as if no `start` were given. The
web chat asks `resolve_start` and, once the resident has passed the privacy notice, presses
`StartLink.payload` for them, as if they had tapped the button.

Telegram's own `?start=` parameter allows only letters, digits, "_" and "-", so a Telegram
deep link to the same place would spell it `tin-<id>` / `gy-<id>`; `parse_start` reads both.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from content.models import ID_PATTERN
from content.view import ContentView

CHAT_PATH = "/chat"
KINDS = {"tin": "news:art:", "gy": "gy:d:"}  # link kind → the flows' button payload prefix
_START = re.compile(r"(tin|gy)[:-](" + ID_PATTERN.strip("^$") + ")")  # whole value only


@dataclass(frozen=True)
class StartLink:
    """Where a link opens the chat: an article ("tin") or a draft ("gy")."""

    kind: str
    target: str  # the article or draft id

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.target}"

    @property
    def url(self) -> str:
        """The chat's address opening here (relative to the site)."""
        return f"{CHAT_PATH}?{urlencode({'start': self.value}, safe=':')}"

    @property
    def payload(self) -> str:
        """The button the chat presses for the resident (handlers/news.py, consultation.py)."""
        return KINDS[self.kind] + self.target


def ask_about(article_id: str) -> str:
    """"Hỏi Loa Số" under an article."""
    return StartLink("tin", article_id).url


def comment_on(draft_id: str) -> str:
    """"Góp ý" beside a draft."""
    return StartLink("gy", draft_id).url


def parse_start(value: str | None) -> StartLink | None:
    """The link's place, or None for anything that is not `tin:<id>` / `gy:<id>`."""
    if not value or len(value) > 50:
        return None
    found = _START.fullmatch(value)
    return StartLink(found.group(1), found.group(2)) if found else None


def resolve_start(value: str | None, view: ContentView, moment: dt.datetime) -> StartLink | None:
    """The link's place if residents may open it now: an article true on the view's day, a
    draft that has opened by `moment` (an aware time). A closed draft still opens: the chat
    shows it readable, with the day it closed."""
    link = parse_start(value)
    if link is None:
        return None
    if link.kind == "tin":
        return link if view.article(link.target) is not None else None
    draft = view.pack.drafts.get(link.target)
    if draft is None or moment < view.pack.local(draft.opens):
        return None
    return link
