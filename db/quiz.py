"""Quiz rounds: starting, finding and answering them, the opt-in leaderboard, statistics.

A round lives here, not in process memory, so a restart or another web process carries on
where the resident was. Statistics aggregate by hamlet; nothing lists a person's results
except `results_of`, which is the resident's own data (shown by /dulieu).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import rows_changed
from db.models import QuizRound, User

TOKEN_BYTES = 5  # 10 hex characters: fits the column (12) and keeps button payloads short
ROUND_TTL = timedelta(hours=24)  # a round untouched this long is over, its buttons stale


@dataclass(frozen=True)
class RoundResult:
    """One finished round as the resident sees it in their data."""

    finished_at: datetime
    score: int
    out_of: int


@dataclass(frozen=True)
class BoardEntry:
    name: str
    hamlet_id: str | None
    score: int
    out_of: int


@dataclass
class Participation:
    """Counts for one hamlet (None: residents who gave none). No person appears here."""

    hamlet_id: str | None
    players: int = 0
    rounds: int = 0
    finished: int = 0
    points: int = 0  # correct answers over finished rounds
    asked: int = 0  # questions over finished rounds

    @property
    def average_score(self) -> float | None:
        return self.points / self.finished if self.finished else None

    @property
    def correct_share(self) -> float | None:
        return self.points / self.asked if self.asked else None


def is_expired(round_: QuizRound, now: datetime) -> bool:
    return round_.finished_at is None and now - round_.updated_at > ROUND_TTL


async def start_round(session: AsyncSession, *, user_id: int, questions: list[str],
                      now: datetime) -> QuizRound:
    token = secrets.token_hex(TOKEN_BYTES)
    while (await session.execute(select(QuizRound.id).where(QuizRound.token == token))).first():
        token = secrets.token_hex(TOKEN_BYTES)  # 2^40 tokens: practically never taken
    round_ = QuizRound(user_id=user_id, token=token, questions=questions, answers=[], score=0,
                       started_at=now, updated_at=now)
    session.add(round_)
    await session.flush()
    return round_


async def round_by_token(session: AsyncSession, token: str, *,
                         for_update: bool = False) -> QuizRound | None:
    """The round a button belongs to; locked when answering, so a double tap counts once."""
    query = select(QuizRound).where(QuizRound.token == token)
    if for_update:
        query = query.with_for_update()  # SQLite has one writer anyway; the clause is dropped
    return (await session.execute(query)).scalar_one_or_none()


async def latest_round(session: AsyncSession, user_id: int) -> QuizRound | None:
    return (await session.execute(
        select(QuizRound).where(QuizRound.user_id == user_id)
        .order_by(QuizRound.id.desc()).limit(1))).scalar_one_or_none()


async def live_round(session: AsyncSession, user_id: int, now: datetime) -> QuizRound | None:
    """The round the resident can still continue: their newest, unfinished, not expired."""
    round_ = await latest_round(session, user_id)
    if round_ is None or round_.finished_at is not None or is_expired(round_, now):
        return None
    return round_


async def results_of(session: AsyncSession, user_id: int) -> list[RoundResult]:
    """The resident's finished rounds, newest first: when, how many right, out of how many."""
    rows = await session.execute(
        select(QuizRound.finished_at, QuizRound.score, QuizRound.questions)
        .where(QuizRound.user_id == user_id, QuizRound.finished_at.is_not(None))
        .order_by(QuizRound.finished_at.desc(), QuizRound.id.desc()))
    return [RoundResult(finished_at, score, len(questions))
            for finished_at, score, questions in rows.all() if finished_at is not None]


async def forget(session: AsyncSession, user_id: int) -> int:
    """Erase the resident's rounds and leaderboard name; the number of rounds erased."""
    result = await session.execute(delete(QuizRound).where(QuizRound.user_id == user_id))
    user = await session.get(User, user_id)
    if user is not None:
        user.leaderboard_name = None
    return rows_changed(result)


async def leaderboard(session: AsyncSession, limit: int = 10) -> list[BoardEntry]:
    """Each opted-in resident's best finished round, best first; ties go to who got there first."""
    rows = await session.execute(
        select(User.id, User.leaderboard_name, User.hamlet_id, QuizRound.score,
               QuizRound.questions, QuizRound.finished_at)
        .join(QuizRound, QuizRound.user_id == User.id)
        .where(User.leaderboard_name.is_not(None), QuizRound.finished_at.is_not(None)))
    best: dict[int, tuple[tuple[float, int, Any], BoardEntry]] = {}
    for user_id, name, hamlet_id, score, questions, finished_at in rows.all():
        out_of = max(len(questions), 1)
        key = (-score / out_of, -score, finished_at)
        if user_id not in best or key < best[user_id][0]:
            best[user_id] = (key, BoardEntry(name or "", hamlet_id, score, len(questions)))
    return [entry for _, entry in sorted(best.values(), key=lambda pair: pair[0])][:limit]


async def participation(session: AsyncSession) -> list[Participation]:
    """Rounds, players and scores per hamlet of the player, for staff."""
    rows = await session.execute(
        select(User.hamlet_id, QuizRound.user_id, QuizRound.score, QuizRound.questions,
               QuizRound.finished_at).join(User, QuizRound.user_id == User.id))
    return _aggregate(rows.all())


def _aggregate(rows: Iterable[tuple[Any, ...]]) -> list[Participation]:
    by_hamlet: dict[str | None, Participation] = {}
    players: dict[str | None, set[int]] = {}
    for hamlet_id, user_id, score, questions, finished_at in rows:
        stats = by_hamlet.setdefault(hamlet_id, Participation(hamlet_id))
        players.setdefault(hamlet_id, set()).add(user_id)
        stats.rounds += 1
        if finished_at is not None:
            stats.finished += 1
            stats.points += score
            stats.asked += len(questions)
    for hamlet_id, stats in by_hamlet.items():
        stats.players = len(players[hamlet_id])
    return list(by_hamlet.values())
