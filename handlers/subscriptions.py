"""Subscriptions ("Đăng ký nhận tin", /dangky): hamlet, then everything or chosen topics
and groups, then a confirmation. /huy, or typing "dừng", "hủy", "stop", ends them all.
The steps are drawn in handlers/subscriptions.mmd."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum

from content.text import fold
from db import subscriptions as queries
from handlers import texts
from handlers.consent import ask_consent, consent_to_write
from handlers.flow_data import FlowData
from handlers.menu import show_menu, stale
from handlers.paging import label
from handlers.router import Router, Step, Turn
from messages.types import Option


class SubscribeState(StrEnum):
    HAMLET = "sub.hamlet"
    WHAT = "sub.what"
    TOPICS = "sub.topics"
    GROUPS = "sub.groups"


class Choice(FlowData):
    """What the resident has chosen so far; saved only at the end."""

    flow = "sub"
    hamlet: str | None = None  # None: they would rather not say
    topics: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


STOP_WORDS = frozenset(fold(word) for word in texts.SUB_STOP_WORDS)
MENU_OPTION = Option(texts.MENU, "menu:show")  # every screen that waits for a button has a way out
ChoiceStep = Callable[[Turn, Choice], Awaitable[None]]


def in_flow(step: ChoiceStep) -> Step:
    """A step after the hamlet: given the choice so far. A button from an earlier, finished
    run of the flow starts it again."""
    async def with_choice(turn: Turn) -> None:
        if turn.state not in tuple(SubscribeState):
            await start(turn)
            return
        choice = Choice.load(turn.data)
        if choice is None:
            stale(turn)
            return
        await step(turn, choice)
    return with_choice


async def start(turn: Turn) -> None:
    """/dangky, sub:start: the current subscriptions, if any, and the hamlets."""
    if not turn.has_consent:
        ask_consent(turn, resume="sub:start", refused=texts.SUB_CONSENT_REFUSED)
        return
    current = await queries.subscriptions_of(turn.session, turn.user.id)
    if current:
        hamlet = _hamlet_name(turn, turn.user.hamlet_id)
        turn.say(texts.SUB_CURRENT.format(what=_summary(turn, current),
                                          hamlet=f" ({hamlet})" if turn.user.hamlet_id else ""))
    pack = turn.content.pack
    options = [Option(label(hamlet.name), f"sub:h:{hamlet.id}") for hamlet in pack.campaign.hamlets]
    turn.say(texts.SUB_INTRO, options + [Option(texts.SUB_NO_HAMLET, "sub:h:-"), MENU_OPTION])
    turn.goto(SubscribeState.HAMLET)


async def chose_hamlet(turn: Turn) -> None:
    """sub:h:<hamlet> ("-": not said)."""
    hamlet_id = turn.value
    known = {hamlet.id for hamlet in turn.content.pack.campaign.hamlets}
    if hamlet_id != "-" and hamlet_id not in known:
        await start(turn)  # the pack changed since the button was shown
        return
    await ask_what(turn, Choice(hamlet=None if hamlet_id == "-" else hamlet_id))


async def ask_what(turn: Turn, choice: Choice) -> None:
    turn.say(texts.SUB_ASK_WHAT, [Option(texts.SUB_EVERYTHING, "sub:all"),
                                  Option(texts.SUB_PICK, "sub:pick"), MENU_OPTION])
    turn.goto(SubscribeState.WHAT, choice)


async def chose_everything(turn: Turn, choice: Choice) -> None:
    """sub:all."""
    await _save(turn, choice, [queries.EVERYTHING])


async def show_topics(turn: Turn, choice: Choice, change: str | None = None) -> None:
    """sub:pick: the topics, the chosen ones marked; after a tap, `change` says what it
    changed (the list is redrawn in place where the channel can, else not sent again)."""
    chosen = set(choice.topics)
    options = [Option(_mark(topic.name, topic.id in chosen), f"sub:t:{topic.id}")
               for topic in turn.content.pack.campaign.topics]
    turn.say(texts.SUB_ASK_TOPICS, options + [Option(texts.SUB_NEXT, "sub:next"),
                                              Option(texts.SUB_EVERYTHING, "sub:all"),
                                              MENU_OPTION], change=change)
    turn.goto(SubscribeState.TOPICS, choice.model_copy(update={"topics": tuple(sorted(chosen))}))


async def toggle_topic(turn: Turn, choice: Choice) -> None:
    """sub:t:<topic>: chosen, or no longer."""
    topic = turn.content.pack.topics.get(turn.value)
    if topic is None:
        await show_topics(turn, choice)
        return
    added = turn.value not in choice.topics
    choice = choice.model_copy(
        update={"topics": tuple(sorted(set(choice.topics) ^ {turn.value}))})
    change = (texts.SUB_TOPIC_ADDED if added else texts.SUB_TOPIC_REMOVED).format(
        topic=topic.name, count=len(choice.topics))
    await show_topics(turn, choice, change)


async def show_groups(turn: Turn, choice: Choice) -> None:
    """sub:next: the groups, the chosen ones marked (none in the pack: done)."""
    groups = turn.content.pack.campaign.groups
    if not groups:
        await finish(turn, choice)
        return
    chosen = set(choice.groups)
    options = [Option(_mark(group.name, group.id in chosen), f"sub:g:{group.id}")
               for group in groups]
    turn.say(texts.SUB_ASK_GROUPS, options + [Option(texts.SUB_DONE, "sub:done"), MENU_OPTION])
    turn.goto(SubscribeState.GROUPS, choice.model_copy(update={"groups": tuple(sorted(chosen))}))


async def toggle_group(turn: Turn, choice: Choice) -> None:
    """sub:g:<group>: chosen, or no longer."""
    if any(group.id == turn.value for group in turn.content.pack.campaign.groups):
        choice = choice.model_copy(
            update={"groups": tuple(sorted(set(choice.groups) ^ {turn.value}))})
    await show_groups(turn, choice)


async def finish(turn: Turn, choice: Choice) -> None:
    """sub:done: save, unless nothing was chosen."""
    choices = ([("topic", topic) for topic in choice.topics]
               + [("group", group) for group in choice.groups])
    if not choices:
        turn.say(texts.SUB_NOTHING_CHOSEN)
        await show_topics(turn, choice)
        return
    await _save(turn, choice, choices)


async def _save(turn: Turn, choice: Choice, choices: list[tuple[str, str]]) -> None:
    if not consent_to_write(turn, resume="sub:start", refused=texts.SUB_CONSENT_REFUSED):
        return  # a forged or typed sub: button, or consent withdrawn mid-flow
    turn.user.hamlet_id = choice.hamlet
    await queries.replace_subscriptions(turn.session, turn.user.id, choices, turn.now)
    turn.goto(None)
    show_menu(turn, texts.SUB_CONFIRMED.format(hamlet=_hamlet_name(turn, choice.hamlet),
                                               what=_summary(turn, choices)))


async def unsubscribe(turn: Turn) -> None:
    """/huy, or a stop word: everything at once; one word to stop, one command to come back."""
    removed = await queries.unsubscribe_all(turn.session, turn.user.id)
    turn.goto(None)
    show_menu(turn, texts.SUB_UNSUBSCRIBED if removed else texts.SUB_NOT_SUBSCRIBED)


def typed_instead_of_choosing(ask_again: Step) -> Step:
    """Text in a step that waits for a button: a stop word leaves the flow with nothing
    changed; anything else gets a hint and the step's question again."""
    async def typed(turn: Turn) -> None:
        if fold(turn.inbound.text).strip(" !.") in STOP_WORDS:
            turn.goto(None)
            show_menu(turn, texts.SUB_FLOW_CANCELLED)
            return
        turn.say(texts.SUB_CHOOSE_WITH_BUTTONS)
        await ask_again(turn)
    return typed


