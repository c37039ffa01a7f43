"""Browsing ("Tin Đại hội", /tin): the current phase's topics → articles → an article.

Screens keep their place in the resident's state (which phase they browse), so buttons carry
only ids and pages. An id that a reload removed answers "Nội dung đã được cập nhật".
"""

from __future__ import annotations

import re

from content.models import Article
from content.pack import Window
from content.phases import earlier_phases
from handlers import texts
from handlers.campaign import current_period, vietnamese_date
from handlers.menu import show_menu
from handlers.paging import int_or_zero, label, navigation, page_of
from handlers.router import Turn, router
from messages.types import Option

_PLACEHOLDER = re.compile(r"\[\[CẦN BỔ SUNG:[^\]]*\]\]")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")


def stale(turn: Turn) -> None:
    show_menu(turn, texts.STALE_CONTENT)


def plain_text(markdown: str) -> str:
    """Markdown to chat text: headings, emphasis and links made readable without markup."""
    lines = []
    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            stripped = stripped.lstrip("#").strip().upper()
        elif stripped[:2] in ("- ", "* ", "+ "):
            stripped = "• " + stripped[2:]
        lines.append(stripped)
    text = "\n".join(lines)
    text = _LINK.sub(r"\1 (\2)", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _PLACEHOLDER.sub(texts.PLACEHOLDER_SHOWN, text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def topics_in(turn: Turn, phase: Window, stage: Window | None) -> list[tuple[str, str]]:
    """(topic id, name) of the topics that have articles in this phase/stage, pack order."""
    pack = turn.content.pack
    present = {article.topic for article in pack.articles_in(phase.id, stage and stage.id)}
    return [(topic.id, topic.name) for topic in pack.campaign.topics if topic.id in present]


def show_topics(turn: Turn, phase: Window, stage: Window | None, heading: str, page: int,
                *, more_payload: str, back: str, extra: list[Option]) -> None:
    topics = topics_in(turn, phase, stage)
    shown, more = page_of(topics, page)
    options = [Option(label(name), f"news:topic:{topic_id}:0") for topic_id, name in shown]
    nav = navigation(more=f"{more_payload}:{page + 1}" if more else None, back=back, extra=extra)
    turn.say(heading if topics else f"{heading}\n\n{texts.NEWS_NO_TOPICS}", options + nav)
    turn.goto(None, phase=phase.id, stage=stage.id if stage else None)


@router.command("tin")
@router.button("news")
async def news(turn: Turn) -> None:
    """Dispatch news:<screen>:<args> to the screen it names; /tin opens the current phase."""
    screen, _, args = turn.value.partition(":")
    if screen in ("", "home"):
        await news_home(turn, int_or_zero(args))
    elif screen == "arch":
        await archive(turn)
    elif screen == "phase":
        phase_id, _, page = args.partition(":")
        await phase_topics(turn, phase_id, int_or_zero(page))
    elif screen == "topic":
        topic_id, _, page = args.partition(":")
        await topic_articles(turn, topic_id, int_or_zero(page))
    elif screen == "art":
        await article(turn, args)
    else:
        stale(turn)


async def news_home(turn: Turn, page: int = 0) -> None:
    period = await current_period(turn)
    if period.phase is None:
        show_menu(turn, texts.NEWS_NOT_STARTED)
        return
    phase, stage = period.phase, period.stage
    lines = [texts.NEWS_HOME.format(phase=phase.name, title=phase.title)]
    if stage is not None:
        lines.append(texts.NEWS_STAGE.format(stage=stage.name))
    if period.pinned:
        lines.append(texts.NEWS_PINNED)
    lines.append(texts.NEWS_PICK_TOPIC)
    extra = ([Option(texts.ARCHIVE, "news:arch")]
             if earlier_phases(turn.content.pack, period) else [])
    show_topics(turn, phase, stage, "\n".join(lines), page, more_payload="news:home",
                back="menu:show", extra=extra)


async def archive(turn: Turn) -> None:
    period = await current_period(turn)
    earlier = earlier_phases(turn.content.pack, period)
    options = [Option(label(f"{phase.name}: {phase.title}"), f"news:phase:{phase.id}:0")
               for phase in earlier]
    turn.say(texts.NEWS_ARCHIVE, options + navigation(back="news:home:0"))


async def phase_topics(turn: Turn, phase_id: str, page: int) -> None:
    phase = turn.content.pack.window(phase_id)
    if phase is None:
        stale(turn)
        return
    heading = texts.NEWS_PHASE.format(phase=phase.name, title=phase.title)
    show_topics(turn, phase, None, heading, page, more_payload=f"news:phase:{phase.id}",
                back="news:arch", extra=[])


async def _browsing_period(turn: Turn) -> tuple[str, str | None]:
    """The phase (and stage) the resident is browsing; the current one if not remembered."""
    if turn.data.get("phase") and turn.content.pack.window(turn.data["phase"]):
        return turn.data["phase"], turn.data.get("stage")
    period = await current_period(turn)
    if period.phase is None:
        return turn.content.pack.windows[0].id, None
    return period.phase.id, period.stage.id if period.stage else None


async def topic_articles(turn: Turn, topic_id: str, page: int) -> None:
    pack = turn.content.pack
    topic = pack.topics.get(topic_id)
    if topic is None:
        stale(turn)
        return
    phase_id, stage_id = await _browsing_period(turn)
    articles = [a for a in pack.articles_in(phase_id, stage_id) if a.topic == topic_id]
    if not articles:
        stale(turn)
        return
    shown, more = page_of(articles, page)
    options = [Option(label(a.title), f"news:art:{a.id}") for a in shown]
    current = await current_period(turn)
    back = ("news:home:0" if current.phase and current.phase.id == phase_id
            else f"news:phase:{phase_id}:0")
    nav = navigation(more=f"news:topic:{topic_id}:{page + 1}" if more else None, back=back)
    turn.say(texts.NEWS_TOPIC.format(topic=topic.name, count=len(articles)), options + nav)
    turn.goto(None, phase=phase_id, stage=stage_id)


def render_article(item: Article) -> str:
    parts = [f"📰 {item.title.upper()}", item.summary, plain_text(item.body)]
    if item.sources:
        sources = [f"• {source.title}" + (f": {source.url}" if source.url else "")
                   for source in item.sources]
        parts.append("\n".join([texts.ARTICLE_SOURCES, *sources]))
    parts.append(texts.ARTICLE_PUBLISHED.format(date=vietnamese_date(item.published)))
    return "\n\n".join(plain_text(part) if part is item.summary else part for part in parts)


async def article(turn: Turn, article_id: str) -> None:
    item = turn.content.pack.article_by_id.get(article_id)
    if item is None:
        stale(turn)
        return
    turn.say(render_article(item), navigation(back=f"news:topic:{item.topic}:0"))


router.menu_item(texts.MENU_NEWS, "news:home:0", order=10)
