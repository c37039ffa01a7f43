"""The daily retention job: personal data is kept only as long as the privacy notice says.

Two clocks, one period (LOASO_RETENTION_DAYS): a resident silent for longer is anonymised
exactly as if they had asked (db.erasure), and comments on a draft whose consultation
closed longer ago lose their link to the person while their text, section and hamlet stay
for the record of the consultation. Each run is logged once, with counts only.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import case, or_, select, update

from content.pack import Pack
from db import webchat
from db.base import rows_changed
from db.engine import Database
from db.erasure import ERASED_KEY, RETENTION, anonymise_resident, holds_personal_data
from db.models import Comment, DataRequest, User

VIA = "scheduler"


async def apply_retention(database: Database, pack: Pack, *, now: datetime,
                          days: int) -> dict[str, int]:
    """Anonymise what is past the retention period, in one transaction; return the counts.

    One transaction, so a run is all or nothing and its log row is exact; after the first
    run each day touches only the few residents who crossed the line since yesterday.
    """
    cutoff = now - timedelta(days=days)
    closed = sorted(draft.id for draft in pack.drafts.values()
                    if pack.local(draft.closes) <= cutoff)
    totals: Counter[str] = Counter()
    async with database.transaction() as session:
        silent = list((await session.execute(
            select(User.id).where(User.last_seen_at < cutoff, holds_personal_data())
            .order_by(User.id))).scalars())
        for user_id in silent:
            totals.update(await anonymise_resident(session, user_id, now=now))
        totals["residents"] = len(silent)
        totals["comments_unlinked"] = 0
        if closed:
            unlinked = await session.execute(
                update(Comment).where(Comment.draft_id.in_(closed), or_(
                    Comment.user_id.is_not(None), Comment.signed_name.is_not(None)))
                # A chat comment's key starts with the user id; an import's names no one.
                .values(user_id=None, signed_name=None, updated_at=now,
                        submission_key=case((Comment.user_id.is_not(None),
                                             ERASED_KEY + Comment.receipt),
                                            else_=Comment.submission_key))
                .execution_options(synchronize_session=False))
            totals["comments_unlinked"] = rows_changed(unlinked) or 0
        # Web chat lines past the period go whoever wrote them (a resident who never agreed
        # to the notice may still have typed something personal).
        totals["web_history_expired"] = await webchat.expire(session, before=cutoff)
        actions = dict(totals)
        session.add(DataRequest(kind=RETENTION, via=VIA, actions=actions, created_at=now))
    return actions
