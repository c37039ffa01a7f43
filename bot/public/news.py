"""/tin and /tin/<id>: the current phase's articles by topic, "Các đợt trước", one article."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException, Request, Response

from bot.public import markdown
from bot.public.render import PageGroup, page
from bot.public.showing import Showing
from content.models import Article, Topic
from content.pack import Window
from content.phases import Period
from handlers import texts

group = PageGroup("news")


@dataclass(frozen=True)
class TopicArticles:
    topic: Topic
    articles: list[Article]


@dataclass(frozen=True)
class PeriodArticles:
    """A phase (or a stage of it) with its articles of the day, by topic."""

    period: Period
    phase: Window  # the period's, known to be there
    topics: list[TopicArticles]

    @property
    def heading(self) -> str:
        phase, stage = self.phase, self.period.stage
        return f"{phase.name}: {stage.name}" if stage else f"{phase.name}: {phase.title}"


def by_topic(showing: Showing, period: Period) -> PeriodArticles:
    phase = period.phase
    assert phase is not None  # the current period once the campaign began, or an earlier one
    phase_id, stage_id = phase.id, period.stage.id if period.stage else None
    articles = showing.view.articles_in(phase_id, stage_id)
    return PeriodArticles(period, phase, [
        TopicArticles(topic, [article for article in articles if article.topic == topic.id])
        for topic in showing.view.topics_in(phase_id, stage_id)])


@group.get("/tin")
async def news(request: Request, showing: Showing) -> Response:
    period = showing.period
    current = by_topic(showing, period) if period.phase else None
    earlier = [by_topic(showing, earlier) for earlier in showing.view.earlier_periods(period)]
    description = (f"{period.phase.name}: {period.phase.title}" if period.phase
                   else texts.NEWS_NOT_STARTED)
    return page(request, showing, "news.html", {
        "title": "Tin Đại hội", "description": description, "current": current,
        "earlier": earlier, "pinned_note": texts.NEWS_PINNED if period.pinned else ""})


@group.get("/tin/{article_id}")
async def article(request: Request, showing: Showing, article_id: str) -> Response:
    item = showing.view.article(article_id)
    if item is None:  # unknown, or not (yet, or any longer) true on the day
        raise HTTPException(404, "Không có bài viết này, hoặc bài chưa được đăng.")
    return page(request, showing, "article.html", {
        "title": item.title, "description": markdown.plain(item.summary), "og_type": "article",
        "article": item, "topic": showing.pack.topics.get(item.topic),
        "summary": markdown.inline_html(item.summary), "body": markdown.to_html(item.body)})
