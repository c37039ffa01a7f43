"""The console's background exports: one row per file asked for, from the request to the file
kept for download, then deleted. Queries only; the rules are in bot/actions/exports.py and the
running in bot/console/export_runner.py.

A job in progress carries the process that runs it (`runner`) and a heartbeat that process
writes every second or so; a job whose heartbeat stopped belonged to a process that died or
restarted, and is marked failed by whoever sees it next.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import rows_changed
from db.console_models import ExportJob


class JobStatus(StrEnum):
    QUEUED = "queued"  # waiting for the process's export thread
    RUNNING = "running"
    DONE = "done"  # the file is kept until expires_at
    FAILED = "failed"
    EXPIRED = "expired"  # done, and its file deleted after the retention period


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


async def add_job(session: AsyncSession, *, account_id: int, actor: str, kind: str,
                  request: dict[str, Any], description: str, runner: str, now: datetime) -> ExportJob:
    job = ExportJob(account_id=account_id, actor=actor[:100], kind=kind, request=request,
                    description=description[:500], status=JobStatus.QUEUED, progress=0,
                    runner=runner[:80], created_at=now, heartbeat_at=now)
    session.add(job)
    await session.flush()
    return job


async def get_job(session: AsyncSession, job_id: int) -> ExportJob | None:
    return await session.get(ExportJob, job_id)


async def recent_jobs(session: AsyncSession, *, account_id: int | None,
                      limit: int = 20) -> list[ExportJob]:
    """The newest jobs of one account (None: of everyone, for admins)."""
    query = select(ExportJob).order_by(ExportJob.created_at.desc(), ExportJob.id.desc())
    if account_id is not None:
        query = query.where(ExportJob.account_id == account_id)
    return list((await session.execute(query.limit(limit))).scalars())


async def active_count(session: AsyncSession, account_id: int) -> int:
    return (await session.execute(
        select(func.count()).select_from(ExportJob)
        .where(ExportJob.account_id == account_id, ExportJob.status.in_(ACTIVE)))).scalar_one()


async def active_jobs(session: AsyncSession) -> list[ExportJob]:
    return list((await session.execute(
        select(ExportJob).where(ExportJob.status.in_(ACTIVE)))).scalars())


async def beat(session: AsyncSession, job_id: int, *, running: bool, total: int | None,
               progress: int, now: datetime) -> None:
    """The runner's heartbeat for one job, with how far it got."""
    values: dict[str, Any] = {"heartbeat_at": now, "total": total, "progress": progress}
    if running:
        values.update(status=JobStatus.RUNNING,
                      started_at=func.coalesce(ExportJob.started_at, now))
    await session.execute(update(ExportJob).where(ExportJob.id == job_id,
                                                  ExportJob.status.in_(ACTIVE))
                          .values(**values).execution_options(synchronize_session=False))


async def finish(session: AsyncSession, job_id: int, *, rows: int, sha256: str,
                 file_name: str, stored_name: str, now: datetime,
                 expires_at: datetime) -> bool:
    """Done, unless it was marked failed meanwhile (then the caller deletes the file)."""
    result = await session.execute(
        update(ExportJob).where(ExportJob.id == job_id, ExportJob.status.in_(ACTIVE))
        .values(status=JobStatus.DONE, rows=rows, progress=rows, sha256=sha256,
                file_name=file_name, stored_name=stored_name, finished_at=now,
                heartbeat_at=now, expires_at=expires_at)
        .execution_options(synchronize_session=False))
    return rows_changed(result) == 1


async def fail(session: AsyncSession, job_ids: list[int], error: str, now: datetime) -> int:
    if not job_ids:
        return 0
    result = await session.execute(
        update(ExportJob).where(ExportJob.id.in_(job_ids), ExportJob.status.in_(ACTIVE))
        .values(status=JobStatus.FAILED, error=error, finished_at=now)
        .execution_options(synchronize_session=False))
    return rows_changed(result)


async def fail_silent(session: AsyncSession, *, beat_before: datetime, error: str,
                      now: datetime) -> int:
    """Fail every job in progress whose runner stopped beating: its process is gone."""
    result = await session.execute(
        update(ExportJob).where(ExportJob.status.in_(ACTIVE), ExportJob.heartbeat_at < beat_before)
        .values(status=JobStatus.FAILED, error=error, finished_at=now)
        .execution_options(synchronize_session=False))
    return rows_changed(result)


async def due_for_deletion(session: AsyncSession, now: datetime) -> list[ExportJob]:
    return list((await session.execute(
        select(ExportJob).where(ExportJob.status == JobStatus.DONE,
                                ExportJob.expires_at <= now))).scalars())


async def mark_expired(session: AsyncSession, job_ids: list[int]) -> None:
    if job_ids:
        await session.execute(update(ExportJob).where(ExportJob.id.in_(job_ids))
                              .values(status=JobStatus.EXPIRED)
                              .execution_options(synchronize_session=False))


async def kept_files(session: AsyncSession) -> set[str]:
    """The stored names of the files jobs still offer (anything else in the folder is left
    over from a crash and may go)."""
    rows = await session.execute(select(ExportJob.stored_name).where(
        ExportJob.status == JobStatus.DONE, ExportJob.stored_name.is_not(None)))
    return {value for value in rows.scalars() if value is not None}
