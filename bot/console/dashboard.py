"""The dashboard's content: where the campaign is (phase, stage, drafts open for comments) and
its numbers as charts, each with the same numbers as a table.

The counts come from db/dashboard.py (a few grouped statements, a leader's scope applied in
them); this module names them from the pack and applies the small-numbers rule
(bot/reports/small_numbers.py) wherever a count is about residents of a hamlet: residents,
subscribers and quiz players by hamlet, comments by hamlet, and for a leader (whose figures
are about a few hamlets) residents by channel too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.charts import Chart, Figure, per_hamlet, plain, rows_of
from bot.console.desk import SOURCES, hamlet_names
from bot.reports.labels import source_label, stance_label, status_label
from content.pack import Pack
from content.phases import Period
from content.text import format_number
from db import dashboard as queries
from db.comments import OPEN_STATUSES, Scope
from handlers.campaign import effective_period

DAYS = 30  # comments per day over this many days, today included
NO_HAMLET = "Chưa rõ thôn"
BROADCAST_NAMES = {"bulletin": "Bản tin", "announcement": "Thông báo"}


@dataclass(frozen=True)
class OpenDraft:
    title: str
    closes: dt.datetime


@dataclass(frozen=True)
class Waiting:
    count: int
    oldest: dt.datetime | None
    days: int  # how long the oldest has waited, in whole days


@dataclass(frozen=True)
class Span:
    """The stage (or phase) the campaign is in: its name and its first and last days."""

    name: str
    first: dt.date
    last: dt.date | None  # None: open-ended


def current_span(period: Period) -> Span | None:
    window = period.stage or period.phase
    if window is None:
        return None
    last = window.ends - dt.timedelta(days=1) if window.ends else None  # ends is exclusive
    return Span(window.name, window.starts, last)


@dataclass(frozen=True)
class Dashboard:
    period: Period
    span: Span | None
    today: dt.date
    drafts: tuple[OpenDraft, ...]
    consented: int
    subscribers: int
    comments: int
    waiting: Waiting
    quiz_rounds: int
    charts: dict[str, Chart]


def _ordered_hamlets(pack: Pack, found: Iterable[str | None],
                     scope: Scope | None) -> list[tuple[str | None, str]]:
    """The hamlets to list: the pack's (a leader's own), then any other the data holds, then
    residents without a hamlet."""
    names = hamlet_names(pack)
    found = set(found)
    listed: list[tuple[str | None, str]] = [(ref, name) for ref, name in names.items()
              if scope is None or ref in scope.areas or ref in found]
    listed += [(ref, ref) for ref in sorted(ref for ref in found if ref and ref not in names)]
    if None in found:
        listed.append((None, NO_HAMLET))
    return listed


def _period_days(now: dt.datetime, zone: dt.tzinfo) -> tuple[dt.date, dt.datetime]:
    today = now.astimezone(zone).date()
    first = today - dt.timedelta(days=DAYS - 1)
    return first, dt.datetime.combine(first, dt.time(), zone).astimezone(dt.UTC)


def _open_drafts(pack: Pack, now: dt.datetime) -> tuple[OpenDraft, ...]:
    return tuple(OpenDraft(draft.title, pack.local(draft.closes))
                 for draft in pack.drafts.values()
                 if pack.local(draft.opens) <= now < pack.local(draft.closes))


async def build(session: AsyncSession, pack: Pack, scope: Scope | None,
                now: dt.datetime) -> Dashboard:
    zone = pack.zone
    first_day, since = _period_days(now, zone)
    today = now.astimezone(zone).date()
    period = await effective_period(session, pack, today)
    reach = await queries.reach(session, scope)
    counts = await queries.comment_counts(session, scope)
    hours = await queries.comments_by_hour(session, scope, since)
    oldest = await queries.oldest_waiting(session, scope)
    sent = await queries.deliveries(session, scope)
    quiz = await queries.quiz_by_hamlet(session, scope)

    people = plain if scope is None else per_hamlet  # a leader's figures are a few hamlets'
    charts = [
        _residents_by_hamlet(pack, reach, scope),
        _residents_by_channel(reach, people),
        _comments_per_day(hours, zone, first_day, today),
        _comments_by(counts, "drafts", "Góp ý theo dự thảo", "Dự thảo",
                     lambda row: row.draft_id,
                     lambda ref: pack.drafts[ref].title if ref in pack.drafts else ref),
        _comments_by(counts, "stances", "Góp ý theo ý kiến", "Ý kiến",
                     lambda row: row.stance, stance_label),
        _comments_by(counts, "statuses", "Góp ý theo trạng thái", "Trạng thái",
                     lambda row: row.status, status_label),
        _comments_by_hamlet(pack, counts, scope),
        _comments_by(counts, "sources", "Góp ý theo nguồn", "Nguồn",
                     lambda row: "zalo" if row.source.startswith("zalo") else row.source,
                     source_label),
        _broadcasts(sent),
        _quiz_by_hamlet(pack, quiz, scope),
    ]
    waiting_count = sum(row.count for row in counts if row.status in OPEN_STATUSES)
    return Dashboard(
        period=period, span=current_span(period), today=today, drafts=_open_drafts(pack, now),
        consented=sum(cell.consented for cell in reach),
        subscribers=sum(cell.subscribers for cell in reach),
        comments=sum(row.count for row in counts),
        waiting=Waiting(waiting_count, oldest,
                        (today - oldest.astimezone(zone).date()).days if oldest else 0),
        quiz_rounds=sum(row.rounds for row in quiz),
        charts={chart.key: chart for chart in charts})


RESIDENT_SERIES = ("Đã đồng ý", "Đăng ký nhận tin")


def _residents_by_hamlet(pack: Pack, reach: list[queries.Reach], scope: Scope | None) -> Chart:
    consented = queries.by(reach, lambda cell: cell.hamlet_id, lambda cell: cell.consented)
    subscribers = queries.by(reach, lambda cell: cell.hamlet_id, lambda cell: cell.subscribers)
    rows = [(name, (per_hamlet(consented.get(ref, 0)), per_hamlet(subscribers.get(ref, 0))))
            for ref, name in _ordered_hamlets(pack, consented, scope)]
    return Chart("residents-hamlet", "Người dân theo thôn", RESIDENT_SERIES, rows_of(rows),
                 label_heading="Thôn",
                 note="Người đã đồng ý cho Loa Số lưu dữ liệu, và những người trong số đó "
                      "đang đăng ký nhận tin.")


def _residents_by_channel(reach: list[queries.Reach], people: Callable[[int], Figure]) -> Chart:
    consented = queries.by(reach, lambda cell: cell.channel, lambda cell: cell.consented)
    subscribers = queries.by(reach, lambda cell: cell.channel, lambda cell: cell.subscribers)
    order = [name for name in SOURCES if name in consented]
    order += sorted(name for name in consented if name not in SOURCES)
    rows = [(SOURCES.get(name, name), (people(consented[name]), people(subscribers.get(name, 0))))
            for name in order]
    return Chart("residents-channel", "Người dân theo kênh", RESIDENT_SERIES, rows_of(rows),
                 label_heading="Kênh")


def _comments_per_day(hours: list[tuple[dt.datetime, int]], zone: dt.tzinfo, first: dt.date,
                      today: dt.date) -> Chart:
    per_day: dict[dt.date, int] = {}
    for moment, count in hours:
        day = moment.astimezone(zone).date()
        per_day[day] = per_day.get(day, 0) + count
    days = [first + dt.timedelta(days=offset) for offset in range((today - first).days + 1)]
    rows = [(f"{day:%d/%m}", (plain(per_day.get(day, 0)),)) for day in days]
    return Chart("comments-day", f"Góp ý mỗi ngày ({DAYS} ngày qua)", ("Góp ý",),
                 rows_of(rows), kind="columns", label_heading="Ngày",
                 note=f"Từ {first:%d/%m/%Y} đến {today:%d/%m/%Y}.")


def _comments_by(counts: list[queries.CommentCount], key: str, title: str, heading: str,
                 of: Callable[[queries.CommentCount], str], name: Callable[[str], str]) -> Chart:
    summed = queries.by(counts, of, lambda row: row.count)
    rows = [(name(ref), (plain(count),))
            for ref, count in sorted(summed.items(), key=lambda item: (-item[1], str(item[0])))]
    return Chart(f"comments-{key}", title, ("Góp ý",), rows_of(rows), label_heading=heading)


def _comments_by_hamlet(pack: Pack, counts: list[queries.CommentCount],
                        scope: Scope | None) -> Chart:
    summed = queries.by(counts, lambda row: row.hamlet_id, lambda row: row.count)
    rows = [(name, (per_hamlet(summed.get(ref, 0)) if ref else plain(summed.get(ref, 0)),))
            for ref, name in _ordered_hamlets(pack, summed, scope)]
    return Chart("comments-hamlet", "Góp ý theo thôn", ("Góp ý",), rows_of(rows),
                 label_heading="Thôn",
                 note="Góp ý ở hội nghị hay không nêu thôn được tính ở «Chưa rõ thôn».")


BROADCAST_SERIES = ("Đã nhận", "Đang chờ gửi", "Lỗi", "Bỏ qua")


def _broadcasts(sent: dict[str, queries.Delivery]) -> Chart:
    rows = [(f"{BROADCAST_NAMES[kind]} ({format_number(tally.broadcasts)} lượt gửi, "
             f"{format_number(tally.messages)} tin)",
             (plain(tally.delivered), plain(tally.waiting), plain(tally.failed),
              plain(tally.skipped)))
            for kind, tally in sent.items()]
    return Chart("broadcasts", "Bản tin và thông báo đã gửi", BROADCAST_SERIES, rows_of(rows),
                 label_heading="Loại",
                 note="«Bỏ qua»: tin không gửi vì nền tảng không cho nhắn (quá lâu không tương "
                      "tác), vì đã dừng, hoặc vì người nhận đã chặn Loa Số.")


def _quiz_by_hamlet(pack: Pack, quiz: list[queries.QuizTally], scope: Scope | None) -> Chart:
    found = {row.hamlet_id: row for row in quiz}
    rows = [(name, (per_hamlet(found[ref].rounds if ref in found else 0),
                    per_hamlet(found[ref].players if ref in found else 0)))
            for ref, name in _ordered_hamlets(pack, found, scope)]
    return Chart("quiz-hamlet", "Thi tìm hiểu theo thôn", ("Lượt thi", "Người thi"),
                 rows_of(rows), label_heading="Thôn")

