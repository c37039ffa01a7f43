"""`loaso report campaign`: "Báo cáo kết quả thực hiện Kế hoạch 04-KH/ĐU" for a period, as a
DOCX in the Party layout (bot.reports.layout) or an XLSX with the same tables and native
charts, for the standing committee.

Sections: reach, what was pushed, meetings, the consultation, questions and reports, what
residents looked for and did not find, the quiz. Counts of residents below 3 read "< 3"
(bot.reports.small_numbers); the quiz merges hamlets with fewer than 3 players. A period
without any figure gives a report that says so.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bot.reports.cells import spreadsheet_text
from bot.reports.export_xlsx import add_styles, new_workbook
from bot.reports.labels import nfc, source_label, stance_label, status_label
from bot.reports.layout import (
    Block,
    DocumentSpec,
    Heading,
    Letterhead,
    Paragraph,
    Table,
    date_line,
    write_docx,
)
from bot.reports.publish import Published, publish
from bot.reports.small_numbers import HIDDEN, hamlet_count, is_hidden
from content.pack import Pack
from content.text import format_number
from db import campaign_figures
from db.campaign_figures import Figures, Period
from db.engine import Database
from handlers import texts

FORMATS = ("docx", "xlsx")
SUBJECT = "Kết quả thực hiện Kế hoạch 04-KH/ĐU về tuyên truyền Đại hội"
TITLE = "Báo cáo kết quả thực hiện Kế hoạch 04-KH/ĐU"
NOTHING = "Không có số liệu trong kỳ báo cáo."
DELIVERY = {"sent": "Đã gửi", "failed": "Lỗi", "stopped": "Bỏ qua"}
TOP_SECTIONS = 15


class PeriodRefused(ValueError):
    """The period cannot be reported on as given (reversed, or not dates)."""


def period_of(pack: Pack, first: str | dt.date, last: str | dt.date) -> Period:
    """The campaign days [first, last] as UTC instants; PeriodRefused if not dates or reversed."""
    days = []
    for name, value in (("--from", first), ("--to", last)):
        if isinstance(value, dt.date):
            days.append(value)
            continue
        try:
            days.append(dt.date.fromisoformat(str(value)))
        except ValueError:
            raise PeriodRefused(f"{name} {value} không phải là ngày; viết NĂM-THÁNG-NGÀY, ví dụ "
                                "2026-01-15.") from None
    if days[1] < days[0]:
        raise PeriodRefused(f"Kỳ báo cáo ngược: từ {days[0]:%d/%m/%Y} đến {days[1]:%d/%m/%Y}.")
    zone = pack.zone
    since = dt.datetime.combine(days[0], dt.time(), zone).astimezone(dt.UTC)
    until = dt.datetime.combine(days[1] + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    return Period(days[0], days[1], since, until)


@dataclass(frozen=True)
class Part:
    """One table of the report, written alike in the DOCX and the XLSX."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str | int, ...], ...]
    chart: str | None = None  # an XLSX chart type over the first numeric column


@dataclass(frozen=True)
class Section:
    heading: str
    intro: str
    parts: tuple[Part, ...] = ()


def small(count: int) -> int | str:
    """A count of residents as a cell: the number, or "< 3" (bot.reports.small_numbers)."""
    return HIDDEN if is_hidden(count) else count


def _names(pack: Pack) -> dict[str, str]:
    names = {hamlet.id: hamlet.name for hamlet in pack.campaign.hamlets}
    names.update({group.id: group.name for group in pack.campaign.groups})
    names.update({topic.id: topic.name for topic in pack.campaign.topics})
    return names


def _phase(pack: Pack, moment: dt.datetime) -> str:
    day = moment.astimezone(pack.zone).date()
    window = next((window for window in pack.windows if window.contains(day)), None)
    return window.name if window else "—"


