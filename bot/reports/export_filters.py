"""What staff ask an export for: options checked and turned into a comment filter, the filter
in words (printed in the file) and as codes (kept in the audit row), and the output path.

Every problem is an ExportError worded for staff, raised before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from bot.reports.labels import STATUS_LABELS, source_label, status_label
from content.pack import Pack
from db.comments import CommentFilter


class ExportError(Exception):
    """A problem the staff member can fix, worded for them in Vietnamese."""


def parse_day(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ExportError(f"Ngày không hợp lệ ở {option}: '{text}' (cần dạng YYYY-MM-DD, "
                          f"ví dụ 2025-09-30).") from None


def parse_statuses(text: str | None) -> tuple[str, ...]:
    """Codes or the names the exports print ("moi,Đã xem"), comma-separated."""
    from content.text import match_code

    given = [part.strip() for part in (text or "").split(",") if part.strip()]
    unknown = [name for name in given if match_code(name, STATUS_LABELS) is None]
    wanted = tuple(dict.fromkeys(code for name in given
                                 if (code := match_code(name, STATUS_LABELS)) is not None))
    if unknown:
        known = ", ".join(f"{code} ({label})" for code, label in STATUS_LABELS.items())
        raise ExportError(f"Trạng thái không hợp lệ: {', '.join(unknown)}. Dùng: {known}.")
    return wanted


def known_draft(pack: Pack, draft_id: str) -> str:
    if draft_id not in pack.drafts:
        known = "; ".join(f"{draft.id} ({draft.title})" for draft in pack.drafts.values())
        raise ExportError(f"Không có dự thảo '{draft_id}' trong gói nội dung. "
                          f"Có: {known or 'chưa có dự thảo nào'}.")
    return draft_id


def build_filter(pack: Pack, *, draft: str | None = None, statuses: str | None = None,
                 hamlet: str | None = None, source: str | None = None,
                 day_from: str | None = None, day_to: str | None = None,
                 include_hidden: bool = True) -> CommentFilter:
    """The staff member's options as a filter; days are whole days in the campaign's zone."""
    if draft is not None:
        known_draft(pack, draft)
    if hamlet is not None and hamlet not in {item.id for item in pack.campaign.hamlets}:
        known = ", ".join(f"{item.id} ({item.name})" for item in pack.campaign.hamlets)
        raise ExportError(f"Không có thôn '{hamlet}'. Có: {known or 'chưa khai báo thôn nào'}.")
    first = parse_day(day_from, "--from") if day_from else None
    last = parse_day(day_to, "--to") if day_to else None
    if first and last and first > last:
        raise ExportError(f"Ngày bắt đầu {first:%d/%m/%Y} (--from) sau ngày kết thúc "
                          f"{last:%d/%m/%Y} (--to).")

    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), pack.zone).astimezone(dt.UTC)

    return CommentFilter(
        draft_id=draft, statuses=parse_statuses(statuses), hamlet_id=hamlet,
        source=source.strip() if source else None,
        created_from=midnight(first) if first else None,
        created_to=midnight(last + dt.timedelta(days=1)) if last else None,
        include_hidden=include_hidden)


def audit_filters(where: CommentFilter) -> dict[str, object]:
    described: dict[str, object] = dict(where.describe())
    if not where.include_hidden:  # describe() leaves this out, but it changes what left
        described["include_hidden"] = False
    return described


def output_path(out: Path, kinds: Sequence[str], kind: str | None) -> tuple[Path, str]:
    """The file to write and its format, or a clear refusal before anything is touched."""
    chosen = (kind or out.suffix.lstrip(".")).lower()
    if chosen not in kinds:
        raise ExportError(f"Định dạng '{kind or out.suffix}' không hỗ trợ; dùng --format "
                          f"{' hoặc --format '.join(kinds)}.")
    out = out.expanduser()
    if out.is_dir():
        raise ExportError(f"'{out}' là một thư mục; hãy ghi cả tên tệp, ví dụ "
                          f"{out / ('gop-y.' + chosen)}.")
    if not out.parent.is_dir():
        raise ExportError(f"Thư mục '{out.parent}' không tồn tại; hãy tạo thư mục trước "
                          f"hoặc chọn nơi lưu khác.")
    return out.resolve(), chosen


def describe_filters(pack: Pack, where: CommentFilter) -> str:
    """The filter in words, printed in the file itself (the audit row keeps the codes)."""
    parts = []
    if where.draft_id:
        draft = pack.drafts.get(where.draft_id)
        parts.append(f"dự thảo {draft.title if draft else where.draft_id}")
    if where.statuses:
        parts.append("trạng thái " + ", ".join(status_label(s) for s in where.statuses))
    if where.hamlet_id:
        names = {hamlet.id: hamlet.name for hamlet in pack.campaign.hamlets}
        parts.append(f"thôn {names.get(where.hamlet_id, where.hamlet_id)}")
    if where.source:
        parts.append(f"nguồn {source_label(where.source)}")
    if where.created_from:
        parts.append(f"từ ngày {where.created_from.astimezone(pack.zone):%d/%m/%Y}")
    if where.created_to:
        last = where.created_to.astimezone(pack.zone) - dt.timedelta(days=1)
        parts.append(f"đến hết ngày {last:%d/%m/%Y}")
    if not where.include_hidden:
        parts.append("bỏ góp ý trùng lặp và spam")
    if where.scope is not None:
        names = {hamlet.id: hamlet.name for hamlet in pack.campaign.hamlets}
        names.update({group.id: group.name for group in pack.campaign.groups})
        covered = [names.get(ref, ref) for ref in (*where.scope.areas, *where.scope.groups)]
        parts.append("chỉ thôn, tổ chức của người xuất: " + ", ".join(covered))
    return "; ".join(parts) if parts else "không (mọi góp ý)"
