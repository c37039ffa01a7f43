"""Browsing ("Tin Đại hội", /tin): the current phase's topics → articles → an article.

Screens keep their place in the resident's state (which phase they browse), so buttons carry
only ids and pages. An id that a reload removed gets the stale-button answer.
"""

from __future__ import annotations

import re

from content.models import PLACEHOLDER_PATTERN, Article
from content.pack import Window
from content.phases import Period
from handlers import texts
from handlers.campaign import current_period, vietnamese_date
from handlers.flow_data import FlowData
from handlers.menu import show_menu, stale
from handlers.paging import int_or_zero, label, navigation, page_of
from handlers.router import Router, Turn
from messages.types import Option

_PLACEHOLDER = re.compile(PLACEHOLDER_PATTERN)
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")


class Browsing(FlowData):
    """The phase (and stage) whose topics the resident is looking at."""

    flow = "news"
    phase: str | None = None
    stage: str | None = None


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
    """(topic id, name) of the topics with articles true today in this phase/stage."""
    return [(topic.id, topic.name)
            for topic in turn.view.topics_in(phase.id, stage and stage.id)]


def show_topics(turn: Turn, phase: Window, stage: Window | None, heading: str, page: int,
                *, more_payload: str, back: str, extra: list[Option]) -> None:
    topics = topics_in(turn, phase, stage)
    shown, more = page_of(topics, page)
    options = [Option(label(name), f"news:topic:{topic_id}:0") for topic_id, name in shown]
    nav = navigation(more=f"{more_payload}:{page + 1}" if more else None, back=back, extra=extra)
    turn.say(heading if topics else f"{heading}\n\n{texts.NEWS_NO_TOPICS}", options + nav)
    turn.goto(None, Browsing(phase=phase.id, stage=stage.id if stage else None))


async def news_home(turn: Turn) -> None:
    """news:home:<page>, and /tin: the current phase's (and stage's) topics."""
    page = int_or_zero(turn.value)
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
    extra = [Option(texts.ARCHIVE, "news:arch")] if turn.view.earlier_periods(period) else []
    show_topics(turn, phase, stage, "\n".join(lines), page, more_payload="news:home",
                back="menu:show", extra=extra)


def period_payload(period: Period) -> str:
    """news:phase:<phase>:<page>, or news:stage:<phase>:<stage>:<page> without the page."""
    assert period.phase is not None  # earlier periods are inside the campaign
    if period.stage is not None:
        return f"news:stage:{period.phase.id}:{period.stage.id}"
    return f"news:phase:{period.phase.id}"


def period_label(period: Period) -> str:
    assert period.phase is not None  # earlier periods are inside the campaign
    if period.stage is not None:
        return label(f"{period.stage.name}: {period.stage.title}" if period.stage.title
                     else period.stage.name)
    return label(f"{period.phase.name}: {period.phase.title}")


async def archive(turn: Turn) -> None:
    """news:arch: "Các đợt trước": the current phase's earlier stages, then earlier phases."""
    period = await current_period(turn)
    earlier = turn.view.earlier_periods(period)
    options = [Option(period_label(item), f"{period_payload(item)}:0") for item in earlier]
    turn.say(texts.NEWS_ARCHIVE, options + navigation(back="news:home:0"))


async def phase_topics(turn: Turn) -> None:
    """news:phase:<phase>:<page>: an earlier phase's topics."""
    phase_id, _, page_text = turn.value.partition(":")
    phase = turn.content.pack.window(phase_id)
    if phase is None:
        stale(turn)
        return
    heading = texts.NEWS_PHASE.format(phase=phase.name, title=phase.title)
    show_topics(turn, phase, None, heading, int_or_zero(page_text),
                more_payload=f"news:phase:{phase.id}", back="news:arch", extra=[])


async def stage_topics(turn: Turn) -> None:
    """news:stage:<phase>:<stage>:<page>: an earlier stage's topics."""
    phase_id, _, rest = turn.value.partition(":")
    stage_id, _, page_text = rest.partition(":")
    phase = turn.content.pack.window(phase_id)
    stage = next((s for s in phase.stages if s.id == stage_id), None) if phase else None
    if phase is None or stage is None:
        stale(turn)
        return
    heading = texts.NEWS_PHASE.format(phase=f"{phase.name} — {stage.name}",
                                      title=stage.title or phase.title)
    show_topics(turn, phase, stage, heading, int_or_zero(page_text),
                more_payload=f"news:stage:{phase.id}:{stage.id}", back="news:arch", extra=[])


async def _browsing_period(turn: Turn) -> tuple[str, str | None]:
    """The phase (and stage) the resident is browsing; the current one if not remembered."""
    browsing = Browsing.load(turn.data)
    if browsing and browsing.phase and turn.content.pack.window(browsing.phase):
        return browsing.phase, browsing.stage
    period = await current_period(turn)
    if period.phase is None:
        return turn.content.pack.windows[0].id, None
    return period.phase.id, period.stage.id if period.stage else None


async def topic_articles(turn: Turn) -> None:
    """news:topic:<topic>:<page>: the topic's articles in the phase being browsed."""
    topic_id, _, page_text = turn.value.partition(":")
    page = int_or_zero(page_text)
    topic = turn.content.pack.topics.get(topic_id)
    if topic is None:
        stale(turn)
        return
    phase_id, stage_id = await _browsing_period(turn)
    articles = [a for a in turn.view.articles_in(phase_id, stage_id) if a.topic == topic_id]
    if not articles:
        stale(turn)
        return
    shown, more = page_of(articles, page)
    options = [Option(label(a.title), f"news:art:{a.id}") for a in shown]
    current = await current_period(turn)
    if current.phase and current.phase.id == phase_id and (
            stage_id is None or (current.stage and current.stage.id == stage_id)):
        back = "news:home:0"
    elif stage_id:
        back = f"news:stage:{phase_id}:{stage_id}:0"
    else:
        back = f"news:phase:{phase_id}:0"
    nav = navigation(more=f"news:topic:{topic_id}:{page + 1}" if more else None, back=back)
    turn.say(texts.NEWS_TOPIC.format(topic=topic.name, count=len(articles)), options + nav)
    turn.goto(None, Browsing(phase=phase_id, stage=stage_id))


def render_article(item: Article) -> str:
    parts = [texts.ARTICLE_TITLE.format(title=item.title.upper()), item.summary,
             plain_text(item.body)]
    if item.sources:
        sources = [f"• {source.title}" + (f": {source.url}" if source.url else "")
                   for source in item.sources]
        parts.append("\n".join([texts.ARTICLE_SOURCES, *sources]))
    parts.append(texts.ARTICLE_PUBLISHED.format(date=vietnamese_date(item.published)))
    return "\n\n".join(plain_text(part) if part is item.summary else part for part in parts)


async def article(turn: Turn) -> None:
    """news:art:<article>."""
    item = turn.view.article(turn.value)  # not yet true today: as if it did not exist
    if item is None:
        stale(turn)
        return
    turn.say(render_article(item), navigation(back=f"news:topic:{item.topic}:0"))


def register(router: Router) -> None:
    router.command("tin", step=news_home)
    router.steps("news", {"": news_home, "home": news_home, "arch": archive,
                          "phase": phase_topics, "stage": stage_topics, "topic": topic_articles,
                          "art": article})
    router.menu_item(texts.MENU_NEWS, "news:home:0", order=10)
