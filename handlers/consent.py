"""Consent: the privacy notice, then an explicit "Đồng ý" before anything personal is kept."""

from __future__ import annotations

from enum import StrEnum

from content.text import fold
from handlers import texts
from handlers.menu import show_menu
from handlers.router import Turn, router
from messages.types import Option


class ConsentState(StrEnum):
    ASKED = "consent.asked"


CONSENT_OPTIONS = (Option(texts.CONSENT_YES, "consent:yes"), Option(texts.CONSENT_NO, "consent:no"))


# LOASO_RETENTION_DAYS' default, for turns without settings (handlers never import bot/;
# a test keeps the two equal).
DEFAULT_RETENTION_DAYS = 365


def retention_days(turn: Turn) -> int:
    """The retention period the notice promises: the configured one, else the default."""
    days = getattr(turn.settings, "retention_days", None)
    return days if days is not None else DEFAULT_RETENTION_DAYS


def ask_consent(turn: Turn, *, resume: str | None = None, refused: str | None = None,
                **keep) -> None:
    """Show the notice with the two buttons and wait for a tap (or a typed answer).

    `resume` is the button payload to carry on with once the resident agrees, so a flow
    that needs consent (commenting, subscribing) continues where the resident was;
    `refused` is what that flow says when the resident does not agree.
    """
    turn.say(texts.PRIVACY_NOTICE.format(version=texts.PRIVACY_NOTICE_VERSION,
                                         days=retention_days(turn)), CONSENT_OPTIONS)
    turn.goto(ConsentState.ASKED, **({"resume": resume} if resume else {}),
              **({"refused": refused} if refused else {}), **keep)


@router.command("start")
async def start(turn: Turn) -> None:
    """Greet; ask for consent unless it was given for the current notice."""
    turn.say(texts.GREETING)
    if turn.has_consent and turn.user.consent_version == texts.PRIVACY_NOTICE_VERSION:
        show_menu(turn)
    else:
        ask_consent(turn)


router.on_follow = start


@router.button("consent")
async def consent_answer(turn: Turn) -> None:
    """Record "Đồng ý" with the notice version and time, or respect "Không đồng ý"."""
    user = turn.user
    keep = {key: value for key, value in turn.data.items() if key not in ("resume", "refused")}
    asked = turn.state == ConsentState.ASKED
    resume = turn.data.get("resume") if asked else None
    refused = turn.data.get("refused") if asked else None
    turn.goto(None, **keep)
    if turn.value == "yes":
        if user.consent_at is not None and user.consent_version == texts.PRIVACY_NOTICE_VERSION:
            turn.say(texts.CONSENT_ALREADY.format(when=turn.local(user.consent_at)))
        else:
            user.consent_version = texts.PRIVACY_NOTICE_VERSION
            user.consent_at = turn.now
            user.consent_evidence = f"{turn.inbound.channel}:{turn.inbound.event_id}"
            turn.say(texts.CONSENT_RECORDED.format(version=texts.PRIVACY_NOTICE_VERSION))
        if resume:
            await router.press(turn, resume)
            return
    elif resume:
        show_menu(turn, refused or texts.CONSENT_DECLINED)
        return
    elif user.consent_at is not None:
        user.consent_version = user.consent_at = user.consent_evidence = None
        turn.say(texts.CONSENT_WITHDRAWN)
    else:
        turn.say(texts.CONSENT_DECLINED)
    show_menu(turn)


@router.state(ConsentState.ASKED)
async def consent_typed(turn: Turn) -> None:
    """Accept a typed answer, for residents who write instead of tapping."""
    answer = fold(turn.inbound.text)
    if answer in ("dong y", "co", "ok", "yes"):
        turn.value = "yes"
        await consent_answer(turn)
    elif answer in ("khong dong y", "khong", "no"):
        turn.value = "no"
        await consent_answer(turn)
    else:  # not an answer: reading needs no consent, so treat it as any other text
        turn.goto(None)
        await router.on_text(turn)


@router.button("privacy")
async def privacy(turn: Turn) -> None:
    """Show the notice again with the resident's current consent status."""
    if turn.has_consent:
        status = texts.CONSENT_STATUS_GIVEN.format(when=turn.local(turn.user.consent_at),
                                                   version=turn.user.consent_version)
    else:
        status = texts.CONSENT_STATUS_NONE
    turn.say(status)
    ask_consent(turn)


router.menu_item(texts.MENU_PRIVACY, "privacy:show", order=90)
