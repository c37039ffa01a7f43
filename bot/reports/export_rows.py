"""One comment as one row of an export: reading the rows, the columns staff see (labels,
pseudonyms, local times; never a chat id or user id), the tally kept while streaming, and
the CSV writer.

Rows go from the database to the file a batch at a time, so memory stays flat however many
comments there are.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import String, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from bot.reports.cells import cell_text
from bot.reports.labels import ANONYMOUS, GENERAL, nfc, source_label, stance_label, status_label
from content.pack import Pack
from db import comments as comment_queries
from db.comments import CommentFilter
from db.models import Comment

HEADERS = ("Mã biên nhận", "Dự thảo", "Phiên bản", "Mục", "Ý kiến", "Nội dung", "Người góp ý",
           "Thôn", "Nguồn", "Trạng thái", "Ghi chú của cán bộ", "Trả lời", "Thời gian")
WIDTHS = (13, 30, 9, 32, 16, 60, 18, 14, 20, 14, 30, 30, 16)


# --- reading ------------------------------------------------------------------------------

# created_at is read as the driver gives it: SQLite's text is parsed by fromisoformat (in C)
# below, about 5 µs a row cheaper than SQLAlchemy's DateTime processing; PostgreSQL gives
# an aware datetime either way.
EXPORT_COLUMNS = (Comment.receipt, Comment.draft_id, Comment.draft_version, Comment.section_id,
                  Comment.section_label, Comment.stance, Comment.text, Comment.user_id,
                  Comment.signed_name, Comment.hamlet_id, Comment.source, Comment.source_detail,
                  Comment.status, Comment.staff_note, Comment.answer,
                  type_coerce(Comment.created_at, String).label("created_at"))
DRAFT, STANCE, STATUS, CREATED = 1, 5, 12, 15  # positions in a row of EXPORT_COLUMNS
# One row of EXPORT_COLUMNS, read by position: sixteen columns of mixed types, more than
# SQLAlchemy's typed select() overloads spell out, so its rows come untyped.
Record = Sequence[Any]
Batches = AsyncIterator[Sequence[Record]]


async def comment_rows(session: AsyncSession, where: CommentFilter,
                       batch: int = 2000) -> Batches:
    """Batches of plain rows: the filter and document order of `stream_comments`.

    `stream_comments` yields ORM objects one await at a time; at 100,000 comments that alone
    takes about 5 s of CPU here (one greenlet switch per row), more than the whole CSV
    budget. The columns an export shows, through the Core connection (the ORM layer would
    still add a step per row), a partition per await, take about 0.7 s.
    """
    statement = (select(*EXPORT_COLUMNS).where(*where.where())
                 .order_by(Comment.draft_id, Comment.section_order, Comment.id)
                 .execution_options(yield_per=batch))
    result = await (await session.connection()).stream(statement)
    async for partition in result.partitions():
        yield partition


def naive_utc(value: dt.datetime | str) -> dt.datetime:
    """SQLite's naive UTC text or PostgreSQL's aware datetime, as a naive UTC datetime."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


# --- one comment as one row --------------------------------------------------------------

