"""The weekly opinion summary: counts by kind and topic, the most asked questions with
personal details masked, the unanswered ones past 3 days; in chat and as a DOCX."""

from __future__ import annotations

import datetime as dt

import docx

from bot.reports import opinion
from bot.reports.campaign import period_of
from bot.reports.layout import letterhead
from bot.settings import Settings
from content.loader import load_pack
from db.listening_models import Inquiry
from tests.conftest import MINI_PACK

NOW = dt.datetime(2026, 1, 12, 1, 0, tzinfo=dt.UTC)


async def seed(database) -> None:
    rows = [("hoi", "Khi nào Đại hội XIV khai mạc?", [], NOW - dt.timedelta(days=2)),
            ("hoi", "khi nào đại hội XIV khai mạc", [], NOW - dt.timedelta(days=3)),
            ("hoi", "Ông Nguyễn Văn Ba số 0912345678 hỏi lịch họp thôn", ["lich-su"],
             NOW - dt.timedelta(days=4)),
            ("tin_sai", "Có tin đồn hoãn", ["dai-hoi-xiv"], NOW - dt.timedelta(days=5))]
    async with database.transaction() as session:
        for index, (kind, text, tags, when) in enumerate(rows):
            session.add(Inquiry(receipt=f"PA-OPIN000{index}", submission_key=f"o{index}",
                                kind=kind, text=text, source="telegram", status="moi",
                                tags=tags, sensitive=False, created_at=when, updated_at=when))


async def test_the_digest_masks_and_counts(database, tmp_path):
    pack = load_pack(MINI_PACK)[0]
    await seed(database)
    gathered = await opinion.gather(database, pack, period_of(pack, "2026-01-05", "2026-01-11"),
                                    NOW)
    text = opinion.digest(gathered)
    assert "Câu hỏi, phản ánh trong tuần: 4." in text
    assert "“Khi nào Đại hội XIV khai mạc?” (< 3 lượt)" in text
    assert "Ông [tên] [số điện thoại] hỏi lịch họp thôn" in text
    assert "0912345678" not in text and "Nguyễn Văn Ba" not in text
    assert "PA-OPIN0002 (4 ngày)" in text and "PA-OPIN0003 (5 ngày)" in text
    assert "PA-OPIN0000" not in text  # 2 days: not yet late
    spec = opinion.document_spec(gathered, letterhead(Settings(_env_file=None), pack), NOW.date())
    from bot.reports.layout import write_docx

    out = str(tmp_path / "du-luan.docx")
    write_docx(out, spec)
    document = "\n".join(paragraph.text for paragraph in docx.Document(out).paragraphs)
    assert "CÂU HỎI ĐƯỢC HỎI NHIỀU" in document and "Nguyễn Văn Ba" not in document
