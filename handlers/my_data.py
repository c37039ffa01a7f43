"""Dữ liệu của tôi (/dulieu) and /xoadulieu: what Loa Số keeps about a resident, and erasing it.

The law (91/2025/QH15) gives residents the right to know what is kept and to have it
deleted; both are one command here, and deletion happens at once on confirmation, in the
same transaction that answers the resident (db.erasure does the work).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select

from bot.channels.registry import source_label
from db import comments as comment_queries
from db.erasure import erase_resident, has_personal_data
from db.models import Announcement, Comment, QuizRound, RoleGrant, Subscription
from handlers import texts
from handlers.consent import retention_days
from handlers.menu import show_menu
from handlers.paging import label
from handlers.router import Router, Turn
from messages.types import Option

RECENT_COMMENTS = 5


class DataState(StrEnum):
    CONFIRM = "data.confirm"


def channel_name(channel: str) -> str:
    return source_label(channel)


async def show_my_data(turn: Turn) -> None:
    """/dulieu, data:show: everything kept about the resident."""
    user = turn.user
    channel = channel_name(user.channel)
    if not await has_personal_data(turn.session, user.id):
        show_menu(turn, texts.DATA_NOTHING_KEPT.format(channel=channel))
        return
    pack = turn.content.pack
    comments = await comment_queries.comments_of(turn.session, user.id)
    lines = [texts.DATA_TITLE, "", texts.DATA_ADDRESS.format(channel=channel, address=user.address)]
    if turn.has_consent:
        lines.append(texts.DATA_CONSENT_GIVEN.format(when=turn.local(user.consent_at),
                                                     version=user.consent_version))
    else:
        lines.append(texts.DATA_CONSENT_NONE)
    hamlets = {hamlet.id: hamlet.name for hamlet in pack.campaign.hamlets}
    lines.append(texts.DATA_HAMLET.format(hamlet=hamlets.get(user.hamlet_id, user.hamlet_id))
                 if user.hamlet_id else texts.DATA_HAMLET_NONE)
    lines.append(await _subscriptions(turn))
    if user.leaderboard_name:
        lines.append(texts.DATA_LEADERBOARD.format(name=user.leaderboard_name))
    roles = await _roles(turn, hamlets)
    if roles:
        lines.append(texts.DATA_ROLES.format(roles=roles))
    authored = (await turn.session.execute(select(func.count()).select_from(Announcement).where(
        Announcement.author_user_id == user.id))).scalar_one()
    if authored:
        lines.append(texts.DATA_ANNOUNCEMENTS.format(count=authored))
    lines.extend(_comments(turn, comments))
    lines.extend(await _quiz(turn))
    lines += ["", texts.DATA_RETENTION.format(days=retention_days(turn)), texts.DATA_ACTIONS]
    options = [Option(texts.DATA_ERASE, "data:erase")]
    if comments:
        options.append(Option(texts.DATA_SEE_COMMENTS, "my:0"))
    turn.say("\n".join(lines), [*options, Option(texts.MENU, "menu:show")])
    turn.goto(None)


async def _subscriptions(turn: Turn) -> str:
    rows = (await turn.session.execute(
        select(Subscription.kind, Subscription.ref).where(Subscription.user_id == turn.user.id)
        .order_by(Subscription.id))).all()
    if not rows:
        return texts.DATA_SUBSCRIBED_NONE
    pack = turn.content.pack
    groups = {group.id: group.name for group in pack.campaign.groups}
    topics = [pack.topics[ref].name if ref in pack.topics else ref
              for kind, ref in rows if kind == "topic"]
    chosen_groups = [groups.get(ref, ref) for kind, ref in rows if kind == "group"]
    parts = [texts.DATA_SUBSCRIBED_ALL] if any(kind == "all" for kind, _ in rows) else []
    if topics:
        parts.append(texts.DATA_SUBSCRIBED_TOPICS.format(names=", ".join(topics)))
    if chosen_groups:
        parts.append(texts.DATA_SUBSCRIBED_GROUPS.format(names=", ".join(chosen_groups)))
    return texts.DATA_SUBSCRIBED.format(what="; ".join(parts))


async def _roles(turn: Turn, hamlets: dict[str, str]) -> str:
    grants = (await turn.session.execute(
        select(RoleGrant).where(RoleGrant.user_id == turn.user.id,
                                RoleGrant.revoked_at.is_(None)).order_by(RoleGrant.id))).scalars()
    groups = {group.id: group.name for group in turn.content.pack.campaign.groups}
    shown = []
    for grant in grants:
        role = texts.DATA_ROLE_NAMES.get(grant.role, grant.role)
        scope = [groups.get(ref, ref) for ref in grant.groups or ()]
        scope += [hamlets.get(ref, ref) for ref in grant.areas or ()]
        shown.append(texts.DATA_ROLE_SCOPE.format(role=role, scope=", ".join(scope))
                     if scope else role)
    return "; ".join(shown)


def _comments(turn: Turn, comments: list[Comment]) -> list[str]:
    if not comments:
        return [texts.DATA_COMMENTS_NONE]
    lines = [texts.DATA_COMMENTS.format(count=len(comments))]
    for comment in comments[:RECENT_COMMENTS]:
        draft = turn.content.pack.drafts.get(comment.draft_id)
        target = comment.section_label or texts.GY_GENERAL
        lines.append(texts.DATA_COMMENT_LINE.format(
            receipt=comment.receipt, when=_day(turn, comment.created_at),
            target=label(f"{draft.title if draft else comment.draft_id} › {target}"),
            status=texts.STATUSES.get(comment.status, comment.status)))
    if len(comments) > RECENT_COMMENTS:
        lines.append(texts.DATA_COMMENTS_MORE.format(count=len(comments) - RECENT_COMMENTS))
    return lines


async def _quiz(turn: Turn) -> list[str]:
    rounds = list((await turn.session.execute(
        select(QuizRound).where(QuizRound.user_id == turn.user.id)
        .order_by(QuizRound.started_at.desc(), QuizRound.id.desc()))).scalars())
    finished = [played for played in rounds if played.finished_at is not None]
    if not rounds:
        return [texts.DATA_QUIZ_NONE]
    lines = []
    if finished:
        best = max(finished, key=lambda played: (played.score, -len(played.questions)))
        last = max(finished, key=lambda played: played.finished_at or turn.now)
        lines.append(texts.DATA_QUIZ.format(count=len(finished), best=_score(best)) + " "
                     + texts.DATA_QUIZ_LAST.format(day=_day(turn, last.finished_at),
                                                   score=_score(last)))
    if len(rounds) > len(finished):
        lines.append(texts.DATA_QUIZ_UNFINISHED.format(count=len(rounds) - len(finished)))
    return lines


def _day(turn: Turn, moment: datetime | None) -> str:
    return moment.astimezone(turn.zone).strftime("%d/%m/%Y") if moment else ""


def _score(played: QuizRound) -> str:
    return texts.DATA_SCORE.format(score=played.score, total=len(played.questions))


async def ask_erase(turn: Turn) -> None:
    """/xoadulieu, data:erase: ask for confirmation."""
    if not await has_personal_data(turn.session, turn.user.id):
        show_menu(turn, texts.DATA_ERASE_NOTHING)
        return
    turn.say(texts.DATA_ERASE_CONFIRM, [Option(texts.DATA_ERASE_YES, "data:yes"),
                                        Option(texts.DATA_ERASE_NO, "data:no")])
    turn.goto(DataState.CONFIRM)


async def confirm_erase(turn: Turn) -> None:
    """data:yes: erase at once, but only as the answer to the question just asked."""
    if turn.state != DataState.CONFIRM:  # an old "Xóa ngay" button: ask again, do nothing
        await ask_erase(turn)
        return
    if not await has_personal_data(turn.session, turn.user.id):
        turn.goto(None)
        show_menu(turn, texts.DATA_ERASE_NOTHING)
        return
    counts = await erase_resident(turn.session, turn.user.id, now=turn.now,
                                  via=turn.inbound.channel)
    done = [line.format(n=counts[key]) for key, line in texts.DATA_ERASED_LINES.items()
            if counts.get(key)]
    turn.goto(None)
    show_menu(turn, "\n".join([texts.DATA_ERASED, *done, "", texts.DATA_ERASED_END]))


async def keep(turn: Turn) -> None:
    """data:no."""
    turn.goto(None)
    show_menu(turn, texts.DATA_ERASE_KEPT)


async def typed_while_confirming(turn: Turn) -> None:
    """Text instead of a choice is not a confirmation: leave the question, treat as search."""
    turn.goto(None)
    await turn.read_as_text()


def register(router: Router) -> None:
    router.command("dulieu", step=show_my_data)
    router.command("xoadulieu", step=ask_erase)
    router.steps("data", {"show": show_my_data, "erase": ask_erase, "yes": confirm_erase,
                          "no": keep})
    router.state(DataState.CONFIRM, step=typed_while_confirming, choosing=True)
    router.menu_item(texts.MENU_MY_DATA, "data:show", order=85)
