"""Checks that what residents read is true on its date, sourced, confirmed and well quoted.

- An item speaks of an event as begun (`since`) or as over (`after`): its `from:` must not be
  before the event's first day (`since`) or last day (`after`); a bulletin's scheduled days
  likewise, and a bulletin may not go out before its article is true (`from`) or after.
- Bulletins that would be held (placeholders, unconfirmed events) are warnings naming them.
- Stand-in hamlet and group names (`confirmed: false`) are warnings until confirmed.
- Sources follow the pack's allow-list (content.sources).
- Straight double quotes in resident text are errors: the pack's style is “ ”.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from content.holds import hold_reasons, placeholders, unconfirmed_events
from content.models import Bulletin, Dated, Event
from content.pack import Pack
from content.sources import source_problem

if TYPE_CHECKING:
    from content.loader import Report, SourceFile


def _day(day: dt.date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


def check_truth(pack: Pack, report: Report, *, campaign: SourceFile, articles: Any, faq: Any,
                quiz: Any, bulletins: Any, slogans: Any,
                policy_file: str | None) -> None:
    for article, (src, _) in articles:
        _check_refs(pack, report, src, (), article, article.id)
    for entry, (src, index) in faq:
        _check_refs(pack, report, src, (index,), entry, entry.id)
    for question, (src, index) in quiz:
        _check_refs(pack, report, src, (index,), question, question.id)
        for field_name in ("question", "explanation"):
            for mark in placeholders(getattr(question, field_name)):
                report.warn(src.name, src.line(index, field_name), f"chỗ cần bổ sung: {mark}")
    for bulletin, (src, index) in bulletins:
        _check_bulletin(pack, report, src, index, bulletin)
    _check_stand_in_names(pack, report, campaign)
    _check_sources(pack, report, articles, quiz, policy_file)
    _check_quotes(pack, report, campaign, articles, faq, quiz, bulletins, slogans)


def _check_refs(pack: Pack, report: Report, src: SourceFile, prefix: tuple[Any, ...], item: Dated,
                label: str) -> None:
    """Known events; `from` not before what the item speaks of."""
    start = item.from_
    for kind in ("since", "after"):
        for position, event_id in enumerate(getattr(item, kind)):
            line = src.line(*prefix, kind, position)
            event = pack.events.get(event_id)
            if event is None:
                report.error(src.name, line, f"{label}: sự kiện '{event_id}' không có trong events")
                continue
            problem = _too_early(event, kind, start)
            if problem:
                report.error(src.name, src.line(*prefix, "from"), f"{label}: from {_day(start)} "
                                                                  f"{problem}")
    for event_id in unconfirmed_events(pack, item):
        report.warn(src.name, src.line(*prefix, "id"),
                    f"{label}: nói về sự kiện '{event_id}' chưa được xác nhận ngày")


def _too_early(event: Event, kind: str, day: dt.date) -> str | None:
    if kind == "since" and day < event.start:
        return f"trước khi '{event.id}' bắt đầu ({_day(event.start)})"
    if kind == "after" and day < event.last_day:
        return (f"trước khi '{event.id}' kết thúc ({_day(event.last_day)}): chỉ nói về kết quả "
                "của một sự kiện từ ngày cuối của nó")
    return None


def _scheduled_days(pack: Pack, bulletin: Bulletin) -> list[tuple[dt.date, tuple[Any, ...]]]:
    """The campaign days a bulletin is known to go out on, with where each is written."""
    schedule = bulletin.schedule
    if schedule.at:
        return [(pack.local(moment).astimezone(pack.zone).date(), ("schedule", "at", position))
                for position, moment in enumerate(schedule.at)]
    if schedule.phase_start:
        periods = {period.id: period for window in pack.windows
                   for period in (window, *window.stages)}
        period = periods.get(schedule.phase_start)
        if period is not None and period.starts != dt.date.min:
            return [(period.starts, ("schedule", "phase_start"))]
    return []  # a cron line repeats: the scheduler holds occurrences that come too early


def _check_bulletin(pack: Pack, report: Report, src: SourceFile, index: int, bulletin: Bulletin) -> None:
    article = pack.article_by_id.get(bulletin.article or "")
    for day, path in _scheduled_days(pack, bulletin):
        line = src.line(index, *path)
        if article is not None and not article.visible_on(day):
            report.error(src.name, line, f"{bulletin.id}: gửi ngày {_day(day)} nhưng bài "
                                         f"'{article.id}' chỉ đúng từ {_day(article.from_)}"
                         + (f" đến trước {_day(article.until)}" if article.until else ""))
        for kind in ("since", "after"):
            for event_id in getattr(bulletin, kind):
                event = pack.events.get(event_id)
                problem = event and _too_early(event, kind, day)
                if problem:
                    report.error(src.name, line, f"{bulletin.id}: gửi ngày {_day(day)} {problem}")
    for kind in ("since", "after"):
        for position, event_id in enumerate(getattr(bulletin, kind)):
            if event_id not in pack.events:
                report.error(src.name, src.line(index, kind, position),
                             f"{bulletin.id}: sự kiện '{event_id}' không có trong events")
    reasons = hold_reasons(pack, bulletin)
    if reasons:
        report.warn(src.name, src.line(index, "id"), f"bản tin '{bulletin.id}' sẽ bị giữ lại, "
                                                     f"không gửi: {'; '.join(reasons)}")


def _check_stand_in_names(pack: Pack, report: Report, source: SourceFile) -> None:
    for section, what in (("hamlets", "thôn"), ("groups", "tổ chức")):
        items = getattr(pack.campaign, section)
        stand_in = [(index, item) for index, item in enumerate(items) if not item.confirmed]
        if stand_in:
            names = ", ".join(item.name for _, item in stand_in)
            report.warn(source.name, source.line(section, stand_in[0][0]),
                        f"{len(stand_in)} {what} có tên tạm, chưa được xã xác nhận: {names}")


def _check_sources(pack: Pack, report: Report, articles: Any, quiz: Any, policy_file: str | None) -> None:
    cited: list[tuple[Any, tuple[Any, ...], Any, Any]] = [(src, ("sources", position), source, article.id)
             for article, (src, _) in articles
             for position, source in enumerate(article.sources)]
    cited += [(src, (index, "source"), question.source, question.id)
              for question, (src, index) in quiz]
    if pack.sources is None:
        if cited:
            report.warn("sources.yaml", 1, "không có danh sách nguồn được phép: các nguồn "
                                           "trích dẫn chưa được kiểm tra")
        return
    for src, path, source, label in cited:
        problem = source_problem(pack.sources, source)
        if problem:
            field_name = "url" if source.url and "tên nguồn" not in problem else "title"
            report.error(src.name, src.line(*path, field_name), f"{label}: {problem}")


STRAIGHT = '"'


def _check_quotes(pack: Pack, report: Report, campaign: SourceFile, articles: Any, faq: Any, quiz: Any,
                  bulletins: Any, slogans: Any) -> None:
    def look(src: SourceFile, path: tuple[Any, ...], text: str | None, offset_lines: bool = False) -> None:
        if not text or STRAIGHT not in text:
            return
        if offset_lines:  # an article body: name the very line
            first = next(number for number, line in enumerate(text.splitlines())
                         if STRAIGHT in line)
            line = src.line(*path) + first
        else:
            line = src.line(*path)
        report.error(src.name, line, "dùng ngoặc kép “ ” thay cho dấu \" thẳng")

    data: list[tuple[Any, tuple[Any, ...], str | None]] = [
        (campaign, ("organisation", "name"), pack.campaign.organisation.name)]
    for section, fields in (("events", ("name",)), ("topics", ("name", "description")),
                            ("hamlets", ("name",)), ("groups", ("name",))):
        for index, item in enumerate(getattr(pack.campaign, section)):
            data += [(campaign, (section, index, name), getattr(item, name)) for name in fields]
    for index, phase in enumerate(pack.campaign.phases):
        data += [(campaign, ("phases", index, name), getattr(phase, name))
                 for name in ("name", "title")]
        data += [(campaign, ("phases", index, "stages", position, "name"), stage.name)
                 for position, stage in enumerate(phase.stages)]
    for article, (src, body) in articles:
        data += [(src, (name,), getattr(article, name)) for name in ("title", "summary")]
        look(src, ("body",), body, offset_lines=True)
    for entry, (src, index) in faq:
        data.append((src, (index, "answer"), entry.answer))
        data += [(src, (index, "questions", n), q) for n, q in enumerate(entry.questions)]
    for question, (src, index) in quiz:
        data += [(src, (index, name), getattr(question, name))
                 for name in ("question", "explanation")]
        data += [(src, (index, "options", n), o) for n, o in enumerate(question.options)]
    data += [(src, (index, "text"), bulletin.text) for bulletin, (src, index) in bulletins]
    data += [(src, (index, "text"), slogan.text) for slogan, (src, index) in slogans]
    for src, path, text in data:
        look(src, path, text)
