"""The consultation ("Văn kiện & Góp ý", /gopy): read a draft section by section, comment.

Flow: drafts → a draft's sections (paginated) → a section → "Góp ý mục này" (or "Góp ý chung")
→ stance → text (optional only for "Tán thành") → "Ẩn danh" / "Ghi tên" (name, hamlet)
→ preview "Gửi" / "Sửa" / "Hủy" → receipt GY-…, given only after the comment is committed.
The comment being written lives in the conversation state, so a restart loses nothing.
"""

from __future__ import annotations

import secrets
from enum import StrEnum

from sqlalchemy.exc import IntegrityError

from content.models import Draft
from content.pack import FlatSection
from content.text import words
from db import comments as comment_queries
from db.models import Comment, CommentStatus, Stance
from handlers import texts
from handlers.consent import ask_consent
from handlers.menu import show_menu
from handlers.news import stale
from handlers.paging import int_or_zero, label, navigation, page_of
from handlers.router import Turn, router
from messages.types import Option

MIN_LENGTH = 10
MAX_LENGTH = 4000
QUOTE_LENGTH = 1000
LABEL_LENGTH = 400  # the column's size; headings from Word can be long


class Compose(StrEnum):
    """Steps that wait for typed text; the others wait for a button."""

    TEXT = "gopy.text"
    NAME = "gopy.name"


# -- when a draft takes comments --------------------------------------------------------------

def draft_window(turn: Turn, draft: Draft) -> tuple[str, str]:
    """("open" | "not_yet" | "closed", the relevant time as residents read it)."""
    pack = turn.content.pack
    opens, closes = pack.local(draft.opens), pack.local(draft.closes)
    if turn.now < opens:
        return "not_yet", turn.local(opens)
    if turn.now >= closes:
        return "closed", turn.local(closes)
    return "open", turn.local(closes)


def window_line(turn: Turn, draft: Draft) -> str:
    state, when = draft_window(turn, draft)
    return {"open": texts.GY_OPEN_UNTIL, "not_yet": texts.GY_OPENS_AT,
            "closed": texts.GY_CLOSED_AT}[state].format(when=when)


def is_open(turn: Turn, draft: Draft) -> bool:
    return draft_window(turn, draft)[0] == "open"


def current_draft(turn: Turn) -> Draft | None:
    return turn.content.pack.drafts.get(turn.data.get("draft", ""))


def target_label(draft: Draft, section: FlatSection | None) -> str:
    if section is None:
        return texts.GY_GENERAL_TARGET.format(title=draft.title)
    return section.label


# -- reading ----------------------------------------------------------------------------------

@router.command("gopy")
@router.button("gy")
async def consultation(turn: Turn) -> None:
    """Dispatch gy:<step>:<args>; /gopy opens the list of drafts."""
    step, _, args = turn.value.partition(":")
    steps = {"": list_drafts, "list": list_drafts, "d": show_draft, "s": show_section,
             "c": start_comment, "st": choose_stance, "skip": skip_text, "id": choose_identity,
             "h": choose_hamlet, "send": send, "edit": edit, "cancel": cancel}
    step_function = steps.get(step)
    if step_function is None:
        stale(turn)
        return
    await step_function(turn, args)


async def list_drafts(turn: Turn, args: str = "") -> None:
    drafts = sorted(turn.content.pack.drafts.values(),
                    key=lambda draft: (not is_open(turn, draft), draft.title))
    if not drafts:
        show_menu(turn, texts.GY_NO_DRAFTS)
        return
    shown, more = page_of(drafts, int_or_zero(args))
    options = [Option(label(draft.title), f"gy:d:{draft.id}") for draft in shown]
    turn.say(texts.GY_DRAFTS, options + navigation(
        more=f"gy:list:{int_or_zero(args) + 1}" if more else None))
    turn.goto(None)


async def show_draft(turn: Turn, args: str) -> None:
    draft_id, _, page = args.partition(":")
    draft = turn.content.pack.drafts.get(draft_id)
    if draft is None:
        stale(turn)
        return
    sections = turn.content.pack.sections[draft.id]
    page_number = int_or_zero(page)
    shown, more = page_of(sections, page_number)
    lines = [texts.GY_DRAFT_HEAD.format(title=draft.title, level=texts.LEVELS[draft.level],
                                        version=draft.version)]
    if draft.sample:
        lines.append(texts.GY_SAMPLE)
    lines.append(window_line(turn, draft))
    if draft.summary and page_number == 0:
        lines.append(draft.summary)
    lines.append(texts.GY_PICK_SECTION)
    options = [Option(label("  " * flat.depth + flat.section.heading), f"gy:s:{flat.section.id}")
               for flat in shown]
    if is_open(turn, draft):
        options.append(Option(texts.GY_GENERAL, "gy:c:-"))
    more_payload = f"gy:d:{draft.id}:{page_number + 1}" if more else None
    turn.say("\n\n".join(lines), options + navigation(more=more_payload, back="gy:list"))
    turn.goto(None, draft=draft.id, page=page_number)


