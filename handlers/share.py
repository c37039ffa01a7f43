"""/chiase: copy-ready text for hamlet Zalo groups, where no bot may post (issue 19).

A leader (any active role) picks one of the day's articles, or writes `/chiase <text>`, and
gets one message to copy: plain text (no Markdown, which Zalo shows as it is), at most 2,000
characters, with the address of the article's public page. `loaso share` gives staff the
same text (`share_text`, `share_article`).
"""

from __future__ import annotations

import re

from content.models import Article
from handlers import texts
from handlers.announcements import role_or_refuse
from handlers.campaign import campaign_day
from handlers.menu import stale
from handlers.news import plain_text
from handlers.router import Router, Turn
from messages.types import Option

MAX_CHARS = 2000  # what Zalo shows in one message
CHOICES = 6
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def article_url(public_url: str | None, article_id: str) -> str | None:
    return f"{public_url.rstrip('/')}/tin/{article_id}" if public_url else None


def _fit(paragraphs: list[str], room: int) -> str:
    """As many whole paragraphs as fit in `room` characters, then as many whole sentences of
    the next one as still fit, marked "…" (never a word cut in two)."""
    kept: list[str] = []
    for paragraph in paragraphs:
        if len("\n\n".join([*kept, paragraph])) <= room:
            kept.append(paragraph)
            continue
        sentences: list[str] = []
        for sentence in _SENTENCE_END.split(paragraph):
            if len("\n\n".join([*kept, " ".join([*sentences, sentence]) + " …"])) > room:
                break
            sentences.append(sentence)
        if sentences:
            kept.append(" ".join(sentences) + " …")
        break
    return "\n\n".join(kept)


def share_text(text: str, *, organisation: str, url: str | None = None,
               title: str | None = None) -> str:
    """`text` (Markdown or plain) as one Zalo message: plain, ≤ MAX_CHARS, link and signature
    at the end."""
    tail = [texts.CS_READ_MORE.format(url=url)] if url else []
    tail.append(texts.CS_SIGNATURE.format(organisation=organisation))
    head = [title.upper()] if title else []
    room = MAX_CHARS - sum(len(part) + 2 for part in head + tail)
    paragraphs = [part for part in re.split(r"\n\s*\n", plain_text(text)) if part.strip()]
    body = _fit(paragraphs, room)
    return "\n\n".join(head + ([body] if body else []) + tail)


def share_article(article: Article, *, organisation: str, public_url: str | None) -> str:
    return share_text(f"{article.summary}\n\n{article.body}", organisation=organisation,
                      url=article_url(public_url, article.id), title=article.title)


def _organisation(turn: Turn) -> str:
    return str(turn.content.pack.campaign.organisation.name)


async def start(turn: Turn) -> None:
    """/chiase [text]: the text made ready for Zalo, or a choice of the day's articles."""
    if await role_or_refuse(turn) is None:
        return
    typed = turn.inbound.text.strip() if turn.inbound.command else ""
    if typed:
        turn.say(texts.CS_READY)
        turn.say(share_text(typed, organisation=_organisation(turn)))
        return
    view = turn.content.visible(campaign_day(turn))
    latest = sorted(view.articles, key=lambda a: (a.published, a.id), reverse=True)[:CHOICES]
    if not latest:
        turn.say(texts.CS_NONE)
        return
    turn.say(texts.CS_PICK, [Option(item.title[:60], f"cs:a:{item.id}") for item in latest])


async def article(turn: Turn) -> None:
    """cs:a:<article id>."""
    if await role_or_refuse(turn) is None:
        return
    item = turn.content.visible(campaign_day(turn)).article(turn.value)
    if item is None:
        stale(turn)
        return
    public_url = getattr(turn.settings, "public_url", None)
    turn.say(texts.CS_READY if public_url else texts.CS_READY_NO_LINK)
    turn.say(share_article(item, organisation=_organisation(turn), public_url=public_url))


def register(router: Router) -> None:
    router.command("chiase", step=start)
    router.steps("cs", {"": start, "a": article})
