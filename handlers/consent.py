"""Consent: the privacy notice, then an explicit "Đồng ý" before anything personal is kept."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Self

from pydantic import ConfigDict

from content.text import fold
from db.outputs import count_arrival
from handlers import texts
from handlers.flow_data import FlowData
from handlers.menu import show_menu
from handlers.router import Router, Turn
from messages.source_tags import source_of_start
from messages.types import Option


class ConsentState(StrEnum):
    ASKED = "consent.asked"


CONSENT_OPTIONS = (Option(texts.CONSENT_YES, "consent:yes"), Option(texts.CONSENT_NO, "consent:no"),
                   Option(texts.MENU, "menu:show"))
TYPED_YES = ("dong y", "co", "ok", "yes")
TYPED_NO = ("khong dong y", "khong", "no")


class ConsentQuestion(FlowData):
    """The notice is on screen. `resume`: the button payload to carry on with once the
    resident agrees; `refused`: what the asking flow says if they do not; `keep`: the asking
    flow's own data, given back either way.

    Stored flat, `keep`'s keys beside the other two, as every release has stored it."""

    resume: str | None = None
    refused: str | None = None
    keep: dict[str, Any] = {}

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> Self | None:
        keep = {key: value for key, value in data.items() if key not in ("resume", "refused")}
        return super().load({"resume": data.get("resume"), "refused": data.get("refused"),
                             "keep": keep})

    def dump(self) -> dict[str, Any]:
        return {**self.keep, **({"resume": self.resume} if self.resume else {}),
                **({"refused": self.refused} if self.refused else {})}


class Kept(FlowData):
    """Any flow's data, given back unchanged after the consent question."""

    model_config = ConfigDict(frozen=True, extra="allow")


# LOASO_RETENTION_DAYS' default, for turns without settings (handlers never import bot/;
# a test keeps the two equal).
DEFAULT_RETENTION_DAYS = 365


def retention_days(turn: Turn) -> int:
    """The retention period the notice promises: the configured one, else the default."""
    days = getattr(turn.settings, "retention_days", None)
    return days if days is not None else DEFAULT_RETENTION_DAYS


def ask_consent(turn: Turn, *, resume: str | None = None, refused: str | None = None,
                keep: FlowData | None = None) -> None:
    """Show the notice with the two buttons and wait for a tap (or a typed answer).

    A flow that needs consent (commenting, subscribing) passes `resume` so the resident
    continues where they were, `refused` for what it says when they do not agree, and
    `keep` for its data, which the step that `resume` names finds again.
    """
    turn.say(texts.PRIVACY_NOTICE.format(days=retention_days(turn)),
             CONSENT_OPTIONS[:2] + (Option(texts.PRIVACY_MORE, "privacy:full"),
                                    *CONSENT_OPTIONS[2:]))
    turn.goto(ConsentState.ASKED, ConsentQuestion(
        resume=resume, refused=refused, keep=keep.dump() if keep is not None else {}))


def consent_to_write(turn: Turn, *, resume: str | None = None, refused: str | None = None,
                     keep: FlowData | None = None) -> bool:
    """The one guard before any write of personal data (a comment's identity, a hamlet, a
    subscription, a leaderboard name, an announcement's author): True if consent holds now.

    Checked where the data is written, not only where a flow starts: consent may have been
    withdrawn mid-flow (an old "Không đồng ý" button), and a button may be forged or typed.
    Otherwise nothing is written; the resident is told why and asked again, and `resume`
    carries on once they agree.
    """
    if turn.has_consent:
        return True
    turn.say(texts.CONSENT_NEEDED_TO_SAVE)
    ask_consent(turn, resume=resume, refused=refused, keep=keep)
    return False


INVITE_START = "vt-"  # t.me/<bot>?start=vt-<code>: the link beside an invite's QR code


