"""Route a neutral event to a flow step by button, command, or the resident's current state.

Flows register their steps on the shared `router`; every step is `async def step(turn)`.
A step reads and writes through `turn.session`, answers with `turn.say(...)` and moves the
conversation with `turn.goto(...)`. Nothing here knows which platform the event came from.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from content.text import fold
from db.models import User
from messages.types import Inbound, InboundKind, Option, Reply

Step = Callable[["Turn"], Awaitable[None]]


@dataclass
class Turn:
    """One event being handled: who, what, where they are, and what we answer."""

    inbound: Inbound
    user: User
    session: AsyncSession
    now: datetime
    as_of: datetime | None = None  # the campaign date to show; `loaso chat --as-of` previews
    zone: tzinfo = UTC  # the campaign's time zone, for every date a resident reads
    content: Any = None  # content.store.Content snapshot: the pack and its search index
    settings: Any = None  # bot.settings.Settings: the few knobs flows need (retention, quiz)
    state: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    options: list[str] = field(default_factory=list)  # payloads shown last, for numbers
    replies: list[Reply] = field(default_factory=list)
    value: str = ""  # the part of a button payload after "prefix:"

    def say(self, text: str, options: list[Option] | tuple[Option, ...] = ()) -> None:
        self.replies.append(Reply(text, tuple(options)))

    def goto(self, state: str | None, **data: Any) -> None:
        self.state = state
        self.data = data

    def local(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%H:%M ngày %d/%m/%Y")

    @property
    def campaign_time(self) -> datetime:
        return self.as_of or self.now

    @property
    def has_consent(self) -> bool:
        return self.user.consent_at is not None

    def offered_options(self) -> list[str]:
        """Payloads of the last reply with options: what a typed number refers to next."""
        for reply in reversed(self.replies):
            if reply.options:
                return [option.payload for option in reply.options]
        return []


@dataclass(frozen=True)
class MenuEntry:
    label: str
    payload: str
    order: int


class Router:
    def __init__(self) -> None:
        self.commands: dict[str, Step] = {}
        self.buttons: dict[str, Step] = {}
        self.states: dict[str, Step] = {}
        self.menu: list[MenuEntry] = []
        self.on_follow: Step | None = None
        self.on_unsupported: Step | None = None
        self.on_unknown_command: Step | None = None
        self.on_stale_button: Step | None = None
        self.on_text: Step | None = None  # plain text outside any flow
        self.keywords: dict[str, Step] = {}  # whole typed words outside a flow, folded

    # -- registration ----------------------------------------------------------------------

    def command(self, *names: str) -> Callable[[Step], Step]:
        def register(step: Step) -> Step:
            for name in names:
                self.commands[name] = step
            return step
        return register

    def button(self, prefix: str) -> Callable[[Step], Step]:
        def register(step: Step) -> Step:
            self.buttons[prefix] = step
            return step
        return register

    def state(self, *names: str) -> Callable[[Step], Step]:
        def register(step: Step) -> Step:
            for name in names:
                self.states[name] = step
            return step
        return register

    def keyword(self, *words: str) -> Callable[[Step], Step]:
        """Plain words ("dừng", "stop") that mean a command when typed outside a flow."""
        def register(step: Step) -> Step:
            for word in words:
                self.keywords[fold(word)] = step
            return step
        return register

    def menu_item(self, label: str, payload: str, order: int) -> None:
        self.menu.append(MenuEntry(label, payload, order))
        self.menu.sort(key=lambda entry: entry.order)

    def menu_options(self) -> list[Option]:
        return [Option(entry.label, entry.payload) for entry in self.menu]

    # -- dispatch --------------------------------------------------------------------------

    async def dispatch(self, turn: Turn) -> None:
        inbound = turn.inbound
        kind = inbound.kind
        if kind == InboundKind.TEXT and (payload := self._numbered_choice(turn)) is not None:
            await self.press(turn, payload)
        elif kind == InboundKind.BUTTON:
            await self.press(turn, inbound.button or "")
        elif kind == InboundKind.COMMAND:
            step = self.commands.get(inbound.command or "")
            turn.goto(None)  # a command always leaves the current flow
            await (step or self.on_unknown_command)(turn)
        elif kind == InboundKind.TEXT:
            step = (self.states.get(turn.state or "")
                    or self.keywords.get(fold(inbound.text).strip(" !.")) or self.on_text)
            await step(turn)
        elif kind == InboundKind.FOLLOW and self.on_follow:
            await self.on_follow(turn)
        elif kind == InboundKind.UNSUPPORTED and self.on_unsupported:
            await self.on_unsupported(turn)
        turn.options = turn.offered_options()

    def _numbered_choice(self, turn: Turn) -> str | None:
        text = turn.inbound.text.strip().rstrip(".")
        if text.isdigit() and 1 <= int(text) <= len(turn.options):
            return turn.options[int(text) - 1]
        return None

    async def press(self, turn: Turn, payload: str) -> None:
        """Run the step a button payload names (also used to resume a flow after consent)."""
        prefix, _, value = payload.partition(":")
        step = self.buttons.get(prefix)
        if step is None:
            await self.on_stale_button(turn)
            return
        turn.value = value
        await step(turn)


router = Router()
