"""The comment desk's data, shaped for its templates: the queue's filters read from the query
string (and checked against the pack), the rows of a page, one comment in full.

Queries come from db.comments and the changes from bot.actions.comments; nothing here writes
except what `detail` must (the audit row of a view, the pseudonym key on first use).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions.comments import REVIEW_STATUSES, view_comment
from bot.console.auth import Principal, require_scope
from bot.reports.labels import (
    ANONYMOUS,
    GENERAL,
    STANCE_LABELS,
    STATUS_LABELS,
    source_label,
    stance_label,
    status_label,
)
from content.pack import Pack
from content.text import fold
from db import comments as comment_queries
from db.models import Comment, OutboxMessage, OutboxStatus

RECEIPT = re.compile(r"^GY-[A-Z0-9]{8}$")
SOURCES = {"telegram": "Telegram", "zalo-oa": "Zalo OA", "zalo-bot": "Zalo Bot",
           "meeting": "Hội nghị", "console": "Trò chuyện thử"}
SEARCH_MAX = 200


@dataclass
class Filters:
    """The queue's filters as typed (for the form) and as a query (for the database)."""

    values: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    where: comment_queries.CommentFilter = field(default_factory=comment_queries.CommentFilter)


def _day(text: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def read_filters(params: Mapping[str, str], pack: Pack, who: Principal) -> Filters:
    """Each filter checked against the pack; a wrong value is named in `errors`. A leader
    asking for a hamlet that is not theirs is refused (403), not shown an empty list."""
    names = ("draft", "section", "stance", "status", "source", "hamlet", "from", "to", "q")
    values = {name: (params.get(name) or "").strip() for name in names}
    errors: list[str] = []
    draft, section = values["draft"], values["section"]
    if draft and draft not in pack.drafts:
        errors.append(f"Không có dự thảo “{draft}”.")
    if section and section != "-":
        drafts = [draft] if draft in pack.drafts else list(pack.drafts)
        if not any(pack.section(draft_id, section) for draft_id in drafts):
            errors.append(f"Không có mục “{section}”.")
    for name, known, what in (("stance", stance_options(), "ý kiến"),
                              ("status", status_options(), "trạng thái"),
                              ("source", SOURCES, "nguồn"),
                              ("hamlet", hamlet_names(pack), "thôn")):
        if values[name] and values[name] not in known:
            errors.append(f"Không có {what} “{values[name]}”.")
    if values["hamlet"]:
        require_scope(who, values["hamlet"])
    days: dict[str, dt.date | None] = {}
    for name, label in (("from", "Từ ngày"), ("to", "Đến ngày")):
        if values[name]:
            days[name] = _day(values[name])
            if days[name] is None:
                errors.append(f"{label} “{values[name]}” không đúng dạng ngày (dd/mm/yyyy).")
    first, last = days.get("from"), days.get("to")
    if first and last and first > last:
        errors.append("Từ ngày sau Đến ngày.")
    query = values["q"][:SEARCH_MAX]
    receipt = query.upper() if RECEIPT.match(query.upper()) else None

    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), pack.zone).astimezone(dt.UTC)

    where = comment_queries.CommentFilter(
        draft_id=draft or None, section_id=section or None, stance=values["stance"] or None,
        statuses=(values["status"],) if values["status"] else (), source=values["source"] or None,
        hamlet_id=values["hamlet"] or None,
        created_from=midnight(first) if first else None,
        created_to=midnight(last + dt.timedelta(days=1)) if last else None,
        receipt=receipt, search=None if receipt or not query else fold(query) or None,
        scope=who.scope)
    return Filters(values, errors, where)


def stance_options() -> dict[str, str]:
    return dict(STANCE_LABELS)


def status_options() -> dict[str, str]:
    return dict(STATUS_LABELS)


def review_options() -> dict[str, str]:
    return {code: status_label(code) for code in REVIEW_STATUSES}


def hamlet_names(pack: Pack) -> dict[str, str]:
    return {hamlet.id: hamlet.name for hamlet in pack.campaign.hamlets}


