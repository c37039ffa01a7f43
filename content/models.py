"""Typed models of a content pack (see docs/content-pack.md). Plain data, validated on load."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"
# "[[CẦN BỔ SUNG: what is needed]]", or bare "[[CẦN BỔ SUNG]]": a fact only the commune can give.
PLACEHOLDER_PATTERN = r"\[\[CẦN BỔ SUNG(?::[^\]]*)?\]\]"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _required_text(value: str) -> str:
    if not value or not value.strip():
        raise ValueError("không được để trống")
    return value


Text = Annotated[str, AfterValidator(_required_text)]  # required, not blank


class Organisation(Strict):
    name: Text
    level: Literal["xã", "thành phố", "trung ương"]
    address: str = ""
    website: str | None = None



def _ordered_window(start: dt.date | None, until: dt.date | None, what: str) -> None:
    if start is not None and until is not None and until <= start:
        raise ValueError(f"until ({until}) phải sau {what} ({start})")


class Refers(Strict):
    """Events an item speaks of: `since` as begun, `after` as over (its results, decisions)."""

    after: tuple[str, ...] = ()
    since: tuple[str, ...] = ()


class Dated(Refers):
    """Shown to residents only while true: from `from` (required) up to, not including, `until`."""

    model_config = ConfigDict(populate_by_name=True)

    from_: dt.date = Field(alias="from")
    until: dt.date | None = None

    @model_validator(mode="after")
    def _dated(self) -> Dated:
        _ordered_window(self.from_, self.until, "from")
        return self

    def visible_on(self, day: dt.date) -> bool:
        return self.from_ <= day and (self.until is None or day < self.until)


class Announced(Strict):
    """How an event was known before `until`: earlier dates, or words instead of dates."""

    until: dt.date
    start: dt.date | None = None
    end: dt.date | None = None
    when: str = ""  # e.g. "đầu năm 2026" while no date was announced
    source: str | None = None

    @model_validator(mode="after")
    def _something(self) -> Announced:
        if self.start is None and not self.when:
            raise ValueError("cần start (ngày đã công bố khi đó) hoặc when (lời mô tả)")
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"ngày kết thúc {self.end} trước ngày bắt đầu {self.start}")
        return self


class Event(Strict):
    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(pattern=ID_PATTERN)
    name: Text
    start: dt.date
    end: dt.date | None = None
    confirmed: bool = True
    kind: Literal["congress", "anniversary", "consultation", "plan", "other"] = "other"
    source: str | None = None
    from_: dt.date | None = Field(default=None, alias="from")  # in the calendar from this day
    until: dt.date | None = None
    announced: tuple[Announced, ...] = ()  # oldest first; the final dates apply after the last

    @model_validator(mode="after")
    def _ordered(self) -> Event:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"ngày kết thúc {self.end} trước ngày bắt đầu {self.start}")
        _ordered_window(self.from_, self.until, "from")
        previous = None
        for earlier in self.announced:
            if previous is not None and earlier.until <= previous:
                raise ValueError("announced: các mục phải theo thứ tự until tăng dần")
            previous = earlier.until
        return self

    @property
    def last_day(self) -> dt.date:
        return self.end or self.start

    def visible_on(self, day: dt.date) -> bool:
        return (self.from_ is None or self.from_ <= day) and (
            self.until is None or day < self.until)


class Boundary(Strict):
    """A phase edge: an event's first day, the day after an event, or a fixed date."""

    event: str | None = None
    edge: Literal["start", "end"] = "start"
    date: dt.date | None = None

    @model_validator(mode="after")
    def _one_anchor(self) -> Boundary:
        if (self.event is None) == (self.date is None):
            raise ValueError("cần đúng một trong hai: event hoặc date")
        return self


class Stage(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,19}$")
    name: Text
    starts: Boundary
    ends: Boundary | None = None



class Phase(Stage):
    title: str = ""
    stages: tuple[Stage, ...] = ()


