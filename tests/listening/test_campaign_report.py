"""`loaso report campaign`: the Party-layout DOCX and the XLSX with native charts, figures
under 3 residents as "< 3", sensitive reports by receipt only, a period with no data says
so, bad periods refused with nothing written."""

from __future__ import annotations

import datetime as dt
import zipfile

import docx
import openpyxl
import pytest

from bot.reports import campaign
from bot.reports.layout import letterhead
from bot.settings import Settings
from content.loader import load_pack
from db.listening_models import Inquiry, Meeting
from db.models import Announcement, Comment, OutboxMessage, QuizRound, User
from tests.bot.test_cli import run, sqlite_env
from tests.conftest import MINI_PACK

NOW = dt.datetime(2026, 1, 20, 3, 0, tzinfo=dt.UTC)
IN_PERIOD = dt.datetime(2026, 1, 10, 3, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def pack():
    return load_pack(MINI_PACK)[0]


async def seed(database) -> None:
    async with database.transaction() as session:
        users = []
        for index in range(7):
            user = User(channel="telegram" if index < 5 else "zalo-oa", address=f"u{index}",
                        consent_at=IN_PERIOD, hamlet_id="thon-1" if index < 5 else "thon-2")
            session.add(user)
            users.append(user)
        await session.flush()
        for index, user in enumerate(users):
            session.add(QuizRound(user_id=user.id, token=f"t{index}", questions=[], answers=[],
                                  score=4 if index % 2 else 2, started_at=IN_PERIOD,
                                  finished_at=IN_PERIOD))
        for index, stance in enumerate(("tan_thanh", "tan_thanh", "khong_tan_thanh")):
            session.add(Comment(receipt=f"GY-R{index}", submission_key=f"r{index}",
                                draft_id="bao-cao", draft_version="2", stance=stance,
                                text="Ý kiến", source="telegram", status="moi",
                                created_at=IN_PERIOD, updated_at=IN_PERIOD,
                                answered_at=IN_PERIOD + dt.timedelta(hours=5) if index else None))
        announcement = Announcement(author="Bí thư", text="Họp thôn", status="done",
                                    audience={"groups": ["mttq"]}, created_at=IN_PERIOD)
        session.add(announcement)
        await session.flush()
        for index, status in enumerate(("sent", "sent", "sent", "failed", "stopped")):
            session.add(OutboxMessage(channel="telegram", recipient=f"u{index}", payload={},
                                      status=status, batch=f"announcement:{announcement.id}",
                                      created_at=IN_PERIOD))
        session.add(Meeting(held_on=dt.date(2026, 1, 9), group_id="mttq", topic_id="lich-su",
                            attendance=120, comments_gathered=7, author="Cán bộ An",
                            created_at=IN_PERIOD, updated_at=IN_PERIOD))
        for index, (kind, sensitive) in enumerate((("tin_sai", True), ("hoi", False),
                                                   ("hoi", False), ("hoi", False))):
            session.add(Inquiry(receipt=f"PA-SEED000{index}", submission_key=f"s{index}",
                                kind=kind, text="Nội dung riêng tư không được in",
                                source="telegram", status="moi",
                                tags=["dai-hoi-xiv"] if sensitive else [], sensitive=sensitive,
                                created_at=IN_PERIOD, updated_at=IN_PERIOD))


async def write(database, pack, tmp_path, kind: str, first="2026-01-01", last="2026-01-15"):
    head = letterhead(Settings(_env_file=None), pack, "party")
    out = tmp_path / f"bao-cao.{kind}"
    await campaign.write_report(database, pack, campaign.period_of(pack, first, last), out=out,
                                kind=kind, actor="Cán bộ Tổng hợp", head=head, now=NOW)
    return out


def paragraphs_and_cells(path) -> str:
    document = docx.Document(str(path))
    texts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(texts)


async def test_the_docx_has_every_section_and_hides_small_numbers(database, pack, tmp_path):
    await seed(database)
    text = paragraphs_and_cells(await write(database, pack, tmp_path, "docx"))
    for heading in ("I. NGƯỜI DÂN THEO DÕI LOA SỐ", "III. TUYÊN TRUYỀN MIỆNG",
                    "IV. LẤY Ý KIẾN", "V. CÂU HỎI, PHẢN ÁNH", "VII. THI TÌM HIỂU"):
        assert heading in text
    assert "Thôn 1 | 5 | 5 | < 3" in text and "Thôn 2 | < 3 | < 3 | < 3" in text
    assert "Ủy ban MTTQ xã | 1 | 120 | 7" in text
    assert "Thông báo | Đợt II | Ủy ban MTTQ xã | 1 | 3 | 1 | 1" in text
    assert "Đã trả lời 2 ý kiến (66,7%), thời gian trả lời trung vị 5,0 giờ." in text
    assert "PA-SEED0000 | Đại hội XIV" in text and "Nội dung riêng tư" not in text
    assert "Báo tin sai/xấu độc | < 3" in text and "Hỏi | 3" in text
    assert "Thôn 1 | 5 | 5 | 2,8" in text and "Các thôn khác, chưa chọn thôn (gộp) | < 3" in text
    assert "Kế hoạch 04-KH/ĐU" in text and "từ ngày 01/01/2026 đến ngày 15/01/2026" in text


async def test_the_xlsx_has_the_tables_and_native_charts(database, pack, tmp_path):
    await seed(database)
    out = await write(database, pack, tmp_path, "xlsx")
    with zipfile.ZipFile(out) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
    assert len(charts) >= 3
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames[0] == "Báo cáo" and len(workbook.sheetnames) == 8
    meetings = [row for row in workbook.worksheets[3].iter_rows(values_only=True) if row[0]]
    assert ("Ủy ban MTTQ xã", 1, 120, 7) in [tuple(row[:4]) for row in meetings]


async def test_a_period_without_data_gives_a_report_that_says_so(database, pack, tmp_path):
    await seed(database)
    text = paragraphs_and_cells(await write(database, pack, tmp_path, "docx",
                                            "2025-08-01", "2025-08-07"))
    assert "Không có số liệu trong kỳ báo cáo." in text
    assert text.count("Không có số liệu trong kỳ báo cáo.") >= 5


@pytest.mark.parametrize("first, last, words", [
    ("2026-01-15", "2026-01-01", "Kỳ báo cáo ngược"),
    ("15/01/2026", "2026-01-20", "--from 15/01/2026 không phải là ngày"),
    ("2026-01-01", "hôm nay", "--to hôm nay không phải là ngày"),
])
def test_bad_periods_are_refused(pack, first, last, words):
    with pytest.raises(campaign.PeriodRefused, match=words):
        campaign.period_of(pack, first, last)


def test_the_cli_refuses_bad_periods_and_writes_nothing(tmp_path):
    env = {**sqlite_env(tmp_path), "LOASO_CONTENT_DIR": str(MINI_PACK)}
    assert run(["migrate"], env=env).returncode == 0
    out = tmp_path / "bc.docx"
    for args in (["--from", "2026-01-15", "--to", "2026-01-01"],
                 ["--from", "x", "--to", "2026-01-01"],
                 ["--from", "2026-01-01", "--to", "2026-01-15", "--format", "pdf"]):
        refused = run(["report", "campaign", *args, "--out", str(out)], env=env)
        assert refused.returncode == 2 and "Traceback" not in refused.stderr
        assert not out.exists()
    done = run(["report", "campaign", "--from", "2026-01-01", "--to", "2026-01-15",
                "--out", str(out)], env=env)
    assert done.returncode == 0 and out.exists(), done.stderr