def reach_section(pack: Pack, figures: Figures) -> Section:
    names = _names(pack)
    hamlets = campaign_figures.per_hamlet(figures.reach)
    channels = campaign_figures.per_channel(figures.reach)
    headers = ("Đồng ý nhận tin", "Mới trong kỳ", "Đăng ký nhận tin")
    by_hamlet = tuple((names.get(hamlet, hamlet) if hamlet else "Chưa chọn thôn",
                       *(small(value) for value in values))
                      for hamlet, values in sorted(hamlets.items(), key=lambda item: item[0] or "~"))
    by_channel = tuple((source_label(channel), *(small(value) for value in values))
                       for channel, values in sorted(channels.items()))
    total = [sum(values[index] for values in channels.values()) for index in range(3)]
    intro = (f"Đến hết kỳ có {hamlet_count(total[0])} người dân đồng ý nhận tin, trong đó "
             f"{hamlet_count(total[1])} người mới trong kỳ; {hamlet_count(total[2])} người đăng ký "
             "nhận bản tin." if total[0] else NOTHING)
    parts = (Part("Theo thôn", ("Thôn", *headers), by_hamlet),
             Part("Theo kênh", ("Kênh", *headers), by_channel, chart="column")) if total[0] else ()
    return Section("I. NGƯỜI DÂN THEO DÕI LOA SỐ", intro, parts)


def pushed_section(pack: Pack, figures: Figures) -> Section:
    names = _names(pack)
    bulletins = {bulletin.id: bulletin for bulletin in pack.bulletins}
    rows: dict[tuple[str, str, str], list[int]] = {}
    for (kind, ref), statuses in figures.pushed.items():
        if kind == "bulletin" and ref in figures.bulletins:
            pack_id, when = figures.bulletins[ref]
            bulletin = bulletins.get(pack_id)
            topics = bulletin.audience.topics if bulletin else ()
            about = ", ".join(names.get(topic, topic) for topic in topics) or "Mọi người đăng ký"
            key = ("Bản tin", _phase(pack, when), about)
        elif kind == "announcement" and ref in figures.announcements:
            audience, when = figures.announcements[ref]
            refs = [*audience.get("groups", []), *audience.get("topics", []),
                    *audience.get("areas", [])]
            about = ", ".join(names.get(item, item) for item in refs) or "Toàn xã"
            key = ("Thông báo", _phase(pack, when), about)
        else:
            continue
        counts = rows.setdefault(key, [0, 0, 0, 0])
        counts[0] += 1  # one bulletin occurrence or one announcement
        for index, status in enumerate(DELIVERY, start=1):
            counts[index] += statuses.get(status, 0)
    table = tuple((kind, phase, about, count, sent, failed, skipped)
                  for (kind, phase, about), (count, sent, failed, skipped) in sorted(rows.items()))
    intro = (f"Trong kỳ đã đẩy {format_number(sum(row[3] for row in table))} lượt bản tin và "
             f"thông báo; {format_number(sum(row[4] for row in table))} tin nhắn đã gửi tới "
             "người dân." if table else NOTHING)
    parts = (Part("Bản tin và thông báo theo đợt, chủ đề, tổ chức",
                  ("Loại", "Đợt", "Chủ đề / tổ chức / thôn", "Số lượt", "Đã gửi", "Lỗi", "Bỏ qua"),
                  table),) if table else ()
    return Section("II. TIN ĐÃ GỬI TỚI NGƯỜI DÂN", intro, parts)


def meetings_section(pack: Pack, figures: Figures) -> Section:
    names = _names(pack)
    by_group: dict[str, list[int]] = {}
    by_topic: dict[str, list[int]] = {}
    for (group, hamlet, topic), (count, people, gathered) in figures.meetings.items():
        for table, key in ((by_group, names.get(group or hamlet or "", group or hamlet or "—")),
                           (by_topic, names.get(topic, topic))):
            values = table.setdefault(key, [0, 0, 0])
            values[0] += count
            values[1] += people
            values[2] += gathered
    headers = ("Số buổi", "Số người dự", "Ý kiến thu được")
    total = [sum(values[index] for values in by_group.values()) for index in range(3)]
    intro = (f"Các chi bộ, tổ chức đã tổ chức {format_number(total[0])} buổi sinh hoạt, hội nghị "
             f"tuyên truyền miệng với {format_number(total[1])} lượt người dự, thu được "
             f"{format_number(total[2])} ý kiến." if total[0] else NOTHING)
    parts = (Part("Theo chi bộ, tổ chức", ("Chi bộ, tổ chức / thôn", *headers),
                  tuple((name, *values) for name, values in sorted(by_group.items()))),
             Part("Theo chủ đề", ("Chủ đề", *headers),
                  tuple((name, *values) for name, values in sorted(by_topic.items())),
                  chart="bar")) if total[0] else ()
    return Section("III. TUYÊN TRUYỀN MIỆNG TẠI CÁC BUỔI SINH HOẠT", intro, parts)


