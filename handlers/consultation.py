"""The consultation ("Văn kiện & Góp ý", /gopy): read a draft section by section, comment.

Flow: drafts → a draft's sections (paginated) → a section → "Góp ý mục này" (or "Góp ý chung")
→ stance → text (optional only for "Tán thành") → "Ẩn danh" / "Ghi tên" (name, hamlet)
→ preview "Gửi" / "Sửa" / "Hủy" → receipt GY-…, given only after the comment is committed.
The comment being written lives in the conversation state, so a restart loses nothing.
"""

from __future__ import annotations

import secrets
from enum import StrEnum

from content.models import Draft
from content.pack import FlatSection
from content.text import format_number, words
from db import comments as comment_queries
from db.models import Comment, CommentStatus, Stance
from handlers import texts
from handlers.consent import ask_consent, consent_to_write
from handlers.flow_data import FlowData
from handlers.menu import show_menu, stale
from handlers.paging import int_or_zero, label, navigation, page_of
from handlers.router import Router, Turn
from messages.types import InboundKind, Option

MIN_LENGTH = 10
MAX_LENGTH = 4000
QUOTE_LENGTH = 1000
LABEL_LENGTH = 400  # the column's size; headings from Word can be long


class Compose(StrEnum):
    """Steps that wait for typed text; the others wait for a button."""

    TEXT = "gopy.text"
    NAME = "gopy.name"


class Reading(FlowData):
    """The draft being read, and the page of its sections last shown. `kept`: a comment the
    resident typed before choosing where it goes (search's "Gửi thành góp ý")."""

    flow = "gy"
    draft: str
    page: int = 0
    kept: str | None = None


class KeptComment(FlowData):
    """A sentence typed outside the flow that reads as a comment, kept for /gopy."""

    flow = "gy"
    text: str


KEPT_PAYLOAD = "gy:kept"


def kept_text(turn: Turn) -> str | None:
    """The comment typed before /gopy, if one is being carried through the flow."""
    reading = Reading.load(turn.data)
    if reading is not None:
        return reading.kept
    kept = KeptComment.load(turn.data)
    return kept.text if kept else None


class Writing(Reading):
    """A comment being written on `section` ("-": the whole draft). `key` names this comment
    from its first step to its receipt, so "Gửi" pressed twice makes one comment."""

    section: str
    key: str
    stance: Stance | None = None
    text: str | None = None  # None: not typed yet; "": skipped (only "Tán thành" may)
    name: str | None = None  # None: anonymous
    hamlet: str | None = None


# -- when a draft takes comments --------------------------------------------------------------

def draft_window(turn: Turn, draft: Draft) -> tuple[str, str]:
    """("open" | "not_yet" | "closed", the relevant time as residents read it)."""
    pack = turn.content.pack
    opens, closes = pack.local(draft.opens), pack.local(draft.closes)
    now = turn.campaign_time  # a preview (`loaso chat --as-of`) sees the draft as on that day
    if now < opens:
        return "not_yet", turn.local(opens)
    if now >= closes:
        return "closed", turn.local(closes)
    return "open", turn.local(closes)


def window_line(turn: Turn, draft: Draft) -> str:
    state, when = draft_window(turn, draft)
    return {"open": texts.GY_OPEN_UNTIL, "not_yet": texts.GY_OPENS_AT,
            "closed": texts.GY_CLOSED_AT}[state].format(when=when)


def is_open(turn: Turn, draft: Draft) -> bool:
    return draft_window(turn, draft)[0] == "open"


def current_draft(turn: Turn) -> Draft | None:
    reading = Reading.load(turn.data)
    return turn.content.pack.drafts.get(reading.draft) if reading else None


def target_label(draft: Draft, section: FlatSection | None) -> str:
    if section is None:
        return texts.GY_GENERAL_TARGET.format(title=draft.title)
    return section.label


# -- reading ----------------------------------------------------------------------------------

async def list_drafts(turn: Turn) -> None:
    """/gopy, gy:list:<page>: the drafts, open ones first."""
    drafts = sorted(turn.content.pack.drafts.values(),
                    key=lambda draft: (not is_open(turn, draft), draft.title))
    if not drafts:
        show_menu(turn, texts.GY_NO_DRAFTS)
        return
    page = int_or_zero(turn.value)
    shown, more = page_of(drafts, page)
    options = [Option(label(draft.title), f"gy:d:{draft.id}") for draft in shown]
    turn.say(texts.GY_DRAFTS, options + navigation(more=f"gy:list:{page + 1}" if more else None))
    kept = kept_text(turn) if turn.inbound.kind != InboundKind.COMMAND else None
    turn.goto(None, KeptComment(text=kept) if kept else None)


