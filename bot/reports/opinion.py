"""The weekly opinion summary ("Tình hình dư luận") for the standing committee: the week's
questions and reports by kind and topic, the most asked questions quoted with names, phone
numbers and addresses masked (bot.reports.masking), and the ones unanswered for more than
3 days, by receipt. As a short chat digest or a DOCX in the Party layout.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from bot.reports.layout import DocumentSpec, Heading, Letterhead, Paragraph, Table
from bot.reports.masking import mask
from bot.reports.small_numbers import hamlet_count
from content.pack import Pack
from content.text import fold
from db.campaign_figures import Period
from db.engine import Database
from db.inquiries import opinion_week
from handlers import texts

WAITING_DAYS = 3
MOST_ASKED = 5
QUOTE_LENGTH = 300


@dataclass(frozen=True)
class Opinion:
    span: str
    total: int
    kinds: list[tuple[str, int]]
    topics: list[tuple[str, int]]
    asked: list[tuple[str, int]]  # masked question, times asked
    waiting: list[tuple[str, str, int]]  # receipt, kind, days waiting


async def gather(database: Database, pack: Pack, period: Period, now: dt.datetime) -> Opinion:
    async with database.read() as session:
        week = await opinion_week(session, since=period.since, until=period.until,
                                  waiting_before=now - dt.timedelta(days=WAITING_DAYS))
    names = {topic.id: topic.name for topic in pack.campaign.topics}
    grouped: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for text in week.questions:
        key = fold(text).strip(" ?!.")
        grouped[key] += 1
        shown.setdefault(key, text)
    asked = []
    for key, count in grouped.most_common(MOST_ASKED):
        quote = mask(" ".join(shown[key].split()))
        asked.append((quote if len(quote) <= QUOTE_LENGTH else quote[:QUOTE_LENGTH - 1] + "…",
                      count))
    return Opinion(
        span=f"{period.first_day:%d/%m/%Y}–{period.last_day:%d/%m/%Y}",
        total=sum(week.by_kind.values()),
        kinds=[(texts.PA_KINDS.get(kind, kind), count) for kind, count in
               sorted(week.by_kind.items(), key=lambda item: -item[1])],
        topics=[(names.get(tag, tag) if tag else texts.PA_NO_TAGS, count) for tag, count in
                sorted(week.by_topic.items(), key=lambda item: -item[1])],
        asked=asked,
        waiting=[(receipt, texts.PA_KINDS.get(kind, kind), (now - sent).days)
                 for receipt, kind, sent in week.waiting])


def _listed(pairs: list[tuple[str, int]]) -> str:
    return ", ".join(f"{name} {hamlet_count(count)}" for name, count in pairs) or texts.OPINION_NONE


def digest(opinion: Opinion) -> str:
    """The chat message: short, every count of residents under 3 as "< 3"."""
    asked = "\n".join(f"• “{quote}” ({hamlet_count(count)} lượt)" for quote, count
                      in opinion.asked) or texts.OPINION_NONE
    waiting = (", ".join(f"{receipt} ({days} ngày)" for receipt, _, days in opinion.waiting)
               or texts.OPINION_NONE)
    return texts.OPINION_DIGEST.format(
        title=texts.OPINION_TITLE, span=opinion.span, total=hamlet_count(opinion.total),
        kinds=_listed(opinion.kinds), topics=_listed(opinion.topics), asked=asked,
        days=WAITING_DAYS, waiting=waiting)


def document_spec(opinion: Opinion, head: Letterhead, day: dt.date) -> DocumentSpec:
    blocks = [
        Paragraph(f"Trong tuần {opinion.span}, người dân gửi qua Loa Số "
                  f"{hamlet_count(opinion.total)} câu hỏi, phản ánh, kiến nghị. Tên người, số "
                  "điện thoại, địa chỉ trong các câu trích đã được che.", italic=True),
        Heading("I. THEO LOẠI VÀ CHỦ ĐỀ"),
        Table(("Loại", "Số lượng"), tuple((name, hamlet_count(count))
                                           for name, count in opinion.kinds) or (("—", "0"),)),
        Table(("Chủ đề", "Số lượng"), tuple((name, hamlet_count(count))
                                             for name, count in opinion.topics) or (("—", "0"),)),
        Heading("II. CÂU HỎI ĐƯỢC HỎI NHIỀU"),
        *([Paragraph(f"“{quote}” ({hamlet_count(count)} lượt)") for quote, count in opinion.asked]
          or [Paragraph("Không có câu hỏi nào trong tuần.")]),
        Heading(f"III. CHƯA TRẢ LỜI QUÁ {WAITING_DAYS} NGÀY"),
        *([Table(("Mã phản ánh", "Loại", "Số ngày chờ"),
                 tuple((receipt, kind, str(days)) for receipt, kind, days in opinion.waiting))]
          if opinion.waiting else [Paragraph("Không có.")]),
    ]
    return DocumentSpec(head, type_name="Báo cáo", type_code="BC",
                        subject=f"{texts.OPINION_TITLE} tuần {opinion.span}", day=day,
                        blocks=tuple(blocks))
