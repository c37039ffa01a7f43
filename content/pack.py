"""A validated pack with its lookups and resolved phase windows, ready for the handlers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from content.models import Article, Boundary, Campaign, Event, FaqEntry, Phase, Slogan, Stage, Topic


@dataclass(frozen=True)
class Window:
    """A phase or stage with its dates resolved: [starts, ends) in the campaign's days."""

    id: str
    name: str
    title: str
    starts: dt.date
    ends: dt.date | None  # None: open-ended
    stages: tuple[Window, ...] = ()

    def contains(self, day: dt.date) -> bool:
        return self.starts <= day and (self.ends is None or day < self.ends)


@dataclass
class Pack:
    campaign: Campaign
    articles: list[Article]
    faq: list[FaqEntry]
    slogans: list[Slogan]
    events: dict[str, Event] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    article_by_id: dict[str, Article] = field(default_factory=dict)
    windows: list[Window] = field(default_factory=list)

    @classmethod
    def build(cls, campaign: Campaign, articles: list[Article], faq: list[FaqEntry],
              slogans: list[Slogan]) -> Pack:
        pack = cls(campaign, articles, faq, slogans)
        pack.events = {event.id: event for event in campaign.events}
        pack.topics = {topic.id: topic for topic in campaign.topics}
        pack.article_by_id = {article.id: article for article in articles}
        pack.windows = [pack._window(phase) for phase in campaign.phases]
        return pack

    def resolve(self, boundary: Boundary | None) -> dt.date | None:
        """The first day on or after the boundary; None if it names an unknown event."""
        if boundary is None:
            return None
        if boundary.date is not None:
            return boundary.date
        event = self.events.get(boundary.event or "")
        if event is None:
            return None
        if boundary.edge == "end":
            return event.last_day + dt.timedelta(days=1)
        return event.start

    def _window(self, phase: Stage) -> Window:
        stages = tuple(self._window(stage) for stage in getattr(phase, "stages", ()))
        return Window(phase.id, phase.name, getattr(phase, "title", ""),
                      self.resolve(phase.starts) or dt.date.min, self.resolve(phase.ends),
                      stages)

    def window(self, phase_id: str) -> Window | None:
        return next((window for window in self.windows if window.id == phase_id), None)

    def phase_models(self) -> dict[str, Phase]:
        return {phase.id: phase for phase in self.campaign.phases}

    def articles_in(self, phase_id: str, stage_id: str | None = None) -> list[Article]:
        """Articles shown in a phase (and stage): newest first."""
        chosen = [article for article in self.articles if phase_id in article.phases
                  and (not article.stages or stage_id is None or stage_id in article.stages)]
        return sorted(chosen, key=lambda article: (article.published, article.id), reverse=True)