async def comment_kept(turn: Turn) -> None:
    """gy:kept: the sentence typed before becomes a comment on the open draft (or one of the
    open drafts, then chosen): the resident does not type it again."""
    kept = kept_text(turn)
    if not kept:
        stale(turn)
        return
    open_drafts = [draft for draft in turn.content.pack.drafts.values() if is_open(turn, draft)]
    if len(open_drafts) != 1:
        turn.say(texts.GY_KEPT_PICK_DRAFT if open_drafts else texts.GY_KEPT_NO_DRAFT)
        await list_drafts(turn)
        return
    turn.goto(None, Reading(draft=open_drafts[0].id, kept=kept))
    await turn.press("gy:c:-")


async def show_draft(turn: Turn) -> None:
    """gy:d:<draft>:<page>: a draft's heading and a page of its sections."""
    draft_id, _, page = turn.value.partition(":")
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
    turn.goto(None, Reading(draft=draft.id, page=page_number, kept=kept_text(turn)))


async def show_section(turn: Turn) -> None:
    """gy:s:<section>: a section of the draft being read (a comment being written stays)."""
    reading = Reading.load(turn.data)
    draft = current_draft(turn)
    flat = turn.content.pack.section(draft.id, turn.value) if draft and reading else None
    if flat is None or draft is None or reading is None:
        stale(turn)
        return
    body = flat.section.text.strip() or "…"
    options = ([Option(texts.GY_THIS_SECTION, f"gy:c:{turn.value}")]
               if is_open(turn, draft) else [])
    back = f"gy:d:{draft.id}:{reading.page}"
    turn.say(texts.GY_SECTION.format(label=flat.label, text=body), options + navigation(back=back))


# -- composing --------------------------------------------------------------------------------

async def start_comment(turn: Turn) -> None:
    """gy:c:<section> ("-": the whole draft): consent if missing, then the stance."""
    section_id = turn.value
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
                    keep=Reading(draft=draft.id, kept=kept_text(turn)))
        return
    reading = Reading.load(turn.data)
    flat = None if section_id == "-" else turn.content.pack.section(draft.id, section_id)
    turn.goto(None, Writing(draft=draft.id, page=reading.page if reading else 0,
                            section=section_id, key=secrets.token_hex(6),
                            kept=reading.kept if reading else None))
    stances = [Option(texts.STANCES[stance], f"gy:st:{stance}") for stance in Stance]
    turn.say(texts.GY_CHOOSE_STANCE.format(target=target_label(draft, flat)),
             stances + [Option(texts.GY_CANCEL, "gy:cancel"), Option(texts.MENU, "menu:show")])


def _composing(turn: Turn, *, needs: tuple[str, ...] = ()) -> tuple[Draft, Writing] | None:
    """The draft and the comment being written, with the fields `needs` names filled in;
    None (and the stale answer) if there is no such comment."""
    draft = current_draft(turn)
    comment = Writing.load(turn.data)
    if draft is None or comment is None or any(getattr(comment, name) is None for name in needs):
        stale(turn)
        return None
    return draft, comment


async def choose_stance(turn: Turn) -> None:
    """gy:st:<stance>."""
    if (composing := _composing(turn)) is None:
        return
    if turn.value not in texts.STANCES:
        stale(turn)
        return
    ask_for_text(turn, composing[1].model_copy(update={"stance": Stance(turn.value)}))


def ask_for_text(turn: Turn, comment: Writing) -> None:
    if comment.kept and text_problem(comment.kept, required=True) is None:
        turn.say(texts.GY_KEPT_USED.format(text=quote(comment.kept)))
        ask_identity(turn, comment.model_copy(update={"text": comment.kept, "kept": None}))
        return
    stance = comment.stance
    if stance == Stance.AGREE:
        turn.say(texts.GY_TYPE_TEXT_OPTIONAL, [Option(texts.GY_SKIP, "gy:skip"),
                                               Option(texts.GY_CANCEL, "gy:cancel")])
    else:
        turn.say(texts.GY_TYPE_REASONS.format(stance=texts.STANCES.get(stance or "", "")) + " "
                 + texts.GY_TYPE_TEXT.format(limit=format_number(MAX_LENGTH)),
                 [Option(texts.GY_CANCEL, "gy:cancel")])
    turn.goto(Compose.TEXT, comment)


