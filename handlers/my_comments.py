"""A resident's own comments (/gopycuatoi): status, staff's answer, edit or withdraw."""

from __future__ import annotations

from enum import StrEnum

from db import comments as comment_queries
from db.models import Comment, CommentStatus
from handlers import texts
from handlers.consultation import MAX_LENGTH, draft_window, text_problem
from handlers.menu import show_menu
from handlers.news import stale
from handlers.paging import int_or_zero, label, navigation, page_of
from handlers.router import Turn, router
from messages.types import Option


class MyComments(StrEnum):
    EDIT = "gopycuatoi.edit"


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
        return texts.STALE_CONTENT
    state, when = draft_window(turn, draft)
    return None if state == "open" else texts.GY_CLOSED_AT.format(when=when)


@router.command("gopycuatoi")
@router.button("my")
async def my_comments(turn: Turn) -> None:
    """my:<page> lists; my:c:<receipt> shows; my:e / my:w / my:wy edit and withdraw."""
    step, _, receipt = turn.value.partition(":")
    if step in ("", "list") or step.isdigit():
        await list_mine(turn, int_or_zero(step if step.isdigit() else receipt))
        return
    comment = await _own(turn, receipt)
    if comment is None:
        stale(turn)
        return
    if step == "c":
        show_comment(turn, comment)
    elif step in ("e", "w", "wy"):
        reason = _locked_reason(turn, comment)
        if reason:
            show_menu(turn, texts.MY_LOCKED.format(receipt=comment.receipt, reason=reason))
        elif step == "e":
            turn.say(texts.MY_EDIT_PROMPT.format(receipt=comment.receipt,
                                                 limit=f"{MAX_LENGTH:,}".replace(",", ".")),
                     [Option(texts.GY_CANCEL, f"my:c:{comment.receipt}")])
            turn.goto(MyComments.EDIT, receipt=comment.receipt)
        elif step == "w":
            turn.say(texts.MY_WITHDRAW_CONFIRM.format(receipt=comment.receipt),
                     [Option(texts.MY_WITHDRAW_YES, f"my:wy:{comment.receipt}"),
                      Option(texts.BACK, f"my:c:{comment.receipt}")])
        else:
            comment.status = CommentStatus.WITHDRAWN
            comment.updated_at = turn.now
            show_menu(turn, texts.MY_WITHDRAWN.format(receipt=comment.receipt))
    else:
        stale(turn)


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


def show_comment(turn: Turn, comment: Comment) -> None:
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


@router.state(MyComments.EDIT)
async def typed_new_text(turn: Turn) -> None:
    comment = await _own(turn, turn.data.get("receipt", ""))
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
