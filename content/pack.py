"""A validated pack with its lookups and resolved phase windows, ready for the handlers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from content.models import (
    Article,
    Boundary,
    Bulletin,
    Campaign,
    Draft,
    Event,
    FaqEntry,
    Phase,
    QuizQuestion,
    Section,
    Slogan,
    SourcePolicy,
    Stage,
    Topic,
)


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


@dataclass(frozen=True)
class FlatSection:
    """A section in document order, with the headings above it (for labels and reports)."""

    section: Section
    path: tuple[str, ...]  # headings from the top of the draft down to this section
    depth: int
    order: int

    @property
    def label(self) -> str:
        return " › ".join(self.path)


def flatten(sections: tuple[Section, ...], path: tuple[str, ...] = (),
            into: list[FlatSection] | None = None) -> list[FlatSection]:
    into = [] if into is None else into
    for section in sections:
        here = (*path, section.heading)
        into.append(FlatSection(section, here, len(path), len(into)))
        flatten(section.sections, here, into)
    return into


@dataclass
class Pack:
    campaign: Campaign
    articles: list[Article]
    faq: list[FaqEntry]
    slogans: list[Slogan]
    drafts: dict[str, Draft] = field(default_factory=dict)
    sections: dict[str, list[FlatSection]] = field(default_factory=dict)  # by draft id
    events: dict[str, Event] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    article_by_id: dict[str, Article] = field(default_factory=dict)
    windows: list[Window] = field(default_factory=list)
    bulletins: list[Bulletin] = field(default_factory=list)
    quiz: list[QuizQuestion] = field(default_factory=list)
    sources: SourcePolicy | None = None  # sources.yaml: the outlets residents may be shown

    @classmethod
    def build(cls, campaign: Campaign, articles: list[Article], faq: list[FaqEntry],
              slogans: list[Slogan], drafts: Sequence[Draft] = (), *,
              bulletins: Sequence[Bulletin] = (), quiz: Sequence[QuizQuestion] = (),
              sources: SourcePolicy | None = None) -> Pack:
        pack = cls(campaign, articles, faq, slogans, bulletins=list(bulletins), quiz=list(quiz),
                   sources=sources)
        pack.drafts = {draft.id: draft for draft in drafts}
        pack.sections = {draft.id: flatten(draft.sections) for draft in drafts}
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

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.campaign.timezone)

    def local(self, moment: dt.datetime) -> dt.datetime:
        """A pack time as an aware datetime: naive times are in the campaign's time zone."""
        return moment.replace(tzinfo=self.zone) if moment.tzinfo is None else moment

    def section(self, draft_id: str, section_id: str) -> FlatSection | None:
        return next((flat for flat in self.sections.get(draft_id, [])
                     if flat.section.id == section_id), None)
