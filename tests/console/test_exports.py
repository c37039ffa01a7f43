"""/admin/exports: exports and reports as background jobs with the CLI's filters, audited as
the CLI audits them; downloads for their owner only; bad input refused with nothing written;
jobs of a process that stopped marked failed; files deleted after the retention period."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import hashlib
import html
import io
import os
import re
import socket

import docx
import openpyxl
import pytest
from sqlalchemy import select, update

from bot.console import export_runner
from bot.console.export_runner import INTERRUPTED, ExportRunner
from bot.reports.publish import publish
from db import export_jobs as jobs
from db.console_models import ExportJob
from db.models import ExportAudit
from tests.conftest import count_rows, wait_until
from tests.console.conftest import HTML


async def job_rows(desk) -> list[ExportJob]:
    async with desk.database.read() as session:
        return list((await session.execute(select(ExportJob).order_by(ExportJob.id))).scalars())


async def finished(desk, job_id: int) -> ExportJob:
    async def done():
        async with desk.database.read() as session:
            job = await session.get(ExportJob, job_id)
            return job if job.status not in jobs.ACTIVE else None
    await wait_until(done, timeout=20)
    return await done()


async def ask(desk, path: str = "/admin/exports", **form) -> int:
    answer = await desk.post(path, form)
    assert answer.status_code == 303, answer.text
    return int(re.search(r"#job-(\d+)$", answer.headers["location"]).group(1))


async def export_audits(desk) -> list[ExportAudit]:
    async with desk.database.read() as session:
        return list((await session.execute(select(ExportAudit).order_by(ExportAudit.id))).scalars())


async def staff(desk, username="can.bo", role="staff", **scope):
    await desk.account(username, role, **scope)
    await desk.sign_in(username)


# --- the work --------------------------------------------------------------------------------

async def test_an_xlsx_export_is_made_in_the_background_downloaded_and_audited(desk):
    await staff(desk)
    mine = await desk.comment(hamlet="thon-1", text="Đường giao thông nội đồng cần làm sớm.")
    await desk.comment(hamlet="thon-2")
    await desk.comment(hamlet="thon-1", status="spam")
    job_id = await ask(desk, hamlet="thon-1", hidden="exclude", format="xlsx")
    page = await desk.client.get("/admin/exports", headers=HTML)
    assert "Đang tạo tệp; trang này cho biết tiến độ" in page.text and f'id="job-{job_id}"' in page.text

    job = await finished(desk, job_id)
    assert (job.status, job.rows, job.kind) == ("done", 1, "xlsx")
    listed = (await desk.client.get("/admin/exports/jobs", headers=HTML)).text
    assert f'href="/admin/exports/jobs/{job_id}/file"' in listed and "hx-trigger" not in listed
    assert "Bộ lọc: thôn Thôn 1; bỏ góp ý trùng lặp và spam" in listed

    download = await desk.client.get(f"/admin/exports/jobs/{job_id}/file", headers=HTML)
    assert download.status_code == 200
    assert download.headers["content-disposition"] == f'attachment; filename="{job.file_name}"'
    assert re.fullmatch(r"gop-y-\d{8}-\d{4}\.xlsx", job.file_name)
    assert download.headers["cache-control"] == "no-store"
    workbook = openpyxl.load_workbook(io.BytesIO(download.content))
    rows = list(workbook[workbook.sheetnames[1]].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == mine and rows[1][5].startswith("Đường giao thông")

    # audited as `loaso comments export` audits: filters, rows and the file's SHA-256
    [audited] = await export_audits(desk)
    assert (audited.actor, audited.kind, audited.row_count) == ("Cán bộ can.bo", "xlsx", 1)
    assert audited.filters == {"hamlet_id": "thon-1", "include_hidden": False}
    assert audited.sha256 == hashlib.sha256(download.content).hexdigest() == job.sha256
    [requested] = await desk.audit("export.request")
    [downloaded] = await desk.audit("export.download")
    assert requested.target == f"#{job_id}" and downloaded.target == f"#{job_id} {job.file_name}"
    assert downloaded.details["sha256"] == job.sha256 and downloaded.address == "127.0.0.1"

    # a private folder, a private file
    folder = desk.service.settings.console_export_dir
    assert os.stat(folder).st_mode & 0o777 == 0o700
    assert os.stat(folder / job.stored_name).st_mode & 0o777 == 0o600


async def test_a_csv_export_takes_the_dates_as_the_console_writes_them(desk):
    await staff(desk)
    zone = dt.timezone(dt.timedelta(hours=7))
    inside = await desk.comment(created_at=dt.datetime(2025, 9, 10, 23, 30, tzinfo=zone))
    await desk.comment(created_at=dt.datetime(2025, 9, 11, 0, 30, tzinfo=zone))
    await desk.comment(created_at=dt.datetime(2025, 9, 4, 23, 59, tzinfo=zone), status="da_xem")
    job_id = await ask(desk, **{"from": "05/09/2025", "to": "2025-09-10", "format": "csv"})
    job = await finished(desk, job_id)
    content = (await desk.client.get(f"/admin/exports/jobs/{job_id}/file")).content
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [row["Mã biên nhận"] for row in rows] == [inside] and job.rows == 1


async def test_statuses_are_chosen_like_the_clis_comma_list(desk):
    await staff(desk)
    wanted = {await desk.comment(status="moi"), await desk.comment(status="tiep_thu")}
    await desk.comment(status="da_xem")
    answer = await desk.client.post("/admin/exports", headers=HTML, data={
        "csrf_token": await desk.csrf(), "status": ["moi", "tiep_thu"], "format": "csv"})
    job_id = int(answer.headers["location"].rsplit("-", 1)[1])
    await finished(desk, job_id)
    content = (await desk.client.get(f"/admin/exports/jobs/{job_id}/file")).content
    assert {row["Mã biên nhận"] for row in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))} == wanted
    [audited] = await export_audits(desk)
    assert audited.filters == {"statuses": "moi,tiep_thu"}


async def test_the_summary_report_is_made_as_the_cli_makes_it(desk):
    await staff(desk)
    await desk.comment(text="Nên bổ sung chỉ tiêu về giáo dục.", stance="tan_thanh")
    await desk.comment(status="trung_lap")
    job_id = await ask(desk, "/admin/exports/report", draft="bao-cao", format="docx",
                       layout="party", number="12")
    job = await finished(desk, job_id)
    assert (job.status, job.kind, job.rows) == ("done", "report-docx", 1)
    assert job.file_name.startswith("bao-cao-bao-cao-") and job.file_name.endswith(".docx")
    download = await desk.client.get(f"/admin/exports/jobs/{job_id}/file")
    document = docx.Document(io.BytesIO(download.content))
    body = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "Nên bổ sung chỉ tiêu về giáo dục." in body and "12-BC/ĐU" in "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells)
    [audited] = await export_audits(desk)
    assert (audited.kind, audited.row_count) == ("report-docx", 1)
    assert audited.filters["draft_id"] == "bao-cao"
    assert audited.sha256 == hashlib.sha256(download.content).hexdigest()


async def test_a_leaders_export_holds_only_their_hamlets_and_groups(desk):
    await staff(desk, "bi.thu", "leader", areas=["thon-1"], groups=["mttq"])
    mine = {await desk.comment(hamlet="thon-1"),
            await desk.comment(hamlet=None, source="meeting", group="mttq")}
    await desk.comment(hamlet="thon-2")
    page = (await desk.client.get("/admin/exports", headers=HTML)).text
    assert 'value="thon-2"' not in page and "Lập báo cáo tổng hợp" not in page
    job_id = await ask(desk, format="csv")
    await finished(desk, job_id)
    content = (await desk.client.get(f"/admin/exports/jobs/{job_id}/file")).content
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert {row["Mã biên nhận"] for row in rows} == mine
    [audited] = await export_audits(desk)
    assert audited.filters == {"scope_areas": "thon-1", "scope_groups": "mttq"}


# --- bad input: a clear answer, nothing written -------------------------------------------------

async def nothing_written(desk) -> None:
    assert await count_rows(desk.database, "export_jobs") == 0
    assert await count_rows(desk.database, "export_audit") == 0
    assert await desk.audit("export.request") == []


@pytest.mark.parametrize("form, message", [
    ({"from": "32/13/2025"}, "Từ ngày “32/13/2025” không phải một ngày"),
    ({"to": "hôm qua"}, "Đến ngày “hôm qua” không phải một ngày"),
    ({"from": "30/09/2025", "to": "01/09/2025"}, "Từ ngày (30/09/2025) sau Đến ngày (01/09/2025)"),
    ({"draft": "khong-co"}, "Không có dự thảo 'khong-co' trong gói nội dung"),
    ({"status": "xoa-het"}, "Không có trạng thái “xoa-het”"),
    ({"hamlet": "thon-9"}, "Không có thôn 'thon-9'"),
    ({"source": "facebook"}, "Không có nguồn “facebook”"),
    ({"format": "pdf"}, "Định dạng “pdf” không có"),
])
async def test_export_filters_that_do_not_hold_are_refused(desk, form, message):
    await staff(desk)
    await desk.comment()
    answer = await desk.post("/admin/exports", form)
    assert answer.status_code == 400 and message in html.unescape(answer.text)
    assert 'role="alert"' in answer.text
    await nothing_written(desk)


@pytest.mark.parametrize("form, message", [
    ({}, "Chọn dự thảo cần lập báo cáo."),
    ({"draft": "khong-co"}, "Không có dự thảo 'khong-co'"),
    ({"draft": "bao-cao", "number": "12/BC"}, "Số văn bản “12/BC” không hợp lệ"),
    ({"draft": "bao-cao", "layout": "ubnd"}, "Thể thức “ubnd” không có"),
    ({"draft": "bao-cao", "format": "csv"}, "Định dạng “csv” không có"),
])
async def test_report_options_that_do_not_hold_are_refused(desk, form, message):
    await staff(desk)
    answer = await desk.post("/admin/exports/report", form)
    assert answer.status_code == 400 and message in html.unescape(answer.text)
    await nothing_written(desk)


async def test_a_leader_asking_for_another_hamlet_or_a_report_is_refused(desk):
    await staff(desk, "bi.thu", "leader", areas=["thon-1"])
    other = await desk.post("/admin/exports", {"hamlet": "thon-2"})
    assert other.status_code == 403 and "không phụ trách" in other.text
    report = await desk.post("/admin/exports/report", {"draft": "bao-cao"})
    assert report.status_code == 403
    await nothing_written(desk)


async def test_without_the_csrf_token_nothing_is_asked(desk):
    await staff(desk)
    answer = await desk.client.post("/admin/exports", headers=HTML, data={"format": "csv"})
    assert answer.status_code == 403
    await nothing_written(desk)


def runner_of(desk) -> ExportRunner:
    return desk.client.app.state.exports


async def test_an_account_may_have_three_files_in_the_making(desk):
    account = await desk.account("can.bo")
    await desk.sign_in("can.bo")
    async with desk.database.transaction() as session:
        for _ in range(3):
            await jobs.add_job(session, account_id=account.id, actor="Cán bộ can.bo",
                               kind="csv", request={}, description="",
                               runner=runner_of(desk).id, now=dt.datetime.now(dt.UTC))
    answer = await desk.post("/admin/exports", {"format": "csv"})
    assert answer.status_code == 400 and "Bạn đang có 3 tệp chưa làm xong" in answer.text
    assert await count_rows(desk.database, "export_jobs") == 3


# --- downloads: whose file -----------------------------------------------------------------------

async def test_another_accounts_file_or_a_job_that_does_not_exist_is_not_found(desk):
    await staff(desk, "nguoi.a")
    await desk.comment()
    job_id = await ask(desk, format="csv")
    await finished(desk, job_id)
    await staff(desk, "nguoi.b")
    for path in (f"/admin/exports/jobs/{job_id}/file", "/admin/exports/jobs/999/file",
                 "/admin/exports/jobs/abc/file"):
        answer = await desk.client.get(path, headers=HTML)
        assert answer.status_code == 404 and "Không tìm thấy" in answer.text, path
    listed = (await desk.client.get("/admin/exports", headers=HTML)).text
    assert f"job-{job_id}" not in listed  # someone else's job is not even listed
    assert await desk.audit("export.download") == []
    await staff(desk, "quan.tri", "admin")  # an admin may fetch anyone's
    assert "bởi Cán bộ nguoi.a" in (await desk.client.get("/admin/exports", headers=HTML)).text
    assert (await desk.client.get(f"/admin/exports/jobs/{job_id}/file")).status_code == 200
    [audited] = await desk.audit("export.download")
    assert audited.actor == "Cán bộ quan.tri" and audited.details["by"] == "Cán bộ nguoi.a"
    log = (await desk.client.get("/admin/audit?action=export.download", headers=HTML)).text
    assert "Tải tệp xuất" in log and "người yêu cầu: Cán bộ nguoi.a" in log


async def test_without_a_session_no_file_leaves(desk):
    await staff(desk)
    await desk.comment()
    job_id = await ask(desk, format="csv")
    await finished(desk, job_id)
    await desk.client.post("/admin/logout", data={"csrf_token": await desk.csrf()})
    answer = await desk.client.get(f"/admin/exports/jobs/{job_id}/file")
    assert answer.status_code == 401 and not answer.content.startswith(b"\xef\xbb\xbf")


# --- restarts and retention -----------------------------------------------------------------------

async def orphan_job(desk, runner: str, *, beat_ago: dt.timedelta = dt.timedelta()) -> int:
    account = await desk.account("can.bo")
    now = dt.datetime.now(dt.UTC)
    async with desk.database.transaction() as session:
        job = await jobs.add_job(session, account_id=account.id, actor="Cán bộ can.bo",
                                 kind="xlsx", request={}, description="", runner=runner,
                                 now=now - beat_ago)
        job.status = jobs.JobStatus.RUNNING
    return job.id


def dead_pid() -> int:
    pid = 999_999
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid -= 1


async def test_a_job_whose_process_died_is_marked_failed_with_a_clear_message(desk):
    job_id = await orphan_job(desk, f"{socket.gethostname()}:{dead_pid()}:abcd")
    await desk.sign_in("can.bo")
    page = (await desk.client.get("/admin/exports", headers=HTML)).text
    assert "Bị gián đoạn vì Loa Số dừng hoặc khởi động lại" in page and "hx-trigger" not in page
    [job] = await job_rows(desk)
    assert (job.id, job.status, job.error) == (job_id, "failed", INTERRUPTED)


async def test_a_job_on_another_machine_fails_once_its_heartbeat_stops(desk):
    alive = await orphan_job(desk, "may-khac:123:abcd")
    await desk.sign_in("can.bo")
    first = (await desk.client.get("/admin/exports", headers=HTML)).text
    assert "hx-trigger" in first  # still beating as far as anyone knows
    async with desk.database.transaction() as session:
        await session.execute(update(ExportJob).values(
            heartbeat_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)))
    (await desk.client.get("/admin/exports/jobs", headers=HTML))
    [job] = await job_rows(desk)
    assert (job.id, job.status, job.error) == (alive, "failed", INTERRUPTED)


async def test_a_restart_fails_the_jobs_the_old_process_left(telegram_settings):
    from tests.utils import running_app

    settings = telegram_settings(public_url="http://loaso.test")
    async with running_app(settings, run_sender=False) as (_, service):
        async with service.database.transaction() as session:
            from bot.actions.accounts import add_account
            from db.audit import Who
            account = await add_account(
                session, service.content.current.pack, username="can.bo", name="Cán bộ",
                role="staff", groups=[], areas=[], password_hash="x", who=Who("t"),
                now=dt.datetime.now(dt.UTC))
            job = await jobs.add_job(session, account_id=account.id, actor="Cán bộ",
                                     kind="csv", request={}, description="",
                                     runner=f"{socket.gethostname()}:{os.getpid()}:old",
                                     now=dt.datetime.now(dt.UTC))
    async with running_app(settings, run_sender=False) as (_, service):  # the restart
        async with service.database.read() as session:
            restarted = await session.get(ExportJob, job.id)
    assert (restarted.status, restarted.error) == ("failed", INTERRUPTED)


async def test_stopping_the_process_interrupts_an_export_and_says_so(desk, monkeypatch):
    await desk.account("can.bo")
    started = asyncio.Event()

    async def slow_export(database, pack, *, out, kind, where, actor, progress):
        async def write(path):  # half a file on disk, then rows slowly
            path.write_text("Mã biên nhận\n")
            progress.start(1000)
            loop.call_soon_threadsafe(started.set)
            for _ in range(1000):
                await asyncio.sleep(0.01)
                progress.advance(1)
            raise AssertionError("not interrupted")
        return await publish(database, out, kind=kind, actor=actor, filters={}, write=write)

    loop = asyncio.get_running_loop()
    monkeypatch.setattr(export_runner, "export_comments", slow_export)
    runner = runner_of(desk)
    await desk.sign_in("can.bo")
    job_id = await ask(desk, format="csv")
    await asyncio.wait_for(started.wait(), 10)
    await runner.beat()
    async with desk.database.read() as session:
        running = await session.get(ExportJob, job_id)
    assert running.status == "running" and running.total == 1000
    await runner.stop()
    [job] = await job_rows(desk)
    assert (job.status, job.error) == ("failed", INTERRUPTED)
    assert list(runner.folder.iterdir()) == []  # the half-written file went with it
    assert await count_rows(desk.database, "export_audit") == 0
    await runner.start()  # for the app's own shutdown


async def test_files_are_deleted_after_the_retention_period(desk):
    await staff(desk)
    await desk.comment()
    job_id = await ask(desk, format="xlsx")
    job = await finished(desk, job_id)
    runner = runner_of(desk)
    leftover = runner.folder / ".gop-y.xlsx.1234.part"
    leftover.write_bytes(b"half")
    os.utime(leftover, (0, 0))
    async with desk.database.transaction() as session:
        await session.execute(update(ExportJob).values(
            expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)))
    await runner.sweep()
    assert list(runner.folder.iterdir()) == []
    [expired] = await job_rows(desk)
    assert expired.status == "expired"
    assert (await desk.client.get(f"/admin/exports/jobs/{job.id}/file")).status_code == 404
    assert "Đã xóa (hết hạn)" in (await desk.client.get("/admin/exports", headers=HTML)).text
