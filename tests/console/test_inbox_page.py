"""/admin/inbox: staff list, open, tag, flag and answer residents' reports through the same
actions as `loaso inbox`; a leader may not open it; corrections are approved by admins."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from db.listening_models import Correction, Inquiry
from db.models import OutboxMessage
from tests.console.conftest import HTML


async def add_report(desk, *, user=None, text="Có người nói Đại hội bị hoãn.") -> str:
    moment = dt.datetime.now(dt.UTC)
    async with desk.database.transaction() as session:
        session.add(Inquiry(receipt="PA-TESTABCD", submission_key="t:1", kind="tin_sai",
                            text=text, user_id=user.id if user else None, source="telegram",
                            status="moi", tags=[], sensitive=False, created_at=moment,
                            updated_at=moment))
    return "PA-TESTABCD"


async def test_staff_triage_and_answer_a_report(desk):
    await desk.account("can.bo", "staff", name="Cán bộ Hoa")
    await desk.sign_in("can.bo")
    resident = await desk.resident()
    code = await add_report(desk, user=resident)
    listed = await desk.client.get("/admin/inbox?kind=tin_sai", headers=HTML)
    assert listed.status_code == 200 and code in listed.text and "Báo tin sai/xấu độc" in listed.text
    shown = await desk.client.get(f"/admin/inbox/{code}", headers=HTML)
    assert "Có người nói Đại hội bị hoãn." in shown.text and "Ẩn danh" in shown.text
    assert (await desk.post(f"/admin/inbox/{code}/tags", {"tag": ["lich-su"]})).status_code == 303
    assert (await desk.post(f"/admin/inbox/{code}/status", {"status": "dang_xu_ly"})).status_code == 303
    refused = await desk.post(f"/admin/inbox/{code}/answer", {"text": " "})
    assert refused.status_code == 303
    answered = await desk.post(f"/admin/inbox/{code}/answer", {
        "text": "Tin sai: Đại hội họp đúng lịch.", "correction_title": "Đại hội không hoãn",
        "correction_body": "Đảng ủy xã khẳng định."})
    assert answered.status_code == 303
    async with desk.database.read() as session:
        row = (await session.execute(select(Inquiry))).scalar_one()
        notice = (await session.execute(select(OutboxMessage).where(
            OutboxMessage.batch == f"pa-answer:{row.id}"))).scalar_one()
        correction = (await session.execute(select(Correction))).scalar_one()
    assert (row.status, row.tags, row.handled_by) == ("da_tra_loi", ["lich-su"], "Cán bộ Hoa")
    assert code in notice.payload["text"] and correction.status == "pending"
    assert (await desk.post(f"/admin/inbox/corrections/{correction.id}",
                            {"decision": "publish"})).status_code == 403  # admins approve
    assert [entry.action for entry in await desk.audit() if entry.action.startswith("inquiry")] == [
        "inquiry.view", "inquiry.tags", "inquiry.status", "inquiry.answer"]


async def test_admins_publish_corrections_and_leaders_cannot_open_the_inbox(desk):
    await desk.account("quan.tri", "admin")
    await desk.account("bi.thu", "leader", areas=["thon-1"])
    code = await add_report(desk)
    await desk.sign_in("quan.tri")
    await desk.post(f"/admin/inbox/{code}/answer", {
        "text": "Đã kiểm chứng.", "correction_title": "Kiểm chứng", "correction_body": "Nội dung."})
    listed = await desk.client.get("/admin/inbox", headers=HTML)
    assert "Bài kiểm chứng chờ duyệt" in listed.text
    async with desk.database.read() as session:
        correction = (await session.execute(select(Correction))).scalar_one()
    assert (await desk.post(f"/admin/inbox/corrections/{correction.id}",
                            {"decision": "publish"})).status_code == 303
    async with desk.database.read() as session:
        assert (await session.get(Correction, correction.id)).status == "published"
    await desk.client.post("/admin/logout", data={"csrf_token": await desk.csrf()}, headers=HTML)
    await desk.sign_in("bi.thu")
    assert (await desk.client.get("/admin/inbox", headers=HTML)).status_code == 403


async def test_staff_download_kept_reports_and_each_download_is_audited(desk):
    from db.listening_models import CampaignReport

    await desk.account("can.bo", "staff")
    await desk.sign_in("can.bo")
    folder = desk.service.settings.console_export_dir / "reports"
    folder.mkdir(parents=True)
    (folder / "bao-cao.docx").write_bytes(b"PK docx")
    async with desk.database.transaction() as session:
        session.add(CampaignReport(kind="campaign", period_from=dt.date(2026, 1, 5),
                                   period_to=dt.date(2026, 1, 11), file_name="bao-cao.docx",
                                   stored_name="reports/bao-cao.docx", sha256="0" * 64,
                                   reason="weekly", details={"label": "báo cáo hằng tuần"},
                                   created_at=dt.datetime.now(dt.UTC)))
    listed = await desk.client.get("/admin/reports", headers=HTML)
    assert "05/01/2026 – 11/01/2026" in listed.text and "báo cáo hằng tuần" in listed.text
    got = await desk.client.get("/admin/reports/1", headers=HTML)
    assert got.status_code == 200 and got.content == b"PK docx"
    assert (await desk.client.get("/admin/reports/2", headers=HTML)).status_code == 404
    assert [entry.target for entry in await desk.audit("report.download")] == ["bao-cao.docx"]


async def test_meetings_are_recorded_and_edited_on_the_console(desk):
    from db.listening_models import Meeting

    await desk.account("bi.thu", "leader", name="Bí thư Thôn 1", areas=["thon-1"])
    await desk.sign_in("bi.thu")
    page = await desk.client.get("/admin/meetings", headers=HTML)
    assert page.status_code == 200 and "Thôn 1" in page.text and ">Thôn 2<" not in page.text
    today = dt.date.today().isoformat()
    form = {"held_on": today, "hamlet": "thon-1", "topic": "lich-su", "attendance": "40"}
    assert (await desk.post("/admin/meetings", form)).status_code == 303
    for bad in ({**form, "hamlet": "thon-2"}, {**form, "attendance": "-1"},
                {**form, "held_on": "2099-01-01"}, {**form, "attendance": "nhiều"}):
        await desk.post("/admin/meetings", bad)
    async with desk.database.read() as session:
        (meeting,) = (await session.execute(select(Meeting))).scalars()
    assert (meeting.attendance, meeting.author) == (40, "Bí thư Thôn 1")
    listed = await desk.client.get("/admin/meetings", headers=HTML)
    assert "Sửa (trong 7 ngày)" in listed.text
    await desk.post(f"/admin/meetings/{meeting.id}", {**form, "attendance": "45"})
    async with desk.database.read() as session:
        assert (await session.get(Meeting, meeting.id)).attendance == 45
    assert [entry.action for entry in await desk.audit() if entry.action.startswith("meeting")] == [
        "meeting.add", "meeting.edit"]