Key = TypeVar("Key", bound=tuple[str, ...])


def _tally(counts: Mapping[Key, int], index: int,
           label: Callable[[str], str]) -> tuple[tuple[str, int], ...]:
    tally: dict[str, int] = {}
    for key, count in counts.items():
        name = label(key[index])
        tally[name] = tally.get(name, 0) + count
    return tuple(sorted(tally.items(), key=lambda item: (-item[1], item[0])))


def consultation_section(pack: Pack, figures: Figures) -> Section:
    total = sum(figures.comments.values())
    if not total:
        return Section("IV. LẤY Ý KIẾN VÀO DỰ THẢO VĂN KIỆN", NOTHING)
    drafts = {draft.id: draft.title for draft in pack.drafts.values()}
    median = statistics.median(figures.answer_hours) if figures.answer_hours else None
    answered = (f"Đã trả lời {format_number(figures.answered)} ý kiến "
                f"({format_number(100 * figures.answered / total, 1)}%)"
                + (f", thời gian trả lời trung vị {format_number(median, 1)} giờ." if median
                   is not None else "."))
    sections = sorted(figures.sections.items(), key=lambda item: (-item[1], item[0]))
    parts = (
        Part("Theo dự thảo", ("Dự thảo", "Số ý kiến"),
             _tally(figures.comments, 0, lambda ref: drafts.get(ref, ref))),
        Part(f"Theo phần, mục (nhiều ý kiến nhất, tối đa {TOP_SECTIONS} mục)",
             ("Dự thảo", "Phần, mục", "Số ý kiến"),
             tuple((drafts.get(draft, draft), label or texts.GY_GENERAL, count)
                   for (draft, label), count in sections[:TOP_SECTIONS])),
        Part("Theo ý kiến", ("Ý kiến", "Số ý kiến"), _tally(figures.comments, 1, stance_label),
             chart="pie"),
        Part("Theo trạng thái", ("Trạng thái", "Số ý kiến"),
             _tally(figures.comments, 2, status_label)),
        Part("Theo nguồn", ("Nguồn", "Số ý kiến"), _tally(figures.comments, 3, source_label)),
    )
    return Section("IV. LẤY Ý KIẾN VÀO DỰ THẢO VĂN KIỆN",
                   f"Trong kỳ có {format_number(total)} ý kiến góp ý. {answered}", parts)


def inquiries_section(pack: Pack, figures: Figures) -> Section:
    total = sum(figures.inquiries.values())
    if not total:
        return Section("V. CÂU HỎI, PHẢN ÁNH CỦA NGƯỜI DÂN", NOTHING)
    names = _names(pack)
    by_kind = _tally(figures.inquiries, 0, lambda kind: texts.PA_KINDS.get(kind, kind))
    by_status = _tally(figures.inquiries, 1, lambda status: texts.PA_STATUSES.get(status, status))
    by_tag = sorted(((names.get(tag, tag) if tag else "Chưa gắn chủ đề", count)
                     for tag, count in figures.inquiry_tags.items()), key=lambda item: -item[1])
    parts = [
        Part("Theo loại", ("Loại", "Số lượng"),
             tuple((name, small(count)) for name, count in by_kind), chart="pie"),
        Part("Theo chủ đề", ("Chủ đề", "Số lượng"),
             tuple((name, small(count)) for name, count in by_tag)),
        Part("Theo trạng thái xử lý", ("Trạng thái", "Số lượng"),
             tuple((name, small(count)) for name, count in by_status))]
    if figures.sensitive:
        parts.append(Part("Phản ánh nhạy cảm (chỉ ghi mã và chủ đề)", ("Mã phản ánh", "Chủ đề"),
                          tuple((receipt, ", ".join(names.get(tag, tag) for tag in tags) or "—")
                                for receipt, tags in figures.sensitive)))
    return Section("V. CÂU HỎI, PHẢN ÁNH CỦA NGƯỜI DÂN",
                   f"Trong kỳ người dân gửi {hamlet_count(total)} câu hỏi, phản ánh, kiến nghị; "
                   f"{len(figures.sensitive)} phản ánh được đánh dấu nhạy cảm.", tuple(parts))


