"""Exports and reports asked for in the console: the form checked into the same filter the
CLI builds (`loaso comments export|report`), a job recorded for the background runner, and
a finished file handed over to the account that asked (or an admin).

The file itself is written by the CLI's own functions (bot/reports/export.py, summary.py),
so it is audited exactly as the CLI audits it: an `export_audit` row with the filters, the
row count and the file's SHA-256. The console adds its audit rows: the request, and every
download.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions import ActionRefused
from bot.reports import export as exports
from bot.reports.export_filters import ExportError, build_filter, describe_filters, known_draft
from bot.reports.labels import REPORT_FORMATS, STATUS_LABELS
from bot.reports.layout import LAYOUTS, Layout
from content.pack import Pack
from db import audit
from db import export_jobs as jobs
from db.comments import CommentFilter, Scope
from db.console_models import ExportJob

ACTIVE_LIMIT = 3  # jobs one account may have waiting or running at once
SOURCES = ("telegram", "zalo-oa", "zalo-bot", "meeting", "console")
LAYOUT_NAMES = {"party": "văn bản của Đảng ủy", "state": "văn bản của UBND xã"}


@dataclass(frozen=True)
class Asked:
    """A checked request: the job's kind, what the file holds, the form as given."""

    kind: str  # csv, xlsx, report-docx, report-xlsx
    description: str
    request: dict[str, Any] = field(default_factory=dict)  # as stored: JSON values
    where: CommentFilter | None = None  # an export
    draft_id: str | None = None  # a report
    layout: Layout = "party"
    number: str | None = None

    @property
    def is_report(self) -> bool:
        return self.kind.startswith("report-")

    @property
    def extension(self) -> str:
        return self.kind.removeprefix("report-")


def _value(form: Mapping[str, object], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _day(text: str, label: str) -> str | None:
    """dd/mm/yyyy (as the console shows dates) or yyyy-mm-dd, as the CLI's ISO day."""
    if not text:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    raise ActionRefused(f"{label} “{text[:20]}” không phải một ngày: ghi theo dạng dd/mm/yyyy, "
                        "ví dụ 30/09/2025.")


def check_export(pack: Pack, form: Mapping[str, object], statuses: list[str],
                 scope: Scope | None) -> Asked:
    """The export form as the CLI's filter, or ActionRefused naming what is wrong. A
    leader's export is always limited to their scope (the caller refuses another hamlet)."""
    kind = _value(form, "format") or "xlsx"
    if kind not in exports.FORMATS:
        raise ActionRefused(f"Định dạng “{kind[:20]}” không có: chọn Excel (xlsx) hoặc CSV.")
    source = _value(form, "source") or None
    if source is not None and source not in SOURCES:
        raise ActionRefused(f"Không có nguồn “{source[:30]}”.")
    unknown = [status for status in statuses if status not in STATUS_LABELS]
    if unknown:
        raise ActionRefused(f"Không có trạng thái “{unknown[0][:30]}”.")
    first = _day(_value(form, "from"), "Từ ngày")
    last = _day(_value(form, "to"), "Đến ngày")
    if first and last and first > last:
        raise ActionRefused(f"Từ ngày ({_value(form, 'from')}) sau Đến ngày "
                            f"({_value(form, 'to')}): đổi lại khoảng ngày.")
    include_hidden = _value(form, "hidden") != "exclude"
    try:
        where = build_filter(pack, draft=_value(form, "draft") or None,
                             statuses=",".join(statuses) or None,
                             hamlet=_value(form, "hamlet") or None, source=source,
                             day_from=first, day_to=last, include_hidden=include_hidden)
    except ExportError as error:
        raise ActionRefused(str(error)) from None
    where = replace(where, scope=scope)
    request = {"format": kind, "draft": where.draft_id, "statuses": list(where.statuses),
               "hamlet": where.hamlet_id, "source": source, "from": first, "to": last,
               "hidden": include_hidden}
    return Asked(kind, describe_filters(pack, where), request, where=where)


def check_report(pack: Pack, form: Mapping[str, object]) -> Asked:
    """The report form as the CLI's options (`--draft --format --layout --number`)."""
    draft = _value(form, "draft")
    if not draft:
        raise ActionRefused("Chọn dự thảo cần lập báo cáo.")
    try:
        known_draft(pack, draft)
    except ExportError as error:
        raise ActionRefused(str(error)) from None
    kind = _value(form, "format") or "docx"
    if kind not in REPORT_FORMATS:
        raise ActionRefused(f"Định dạng “{kind[:20]}” không có: chọn Word (docx) hoặc Excel.")
    typed_layout = _value(form, "layout") or "party"
    layout = next((known for known in LAYOUTS if known == typed_layout), None)
    if layout is None:
        raise ActionRefused(f"Thể thức “{typed_layout[:20]}” không có: chọn văn bản của Đảng "
                            "ủy hoặc của UBND xã.")
    number = _value(form, "number") or None
    if number is not None and not re.fullmatch(r"[0-9A-Za-z]{1,10}", number):
        raise ActionRefused(f"Số văn bản “{number[:20]}” không hợp lệ: chỉ ghi con số, ví dụ 12 "
                            "(để trống thì văn thư ghi tay khi vào sổ).")
    title = pack.drafts[draft].title
    description = (f"báo cáo tổng hợp ý kiến về {title}, {LAYOUT_NAMES[layout]}"
                   f"{', số ' + number if number else ''}")
    request = {"format": kind, "draft": draft, "layout": layout, "number": number}
    return Asked(f"report-{kind}", description, request, draft_id=draft, layout=layout,
                 number=number)


async def request_file(session: AsyncSession, asked: Asked, *, account_id: int,
                       who: audit.Who, runner: str, now: dt.datetime) -> ExportJob:
    """Record the job (the runner makes the file) and audit the request."""
    if await jobs.active_count(session, account_id) >= ACTIVE_LIMIT:
        raise ActionRefused(f"Bạn đang có {ACTIVE_LIMIT} tệp chưa làm xong. Chờ các tệp đó xong "
                            "rồi hãy yêu cầu thêm.")
    job = await jobs.add_job(session, account_id=account_id, actor=who.name, kind=asked.kind,
                             request=asked.request, description=asked.description,
                             runner=runner, now=now)
    await audit.record(session, who, "export.request", now=now, target=f"#{job.id}",
                       details={"kind": asked.kind, "filters": asked.description})
    return job


class NotYours(Exception):
    """No such file for this account: never made, someone else's, expired or not done."""


async def hand_over(session: AsyncSession, job_id: int, *, account_id: int, admin: bool,
                    who: audit.Who, now: dt.datetime) -> ExportJob:
    """The finished job whose file this account may download, with the download audited.
    Another account's file is refused as if it did not exist."""
    job = await jobs.get_job(session, job_id)
    if job is None or (job.account_id != account_id and not admin):
        raise NotYours()
    if job.status != jobs.JobStatus.DONE or job.stored_name is None:
        raise NotYours()
    await audit.record(session, who, "export.download", now=now,
                       target=f"#{job.id} {job.file_name}",
                       details={"kind": job.kind, "rows": job.rows, "sha256": job.sha256,
                                "by": job.actor})
    return job

