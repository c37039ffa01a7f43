"""/admin/reports: staff make the campaign report for a period they pick, in Word or Excel,
and download it; every bad period is refused with the reason, writing no file and no row."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest
from sqlalchemy import func, select

from db.listening_models import CampaignReport
from tests.console.conftest import HTML


async def kept(desk) -> int:
    async with desk.database.read() as session:
        return (await session.execute(select(func.count()).select_from(CampaignReport))
                ).scalar_one()


def files(desk) -> list[str]:
    folder = desk.service.settings.console_export_dir / "reports"
    return sorted(path.name for path in folder.glob("*")) if folder.is_dir() else []


async def test_staff_make_a_report_for_a_period_and_download_it(desk):
    await desk.account("can.bo", "staff", name="Lê Thị Lan")
    await desk.sign_in("can.bo")
    page = await desk.client.get("/admin/reports", headers=HTML)
    assert 'name="from" type="date"' in page.text and "Lập báo cáo" in page.text
    made = await desk.post("/admin/reports", {"from": "2026-01-05", "to": "2026-01-11",
                                              "format": "docx"})
    assert made.status_code == 303
    listed = await desk.client.get("/admin/reports", headers=HTML)
    assert "Đã lập báo cáo 05/01/2026 – 11/01/2026" in listed.text
    assert "theo yêu cầu của Lê Thị Lan" in listed.text
    got = await desk.client.get("/admin/reports/1", headers=HTML)
    assert got.status_code == 200 and got.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(got.content)).paragraphs)
    assert "05/01/2026" in text
    # the same period again, as a spreadsheet: both are kept
    await desk.post("/admin/reports", {"from": "2026-01-05", "to": "2026-01-11",
                                       "format": "xlsx"})
    sheet = await desk.client.get("/admin/reports/2", headers=HTML)
    assert sheet.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert openpyxl.load_workbook(io.BytesIO(sheet.content)).sheetnames
    assert await kept(desk) == 2 and len(files(desk)) == 2
    assert [entry.details["format"] for entry in await desk.audit("report.create")] == [
        "docx", "xlsx"]


@pytest.mark.parametrize("typed, problem", [
    ({"from": ""}, "Hãy chọn ngày bắt đầu"),
    ({"to": "11/01/2026"}, "Hãy chọn ngày kết thúc"),
    ({"from": "2026-01-11", "to": "2026-01-05"}, "Kỳ báo cáo ngược: từ 11/01/2026 đến 05/01/2026"),
    ({"from": "2016-01-05"}, "dài quá một năm"),
    ({"format": "pdf"}, "Word hoặc Excel"),
    ({"format": ""}, "Word hoặc Excel"),
])
async def test_bad_periods_are_refused_and_nothing_is_written(desk, typed, problem):
    await desk.account("can.bo", "staff")
    await desk.sign_in("can.bo")
    form = {"from": "2026-01-05", "to": "2026-01-11", "format": "docx"} | typed
    answer = await desk.post("/admin/reports", form)
    assert answer.status_code == 400
    assert problem in answer.text and 'role="alert"' in answer.text
    assert await kept(desk) == 0 and files(desk) == []
    assert await desk.audit("report.create") == []


async def test_a_leader_cannot_make_reports(desk):
    await desk.account("bi.thu", "leader", areas=["thon-1"])
    await desk.sign_in("bi.thu")
    answer = await desk.post("/admin/reports", {"from": "2026-01-05", "to": "2026-01-11",
                                                "format": "docx"})
    assert answer.status_code == 403
    assert await kept(desk) == 0
