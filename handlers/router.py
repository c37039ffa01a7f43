"""Route a neutral event to a flow step by button, command, or the resident's current state.

Nothing registers itself on import: each flow module has `register(router)`, and
`handlers.flows.build_router()` builds the Router from the list of flows. Every step is
`async def step(turn)`: it reads and writes through `turn.session`, answers with
`turn.say(...)` and moves the conversation with `turn.goto(state, data)`, where `data` is the
flow's typed model (handlers.flow_data). Nothing here knows which platform the event came from.

A button payload is "prefix:step:args". The step registered for "prefix:step" (with `steps`)
runs with `turn.value = args`; if there is none, the step registered for the whole prefix
(with `button`) runs with `turn.value` = everything after "prefix:"; if there is none either,
the one stale-button answer. So each button reaches its step in one lookup, and no flow
dispatches on `turn.value` again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from content.text import fold
from db.models import User
from handlers import texts
from handlers.flow_data import FlowData
from messages.types import Inbound, InboundKind, Option, Reply

Step = Callable[["Turn"], Awaitable[None]]
FALLBACKS = ("on_follow", "on_unsupported", "on_unknown_command", "on_stale_button", "on_text")


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
    data: dict[str, Any] = field(default_factory=dict)  # the state's FlowData, as stored
    options: list[str] = field(default_factory=list)  # payloads shown last, for numbers
    replies: list[Reply] = field(default_factory=list)
    value: str = ""  # the part of a button payload after its step (see the module docstring)
    router: Router | None = None  # the router running this turn (set by Router.dispatch)

    def say(self, text: str, options: list[Option] | tuple[Option, ...] = ()) -> None:
        self.replies.append(Reply(text, tuple(options)))

    def goto(self, state: str | None, data: FlowData | None = None) -> None:
        """Move to `state` with the flow's data (none: the resident is between flows)."""
        self.state = state
        self.data = data.dump() if data is not None else {}

    def local(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime(texts.LOCAL_TIME)

    @property
    def campaign_time(self) -> datetime:
        return self.as_of or self.now

    @property
    def view(self) -> Any:
        """content.view.ContentView: what a resident may see on the campaign day (the only
        way flows read articles, FAQ, quiz and calendar, so nothing shows before its date)."""
        return self.content.visible(self.campaign_time.astimezone(self.zone).date())

    @property
    def has_consent(self) -> bool:
        return self.user.consent_at is not None

    def offered_options(self) -> list[str]:
        """Payloads of the last reply with options: what a typed number refers to next."""
        for reply in reversed(self.replies):
            if reply.options:
                return [option.payload for option in reply.options]
        return []

    def menu_options(self) -> list[Option]:
        return self._router().menu_options()

    async def press(self, payload: str) -> None:
        """Run the step a button payload names, as if pressed (a flow resumed after consent)."""
        await self._router().press(self, payload)

    async def read_as_text(self) -> None:
        """Answer the typed text as if no flow were waiting for it (a search)."""
        await self._router().read_as_text(self)

    def _router(self) -> Router:
        if self.router is None:
            raise RuntimeError("a turn runs through Router.dispatch")
        return self.router


@dataclass(frozen=True)
class MenuEntry:
    label: str
    payload: str
    order: int


class Router:
    """The steps of every flow, by command, button, state and typed keyword."""

    def __init__(self) -> None:
        self.commands: dict[str, Step] = {}
        self.buttons: dict[str, Step] = {}  # "prefix:step", or "prefix" for a whole family
        self.states: dict[str, Step] = {}
        self.keywords: dict[str, Step] = {}  # whole typed words outside a flow, folded
        self.menu: list[MenuEntry] = []
        self.on_follow: Step | None = None
        self.on_unsupported: Step | None = None
        self.on_unknown_command: Step | None = None
        self.on_stale_button: Step | None = None
        self.on_text: Step | None = None  # plain text outside any flow

    # -- registration (each flow's `register(router)` calls these) -------------------------

    def command(self, *names: str, step: Step) -> None:
        """/name runs `step` (after leaving whatever flow the resident was in)."""
        for name in names:
            _claim(self.commands, name, step, "command")

    def button(self, prefix: str, step: Step) -> None:
        """Every "prefix:…" payload without its own step runs `step`, value = after "prefix:"."""
        _claim(self.buttons, _prefix(prefix), step, "button")

    def steps(self, prefix: str, table: Mapping[str, Step]) -> None:
        """"prefix:name:args" runs table[name] with value = args ("" names "prefix" alone)."""
        for name, step in table.items():
            _claim(self.buttons, f"{_prefix(prefix)}:{name}", step, "button")

    def state(self, *names: str, step: Step) -> None:
        """Text typed while the resident is in one of these states runs `step`."""
        for name in names:
            _claim(self.states, name, step, "state")

    def keyword(self, *words: str, step: Step) -> None:
        """Plain words ("dừng", "stop") that mean a command when typed outside a flow."""
        for word in words:
            _claim(self.keywords, fold(word), step, "keyword")

    def menu_item(self, label: str, payload: str, order: int) -> None:
        self.menu.append(MenuEntry(label, payload, order))
        self.menu.sort(key=lambda entry: entry.order)

    def fallbacks(self, *, follow: Step | None = None, unsupported: Step | None = None,
                  unknown_command: Step | None = None, stale_button: Step | None = None,
                  text: Step | None = None) -> None:
        """The answers for what no step claims; each is given by exactly one flow."""
        given = (follow, unsupported, unknown_command, stale_button, text)
        for name, step in zip(FALLBACKS, given, strict=True):
            if step is not None:
                if getattr(self, name) is not None:
                    raise ValueError(f"{name} is registered twice")
                setattr(self, name, step)

    def check(self) -> None:
        """Refuse a router that would have no answer for some event."""
        missing = [name for name in FALLBACKS if getattr(self, name) is None]
        if missing:
            raise ValueError(f"no flow registered {', '.join(missing)}")

    def menu_options(self) -> list[Option]:
        return [Option(entry.label, entry.payload) for entry in self.menu]

    # -- dispatch --------------------------------------------------------------------------

    async def dispatch(self, turn: Turn) -> None:
        turn.router = self
        inbound = turn.inbound
        kind = inbound.kind
        if kind == InboundKind.TEXT and (payload := self._numbered_choice(turn)) is not None:
            await self.press(turn, payload)
        elif kind == InboundKind.BUTTON:
            await self.press(turn, inbound.button or "")
        elif kind == InboundKind.COMMAND:
            step = self.commands.get(inbound.command or "") or self.on_unknown_command
            turn.goto(None)  # a command always leaves the current flow
            await _run(step, turn)
        elif kind == InboundKind.TEXT:
            step = (self.states.get(turn.state or "")
                    or self.keywords.get(fold(inbound.text).strip(" !.")) or self.on_text)
            await _run(step, turn)
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
        """Run the step a button payload names; the stale answer if none does."""
        prefix, _, rest = payload.partition(":")
        name, _, args = rest.partition(":")
        step = self.buttons.get(f"{prefix}:{name}")
        if step is not None:
            turn.value = args
        else:
            step = self.buttons.get(prefix) or self.on_stale_button
            turn.value = rest
        await _run(step, turn)

    async def read_as_text(self, turn: Turn) -> None:
        await _run(self.on_text, turn)


async def _run(step: Step | None, turn: Turn) -> None:
    if step is None:
        raise RuntimeError("no step for this event: build the router with build_router()")
    await step(turn)


def _claim(table: dict[str, Step], key: str, step: Step, what: str) -> None:
    """Two steps claiming one name is a mistake found when the router is built, not later.
    (One step may claim a name twice: "hủy" and "huỷ" fold to the same keyword.)"""
    if table.get(key, step) is not step:
        raise ValueError(f"{what} {key!r} is registered twice")
    table[key] = step


def _prefix(prefix: str) -> str:
    if not prefix or ":" in prefix:
        raise ValueError(f"a button prefix is a non-empty word without ':', not {prefix!r}")
    return prefix