class Hamlet(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: Text
    confirmed: bool = True  # false: a stand-in name until the commune confirms the real one


class Group(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: Text
    kind: Literal["chi-bo", "mttq", "doan", "hoi", "other"] = "other"
    confirmed: bool = True  # false: a stand-in name until the commune confirms the real one


class Topic(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: Text
    description: str = ""



class Reminders(Strict):
    """Bulletins the pack gets without writing them: anniversaries and phase starts."""

    anniversaries: bool = True  # on the day of every event of kind "anniversary"
    phase_starts: bool = True  # on the first day of every phase and stage
    time: dt.time = dt.time(7, 0)  # campaign time of day they go out


class Loudspeaker(Strict):
    """The commune radio's bulletin (`loaso loa bulletin`): its formulas and reading pace.
    `{organisation}` and `{date}` (the bulletin's day, in words) are filled in."""

    opening: Text = ("Đây là Đài truyền thanh {organisation}. Kính thưa bà con nhân dân, "
                     "sau đây là bản tin tuyên truyền {date}.")
    closing: Text = ("Bản tin của Đài truyền thanh {organisation} đến đây là kết thúc. "
                     "Cảm ơn bà con đã chú ý lắng nghe.")
    words_per_minute: int = Field(default=140, ge=130, le=150)
    # Written every day at this time (campaign zone) into LOASO_LOA_DIR by the worker; off
    # when unset. `minutes` is that script's length.
    time: dt.time | None = None
    minutes: int = Field(default=10, ge=1, le=60)
class CampaignReports(Strict):
    """When the campaign report goes to staff and admins in chat (issue 17): every week on
    `weekday` while one of the `weekly_during` phases or stages (the plan's peaks, "đợt cao
    điểm") runs, and on the day after each phase ends, at `time`."""

    weekly_during: tuple[str, ...] = ()  # phase or stage ids
    weekday: int = Field(default=0, ge=0, le=6)  # 0 = thứ Hai … 6 = Chủ nhật
    phase_end: bool = True
    time: dt.time = dt.time(7, 30)


class Campaign(Strict):
    organisation: Organisation
    timezone: str = "Asia/Ho_Chi_Minh"
    events: tuple[Event, ...] = ()
    phases: tuple[Phase, ...] = Field(min_length=1)
    hamlets: tuple[Hamlet, ...] = ()
    groups: tuple[Group, ...] = ()
    topics: tuple[Topic, ...] = Field(min_length=1)
    reminders: Reminders = Reminders()
    # Leaders' announcements wait for staff approval unless the commune turns this off.
    announcements_need_approval: bool = True
    loudspeaker: Loudspeaker = Loudspeaker()
    reports: CampaignReports = CampaignReports()


class Source(Strict):
    title: Text
    url: str | None = None


class AllowedOutlet(Strict):
    """An outlet whose pages may be cited to residents; its subdomains are allowed too."""

    domain: str = Field(pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
    name: Text


class SourcePolicy(Strict):
    """sources.yaml: the outlets a pack may cite (see docs/content-pack.md)."""

    allowed: tuple[AllowedOutlet, ...] = Field(min_length=1)


class Article(Dated):
    id: str = Field(pattern=ID_PATTERN)
    title: Text
    phases: tuple[str, ...] = Field(min_length=1)
    stages: tuple[str, ...] = ()
    topic: str
    tags: tuple[str, ...] = ()
    summary: Text
    published: dt.date  # the date shown to residents; `from` when not given
    sources: tuple[Source, ...] = ()
    body: Text

    @model_validator(mode="before")
    @classmethod
    def _published_defaults_to_from(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("published") is None:
            start = data.get("from", data.get("from_"))
            if start is not None:
                data = {**data, "published": start}
        return data

    @model_validator(mode="after")
    def _published_not_before_from(self) -> Article:
        if self.published < self.from_:
            raise ValueError(f"published ({self.published}) trước from ({self.from_})")
        return self


class FaqEntry(Dated):
    id: str = Field(pattern=ID_PATTERN)
    questions: tuple[str, ...] = Field(min_length=1)
    answer: Text


class Slogan(Strict):
    text: Text
    source: str | None = None



class Section(Strict):
    """A part of a draft (Phần / Chương / Mục / Điều), with a stable id comments refer to."""

    id: str = Field(pattern=ID_PATTERN)
    kind: Literal["Phần", "Chương", "Mục", "Điều", "Khoản"] = "Mục"
    number: str = ""
    title: str = ""
    text: str = ""
    sections: tuple[Section, ...] = ()

    @property
    def heading(self) -> str:
        label = f"{self.kind} {self.number}".strip()
        return f"{label}. {self.title}" if self.title else label


class Draft(Strict):
    """A draft document open for comments between `opens` and `closes` (campaign time)."""

    id: str = Field(pattern=ID_PATTERN)
    title: Text
    level: Literal["xã", "thành phố", "trung ương"]
    version: str = Field(min_length=1, max_length=20)
    opens: dt.datetime
    closes: dt.datetime
    sample: bool = False  # a demonstration draft: labelled as such to residents
    summary: str = ""
    source: str | None = None
    sections: tuple[Section, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Draft:
        if self.closes <= self.opens:
            raise ValueError(f"closes ({self.closes}) phải sau opens ({self.opens})")
        return self


class Audience(Strict):
    """Who a bulletin goes to. Empty lists mean no restriction on that dimension."""

    everyone: bool = False  # every subscriber, whatever they chose
    topics: tuple[str, ...] = ()  # subscribers of any of these topics
    groups: tuple[str, ...] = ()  # subscribers of any of these groups' news
    hamlets: tuple[str, ...] = ()  # only subscribers living in these hamlets

    @model_validator(mode="after")
    def _someone(self) -> Audience:
        if not (self.everyone or self.topics or self.groups or self.hamlets):
            raise ValueError("cần ít nhất một trong everyone, topics, groups, hamlets")
        return self


class Schedule(Strict):
    """Exactly one of: a cron line, a list of times, or the start of a phase or stage."""

    cron: str | None = None  # five fields, in the campaign's time zone
    at: tuple[dt.datetime, ...] = ()  # campaign time unless an offset is given
    phase_start: str | None = None  # a phase or stage id
    time: dt.time = dt.time(7, 0)  # for phase_start: the time of day

    @model_validator(mode="after")
    def _exactly_one(self) -> Schedule:
        given = [bool(self.cron), bool(self.at), bool(self.phase_start)]
        if sum(given) != 1:
            raise ValueError("cần đúng một trong cron, at, phase_start")
        return self


class Bulletin(Refers):
    """A message the scheduler pushes to subscribers: an article's summary or a text."""

    id: str = Field(pattern=ID_PATTERN)
    phase: str | None = None  # only while this phase (or stage) is current
    stage: str | None = None
    schedule: Schedule
    audience: Audience
    article: str | None = None
    text: str | None = None

    @model_validator(mode="after")
    def _content(self) -> Bulletin:
        if bool(self.article) == bool(self.text):
            raise ValueError("cần đúng một trong article, text")
        return self


class QuizQuestion(Dated):
    """One multiple-choice question of the knowledge quiz, with its explanation and source."""

    id: str = Field(pattern=ID_PATTERN)
    question: Text
    options: tuple[Text, ...] = Field(min_length=4, max_length=4)
    answer: int = Field(ge=1, le=4)  # the number of the correct option
    explanation: Text
    source: Source
    topic: str | None = None
