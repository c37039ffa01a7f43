"""Checks across a pack's files: duplicate ids, unknown references, dates, placeholders."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from content.cron import cron_trigger
from content.models import (
    PLACEHOLDER_PATTERN,
    Article,
    Bulletin,
    Draft,
    FaqEntry,
    QuizQuestion,
)
from content.pack import Pack
from content.text import fold

if TYPE_CHECKING:  # the loader calls these checks with its report and files
    from content.loader import Report, SourceFile

_PLACEHOLDER = re.compile(PLACEHOLDER_PATTERN)


def check_pack(pack: Pack, source: SourceFile, articles: list[tuple[Article, Any]],
               faq: list[tuple[FaqEntry, Any]], drafts: list[tuple[Draft, Any]], report: Report) -> None:
    campaign = pack.campaign
    name = source.name
    for section in ("events", "phases", "hamlets", "groups", "topics"):
        _unique(report, name, [(item.id, source.line(section, index, "id"))
                               for index, item in enumerate(getattr(campaign, section))],
                section)
    stage_ids = [(stage.id, source.line("phases", p, "stages", s, "id"))
                 for p, phase in enumerate(campaign.phases)
                 for s, stage in enumerate(phase.stages)]
    _unique(report, name, stage_ids, "stages")
    _check_phases(pack, source, report)
    _check_report_schedule(pack, source, report)
    for index, event in enumerate(campaign.events):
        if not event.confirmed:
            report.warn(name, source.line("events", index, "confirmed"),
                        f"ngày của sự kiện '{event.id}' chưa được xác nhận")
    _unique(report, None, [(article.id, (src.name, src.line("id")))
                           for article, (src, _) in articles], "articles")
    _unique(report, None, [(entry.id, (src.name, src.line(index, "id")))
                           for entry, (src, index) in faq], "faq")
    stages = {stage.id: phase.id for phase in campaign.phases for stage in phase.stages}
    for article, (src, body) in articles:
        _check_article(pack, article, src, body, stages, report)
    for entry, (src, index) in faq:
        for match in _PLACEHOLDER.finditer(entry.answer):
            report.warn(src.name, src.line(index, "answer"), f"chỗ cần bổ sung: {match.group(0)}")
    _unique(report, None, [(draft.id, (src.name, src.line("id"))) for draft, src in drafts],
            "drafts")
    for draft, src in drafts:
        _check_draft(pack, draft, src, report)


def _unique(report: Report, file: str | None, items: Iterable[tuple[str, Any]], what: str) -> None:
    seen: dict[str, Any] = {}
    for item_id, where in items:
        file_name, line = (file, where) if file is not None else where
        if item_id in seen:
            report.error(file_name, line, f"mã '{item_id}' bị trùng trong {what} "
                                          f"(đã có ở dòng {seen[item_id]})")
        else:
            seen[item_id] = line


def _check_report_schedule(pack: Pack, source: SourceFile, report: Report) -> None:
    periods = {phase.id for phase in pack.campaign.phases} | {
        stage.id for phase in pack.campaign.phases for stage in phase.stages}
    for index, ref in enumerate(pack.campaign.reports.weekly_during):
        if ref not in periods:
            report.error(source.name, source.line("reports", "weekly_during", index),
                         f"reports.weekly_during: không có đợt hay giai đoạn '{ref}'")


def _check_phases(pack: Pack, source: SourceFile, report: Report) -> None:
    name = source.name
    previous_end = None
    phases = pack.campaign.phases
    for index, (phase, window) in enumerate(zip(phases, pack.windows, strict=True)):
        for edge in ("starts", "ends"):
            boundary = getattr(phase, edge)
            if boundary is not None and boundary.event and boundary.event not in pack.events:
                report.error(name, source.line("phases", index, edge, "event"),
                             f"{phase.id}: sự kiện '{boundary.event}' không có trong events")
        if phase.ends is None and index != len(phases) - 1:
            report.error(name, source.line("phases", index), f"{phase.id}: chỉ đợt cuối "
                                                             "mới được bỏ trống 'ends'")
        if window.ends is not None and window.ends <= window.starts:
            report.error(name, source.line("phases", index, "ends"),
                         f"{phase.id}: kết thúc ({window.ends}) không sau bắt đầu "
                         f"({window.starts})")
        if previous_end is not None and window.starts < previous_end:
            report.error(name, source.line("phases", index, "starts"),
                         f"{phase.id}: bắt đầu trước khi đợt trước kết thúc")
        previous_end = window.ends
        for s, (stage, stage_window) in enumerate(zip(phase.stages, window.stages, strict=True)):
            where = source.line("phases", index, "stages", s)
            for edge in ("starts", "ends"):
                boundary = getattr(stage, edge)
                if boundary is not None and boundary.event and boundary.event not in pack.events:
                    report.error(name, where, f"{stage.id}: sự kiện '{boundary.event}' "
                                              "không có trong events")
            end = stage_window.ends or window.ends
            if end is not None and end <= stage_window.starts:
                report.error(name, where, f"{stage.id}: kết thúc không sau bắt đầu")
            outside = stage_window.starts < window.starts or (
                window.ends is not None and end is not None and end > window.ends)
            if outside:
                report.error(name, where, f"{stage.id}: nằm ngoài thời gian của {phase.id}")


def _check_article(pack: Pack, article: Article, src: SourceFile, body: str, stages: dict[str, str],
                   report: Report) -> None:
    for index, phase_id in enumerate(article.phases):
        if pack.window(phase_id) is None:
            report.error(src.name, src.line("phases", index), f"đợt '{phase_id}' không tồn tại")
    for index, stage_id in enumerate(article.stages):
        if stage_id not in stages:
            report.error(src.name, src.line("stages", index), f"giai đoạn '{stage_id}' "
                                                              "không tồn tại")
        elif stages[stage_id] not in article.phases:
            report.error(src.name, src.line("stages", index),
                         f"giai đoạn '{stage_id}' không thuộc các đợt của bài")
    if article.topic not in pack.topics:
        report.error(src.name, src.line("topic"), f"chủ đề '{article.topic}' không tồn tại")
    if "[[" in body:  # most articles have no placeholder: skip the per-line scan
        for offset, line in enumerate(body.splitlines()):
            for match in _PLACEHOLDER.finditer(line):
                report.warn(src.name, src.line("body") + offset,
                            f"chỗ cần bổ sung: {match.group(0)}")
    for field_name in ("title", "summary"):
        for match in _PLACEHOLDER.finditer(getattr(article, field_name)):
            report.warn(src.name, src.line(field_name), f"chỗ cần bổ sung: {match.group(0)}")


def _check_draft(pack: Pack, draft: Draft, src: SourceFile, report: Report) -> None:
    """Section ids are unique within the draft; every section has text or subsections."""
    seen: dict[str, int] = {}

    def walk(sections: Iterable[Any], path: tuple[Any, ...]) -> None:
        for index, section in enumerate(sections):
            here = (*path, index)
            line = src.line(*here, "id")
            if section.id in seen:
                report.error(src.name, line, f"mã mục '{section.id}' bị trùng trong dự thảo "
                                             f"(đã có ở dòng {seen[section.id]})")
            else:
                seen[section.id] = line
            if not section.text.strip() and not section.sections:
                report.error(src.name, src.line(*here), f"mục '{section.id}' không có nội dung")
            walk(section.sections, (*here, "sections"))

    walk(draft.sections, ("sections",))
    if draft.sample:
        report.warn(src.name, src.line("sample"), f"dự thảo '{draft.id}' là bản mẫu để dùng thử")


IMPLIED_PREFIXES = ("nhac-", "bat-dau-")  # ids of the reminders a pack implies


def check_bulletins(pack: Pack, bulletins: list[tuple[Bulletin, Any]], report: Report) -> None:
    """Every reference resolves and every cron line parses, so the scheduler never guesses."""
    _unique(report, None, [(bulletin.id, (src.name, src.line(index, "id")))
                           for bulletin, (src, index) in bulletins], "bulletins")
    stages = {stage.id for phase in pack.campaign.phases for stage in phase.stages}
    periods = {phase.id for phase in pack.campaign.phases} | stages
    known = {"topics": set(pack.topics), "groups": {g.id for g in pack.campaign.groups},
             "hamlets": {h.id for h in pack.campaign.hamlets}}
    for bulletin, (src, index) in bulletins:
        def error(message: str, *path: Any, src: Any = src, index: int = index,
                  bulletin: Bulletin = bulletin) -> None:
            report.error(src.name, src.line(index, *path), f"{bulletin.id}: {message}")

        if bulletin.id.startswith(IMPLIED_PREFIXES):
            error("mã bắt đầu bằng 'nhac-' hoặc 'bat-dau-' dành cho lời nhắc tự động", "id")
        if bulletin.phase and pack.window(bulletin.phase) is None:
            error(f"đợt '{bulletin.phase}' không tồn tại", "phase")
        if bulletin.stage and bulletin.stage not in stages:
            error(f"giai đoạn '{bulletin.stage}' không tồn tại", "stage")
        if bulletin.article and bulletin.article not in pack.article_by_id:
            error(f"bài '{bulletin.article}' không tồn tại", "article")
        schedule = bulletin.schedule
        if schedule.phase_start and schedule.phase_start not in periods:
            error(f"đợt/giai đoạn '{schedule.phase_start}' không tồn tại",
                  "schedule", "phase_start")
        if schedule.cron:
            try:
                cron_trigger(schedule.cron)
            except ValueError as problem:
                error(f"lịch cron '{schedule.cron}' không đọc được ({problem})",
                      "schedule", "cron")
        for dimension, ids in known.items():
            for position, item in enumerate(getattr(bulletin.audience, dimension)):
                if item not in ids:
                    error(f"'{item}' không có trong {dimension} của campaign.yaml",
                          "audience", dimension, position)


def check_quiz(pack: Pack, questions: list[tuple[QuizQuestion, Any]], report: Report) -> None:
    """Ids unique across files; four different options; topics that exist."""
    _unique(report, None, [(question.id, (src.name, src.line(index, "id")))
                           for question, (src, index) in questions], "quiz")
    for question, (src, index) in questions:
        folded: dict[str, int] = {}
        for position, option in enumerate(question.options):
            key = fold(option)
            if key in folded:
                report.error(src.name, src.line(index, "options", position),
                             f"{question.id}: phương án {position + 1} trùng với phương án "
                             f"{folded[key] + 1}")
            else:
                folded[key] = position
        if question.topic and question.topic not in pack.topics:
            report.error(src.name, src.line(index, "topic"),
                         f"{question.id}: chủ đề '{question.topic}' không tồn tại")
