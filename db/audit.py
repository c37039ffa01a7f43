"""The audit log: one row per staff action that changes something or shows personal data.

Rows are written in the same transaction as the action they record, so an action that is
rolled back leaves no row, and a row never describes something that did not happen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.console_models import AuditEntry

CLI_ADDRESS = "cli"  # actions taken with the `loaso` command on the server itself


@dataclass(frozen=True)
class Who:
    """Who acts, as the audit keeps it: a name, the console account (None for a command on
    the server) and where from (the browser's address, or "cli")."""

    name: str
    account_id: int | None = None
    address: str = CLI_ADDRESS


async def record(session: AsyncSession, who: Who, action: str, *, now: datetime,
                 target: str | None = None, details: dict[str, Any] | None = None) -> AuditEntry:
    entry = AuditEntry(at=now, account_id=who.account_id, actor=who.name[:100], action=action,
                       target=target[:200] if target else None, details=details or {},
                       address=who.address[:64])
    session.add(entry)
    return entry


async def page(session: AsyncSession, *, offset: int = 0, limit: int = 50,
               action: str | None = None) -> tuple[list[AuditEntry], int]:
    """Newest first, with the total for paging."""
    where = [AuditEntry.action == action] if action else []
    total = (await session.execute(
        select(func.count()).select_from(AuditEntry).where(*where))).scalar_one()
    rows = await session.execute(select(AuditEntry).where(*where)
                                 .order_by(AuditEntry.id.desc()).offset(offset).limit(limit))
    return list(rows.scalars()), total


async def actions_recorded(session: AsyncSession) -> list[str]:
    """The distinct actions in the log, for the page's filter."""
    rows = await session.execute(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    return list(rows.scalars())