class RowMaker:
    """Labels, names and local times for the rows of a file; never a chat id or user id.

    Labels and pseudonyms are computed once per distinct value: an export repeats the same
    few drafts, sections, statuses and residents thousands of times.
    """

    def __init__(self, pack: Pack, key: bytes) -> None:
        self.pack = pack
        self.key = key
        self.zone = pack.zone
        self.hamlets = {hamlet.id: hamlet.name for hamlet in pack.campaign.hamlets}
        self._cache: dict[tuple[object, ...], str] = {}
        self._offsets: dict[dt.datetime, dt.timedelta | None] = {}
        # One dict per column keyed by the bare value: building a (field, value) tuple for
        # every cell of every row cost more than the lookup itself (bench/export_bench.py).
        self._drafts: dict[str, str] = {}
        self._versions: dict[str, str] = {}
        self._stances: dict[str, str] = {}
        self._hamlets: dict[str, str] = {}
        self._statuses: dict[str, str] = {}
        self._pseudonyms: dict[int | None, str] = {}
        self._local_hours: dict[str, str | None] = {}

    def draft_title(self, draft_id: str) -> str:
        draft = self.pack.drafts.get(draft_id)
        return nfc(draft.title if draft else draft_id)

    def person(self, signed_name: str | None, user_id: int | None) -> str:
        signed = (signed_name or "").strip()
        if signed:
            return signed
        return comment_queries.pseudonym(self.key, user_id) or ANONYMOUS

    @staticmethod
    def section(section_id: str | None, label: str) -> str:
        if section_id is None:
            return GENERAL
        return label or section_id

    @staticmethod
    def source(source: str, detail: str | None) -> str:
        label = source_label(source)
        return f"{label} — {detail}" if detail else label

    def hamlet(self, hamlet_id: str | None) -> str:
        if not hamlet_id:
            return ""
        return self.hamlets.get(hamlet_id, hamlet_id)

    def local(self, moment: dt.datetime | str) -> dt.datetime:
        """The campaign's wall-clock time, naive. The zone's offset is looked up once per UTC
        hour (astimezone costs more than the rest of a row's time handling); an hour with a
        transition inside is converted exactly."""
        utc = naive_utc(moment)
        hour = utc.replace(minute=0, second=0, microsecond=0)
        try:
            offset = self._offsets[hour]
        except KeyError:  # once per UTC hour
            offset = self._offsets[hour] = self._steady_offset(hour)
        if offset is None:
            return utc.replace(tzinfo=dt.UTC).astimezone(self.zone).replace(tzinfo=None)
        return utc + offset

    def _steady_offset(self, hour: dt.datetime) -> dt.timedelta | None:
        """The zone's offset through this UTC hour, or None if it changes within it."""
        first, last = (moment.replace(tzinfo=dt.UTC).astimezone(self.zone).utcoffset()
                       for moment in (hour, hour + dt.timedelta(minutes=59, seconds=59,
                                                                microseconds=999_999)))
        return first if first == last else None

    def kept(self, key: tuple[object, ...], text: str) -> str:
        """The clean text of a repeating value (computed on first sight), kept under its key."""
        self._cache[key] = cleaned = cell_text(text)
        return cleaned

    def texts(self, record: Record) -> list[str]:
        """Every column but the time, as clean text, from one row of `comment_rows`."""
        (receipt, draft_id, version, section_id, section, stance, text, user_id, signed,
         hamlet_id, source, detail, status, note, answer, _) = record
        cache, kept = self._cache, self.kept
        # signed names vary too much to cache; pseudonyms (an HMAC each) are worth it
        person: str | None
        if signed and signed.strip():
            person = cell_text(signed.strip())
        else:
            person = self._pseudonyms.get(user_id)
            if person is None:
                person = self._pseudonyms[user_id] = kept(("person", None, user_id),
                                                          self.person(None, user_id))
        draft = self._drafts.get(draft_id)
        if draft is None:
            draft = self._drafts[draft_id] = kept(("draft", draft_id), self.draft_title(draft_id))
        shown_version = self._versions.get(version)
        if shown_version is None:
            shown_version = self._versions[version] = kept(("version", version), version)
        shown_stance = self._stances.get(stance)
        if shown_stance is None:
            shown_stance = self._stances[stance] = kept(("stance", stance), stance_label(stance))
        shown_status = self._statuses.get(status)
        if shown_status is None:
            shown_status = self._statuses[status] = kept(("status", status), status_label(status))
        hamlet = ""
        if hamlet_id:
            known_hamlet = self._hamlets.get(hamlet_id)
            if known_hamlet is None:
                known_hamlet = self._hamlets[hamlet_id] = kept(("hamlet", hamlet_id),
                                                               self.hamlet(hamlet_id))
            hamlet = known_hamlet
        return [cell_text(receipt), draft, shown_version,
                cache.get(("section", section_id, section))
                or kept(("section", section_id, section), self.section(section_id, section)),
                shown_stance, cell_text(text) if text else "", person, hamlet,
                cache.get(("source", source, detail))
                or kept(("source", source, detail), self.source(source, detail)),
                shown_status, cell_text(note) if note else "",
                cell_text(answer) if answer else ""]

    def local_text(self, moment: dt.datetime | str) -> str:
        """`local_text(self.local(moment))`, cheaper for SQLite's text: within a UTC hour a
        whole-hour offset leaves the minutes alone, so the local "dd/mm/yyyy HH" of each UTC
        hour is worked out once and the row's own ":MM" appended."""
        if isinstance(moment, str) and len(moment) >= 16 and moment[13] == ":":
            hour = moment[:13]
            try:
                shown = self._local_hours[hour]
            except KeyError:  # once per UTC hour
                local = self.local(hour + ":00:00")
                steady = self._offsets.get(naive_utc(hour + ":00:00"))
                whole = steady is not None and steady % dt.timedelta(hours=1) == dt.timedelta(0)
                shown = self._local_hours[hour] = local_text(local)[:13] if whole else None
            if shown is not None:
                return shown + moment[13:16]
        return local_text(self.local(moment))


def local_text(moment: dt.datetime) -> str:
    """dd/mm/yyyy HH:MM, cut from isoformat (in C): strftime costs ten times as much."""
    iso = moment.isoformat(" ", "minutes")
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}{iso[10:16]}"


EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def excel_serial(local: dt.datetime) -> float:
    return (local - EXCEL_EPOCH) / dt.timedelta(days=1)


# --- what was exported -------------------------------------------------------------------

@dataclass
class Tally:
    """Counts of what went into the file, kept while streaming (no second query to drift)."""

    rows: int = 0
    counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (draft, stance, status)

    def by(self, position: int) -> Counter[tuple[str, str]]:
        """(draft_id, stance) or (draft_id, status) → count."""
        summed: Counter[tuple[str, str]] = Counter()
        for key, count in self.counts.items():
            summed[key[0], key[position]] += count
        return summed


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self, rows: int) -> None: ...


# --- CSV ---------------------------------------------------------------------------------

async def write_csv(path: Path, maker: RowMaker, batches: Batches, tally: Tally,
                    progress: Progress | None) -> None:
    # The csv module writes RFC 4180 CRLF itself and quotes embedded breaks. Each batch goes
    # into a StringIO and reaches the file as one string: a csv writer on the file calls
    # its write() once per row, and that Python-level call plus a per-row encode cost more
    # than formatting the row. The BOM is written by hand: Excel reads a CSV as UTF-8 only
    # when it starts with one, and the "utf-8-sig" codec would encode in Python.
    counts, texts, local = tally.counts, maker.texts, maker.local_text
    with path.open("w", encoding="utf-8", newline="", buffering=1 << 20) as handle:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, dialect="excel", quoting=csv.QUOTE_MINIMAL)
        buffer.write("\ufeff")
        writer.writerow(HEADERS)
        async for batch in batches:
            lines = []
            for record in batch:
                values = texts(record)
                values.append(local(record[CREATED]))
                lines.append(values)
                counts[record[DRAFT], record[STANCE], record[STATUS]] += 1
            writer.writerows(lines)
            handle.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
            tally.rows += len(batch)
            if progress:
                progress.advance(len(batch))
        handle.write(buffer.getvalue())