def _mark(name: str, chosen: bool) -> str:
    return label((texts.SUB_CHOSEN_MARK if chosen else "") + name)


def _hamlet_name(turn: Turn, hamlet_id: str | None) -> str:
    for hamlet in turn.content.pack.campaign.hamlets:
        if hamlet.id == hamlet_id:
            return str(hamlet.name)
    return texts.SUB_HAMLET_UNKNOWN


def _summary(turn: Turn, choices: list[tuple[str, str]]) -> str:
    if queries.EVERYTHING in choices:
        return texts.SUB_EVERYTHING_SUMMARY
    pack = turn.content.pack
    groups = {group.id: group.name for group in pack.campaign.groups}
    names = [pack.topics[ref].name if kind == "topic" and ref in pack.topics
             else groups.get(ref, ref) for kind, ref in choices]
    return "; ".join(names)


def register(router: Router) -> None:
    router.command("dangky", step=start)
    router.steps("sub", {"start": start, "h": chose_hamlet, "all": in_flow(chose_everything),
                         "pick": in_flow(show_topics), "t": in_flow(toggle_topic),
                         "next": in_flow(show_groups), "g": in_flow(toggle_group),
                         "done": in_flow(finish)})
    router.command("huy", step=unsubscribe)
    # "dừng", "hủy"… typed: handlers.intents (/huy outside a flow, leaving this one inside)
    router.state(SubscribeState.HAMLET, step=typed_instead_of_choosing(start), choosing=True)
    router.state(SubscribeState.WHAT, step=typed_instead_of_choosing(in_flow(ask_what)),
                 choosing=True)
    router.state(SubscribeState.TOPICS, step=typed_instead_of_choosing(in_flow(show_topics)),
                 choosing=True)
    router.state(SubscribeState.GROUPS, step=typed_instead_of_choosing(in_flow(show_groups)),
                 choosing=True)
    router.menu_item(texts.MENU_SUBSCRIBE, "sub:start", order=30)
