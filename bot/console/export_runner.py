"""Making the console's exports and reports in the background of the serving process.

A request only records a job (db/export_jobs.py) and hands it here; the page then polls the
job's row. Each file is written by the CLI's own functions in a thread of its own, one at a
time, with its own event loop and database connection: an XLSX of 100,000 comments takes
seconds of CPU, and zipping it at the end would otherwise stall every webhook this process
serves. The serving loop keeps a heartbeat and the progress in the job's row every second.

Restarts: stopping the process interrupts its exports (at their next batch of rows) and marks
them failed with a message that says so; a process that dies without stopping leaves jobs
whose heartbeat stops, and the next process to look (at start, or on the exports page) marks
them failed the same way. Files are kept in a private folder (0700, files 0600) for
`LOASO_CONSOLE_EXPORT_HOURS`, then deleted, with whatever a crash left there.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import secrets
import socket
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions.exports import Asked
from bot.reports.export import export_comments
from bot.reports.layout import letterhead
from bot.reports.publish import Published
from bot.settings import Settings
from content.pack import Pack
from db import export_jobs as jobs
from db.engine import Database

log = logging.getLogger(__name__)

INTERRUPTED = ("Bị gián đoạn vì Loa Số dừng hoặc khởi động lại trong khi đang tạo tệp; không "
               "có tệp nào được giữ lại. Hãy tạo lại.")
FAILED = "Không tạo được tệp ({reason}). Hãy thử lại; nếu vẫn lỗi, báo quản trị viên."
BEAT_SECONDS = 1.0
SILENT_AFTER = dt.timedelta(seconds=30)  # no heartbeat for this long: the runner is gone
SWEEP_SECONDS = 60.0
STOP_WAIT_SECONDS = 15.0


class Interrupted(Exception):
    """The process is stopping: the export gives up at its next batch."""


class Tracker:
    """How far one export got, shared between its thread and the serving loop."""

    def __init__(self) -> None:
        self.started = False
        self.total: int | None = None
        self.done = 0
        self.stopping = threading.Event()

    def start(self, total: int) -> None:  # the Progress protocol of bot/reports/export_rows
        self.total = total

    def advance(self, rows: int) -> None:
        self.done += rows
        if self.stopping.is_set():
            raise Interrupted()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Made:
    published: Published
    stored_name: str


class ExportRunner:
    """One per serving process: runs the jobs it was handed, beats for them, cleans up."""

    def __init__(self, database: Database, *, database_url: str, folder: Path,
                 keep: dt.timedelta, pack: Callable[[], Pack], settings: Settings) -> None:
        self.database, self.database_url = database, database_url
        self.folder, self.keep, self.pack, self.settings = Path(folder), keep, pack, settings
        self.id = f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="loaso-export")
        self.trackers: dict[int, Tracker] = {}
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self._ticker: asyncio.Task[None] | None = None

    # -- life ---------------------------------------------------------------------------------

    async def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)  # comments are personal data: Loa Số's user only
        await self.sweep()
        self._ticker = asyncio.create_task(self._tick(), name="export-beat")

    async def stop(self) -> None:
        """Interrupt what runs, mark every job of this process failed, let the thread go."""
        for tracker in self.trackers.values():
            tracker.stopping.set()
        if self.tasks:
            await asyncio.wait(list(self.tasks.values()), timeout=STOP_WAIT_SECONDS)
        left = list(self.trackers)  # still running after the wait (e.g. zipping an XLSX)
        for task in list(self.tasks.values()):
            task.cancel()
        async with self.database.transaction() as session:
            await jobs.fail(session, left, INTERRUPTED, now())
        if self._ticker is not None:
            self._ticker.cancel()
            with suppress(asyncio.CancelledError):
                await self._ticker
        self.pool.shutdown(wait=False, cancel_futures=True)

    # -- jobs ---------------------------------------------------------------------------------

    def submit(self, job_id: int, asked: Asked, actor: str) -> None:
        tracker = self.trackers[job_id] = Tracker()
        self.tasks[job_id] = asyncio.create_task(self._run(job_id, asked, actor, tracker),
                                                 name=f"export-{job_id}")

    async def _run(self, job_id: int, asked: Asked, actor: str, tracker: Tracker) -> None:
        stored = f"{job_id}-{secrets.token_hex(8)}.{asked.extension}"
        work = self._work(asked, actor, self.folder / stored, tracker)
        try:
            loop = asyncio.get_running_loop()
            published = await loop.run_in_executor(self.pool, _in_own_loop, self.database_url,
                                                   work, tracker)
            await self._finished(job_id, asked, published, stored)
        except Interrupted:
            await self._failed(job_id, INTERRUPTED)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # whatever it was, the job says so and the page shows it
            log.exception("export job %s failed", job_id)
            await self._failed(job_id, FAILED.format(reason=type(error).__name__))
        finally:
            self.trackers.pop(job_id, None)
            self.tasks.pop(job_id, None)

    def _work(self, asked: Asked, actor: str, out: Path, tracker: Tracker
              ) -> Callable[[Database], Awaitable[Published]]:
        pack = self.pack()
        if asked.is_report:
            from bot.reports import summary  # its writers load for a report only

            head = letterhead(self.settings, pack, asked.layout)
            draft_id = asked.draft_id
            assert draft_id is not None  # bot.actions.exports.check_report always sets it
            return lambda database: summary.write_report(
                database, pack, out=out, kind=asked.extension, draft_id=draft_id,
                actor=actor, head=head, number=asked.number)
        where = asked.where
        assert where is not None  # bot.actions.exports.check_export always sets it
        return lambda database: export_comments(database, pack, out=out, kind=asked.kind,
                                                where=where, actor=actor, progress=tracker)

    async def _finished(self, job_id: int, asked: Asked, published: Published,
                        stored: str) -> None:
        moment = now()
        local = moment.astimezone(self.pack().zone)
        stem = (f"bao-cao-{asked.draft_id}" if asked.is_report else "gop-y")
        name = f"{stem}-{local:%Y%m%d-%H%M}.{asked.extension}"
        async with self.database.transaction() as session:
            kept = await jobs.finish(session, job_id, rows=published.rows,
                                     sha256=published.sha256, file_name=name,
                                     stored_name=stored, now=moment,
                                     expires_at=moment + self.keep)
        if not kept:  # marked failed meanwhile (it looked silent): the file goes too
            (self.folder / stored).unlink(missing_ok=True)

    async def _failed(self, job_id: int, message: str) -> None:
        async with self.database.transaction() as session:
            await jobs.fail(session, [job_id], message, now())

    # -- upkeep -------------------------------------------------------------------------------

    async def _tick(self) -> None:
        swept = asyncio.get_running_loop().time()
        while True:
            await asyncio.sleep(BEAT_SECONDS)
            try:
                await self.beat()
                if asyncio.get_running_loop().time() - swept >= SWEEP_SECONDS:
                    swept = asyncio.get_running_loop().time()
                    await self.sweep()
            except Exception:  # a missed beat is retried in a second; never stop beating
                log.exception("export jobs: heartbeat or clean-up failed")

    async def beat(self) -> None:
        if not self.trackers:
            return
        moment = now()
        async with self.database.transaction() as session:
            for job_id, tracker in list(self.trackers.items()):
                await jobs.beat(session, job_id, running=tracker.started, total=tracker.total,
                                progress=tracker.done, now=moment)

    async def sweep_lost(self, session: AsyncSession) -> int:
        return await fail_lost(session, self.id, now())

    async def sweep(self) -> None:
        """Fail jobs whose process is gone; delete files past their time, and leftovers."""
        moment = now()
        async with self.database.transaction() as session:
            await fail_lost(session, self.id, moment)
            due = await jobs.due_for_deletion(session, moment)
            for job in due:
                if job.stored_name is not None:  # a finished job always has its file's name
                    (self.folder / job.stored_name).unlink(missing_ok=True)
            await jobs.mark_expired(session, [job.id for job in due])
            kept = await jobs.kept_files(session)
        cutoff = (moment - self.keep).timestamp()
        for path in self.folder.iterdir() if self.folder.is_dir() else ():
            # a file no job offers, old enough not to be one being written right now
            if path.is_file() and path.name not in kept and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)


async def fail_lost(session: AsyncSession, runner_id: str, moment: dt.datetime) -> int:
    """Jobs in progress that nobody runs any more: a process on this machine that is no
    longer alive (known at once), or any runner whose heartbeat stopped."""
    host, pid, _ = runner_id.split(":")
    gone: list[int] = []
    for job in await jobs.active_jobs(session):
        their_host, _, rest = job.runner.partition(":")
        their_pid = rest.partition(":")[0]
        if job.runner != runner_id and their_host == host and their_pid.isdigit() and (
                their_pid == pid or not _alive(int(their_pid))):
            gone.append(job.id)
    failed = await jobs.fail(session, gone, INTERRUPTED, moment)
    return failed + await jobs.fail_silent(session, beat_before=moment - SILENT_AFTER,
                                           error=INTERRUPTED, now=moment)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _in_own_loop(database_url: str, work: Callable[[Database], Awaitable[Published]],
                 tracker: Tracker) -> Published:
    """In the export thread: a loop and a database engine of its own for one file."""
    async def run() -> Published:
        database = Database(database_url)
        try:
            tracker.started = True
            if tracker.stopping.is_set():
                raise Interrupted()
            return await work(database)
        finally:
            await database.dispose()

    return asyncio.run(run())
