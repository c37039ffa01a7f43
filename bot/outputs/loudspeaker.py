"""The loudspeaker bulletin: a read-aloud script for the commune radio's announcer.

Items come in order of priority: announcements marked "khẩn cấp" first (flagged), then
"ưu tiên", then ordinary announcements, then the period's articles, newest first. Every text
goes through the reading-aloud normaliser (`content.speech`), and each item is shortened at
sentence boundaries (never inside a word) to what can be read in the time given, at the
pack's pace (130–150 words a minute). What the normaliser could not read is kept and listed
as a warning for the announcer.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from content.models import Article
from content.pack import Pack
from content.phases import period_on
from content.speech import SpeechNormaliser, SpeechText
from content.view import ContentView
from db.models import AnnouncementPriority
from delivery.announcements import PRIORITY_NAMES

PRIORITIES = PRIORITY_NAMES  # in reading order
URGENT = AnnouncementPriority.URGENT
MIN_ITEM_WORDS = 12  # below this, what is left of the time is not worth starting an item
PACE_RANGE = (130, 150)  # words a minute a commune announcer reads at

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


class NothingToRead(ValueError):
    """The period has no article and no announcement: no script (and no empty file)."""


@dataclass(frozen=True)
class Notice:
    """An approved announcement to read out."""

    id: int
    author: str
    text: str
    priority: str = "thuong"


@dataclass(frozen=True)
class ScriptItem:
    label: str  # what the announcer sees: "Thông báo #3 (khẩn cấp)", "Bài: <title>"
    heading: str  # spoken
    text: str  # spoken, possibly shortened
    urgent: bool = False
    shortened: bool = False

    @property
    def words(self) -> int:
        return count_words(self.heading) + count_words(self.text)


@dataclass
class Script:
    day: dt.date
    minutes: int
    words_per_minute: int
    opening: str
    closing: str
    items: list[ScriptItem] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # labels of items with no time left
    warnings: list[str] = field(default_factory=list)

    @property
    def words(self) -> int:
        return count_words(self.opening) + count_words(self.closing) + sum(
            item.words for item in self.items)

    def seconds(self, pace: int | None = None) -> int:
        return round(self.words * 60 / (pace or self.words_per_minute))

    @property
    def reading_time(self) -> str:
        """"Thời lượng đọc: khoảng 9 phút 40 giây (140 từ/phút; 9 phút 2 giây – 10 phút 25 giây)"."""
        slow, fast = (self.seconds(pace) for pace in PACE_RANGE)
        return (f"Thời lượng đọc: khoảng {duration(self.seconds())} ({self.words_per_minute} "
                f"từ/phút; {duration(fast)} – {duration(slow)} ở {PACE_RANGE[1]}–{PACE_RANGE[0]} "
                f"từ/phút), {self.words} từ")

    @property
    def urgent(self) -> int:
        return sum(item.urgent for item in self.items)


def count_words(text: str) -> int:
    return len(text.split())


def duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest} giây"
    return f"{minutes} phút" + (f" {rest} giây" if rest else "")


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def fit(text: str, limit: int) -> tuple[str, bool]:
    """The sentences of `text` from the start that fit in `limit` words (whole sentences
    only), and whether anything was left out. Empty when even the first one does not fit."""
    kept: list[str] = []
    used = 0
    parts = sentences(text)
    for sentence in parts:
        words = count_words(sentence)
        if used + words > limit:
            break
        kept.append(sentence)
        used += words
    return " ".join(kept), len(kept) < len(parts)


def period_articles(view: ContentView) -> list[Article]:
    """The articles of the day's phase (and stage) residents may read that day, newest first;
    before the campaign starts, every article true that day."""
    period = period_on(view.pack, view.day)
    if period.phase is None:
        return sorted(view.articles, key=lambda a: (a.published, a.id), reverse=True)
    return view.articles_in(period.phase.id, period.stage.id if period.stage else None)


class ScriptBuilder:
    """Builds scripts for one pack and one reading table (compiled once)."""

    def __init__(self, pack: Pack, abbreviations: dict[str, str]) -> None:
        self.pack = pack
        self.speak = SpeechNormaliser(abbreviations)

    def build(self, view: ContentView, notices: list[Notice], *, minutes: int) -> Script:
        articles = period_articles(view)
        if not articles and not notices:
            raise NothingToRead(
                f"Ngày {view.day:%d/%m/%Y} không có bài viết hay thông báo nào để đọc; "
                "không tạo bản tin.")
        settings = self.pack.campaign.loudspeaker
        spoken_day = self._say(f"ngày {view.day.day}/{view.day.month}/{view.day.year}", None)
        fill = {"organisation": self.pack.campaign.organisation.name, "date": spoken_day}
        warnings: list[str] = []
        opening = self._say(settings.opening.format(**fill), "Lời mở đầu", warnings)
        closing = self._say(settings.closing.format(**fill), "Lời kết", warnings)
        script = Script(view.day, minutes, settings.words_per_minute, opening, closing,
                        warnings=warnings)
        budget = minutes * settings.words_per_minute - count_words(script.opening) - count_words(
            script.closing)
        cap = max(budget // 3, 60)  # one long article must not crowd out every other item
        order = sorted(notices, key=lambda notice: list(PRIORITIES).index(
            notice.priority if notice.priority in PRIORITIES else "thuong"))
        for notice in order:
            budget = self._add_notice(script, notice, budget, cap)
        for article in articles:
            budget = self._add_article(script, article, budget, cap)
        return script

    def _say(self, text: str, label: str | None, warnings: list[str] | None = None) -> str:
        spoken: SpeechText = self.speak(text)
        if warnings is not None and label is not None:
            warnings.extend(f"{label}: {warning.message}" for warning in spoken.warnings)
        return spoken.text

    def _add_notice(self, script: Script, notice: Notice, budget: int, cap: int) -> int:
        urgent = notice.priority == URGENT
        name = PRIORITIES.get(notice.priority, PRIORITIES["thuong"])
        label = f"Thông báo #{notice.id} ({name})"
        warnings: list[str] = []
        heading = self._say(("Thông báo khẩn của " if urgent else "Thông báo của ")
                            + notice.author + ".", label, warnings)
        body = self._say(notice.text, label, warnings)
        # an urgent notice is read whole, even past the time (the reading time says so)
        limit = max(budget, count_words(heading) + count_words(body)) if urgent else min(budget, cap)
        return self._place(script, ScriptItem(label, heading, body, urgent), limit, budget,
                           warnings)

    def _add_article(self, script: Script, article: Article, budget: int, cap: int) -> int:
        label = f"Bài: {article.title}"
        if budget < MIN_ITEM_WORDS:
            script.left_out.append(label)
            return budget
        warnings: list[str] = []
        title = article.title if article.title[-1] in ".?!…" else article.title + "."
        heading = self._say(title, label, warnings)
        limit = min(budget, cap)
        body_warnings: list[str] = []
        body = self._say(article.body, label, body_warnings)
        room = limit - count_words(heading)
        if count_words(body) > room:  # the pack's own summary is the best short version
            summary_warnings: list[str] = []
            summary = self._say(article.summary, label, summary_warnings)
            if count_words(summary) <= room:
                return self._place(script, ScriptItem(label, heading, summary, shortened=True),
                                   limit, budget, warnings + summary_warnings)
        return self._place(script, ScriptItem(label, heading, body), limit, budget,
                           warnings + body_warnings)

    @staticmethod
    def _place(script: Script, item: ScriptItem, limit: int, budget: int,
               warnings: list[str]) -> int:
        """Add `item` cut to `limit` words (heading included); returns the words left."""
        room = limit - count_words(item.heading)
        text, cut = fit(item.text, room)
        if not text:
            script.left_out.append(item.label)
            return budget
        placed = ScriptItem(item.label, item.heading, text, item.urgent, item.shortened or cut)
        script.items.append(placed)
        script.warnings.extend(warnings)
        return budget - placed.words