async def show_section(turn: Turn, section_id: str) -> None:
    draft = current_draft(turn)
    flat = turn.content.pack.section(draft.id, section_id) if draft else None
    if flat is None:
        stale(turn)
        return
    body = flat.section.text.strip() or "…"
    options = [Option(texts.GY_THIS_SECTION, f"gy:c:{section_id}")] if is_open(turn, draft) else []
    back = f"gy:d:{draft.id}:{turn.data.get('page', 0)}"
    turn.say(f"📌 {flat.label}\n\n{body}", options + navigation(back=back))


# -- composing --------------------------------------------------------------------------------

async def start_comment(turn: Turn, section_id: str) -> None:
    draft = current_draft(turn)
    if draft is None or (section_id != "-" and turn.content.pack.section(draft.id, section_id)
                         is None):
        stale(turn)
        return
    if not is_open(turn, draft):
        show_menu(turn, texts.GY_NOT_OPEN.format(reason=window_line(turn, draft)))
        return
    if not turn.has_consent:
        turn.say(texts.GY_NEEDS_CONSENT)
        ask_consent(turn, resume=f"gy:c:{section_id}", refused=texts.GY_CONSENT_REFUSED,
                    draft=draft.id)
        return
    flat = None if section_id == "-" else turn.content.pack.section(draft.id, section_id)
    turn.goto(None, draft=draft.id, page=turn.data.get("page", 0), section=section_id,
              key=secrets.token_hex(6))
    stances = [Option(texts.STANCES[stance], f"gy:st:{stance}") for stance in Stance]
    turn.say(texts.GY_CHOOSE_STANCE.format(target=target_label(draft, flat)),
             stances + [Option(texts.GY_CANCEL, "gy:cancel")])


def _composing(turn: Turn) -> Draft | None:
    """The draft of the comment being written, or None (and a stale answer) if there is none."""
    draft = current_draft(turn)
    if draft is None or "key" not in turn.data:
        stale(turn)
        return None
    return draft


async def choose_stance(turn: Turn, stance: str) -> None:
    if _composing(turn) is None:
        return
    if stance not in texts.STANCES:
        stale(turn)
        return
    turn.data["stance"] = stance
    ask_for_text(turn)


def ask_for_text(turn: Turn) -> None:
    stance = turn.data["stance"]
    if stance == Stance.AGREE:
        turn.say(texts.GY_TYPE_TEXT_OPTIONAL, [Option(texts.GY_SKIP, "gy:skip"),
                                               Option(texts.GY_CANCEL, "gy:cancel")])
    else:
        turn.say(texts.GY_TYPE_REASONS.format(stance=texts.STANCES[stance]) + " "
                 + texts.GY_TYPE_TEXT.format(limit=f"{MAX_LENGTH:,}".replace(",", ".")),
                 [Option(texts.GY_CANCEL, "gy:cancel")])
    turn.goto(Compose.TEXT, **turn.data)


def text_problem(text: str, *, required: bool) -> str | None:
    """Why this comment text cannot be taken, in words for the resident; None if it can."""
    count = len(text)
    if count > MAX_LENGTH:
        return texts.GY_TOO_LONG.format(count=f"{count:,}".replace(",", "."),
                                        limit=f"{MAX_LENGTH:,}".replace(",", "."))
    if not text and not required:
        return None
    if not words(text):
        return texts.GY_NO_WORDS
    if count < MIN_LENGTH:
        return texts.GY_TOO_SHORT.format(count=count, minimum=MIN_LENGTH)
    return None


@router.state(Compose.TEXT)
async def typed_text(turn: Turn) -> None:
    if _composing(turn) is None:
        return
    text = turn.inbound.text.strip()
    problem = text_problem(text, required=turn.data["stance"] != Stance.AGREE)
    if problem:
        turn.say(problem, [Option(texts.GY_CANCEL, "gy:cancel")])
        return
    turn.data["text"] = text
    ask_identity(turn)


async def skip_text(turn: Turn, args: str = "") -> None:
    if _composing(turn) is None:
        return
    if turn.data.get("stance") != Stance.AGREE:
        ask_for_text(turn)  # reasons are required for the other stances
        return
    turn.data["text"] = ""
    ask_identity(turn)


def ask_identity(turn: Turn) -> None:
    turn.say(texts.GY_IDENTITY, [Option(texts.GY_ANONYMOUS, "gy:id:anon"),
                                 Option(texts.GY_SIGNED, "gy:id:name"),
                                 Option(texts.GY_CANCEL, "gy:cancel")])
    turn.goto(None, **turn.data)


async def choose_identity(turn: Turn, choice: str) -> None:
    if _composing(turn) is None:
        return
    if choice == "anon":
        turn.data.update(name=None, hamlet=None)
        preview(turn)
    else:
        turn.say(texts.GY_TYPE_NAME, [Option(texts.GY_CANCEL, "gy:cancel")])
        turn.goto(Compose.NAME, **turn.data)