async def start(turn: Turn) -> None:
    """Greet; ask for consent unless it was given for the current notice. Opened from an
    invite's link, redeem its code (handlers/roles.py, which asks for consent if needed). A
    first contact through a poster's link (`/start src-<tag>`) adds one to that poster's
    count, and nothing about the resident (issue 19)."""
    payload = turn.inbound.text.strip()
    if payload.startswith(INVITE_START):
        await turn.press("vt:" + payload[len(INVITE_START):])
        return
    source = source_of_start(turn.inbound.text)
    # first contact: the resident's row was made by this very event (same clock reading), not
    # "a few seconds ago", which a quick second /start would also be
    if source is not None and turn.user.created_at >= turn.now:
        await count_arrival(turn.session, source, turn.now.astimezone(turn.zone).date())
    turn.say(texts.GREETING)
    if turn.has_consent and turn.user.consent_version == texts.PRIVACY_NOTICE_VERSION:
        show_menu(turn)
    else:
        ask_consent(turn)


async def agree(turn: Turn) -> None:
    """consent:yes: record it with the notice version, time and event; carry on if a flow
    asked."""
    user = turn.user
    resume, _ = _answered(turn)
    if user.consent_at is not None and user.consent_version == texts.PRIVACY_NOTICE_VERSION:
        turn.say(texts.CONSENT_ALREADY.format(when=turn.local(user.consent_at)))
    else:
        user.consent_version = texts.PRIVACY_NOTICE_VERSION
        user.consent_at = turn.now
        user.consent_evidence = f"{turn.inbound.channel}:{turn.inbound.event_id}"
        turn.say(texts.CONSENT_RECORDED)
    if resume:
        await turn.press(resume)
    else:
        show_menu(turn)


async def decline(turn: Turn) -> None:
    """consent:no: respected; a consent given before is withdrawn."""
    user = turn.user
    resume, refused = _answered(turn)
    if resume:
        show_menu(turn, refused or texts.CONSENT_DECLINED)
        return
    if user.consent_at is not None:
        user.consent_version = user.consent_at = user.consent_evidence = None
        turn.say(texts.CONSENT_WITHDRAWN)
    else:
        turn.say(texts.CONSENT_DECLINED)
    show_menu(turn)


def _answered(turn: Turn) -> tuple[str | None, str | None]:
    """Leave the question, giving the asking flow its data back; (resume, refused) if the
    answer is to the question just asked (an old button's answer resumes nothing)."""
    question = ConsentQuestion.load(turn.data) or ConsentQuestion()
    asked = turn.state == ConsentState.ASKED
    turn.goto(None, Kept.model_validate(question.keep) if question.keep else None)
    return (question.resume, question.refused) if asked else (None, None)


async def consent_typed(turn: Turn) -> None:
    """Accept a typed answer, for residents who write instead of tapping."""
    answer = fold(turn.inbound.text)
    if answer in TYPED_YES:
        await agree(turn)
    elif answer in TYPED_NO:
        await decline(turn)
    else:  # not an answer: reading needs no consent, so treat it as any other text
        turn.goto(None)
        await turn.read_as_text()


async def privacy(turn: Turn) -> None:
    """Show the notice again with the resident's current consent status."""
    if turn.has_consent:
        status = texts.CONSENT_STATUS_GIVEN.format(when=turn.local(turn.user.consent_at),
                                                   version=turn.user.consent_version)
    else:
        status = texts.CONSENT_STATUS_NONE
    turn.say(status)
    ask_consent(turn)


async def full_notice(turn: Turn) -> None:
    """privacy:full ("Xem đầy đủ"): the whole notice; the question stays where it was."""
    turn.say(texts.PRIVACY_NOTICE_FULL.format(version=texts.PRIVACY_NOTICE_VERSION,
                                              days=retention_days(turn)), CONSENT_OPTIONS)


def register(router: Router) -> None:
    router.command("start", step=start)
    router.fallbacks(follow=start)
    router.steps("consent", {"yes": agree, "no": decline})
    router.state(ConsentState.ASKED, step=consent_typed, choosing=True)
    router.steps("privacy", {"full": full_notice})
    router.button("privacy", privacy)
    router.menu_item(texts.MENU_PRIVACY, "privacy:show", order=90)
