"""How flows are assembled, routed and stored: explicit registration, one-level button
dispatch, one stale answer, typed in-progress data that survives an upgrade, diagrams."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import ConversationState, User
from handlers import texts
from handlers.announcements import AnnouncementDraft
from handlers.consent import ConsentQuestion
from handlers.consultation import Reading, Writing
from handlers.flows import FLOWS, build_router
from handlers.router import Router
from messages.types import Inbound, InboundKind
from tests.handlers.test_news import options
from tests.utils import dialog

ROOT = Path(__file__).parents[2]
_presses = itertools.count(1)


async def noop(turn) -> None:
    pass


async def press(talk, payload: str) -> list[str]:
    """A button press, whether or not the resident was shown it."""
    before = len(talk.printed)
    await talk.service.processor.handle(Inbound(
        "console", f"{talk.session}:flows{next(_presses)}", talk.user, InboundKind.BUTTON,
        button=payload))
    await talk.service.sender.drain()
    return talk.printed[before:]


async def put_state(database, address: str, state: str | None, data: dict) -> None:
    """Store a conversation position directly, as an older release may have left it."""
    async with database.transaction() as session:
        user = (await session.execute(select(User).where(User.address == address))).scalar_one()
        await session.merge(ConversationState(user_id=user.id, state=state, data=data,
                                              options=[]))


async def position(database, address: str) -> tuple[str | None, dict]:
    async with database.read() as session:
        user = (await session.execute(select(User).where(User.address == address))).scalar_one()
        row = await session.get(ConversationState, user.id)
        return (row.state, row.data) if row else (None, {})


# -- assembly ---------------------------------------------------------------------------------

def test_importing_handlers_registers_nothing():
    code = ("import sys, handlers, handlers.texts, handlers.router; "
            "print(sorted(m for m in sys.modules if m.startswith('handlers.')))")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.strip()
    assert "handlers.consultation" not in loaded and "handlers.flows" not in loaded, loaded


def test_every_flow_registers_itself_only_when_asked():
    router = build_router()
    assert router.commands and router.buttons and router.states and router.menu
    assert build_router() is not router  # each call builds its own router
    for flow in FLOWS:
        alone = Router()
        flow.register(alone)
        assert (alone.commands or alone.buttons or alone.states or alone.on_text
                or alone.on_stale_button), f"{flow.__name__} registers nothing"


@pytest.mark.parametrize("claim", [
    lambda router: router.command("menu", step=noop),
    lambda router: router.steps("gy", {"d": noop}),
    lambda router: router.button("vt", noop),
    lambda router: router.state("gopy.text", step=noop),
    lambda router: router.intents(lambda text, in_flow: None),
    lambda router: router.fallbacks(text=noop),
])
def test_a_name_claimed_twice_stops_the_build(claim):
    router = build_router()
    with pytest.raises(ValueError, match="twice"):
        claim(router)


def test_a_router_without_an_answer_for_some_event_is_refused():
    with pytest.raises(ValueError, match="on_text"):
        build_router([flow for flow in FLOWS if flow.__name__ != "handlers.search"])


@pytest.mark.parametrize("prefix", ["", "gy:d", "a:b"])
def test_a_button_prefix_is_one_word(prefix):
    with pytest.raises(ValueError, match="prefix"):
        Router().button(prefix, noop)


async def test_a_throwaway_flow_is_added_from_a_test_alone(make_settings, monkeypatch):
    """What another branch does to add a flow: a module with register(router), in FLOWS."""
    seen = []

    async def step(turn) -> None:
        seen.append(turn.value)
        turn.say("Đã nhận.")

    def register(router: Router) -> None:
        router.command("thu", step=step)
        router.steps("thu", {"a": step})

    flow = types.ModuleType("tests.throwaway_flow")
    flow.register = register
    monkeypatch.setattr("handlers.flows.FLOWS", (*FLOWS, flow))
    async with dialog(make_settings()) as talk:
        assert await talk("/thu") == ["Đã nhận."]
        assert await press(talk, "thu:a:7:8") == ["Đã nhận."]
    assert seen == ["", "7:8"]


# -- one-level dispatch and one stale answer ---------------------------------------------------

async def test_a_button_reaches_its_step_with_the_rest_of_the_payload():
    reached = []

    async def family(turn) -> None:
        reached.append(("family", turn.value))

    async def step(turn) -> None:
        reached.append(("step", turn.value))

    router = build_router()
    router.button("zz", family)
    router.steps("zz", {"s": step})
    for payload in ("zz:s:1:2", "zz:s", "zz:t:3", "zz"):
        await router.press(_bare_turn(), payload)
    assert reached == [("step", "1:2"), ("step", ""), ("family", "t:3"), ("family", "")]


def _bare_turn():
    from datetime import UTC, datetime

    from handlers.router import Turn

    return Turn(inbound=Inbound("console", "e", "a", InboundKind.BUTTON), user=User(),
                session=None, now=datetime.now(UTC))


@pytest.mark.parametrize("payload", [
    "gone:42", "gy:zz", "gy:d:no-such-draft", "gy:st:tan_thanh", "gy:send:abc", "news:zz",
    "news:art:no-such-article", "faq:q:nope", "faq:zz", "sub:zz", "quiz:zz", "qz:bad",
    "data:zz", "my:zz", "my:c:GY-NOTMINE", "consent:maybe", "tb:zz", "dy:zz", "dy:ok:abc",
])
async def test_every_stale_or_unknown_button_gets_the_one_stale_answer(make_settings, payload):
    async with dialog(make_settings()) as talk:
        await talk("/start")
        replies = await press(talk, payload)
    assert len(replies) == 1 and replies[0].startswith(texts.STALE)
    assert options(replies[0])[:2] == [texts.MENU_NEWS, texts.MENU_CONSULTATION]


# -- typed in-progress data --------------------------------------------------------------------

def test_flow_data_is_stored_with_its_flow_and_never_loads_as_another_flows():
    writing = Writing(draft="bao-cao", section="-", key="k1")
    stored = writing.dump()
    assert stored["flow"] == "gy" and Writing.load(stored) == writing
    assert Reading.load(stored) == Reading(draft="bao-cao")
    assert AnnouncementDraft.load({**stored, "text": "x"}) is None  # gy data, not tb data


def test_data_stored_before_typed_flow_data_still_loads():
    old = AnnouncementDraft.load({"tb_key": "a1", "tb_text": "Họp thôn", "tb_audience": "all"})
    assert old == AnnouncementDraft(key="a1", text="Họp thôn", audience="all")
    assert AnnouncementDraft.load(old.dump()) == old
    question = ConsentQuestion.load({"resume": "gy:c:-", "refused": "…", "draft": "bao-cao"})
    assert question.keep == {"draft": "bao-cao"} and question.dump() == {
        "resume": "gy:c:-", "refused": "…", "draft": "bao-cao"}
    assert Writing.load({"draft": "bao-cao", "page": 0, "section": "-", "key": "k",
                         "stance": "tan_thanh"}).stance == "tan_thanh"


async def test_a_comment_in_progress_when_the_code_was_upgraded_carries_on(make_settings,
                                                                           database):
    """The keys the release before typed flow data stored, without "flow"."""
    async with dialog(make_settings()) as talk:
        await talk("/start")
        await talk.choose("Đồng ý")
        await put_state(database, talk.user, "gopy.text", {
            "draft": "bao-cao", "page": 0, "section": "p1-c1", "key": "abc123",
            "stance": "khong_tan_thanh"})
        (identity,) = await talk("Phần đánh giá cần nêu rõ hơn khó khăn của thôn xóm.")
        assert identity.startswith(texts.GY_IDENTITY)
        (preview,) = await talk.choose(texts.GY_ANONYMOUS)
        assert "Chương 1. Kinh tế" in preview and "Không tán thành" in preview
    state, data = await position(database, talk.user)
    assert state is None and data["flow"] == "gy" and data["key"] == "abc123"


GARBAGE = [
    {"draft": 5, "page": "x", "section": [], "key": {}, "stance": "sai", "text": 3},
    {"flow": "other", "receipt": 1, "announcement": "abc", "topics": 3, "groups": "x"},
    {"tb_key": 1, "tb_text": [], "name": 9, "resume": 5, "refused": [], "hamlet": 2},
]


@pytest.mark.parametrize("data", GARBAGE)
async def test_a_state_whose_data_no_longer_loads_fails_soft(make_settings, database, data):
    """Every registered state, with data no release wrote: an answer, never the apology."""
    async with dialog(make_settings()) as talk:
        await talk("/start")
        await talk.choose("Đồng ý")
        for state in sorted(talk.service.processor.router.states):
            await put_state(database, talk.user, state, data)
            replies = await talk("Một câu trả lời bất kỳ")
            assert replies and texts.APOLOGY not in replies, state
        for payload in ("gy:st:tan_thanh", "gy:skip", "gy:id:anon", "gy:h:thon-1", "gy:edit",
                        "gy:send:abc", "gy:s:p1-c1", "gy:c:-", "sub:all", "sub:t:x", "sub:done",
                        "quiz:h:-", "consent:yes", "consent:no", "tb:now", "dy:nr:1",
                        "news:topic:lich-su:0"):
            await put_state(database, talk.user, "sub.topics" if payload.startswith("sub")
                            else None, data)
            replies = await press(talk, payload)
            assert replies and texts.APOLOGY not in replies, payload


# -- diagrams ----------------------------------------------------------------------------------

def _registered(flow) -> Router:
    router = Router()
    flow.register(router)
    return router


def test_every_flow_with_states_or_a_consent_detour_has_a_diagram():
    for flow in FLOWS:
        name = flow.__name__.rpartition(".")[2]
        multi_step = _registered(flow).states or "ask_consent(" in Path(flow.__file__).read_text()
        if multi_step:
            assert (ROOT / "handlers" / f"{name}.mmd").exists(), f"handlers/{name}.mmd is missing"
    for diagram in (ROOT / "handlers").glob("*.mmd"):
        assert (ROOT / "handlers" / f"{diagram.stem}.py").exists(), diagram.name


@pytest.mark.parametrize("flow", FLOWS, ids=lambda flow: flow.__name__)
def test_a_diagram_names_every_state_and_command_of_its_flow(flow):
    path = Path(flow.__file__).with_suffix(".mmd")
    if not path.exists():
        return
    diagram = path.read_text(encoding="utf-8")
    router = _registered(flow)
    for state in router.states:
        assert re.search(rf"\b{re.escape(state)}\b", diagram), f"{state} missing in {path.name}"
    for command in router.commands:
        if command != "help":  # an English alias
            assert f"/{command}" in diagram, f"/{command} missing in {path.name}"