@router.state(Compose.NAME)
async def typed_name(turn: Turn) -> None:
    if _composing(turn) is None:
        return
    name = " ".join(turn.inbound.text.split())
    if not words(name) or len(name) > 100:
        turn.say(texts.GY_BAD_NAME, [Option(texts.GY_CANCEL, "gy:cancel")])
        return
    turn.data["name"] = name
    hamlets = turn.content.pack.campaign.hamlets
    if not hamlets:
        turn.data["hamlet"] = None
        preview(turn)
        return
    options = [Option(label(hamlet.name), f"gy:h:{hamlet.id}") for hamlet in hamlets]
    turn.say(texts.GY_PICK_HAMLET, options + [Option(texts.GY_CANCEL, "gy:cancel")])
    turn.goto(None, **turn.data)


async def choose_hamlet(turn: Turn, hamlet_id: str) -> None:
    if _composing(turn) is None:
        return
    if not any(hamlet.id == hamlet_id for hamlet in turn.content.pack.campaign.hamlets):
        stale(turn)
        return
    turn.data["hamlet"] = hamlet_id
    preview(turn)


def _who(turn: Turn) -> str:
    if not turn.data.get("name"):
        return texts.GY_ANONYMOUS
    hamlet = next((h.name for h in turn.content.pack.campaign.hamlets
                   if h.id == turn.data.get("hamlet")), "")
    return f"{turn.data['name']}, {hamlet}" if hamlet else turn.data["name"]


def preview(turn: Turn) -> None:
    draft = current_draft(turn)
    section = turn.data["section"]
    flat = None if section == "-" else turn.content.pack.section(draft.id, section)
    turn.say(texts.GY_PREVIEW.format(
        draft=draft.title, target=target_label(draft, flat),
        stance=texts.STANCES[turn.data["stance"]], text=turn.data["text"] or texts.GY_NO_TEXT,
        who=_who(turn)),
        [Option(texts.GY_SEND, f"gy:send:{turn.data['key']}"), Option(texts.GY_EDIT, "gy:edit"),
         Option(texts.GY_CANCEL, "gy:cancel")])
    turn.goto(None, **turn.data)


async def edit(turn: Turn, args: str = "") -> None:
    if _composing(turn) is None or "stance" not in turn.data:
        return
    ask_for_text(turn)


async def cancel(turn: Turn, args: str = "") -> None:
    show_menu(turn, texts.GY_CANCELLED)
    turn.goto(None)


async def send(turn: Turn, key: str) -> None:
    """Commit the comment, then (and only then) give the receipt. One comment per preview."""
    submission = f"{turn.user.id}:{key}"
    earlier = await comment_queries.find_by_submission(turn.session, submission)
    if earlier is not None:
        turn.say(texts.GY_ALREADY_SENT.format(receipt=earlier.receipt))
        return
    draft = current_draft(turn)
    if draft is None or turn.data.get("key") != key or "text" not in turn.data:
        stale(turn)
        return
    state, when = draft_window(turn, draft)
    if state != "open":
        show_menu(turn, texts.GY_CLOSED_WHILE_TYPING.format(
            when=when, text=turn.data["text"] or texts.GY_NO_TEXT))
        turn.goto(None)
        return
    section_id = turn.data["section"]
    flat = None if section_id == "-" else turn.content.pack.section(draft.id, section_id)
    comment = Comment(
        receipt=await comment_queries.unused_receipt(turn.session), submission_key=submission,
        draft_id=draft.id, draft_version=draft.version,
        section_id=flat.section.id if flat else None,
        section_label=flat.label[:LABEL_LENGTH] if flat else "",
        section_order=flat.order if flat else -1,
        section_quote=(flat.section.text[:QUOTE_LENGTH] if flat else ""),
        stance=turn.data["stance"], text=turn.data["text"], user_id=turn.user.id,
        signed_name=turn.data.get("name"), hamlet_id=turn.data.get("hamlet"),
        source=turn.inbound.channel, status=CommentStatus.NEW, created_at=turn.now,
        updated_at=turn.now)
    try:
        async with turn.session.begin_nested():
            turn.session.add(comment)
    except IntegrityError:  # the same preview sent twice at once: the other press won
        earlier = await comment_queries.find_by_submission(turn.session, submission)
        turn.say(texts.GY_ALREADY_SENT.format(receipt=earlier.receipt if earlier else "?"))
        return
    turn.say(texts.GY_RECEIPT.format(receipt=comment.receipt),
             [Option(texts.MENU_CONSULTATION, f"gy:d:{draft.id}"), Option(texts.MENU, "menu:show")])
    turn.goto(None, draft=draft.id)


router.menu_item(texts.MENU_CONSULTATION, "gy:list", order=20)