def group_names(pack: Pack) -> dict[str, str]:
    return {group.id: group.name for group in pack.campaign.groups}


def section_choices(pack: Pack) -> list[tuple[str, list[tuple[str, str]]]]:
    """Per draft (title), its sections (id, label) in document order, general comments first."""
    return [(draft.title, [("-", GENERAL)] + [(flat.section.id, "— " * flat.depth
                                               + flat.section.heading)
                                              for flat in pack.sections.get(draft.id, [])])
            for draft in pack.drafts.values()]


@dataclass(frozen=True)
class Row:
    receipt: str
    created_at: dt.datetime
    draft: str
    section: str
    stance: str
    status: str
    status_code: str
    hamlet: str
    source: str
    excerpt: str


def rows(pack: Pack, comments: list[Comment]) -> list[Row]:
    hamlets = hamlet_names(pack)
    return [Row(comment.receipt, comment.created_at,
                pack.drafts[comment.draft_id].title if comment.draft_id in pack.drafts
                else comment.draft_id,
                comment.section_label if comment.section_id else GENERAL,
                stance_label(comment.stance), status_label(comment.status), comment.status,
                hamlets.get(comment.hamlet_id or "", comment.hamlet_id or ""),
                source_label(comment.source),
                comment.text if len(comment.text) <= 160 else comment.text[:159] + "…")
            for comment in comments]


@dataclass(frozen=True)
class Delivery:
    state: str  # sent, waiting, failed, stopped, none
    text: str
    at: dt.datetime | None = None


def delivery(comment: Comment, notices: list[OutboxMessage]) -> Delivery | None:
    """Whether the latest answer reached the resident (None: not answered yet)."""
    if comment.answer is None:
        return None
    if not notices:
        return Delivery("none", "Không gửi cho người góp ý: góp ý từ hội nghị, hoặc người góp "
                                "ý đã xóa dữ liệu hay chặn Loa Số.")
    latest = notices[0]
    if latest.status == OutboxStatus.SENT:
        return Delivery("sent", "Đã gửi tới người góp ý lúc", latest.sent_at)
    if latest.status in (OutboxStatus.QUEUED, OutboxStatus.SENDING):
        return Delivery("waiting", "Đang chờ gửi tới người góp ý.")
    if latest.status == OutboxStatus.STOPPED:
        return Delivery("stopped", "Không gửi được: người góp ý đã chặn Loa Số hoặc xóa dữ liệu.")
    return Delivery("failed", f"Gửi không được sau {latest.attempts} lần thử"
                              f"{': ' + latest.error[:200] if latest.error else ''}.")


async def detail(session: AsyncSession, pack: Pack, receipt: str, who: Principal,
                 now: dt.datetime) -> dict[str, Any] | None:
    """One comment in full for the page (None: no such receipt); audited as a view of
    personal data. Outside a leader's scope: Forbidden."""
    comment = await comment_queries.find_by_receipt(session, receipt)
    if comment is None:
        return None
    require_scope(who, comment.hamlet_id, comment.group_id)
    comment = await view_comment(session, receipt, who=who.who, now=now)
    signed = (comment.signed_name or "").strip()
    person = signed or comment_queries.pseudonym(
        await comment_queries.pseudonym_key(session), comment.user_id) or ANONYMOUS
    original = (await session.get(Comment, comment.duplicate_of)
                if comment.duplicate_of is not None else None)
    draft = pack.drafts.get(comment.draft_id)
    return {
        "comment": comment, "person": person, "signed": bool(signed),
        "draft_title": draft.title if draft else comment.draft_id,
        "section": comment.section_label if comment.section_id else GENERAL,
        "stance": stance_label(comment.stance), "status": status_label(comment.status),
        "source": source_label(comment.source),
        "hamlet": hamlet_names(pack).get(comment.hamlet_id or "", comment.hamlet_id or ""),
        "group": group_names(pack).get(comment.group_id or "", comment.group_id or ""),
        "original": original.receipt if original else None,
        "delivery": delivery(comment, await comment_queries.answer_deliveries(session, comment.id)),
    }
