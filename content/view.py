"""What a resident may see on a given day: one question every screen asks the same way.

`Content.visible(day)` (content.store) returns a `ContentView`: the articles, FAQ entries,
quiz questions and calendar entries true on that day, with a search index over exactly
those. Handlers (/tin, FAQ, search, /thi, /lich), the public pages and the scheduler ask the
view instead of the pack, so nothing dated after the day reaches anyone.

Visibility changes only on the dates items start or stop being true, so the pack's dates cut
time into spans; the filtered lists are built once per span and shared by every day in it
(`Timeline`). The view's index answers from the pack's one index restricted to the span's
items (`VisibleIndex`): the same results an index of only those items would give, with
nothing to build when a new day starts (bench/search_bench.py measures both).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from content.calendar import CalendarEntry, CalendarPage, calendar_entries, calendar_page
from content.holds import hold_reasons
from content.models import Article, Bulletin, FaqEntry, QuizQuestion, Topic
from content.pack import Pack
from content.phases import Period, earlier_periods
from content.search import SearchIndex, SearchResult


class Timeline:
    """The dates on which anything a resident sees appears or disappears."""

    def __init__(self, pack: Pack) -> None:
        dates: set[dt.date] = set()
        for item in (*pack.articles, *pack.faq, *pack.quiz):
            dates.add(item.from_)
            if item.until is not None:
                dates.add(item.until)
        for event in pack.campaign.events:
            dates.update(day for day in (event.from_, event.until) if day is not None)
            dates.update(earlier.until for earlier in event.announced)
        self.boundaries = sorted(dates)

    def span(self, day: dt.date) -> int:
        """Days with the same span number see exactly the same content."""
        return bisect.bisect_right(self.boundaries, day)


@dataclass(frozen=True)
class VisibleIndex:
    """The pack's search index answering only with the articles and FAQ of a span of days."""

    index: SearchIndex
    articles: AbstractSet[int]  # numbers in index.articles
    faq: AbstractSet[str]  # FAQ ids

    def search(self, query: str, limit: int = 5) -> SearchResult:
        return self.index.search(query, limit, articles=self.articles, faq=self.faq)


@dataclass
class Snapshot:
    """The content true over one span of days; shared by the views of those days."""

    pack: Pack
    day: dt.date  # any day of the span
    whole: SearchIndex  # the pack's index, over everything
    articles: list[Article] = field(init=False)
    faq: list[FaqEntry] = field(init=False)
    quiz: list[QuizQuestion] = field(init=False)
    calendar: list[CalendarEntry] = field(init=False)
    index: VisibleIndex = field(init=False)

    def __post_init__(self) -> None:
        day = self.day
        self.articles = [article for article in self.pack.articles if article.visible_on(day)]
        self.faq = [entry for entry in self.pack.faq if entry.visible_on(day)]
        self.quiz = [question for question in self.pack.quiz if question.visible_on(day)]
        self.calendar = calendar_entries(self.pack, day)
        self.article_by_id = {article.id: article for article in self.articles}
        self.index = VisibleIndex(
            self.whole, frozenset(number for number, article in enumerate(self.whole.articles)
                                  if article.visible_on(day)),
            frozenset(entry.id for entry in self.faq))


@dataclass(frozen=True)
class ContentView:
    """The pack as a resident may see it on `day` (campaign time zone)."""

    pack: Pack
    day: dt.date
    shared: Snapshot

    @property
    def articles(self) -> list[Article]:
        return self.shared.articles

    def article(self, article_id: str) -> Article | None:
        return self.shared.article_by_id.get(article_id)

    def articles_in(self, phase_id: str, stage_id: str | None = None) -> list[Article]:
        """Articles of a phase (and stage) true on this day, newest first."""
        return [article for article in self.pack.articles_in(phase_id, stage_id)
                if article.id in self.shared.article_by_id]

    def topics_in(self, phase_id: str, stage_id: str | None = None) -> list[Topic]:
        """Topics with at least one article in the phase (and stage), in the pack's order."""
        present = {article.topic for article in self.articles_in(phase_id, stage_id)}
        return [topic for topic in self.pack.campaign.topics if topic.id in present]

    @property
    def faq(self) -> list[FaqEntry]:
        return self.shared.faq

    def faq_entry(self, entry_id: str) -> FaqEntry | None:
        return next((entry for entry in self.shared.faq if entry.id == entry_id), None)

    @property
    def quiz(self) -> list[QuizQuestion]:
        return self.shared.quiz

    def question(self, question_id: str) -> QuizQuestion | None:
        return next((q for q in self.shared.quiz if q.id == question_id), None)

    @property
    def index(self) -> VisibleIndex:
        """Search over exactly this day's articles and FAQ (`.search(query, limit)`)."""
        return self.shared.index

    def search(self, query: str, limit: int = 5) -> SearchResult:
        return self.shared.index.search(query, limit)

    @property
    def calendar(self) -> list[CalendarEntry]:
        """Every event in the calendar on this day, as known then, in date order."""
        return self.shared.calendar

    def calendar_page(self, period: Period, *, upcoming: int = 8,
                      recent: int = 5) -> CalendarPage:
        """/lich: next events and the current phase's key dates (`.months` groups them)."""
        return calendar_page(self.pack, period, self.day, upcoming=upcoming, recent=recent)

    def earlier_periods(self, period: Period) -> list[Period]:
        """"Các đợt trước": earlier stages of the current phase, then earlier phases, each
        with at least one article true on this day."""
        return [earlier for earlier in earlier_periods(self.pack, period, self.day)
                if earlier.phase is not None
                and self.articles_in(earlier.phase.id, earlier.stage.id if earlier.stage else None)]

    def hold_reasons(self, bulletin: Bulletin) -> list[str]:
        """Why the bulletin must not go out on this day (empty: it may)."""
        return hold_reasons(self.pack, bulletin, self.day)