def misses_section(figures: Figures) -> Section:
    if not figures.misses:
        return Section("VI. NỘI DUNG NGƯỜI DÂN TÌM MÀ CHƯA CÓ",
                       "Không có từ khóa nào được từ 3 người trở lên tìm mà không thấy.")
    return Section(
        "VI. NỘI DUNG NGƯỜI DÂN TÌM MÀ CHƯA CÓ",
        "Các từ khóa dưới đây được từ 3 người trở lên tìm mà Loa Số chưa có bài trả lời; đề "
        "nghị bổ sung nội dung.",
        (Part("Từ khóa tìm không thấy", ("Từ khóa (không dấu)", "Số người tìm", "Số lượt tìm"),
              tuple(figures.misses)),))


def quiz_section(pack: Pack, figures: Figures) -> Section:
    if not figures.quiz:
        return Section("VII. THI TÌM HIỂU", NOTHING)
    names = _names(pack)
    shown, rest = campaign_figures.merged_small_hamlets(figures.quiz)

    def row(name: str, rounds: int, players: int, score: int) -> tuple[str | int, ...]:
        if is_hidden(players):
            return (name, HIDDEN, HIDDEN, "—")
        return (name, rounds, players, format_number(score / rounds, 1) if rounds else "—")

    rows = [row(names.get(hamlet, hamlet), *values) for hamlet, values in sorted(shown.items())]
    if rest[0]:
        rows.append(row("Các thôn khác, chưa chọn thôn (gộp)", *rest))
    rounds = sum(values[0] for values in figures.quiz.values())
    return Section("VII. THI TÌM HIỂU",
                   f"Trong kỳ có {hamlet_count(rounds)} lượt thi. Thôn có dưới 3 người thi được "
                   "gộp chung.",
                   (Part("Theo thôn", ("Thôn", "Lượt thi", "Người thi", "Điểm trung bình"),
                         tuple(rows)),))


@dataclass(frozen=True)
class CampaignReport:
    period: Period
    made_at: dt.datetime
    actor: str
    sections: tuple[Section, ...]
    empty: bool

    @property
    def span(self) -> str:
        return f"từ ngày {self.period.first_day:%d/%m/%Y} đến ngày {self.period.last_day:%d/%m/%Y}"


async def build(database: Database, pack: Pack, period: Period, *, actor: str,
                now: dt.datetime) -> CampaignReport:
    async with database.read() as session:
        figures = await campaign_figures.gather(session, period)
    sections = (reach_section(pack, figures), pushed_section(pack, figures),
                meetings_section(pack, figures), consultation_section(pack, figures),
                inquiries_section(pack, figures), misses_section(figures),
                quiz_section(pack, figures))
    return CampaignReport(period, now.astimezone(pack.zone), actor, sections, figures.empty)


def _opening(report: CampaignReport) -> str:
    opening = (f"Tiểu ban Tuyên truyền báo cáo kết quả thực hiện Kế hoạch 04-KH/ĐU {report.span} "
               f"(số liệu lấy từ Loa Số lúc {report.made_at:%H:%M} ngày "
               f"{report.made_at:%d/%m/%Y}; người lập: {nfc(report.actor)}). Số liệu liên quan "
               "dưới 3 người dân được ghi “< 3”.")
    return opening + (" " + NOTHING if report.empty else "")


