"""Typed models of a content pack (see docs/content-pack.md). Plain data, validated on load."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"
PLACEHOLDER_PATTERN = r"\[\[CẦN BỔ SUNG:[^\]]*\]\]"


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



class Event(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: Text
    start: dt.date
    end: dt.date | None = None
    confirmed: bool = True
    kind: Literal["congress", "anniversary", "consultation", "plan", "other"] = "other"
    source: str | None = None


    @model_validator(mode="after")
    def _ordered(self) -> Event:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"ngày kết thúc {self.end} trước ngày bắt đầu {self.start}")
        return self

    @property
    def last_day(self) -> dt.date:
        return self.end or self.start


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



class Group(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: Text
    kind: Literal["chi-bo", "mttq", "doan", "hoi", "other"] = "other"



class Topic(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: Text
    description: str = ""



class Campaign(Strict):
    organisation: Organisation
    timezone: str = "Asia/Ho_Chi_Minh"
    events: tuple[Event, ...] = ()
    phases: tuple[Phase, ...] = Field(min_length=1)
    hamlets: tuple[Hamlet, ...] = ()
    groups: tuple[Group, ...] = ()
    topics: tuple[Topic, ...] = Field(min_length=1)


class Source(Strict):
    title: Text
    url: str | None = None


class Article(Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: Text
    phases: tuple[str, ...] = Field(min_length=1)
    stages: tuple[str, ...] = ()
    topic: str
    tags: tuple[str, ...] = ()
    summary: Text
    published: dt.date
    sources: tuple[Source, ...] = ()
    body: Text



class FaqEntry(Strict):
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
