"""A resident's own comments (/gopycuatoi): status, staff's answer, edit or withdraw."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum

from content.text import format_number
from db import comments as comment_queries
from db.models import Comment, CommentStatus
from handlers import texts
from handlers.consultation import MAX_LENGTH, draft_window, text_problem
from handlers.flow_data import FlowData
from handlers.menu import show_menu, stale
from handlers.paging import int_or_zero, label, navigation, page_of
from handlers.router import Router, Step, Turn
from messages.types import Option, is_number


class MyComments(StrEnum):
    EDIT = "gopycuatoi.edit"


class Editing(FlowData):
    """The comment whose new text is being typed."""

    flow = "my"
    receipt: str


def _target(comment: Comment) -> str:
    return comment.section_label or texts.GY_GENERAL


def _draft_title(turn: Turn, comment: Comment) -> str:
    draft = turn.content.pack.drafts.get(comment.draft_id)
    return draft.title if draft else comment.draft_id


async def _own(turn: Turn, receipt: str) -> Comment | None:
    """The comment with this receipt if it belongs to this resident; never anyone else's."""
    comment = await comment_queries.find_by_receipt(turn.session, receipt)
    return comment if comment is not None and comment.user_id == turn.user.id else None


def _locked_reason(turn: Turn, comment: Comment) -> str | None:
    """Why the resident can no longer change this comment, or None if they can."""
    if comment.status not in comment_queries.OPEN_STATUSES:
        return texts.STATUSES[comment.status]
    draft = turn.content.pack.drafts.get(comment.draft_id)
    if draft is None:
        return texts.MY_DRAFT_GONE
    state, when = draft_window(turn, draft)
    return None if state == "open" else texts.GY_CLOSED_AT.format(when=when)


async def list_page(turn: Turn) -> None:
    """/gopycuatoi, my:list:<page>: the resident's comments, newest first."""
    await list_mine(turn, int_or_zero(turn.value))


async def numbered_page(turn: Turn) -> None:
    """my:<page>, the payload of the list's own buttons; any other my:… is stale."""
    page, _, _ = turn.value.partition(":")
    if page and not is_number(page):
        stale(turn)
        return
    await list_mine(turn, int_or_zero(page))


def own_comment(step: Callable[[Turn, Comment], Awaitable[None]]) -> Step:
    """The step for my:<step>:<receipt>, given the comment if it is the resident's own."""
    async def with_comment(turn: Turn) -> None:
        comment = await _own(turn, turn.value)
        if comment is None:
            stale(turn)
            return
        await step(turn, comment)
    return with_comment


def unlocked(step: Callable[[Turn, Comment], Awaitable[None]]) -> Step:
    """As `own_comment`, for a change: refused once the comment is decided or the draft closed."""
    async def if_unlocked(turn: Turn, comment: Comment) -> None:
        reason = _locked_reason(turn, comment)
        if reason:
            show_menu(turn, texts.MY_LOCKED.format(receipt=comment.receipt, reason=reason))
            return
        await step(turn, comment)
    return own_comment(if_unlocked)


async def list_mine(turn: Turn, page: int) -> None:
    comments = await comment_queries.comments_of(turn.session, turn.user.id)
    if not comments:
        show_menu(turn, texts.MY_NONE)
        return
    shown, more = page_of(comments, page)
    options = [Option(label(f"{c.receipt} · {texts.STATUSES[c.status]} · {_target(c)}"),
                      f"my:c:{c.receipt}") for c in shown]
    turn.say(texts.MY_TITLE.format(count=len(comments)),
             options + navigation(more=f"my:{page + 1}" if more else None))
    turn.goto(None)


async def show_comment(turn: Turn, comment: Comment) -> None:
    """my:c:<receipt>."""
    lines = [texts.MY_DETAIL.format(
        receipt=comment.receipt, draft=_draft_title(turn, comment), target=_target(comment),
        stance=texts.STANCES[comment.stance], text=comment.text or texts.GY_NO_TEXT,
        status=texts.STATUSES[comment.status], when=turn.local(comment.created_at))]
    if comment.answer:
        lines.append(texts.MY_ANSWER.format(answer=comment.answer))
    options = []
    if _locked_reason(turn, comment) is None:
        options = [Option(texts.GY_EDIT, f"my:e:{comment.receipt}"),
                   Option(texts.MY_WITHDRAW, f"my:w:{comment.receipt}")]
    turn.say("\n\n".join(lines), options + navigation(back="my:0"))


async def ask_new_text(turn: Turn, comment: Comment) -> None:
    """my:e:<receipt>: the new text is typed in gopycuatoi.edit."""
    turn.say(texts.MY_EDIT_PROMPT.format(receipt=comment.receipt,
                                         limit=format_number(MAX_LENGTH)),
             [Option(texts.GY_CANCEL, f"my:c:{comment.receipt}")])
    turn.goto(MyComments.EDIT, Editing(receipt=comment.receipt))


async def ask_withdraw(turn: Turn, comment: Comment) -> None:
    """my:w:<receipt>."""
    turn.say(texts.MY_WITHDRAW_CONFIRM.format(receipt=comment.receipt),
             [Option(texts.MY_WITHDRAW_YES, f"my:wy:{comment.receipt}"),
              Option(texts.BACK, f"my:c:{comment.receipt}")])


async def withdraw(turn: Turn, comment: Comment) -> None:
    """my:wy:<receipt>: confirmed."""
    comment.status = CommentStatus.WITHDRAWN
    comment.updated_at = turn.now
    show_menu(turn, texts.MY_WITHDRAWN.format(receipt=comment.receipt))


async def typed_new_text(turn: Turn) -> None:
    """The new text of a comment, typed in gopycuatoi.edit."""
    editing = Editing.load(turn.data)
    comment = await _own(turn, editing.receipt) if editing else None
    if comment is None:
        stale(turn)
        return
    reason = _locked_reason(turn, comment)
    if reason:
        show_menu(turn, texts.MY_LOCKED.format(receipt=comment.receipt, reason=reason))
        return
    text = turn.inbound.text.strip()
    problem = text_problem(text, required=comment.stance != "tan_thanh")
    if problem:
        turn.say(problem, [Option(texts.GY_CANCEL, f"my:c:{comment.receipt}")])
        return
    comment.text = text
    comment.updated_at = turn.now
    turn.goto(None)
    turn.say(texts.MY_EDITED.format(receipt=comment.receipt), navigation(back="my:0"))


def register(router: Router) -> None:
    router.command("gopycuatoi", step=list_page)
    router.button("my", numbered_page)
    router.steps("my", {"list": list_page, "c": own_comment(show_comment),
                        "e": unlocked(ask_new_text), "w": unlocked(ask_withdraw),
                        "wy": unlocked(withdraw)})
    router.state(MyComments.EDIT, step=typed_new_text)
