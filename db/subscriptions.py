"""What each resident chose to receive. Only the choices: no reading history, no profile."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import rows_changed
from db.models import Subscription

EVERYTHING = ("all", "*")


async def subscriptions_of(session: AsyncSession, user_id: int) -> list[tuple[str, str]]:
    rows = await session.execute(
        select(Subscription.kind, Subscription.ref).where(Subscription.user_id == user_id)
        .order_by(Subscription.id))
    return [(kind, ref) for kind, ref in rows.all()]


async def replace_subscriptions(session: AsyncSession, user_id: int,
                                choices: list[tuple[str, str]], now: datetime) -> None:
    """Make the resident's subscriptions exactly `choices` (kind, ref)."""
    await session.execute(delete(Subscription).where(Subscription.user_id == user_id))
    session.add_all(Subscription(user_id=user_id, kind=kind, ref=ref, created_at=now)
                    for kind, ref in dict.fromkeys(choices))


async def unsubscribe_all(session: AsyncSession, user_id: int) -> int:
    result = await session.execute(delete(Subscription).where(Subscription.user_id == user_id))
    return rows_changed(result)