def quote(text: str, limit: int = 200) -> str:
    """A resident's words quoted back, cut at a word boundary."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def text_problem(text: str, *, required: bool) -> str | None:
    """Why this comment text cannot be taken, in words for the resident; None if it can."""
    count = len(text)
    if count > MAX_LENGTH:
        return texts.GY_TOO_LONG.format(count=format_number(count),
                                        limit=format_number(MAX_LENGTH))
    if not text and not required:
        return None
    if not words(text):
        return texts.GY_NO_WORDS
    if count < MIN_LENGTH:
        return texts.GY_TOO_SHORT.format(count=count, minimum=MIN_LENGTH)
    return None


async def typed_text(turn: Turn) -> None:
    """The comment's text, typed in gopy.text."""
    if (composing := _composing(turn, needs=("stance",))) is None:
        return
    comment = composing[1]
    text = turn.inbound.text.strip()
    problem = text_problem(text, required=comment.stance != Stance.AGREE)
    if problem:
        turn.say(problem, [Option(texts.GY_CANCEL, "gy:cancel")])
        return
    ask_identity(turn, comment.model_copy(update={"text": text}))


async def skip_text(turn: Turn) -> None:
    """gy:skip: no text, which only "Tán thành" allows."""
    if (composing := _composing(turn, needs=("stance",))) is None:
        return
    comment = composing[1]
    if comment.stance != Stance.AGREE:
        ask_for_text(turn, comment)  # reasons are required for the other stances
        return
    ask_identity(turn, comment.model_copy(update={"text": ""}))


def ask_identity(turn: Turn, comment: Writing) -> None:
    turn.say(texts.GY_IDENTITY, [Option(texts.GY_ANONYMOUS, "gy:id:anon"),
                                 Option(texts.GY_SIGNED, "gy:id:name"),
                                 Option(texts.GY_CANCEL, "gy:cancel"),
                                 Option(texts.MENU, "menu:show")])
    turn.goto(None, comment)


async def choose_identity(turn: Turn) -> None:
    """gy:id:anon, or gy:id:name (then the name is typed in gopy.name)."""
    if (composing := _composing(turn, needs=("stance", "text"))) is None:
        return
    comment = composing[1]
    if turn.value == "anon":
        preview(turn, comment.model_copy(update={"name": None, "hamlet": None}))
    else:
        turn.say(texts.GY_TYPE_NAME, [Option(texts.GY_CANCEL, "gy:cancel")])
        turn.goto(Compose.NAME, comment)


async def typed_name(turn: Turn) -> None:
    """The signer's name, typed in gopy.name; then their hamlet, if the pack has hamlets."""
    if (composing := _composing(turn, needs=("stance", "text"))) is None:
        return
    name = " ".join(turn.inbound.text.split())
    if not words(name) or len(name) > 100:
        turn.say(texts.GY_BAD_NAME, [Option(texts.GY_CANCEL, "gy:cancel")])
        return
    comment = composing[1].model_copy(update={"name": name})
    hamlets = turn.content.pack.campaign.hamlets
    if not hamlets:
        preview(turn, comment.model_copy(update={"hamlet": None}))
        return
    options = [Option(label(hamlet.name), f"gy:h:{hamlet.id}") for hamlet in hamlets]
    turn.say(texts.GY_PICK_HAMLET, options + [Option(texts.GY_CANCEL, "gy:cancel"),
                                              Option(texts.MENU, "menu:show")])
    turn.goto(None, comment)


async def choose_hamlet(turn: Turn) -> None:
    """gy:h:<hamlet>: the signer's hamlet."""
    if (composing := _composing(turn, needs=("stance", "text"))) is None:
        return
    if not any(hamlet.id == turn.value for hamlet in turn.content.pack.campaign.hamlets):
        stale(turn)
        return
    preview(turn, composing[1].model_copy(update={"hamlet": turn.value}))


def _who(turn: Turn, comment: Writing) -> str:
    if not comment.name:
        return texts.GY_ANONYMOUS
    hamlet = next((h.name for h in turn.content.pack.campaign.hamlets
                   if h.id == comment.hamlet), "")
    return f"{comment.name}, {hamlet}" if hamlet else comment.name


