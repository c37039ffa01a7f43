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
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from content.text import fold, words
from db.models import User
from handlers import texts
from handlers.flow_data import FlowData
from messages.types import Inbound, InboundKind, Option, Reply

Step = Callable[["Turn"], Awaitable[None]]
# Plain words → (action, argument), given whether a flow waits for a button; None: not a
# command (handlers.intents).
Understand = Callable[[str, bool], "tuple[str, str] | None"]
BACK = "back"  # the action "quay lại": the back option on screen
MENU_PAYLOAD = "menu:show"
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
    # The options shown last, [label, payload] each, for typed numbers and labels (a plain
    # payload string in rows stored before labels were kept).
    options: list[Any] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    value: str = ""  # the part of a button payload after its step (see the module docstring)
    router: Router | None = None  # the router running this turn (set by Router.dispatch)

    def say(self, text: str, options: list[Option] | tuple[Option, ...] = (), *,
            change: str | None = None) -> None:
        """Answer; `change`: this redraws the screen just pressed (messages.types.Reply)."""
        self.replies.append(Reply(text, tuple(options), change))

    def goto(self, state: str | None, data: FlowData | None = None) -> None:
        """Move to `state` with the flow's data (none: the resident is between flows)."""
        self.state = state
        self.data = data.dump() if data is not None else {}

    async def add_once(self, row: object) -> bool:
        """Store a resident's submission in a savepoint; False when its submission key is
        taken (the same preview sent twice at once: the other press won), the turn intact."""
        try:
            async with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            return False
        return True

    def local(self, moment: datetime | None) -> str:
        """The moment in the campaign's zone ("" for a moment never recorded)."""
        return moment.astimezone(self.zone).strftime(texts.LOCAL_TIME) if moment else ""

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

    def offered_options(self) -> list[list[str]]:
        """[label, payload] of the last reply with options: what a typed number or label
        refers to next."""
        for reply in reversed(self.replies):
            if reply.options:
                return [[option.label, option.payload] for option in reply.options]
        return []

    def shown_options(self) -> list[Option]:
        """The options on screen before this event (labels unknown in old rows: "")."""
        return [Option(*entry) if isinstance(entry, list) and len(entry) == 2
                else Option("", str(entry)) for entry in self.options]

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
    """The steps of every flow, by command, button and state; plain words by the intents."""

    def __init__(self) -> None:
        self.commands: dict[str, Step] = {}
        self.buttons: dict[str, Step] = {}  # "prefix:step", or "prefix" for a whole family
        self.states: dict[str, Step] = {}
        self.photo_states: set[str] = set()  # states whose step also takes a photo
        self.choosing: set[str] = set()  # states that wait for a button, not typed text
        self.understand: Understand | None = None  # plain words → action (handlers.intents)
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

    def state(self, *names: str, step: Step, choosing: bool = False,
              photos: bool = False) -> None:
        """Text typed while the resident is in one of these states runs `step`. A state
        `choosing` waits for a button: plain words ("menu", "thoát") and numbers outside the
        list are understood there first, as outside a flow. With `photos`, a photo sent
        there runs the step too (it reads `turn.inbound.photo`)."""
        for name in names:
            _claim(self.states, name, step, "state")
            if choosing:
                self.choosing.add(name)
            if photos:
                self.photo_states.add(name)

    def intents(self, understand: Understand) -> None:
        """The one table of plain words that mean a command (handlers.intents)."""
        if self.understand is not None:
            raise ValueError("intents are registered twice")
        self.understand = understand

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
        if kind == InboundKind.TEXT:
            await self._text(turn)
        elif kind == InboundKind.BUTTON:
            await self.press(turn, inbound.button or "")
        elif kind == InboundKind.COMMAND:
            step = self.commands.get(inbound.command or "") or self.on_unknown_command
            turn.goto(None)  # a command always leaves the current flow
            await _run(step, turn)
        elif kind == InboundKind.FOLLOW and self.on_follow:
            await self.on_follow(turn)
        elif kind == InboundKind.UNSUPPORTED and turn.state in self.photo_states:
            await _run(self.states[turn.state], turn)
        elif kind == InboundKind.UNSUPPORTED and self.on_unsupported:
            await self.on_unsupported(turn)
        turn.options = turn.offered_options()

    async def _text(self, turn: Turn) -> None:
        """Typed text: an option (by number or label), then, unless a flow waits for typed
        text, plain words that mean a command or numbers outside the list, then the
        state's step, or search."""
        text = turn.inbound.text
        shown = turn.shown_options()
        typing = turn.state in self.states and turn.state not in self.choosing
        number = typed_number(text)
        chosen = _chosen(shown, text, number)
        if chosen is not None:
            await self.press(turn, chosen.payload)
            return
        if not typing:
            if number is not None:
                await self._out_of_range(turn, shown)
                return
            action = self.understand(text, turn.state is not None) if self.understand else None
            if action is not None:
                await self._act(turn, shown, *action)
                return
        step = self.states.get(turn.state or "") or self.on_text
        await _run(step, turn)

    async def _out_of_range(self, turn: Turn, shown: list[Option]) -> None:
        """A number where no option has it: the range and the options again, never a search."""
        if shown and all(option.label for option in shown):
            turn.say(texts.CHOOSE_IN_RANGE.format(count=len(shown)), shown)
        else:
            turn.goto(None)
            turn.say(texts.NUMBER_WITHOUT_OPTIONS, self.menu_options())

    async def _act(self, turn: Turn, shown: list[Option], action: str, argument: str) -> None:
        """Run what plain words meant: "/command" (with `argument`), BACK (the "Quay lại"
        on screen, else the menu), or a button payload."""
        if action.startswith("/"):
            turn.inbound = replace(turn.inbound, kind=InboundKind.COMMAND,
                                   command=action[1:], text=argument)
            turn.goto(None)
            await _run(self.commands.get(action[1:]) or self.on_unknown_command, turn)
            return
        if action == BACK:
            back = next((option.payload for option in shown if option.label == texts.BACK),
                        None)
            if back is None:
                turn.goto(None)
            action = back or MENU_PAYLOAD
        else:
            turn.goto(None)
        await self.press(turn, action)

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


def typed_number(text: str) -> int | None:
    """ "2", "2.", "số 2", "chọn 2" → 2; anything else None."""
    folded = fold(text).strip(" .!)")
    for lead in ("chon so ", "chon ", "so "):
        folded = folded.removeprefix(lead)
    # ASCII digits only: "²" and "①" are digits to str.isdigit() but not to int()
    return int(folded) if folded.isascii() and folded.isdigit() and len(folded) < 6 else None


def _chosen(shown: list[Option], text: str, number: int | None) -> Option | None:
    """The option typed by its number, or by its label (any case, with or without
    diacritics: "quay lai" for "Quay lại")."""
    if number is not None:
        return shown[number - 1] if 1 <= number <= len(shown) else None
    typed = words(text)
    return next((option for option in shown if typed and words(option.label) == typed), None)


def _claim(table: dict[str, Step], key: str, step: Step, what: str) -> None:
    """Two steps claiming one name is a mistake found when the router is built, not later.
    (One step may claim a name twice.)"""
    if table.get(key, step) is not step:
        raise ValueError(f"{what} {key!r} is registered twice")
    table[key] = step


def _prefix(prefix: str) -> str:
    if not prefix or ":" in prefix:
        raise ValueError(f"a button prefix is a non-empty word without ':', not {prefix!r}")
    return prefix