def document_spec(report: CampaignReport, head: Letterhead) -> DocumentSpec:
    blocks: list[Block] = [Paragraph(_opening(report), italic=True)]
    for section in report.sections:
        blocks.append(Heading(section.heading))
        blocks.append(Paragraph(section.intro))
        for part in section.parts:
            rows = tuple(tuple(format_number(cell) if isinstance(cell, int) else cell
                               for cell in row) for row in part.rows)
            blocks.append(Table(part.headers, rows, title=part.title))
    return DocumentSpec(head, type_name="Báo cáo", type_code="BC",
                        subject=f"{SUBJECT} ({report.span})",
                        day=report.made_at.date(), blocks=tuple(blocks))


CHART_SIZE = {"width": 640, "height": 320}


def write_xlsx(path: Path, report: CampaignReport, head: Letterhead, scratch: str) -> None:
    """One sheet per section: the tables, each with its native chart beside it."""
    workbook = new_workbook(path, scratch, constant_memory=False)
    styles = add_styles(workbook)
    cover = workbook.add_worksheet("Báo cáo")
    cover.set_column(0, 0, 110)
    cover.write_string(0, 0, spreadsheet_text(head.body.upper()), styles.title)
    cover.write_string(1, 0, TITLE.upper(), styles.title)
    cover.write_string(2, 0, spreadsheet_text(date_line(head.place, report.made_at.date())))
    cover.write_string(4, 0, spreadsheet_text(_opening(report)))
    for row, section in enumerate(report.sections, start=6):
        cover.write_string(row, 0, spreadsheet_text(f"{section.heading}: {section.intro}"))
    for number, section in enumerate(report.sections, start=1):
        name = f"{number}. {section.heading.split('. ', 1)[1][:24]}"
        sheet = workbook.add_worksheet(name)
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, 7, 16)
        sheet.write_string(0, 0, spreadsheet_text(section.heading), styles.title)
        sheet.write_string(1, 0, spreadsheet_text(section.intro))
        top = 3
        for part in section.parts:
            sheet.write_string(top, 0, spreadsheet_text(part.title), styles.bold)
            for col, header in enumerate(part.headers):
                sheet.write_string(top + 1, col, spreadsheet_text(header), styles.header)
            for offset, cells in enumerate(part.rows, start=top + 2):
                for col, cell in enumerate(cells):
                    if isinstance(cell, int):
                        sheet.write_number(offset, col, cell, styles.cell)
                    else:
                        sheet.write_string(offset, col, spreadsheet_text(str(cell)), styles.cell)
            last = top + 1 + len(part.rows)
            numeric = next((col for col, cell in enumerate(part.rows[0]) if isinstance(cell, int)),
                           None) if part.rows else None
            if part.chart and numeric is not None:
                chart = workbook.add_chart({"type": part.chart})
                chart.add_series({"name": part.headers[numeric],
                                  "categories": [name, top + 2, 0, last, 0],
                                  "values": [name, top + 2, numeric, last, numeric],
                                  "data_labels": {"value": True}})
                chart.set_title({"name": part.title})
                chart.set_size(CHART_SIZE)
                sheet.insert_chart(top, len(part.headers) + 1, chart)
                last = max(last, top + 16)
            top = last + 2
    cover.activate()
    workbook.close()


async def write_report(database: Database, pack: Pack, period: Period, *, out: Path, kind: str,
                       actor: str, head: Letterhead, now: dt.datetime) -> Published:
    """Gather, write under a temporary name, audit (export_audit), then give the real name."""
    report = await build(database, pack, period, actor=actor, now=now)

    async def write(path: Path) -> int:
        if kind == "docx":
            write_docx(path, document_spec(report, head))
        else:
            with tempfile.TemporaryDirectory(prefix="loaso-report-") as scratch:
                write_xlsx(path, report, head, scratch)
        return sum(len(part.rows) for section in report.sections for part in section.parts)

    return await publish(database, out, kind=f"campaign-{kind}", actor=actor,
                         filters={"from": period.first_day.isoformat(),
                                  "to": period.last_day.isoformat()}, write=write)