def _section(turn: Turn, draft: Draft, comment: Writing) -> FlatSection | None:
    return (None if comment.section == "-"
            else turn.content.pack.section(draft.id, comment.section))


def preview(turn: Turn, comment: Writing) -> None:
    draft = current_draft(turn)
    if draft is None:
        stale(turn)
        return
    turn.say(texts.GY_PREVIEW.format(
        draft=draft.title, target=target_label(draft, _section(turn, draft, comment)),
        stance=texts.STANCES.get(comment.stance or "", ""), text=comment.text or texts.GY_NO_TEXT,
        who=_who(turn, comment)),
        [Option(texts.GY_SEND, f"gy:send:{comment.key}"), Option(texts.GY_EDIT, "gy:edit"),
         Option(texts.GY_CANCEL, "gy:cancel")])
    turn.goto(None, comment)


async def edit(turn: Turn) -> None:
    """gy:edit: type the text again."""
    if (composing := _composing(turn, needs=("stance",))) is not None:
        ask_for_text(turn, composing[1])


async def cancel(turn: Turn) -> None:
    """gy:cancel."""
    show_menu(turn, texts.GY_CANCELLED)
    turn.goto(None)


async def send(turn: Turn) -> None:
    """gy:send:<key>: commit the comment, then (and only then) give the receipt. One comment
    per preview."""
    key = turn.value
    comment = Writing.load(turn.data)
    submission = f"{turn.user.id}:{key}"
    earlier = await comment_queries.find_by_submission(turn.session, submission)
    if earlier is not None:
        turn.say(texts.GY_ALREADY_SENT.format(receipt=earlier.receipt))
        return
    draft = current_draft(turn)
    if (draft is None or comment is None or comment.key != key or comment.stance is None
            or comment.text is None):
        stale(turn)
        return
    if not consent_to_write(turn, resume=f"gy:send:{key}", refused=texts.GY_CONSENT_REFUSED,
                            keep=comment):
        return  # withdrawn mid-flow: nothing stored until given again
    if text_problem(comment.text, required=comment.stance != Stance.AGREE):
        # reached by re-tapping an old stance button after skipping the text
        turn.say(texts.GY_STANCE_NEEDS_TEXT.format(stance=texts.STANCES[comment.stance]))
        ask_for_text(turn, comment.model_copy(update={"text": None}))
        return
    state, when = draft_window(turn, draft)
    if state != "open":
        show_menu(turn, texts.GY_CLOSED_WHILE_TYPING.format(
            when=when, text=comment.text or texts.GY_NO_TEXT))
        turn.goto(None)
        return
    flat = _section(turn, draft, comment)
    row = Comment(
        receipt=await comment_queries.unused_receipt(turn.session), submission_key=submission,
        draft_id=draft.id, draft_version=draft.version,
        section_id=flat.section.id if flat else None,
        section_label=flat.label[:LABEL_LENGTH] if flat else "",
        section_order=flat.order if flat else -1,
        section_quote=(flat.section.text[:QUOTE_LENGTH] if flat else ""),
        stance=comment.stance, text=comment.text, user_id=turn.user.id,
        signed_name=comment.name, hamlet_id=comment.hamlet,
        source=turn.inbound.channel, status=CommentStatus.NEW, created_at=turn.now,
        updated_at=turn.now)
    if not await turn.add_once(row):
        earlier = await comment_queries.find_by_submission(turn.session, submission)
        turn.say(texts.GY_ALREADY_SENT.format(receipt=earlier.receipt if earlier else "?"))
        return
    turn.say(texts.GY_RECEIPT.format(receipt=row.receipt),
             [Option(texts.MENU_CONSULTATION, f"gy:d:{draft.id}"), Option(texts.MENU, "menu:show")])
    turn.goto(None, Reading(draft=draft.id))


def register(router: Router) -> None:
    router.command("gopy", step=list_drafts)
    router.steps("gy", {
        "": list_drafts, "list": list_drafts, "d": show_draft, "s": show_section,
        "c": start_comment, "st": choose_stance, "skip": skip_text, "id": choose_identity,
        "h": choose_hamlet, "send": send, "edit": edit, "cancel": cancel,
        "kept": comment_kept})
    router.state(Compose.TEXT, step=typed_text)
    router.state(Compose.NAME, step=typed_name)
    router.menu_item(texts.MENU_CONSULTATION, "gy:list", order=20)
