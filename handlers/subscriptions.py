"""Subscriptions ("Đăng ký nhận tin", /dangky): hamlet, then everything or chosen topics
and groups, then a confirmation. /huy, or typing "dừng", "hủy", "stop", ends them all."""

from __future__ import annotations

from enum import StrEnum

from content.text import fold
from db import subscriptions as queries
from handlers.consent import ask_consent
from handlers.menu import show_menu
from handlers.paging import label
from handlers.router import Turn, router
from messages.types import Option

MENU_SUBSCRIBE = "Đăng ký nhận tin"
INTRO = ("Đăng ký nhận tin: Loa Số sẽ gửi cho bạn bản tin của từng đợt tuyên truyền, nhắc các "
         "ngày lễ lớn và thông báo của thôn, chi bộ, đoàn thể nơi bạn sống.\n\n"
         "Trước hết, bạn ở thôn nào? (Thông báo riêng của thôn chỉ gửi cho người chọn thôn đó.)")
CURRENT = "Bạn đang nhận: {what}{hamlet}. Chọn lại để thay đổi."
NO_HAMLET = "Không muốn cho biết"
ASK_WHAT = "Bạn muốn nhận những tin nào?"
EVERYTHING = "Tất cả các tin"
PICK = "Chọn theo chủ đề"
ASK_TOPICS = ("Chọn các chủ đề bạn quan tâm (bấm lần nữa để bỏ chọn), rồi bấm «Tiếp tục».")
ASK_GROUPS = ("Bạn có muốn nhận thông báo của chi bộ, đoàn thể nào không? Chọn (bấm lần nữa để "
              "bỏ chọn), rồi bấm «Xong».")
NEXT = "Tiếp tục ›"
DONE = "Xong ✔"
CHOSEN_MARK = "✅ "
NOTHING_CHOSEN = "Bạn chưa chọn mục nào. Hãy chọn ít nhất một chủ đề hoặc một đoàn thể."
CONFIRMED = ("Đã đăng ký nhận tin.\n• Thôn: {hamlet}\n• Nội dung: {what}\n\n"
             "Muốn thay đổi, gõ /dangky. Muốn dừng nhận tin bất cứ lúc nào, gõ /huy "
             "(hoặc gõ «dừng»).")
HAMLET_UNKNOWN = "không cho biết"
EVERYTHING_SUMMARY = "tất cả các tin"
UNSUBSCRIBED = ("Đã hủy mọi đăng ký nhận tin: Loa Số sẽ không gửi bản tin cho bạn nữa. "
                "Muốn nhận lại, gõ /dangky.")
NOT_SUBSCRIBED = "Bạn chưa đăng ký nhận tin nào. Muốn nhận bản tin, gõ /dangky."
CHOOSE_WITH_BUTTONS = "Hãy chọn một mục ở trên (bấm nút hoặc gõ số), hoặc gõ /huy để thôi."
CONSENT_REFUSED = ("Không có sự đồng ý thì Loa Số không thể lưu đăng ký nhận tin. Bạn vẫn "
                   "đọc được mọi tin bằng /tin.")
FLOW_CANCELLED = "Đã dừng việc đăng ký; chưa có gì thay đổi."
STOP_WORDS = ("dừng", "hủy", "huỷ", "stop", "dung lai", "dừng lại", "hủy đăng ký")


class SubscribeState(StrEnum):
    HAMLET = "sub.hamlet"
    WHAT = "sub.what"
    TOPICS = "sub.topics"
    GROUPS = "sub.groups"


@router.command("dangky")
async def subscribe_command(turn: Turn) -> None:
    await start(turn)


@router.button("sub")
async def subscribe_button(turn: Turn) -> None:
    step, _, value = turn.value.partition(":")
    steps = {"start": start, "h": chose_hamlet, "all": chose_everything, "pick": show_topics,
             "t": toggle_topic, "next": show_groups, "g": toggle_group, "done": finish}
    handler = steps.get(step)
    if handler is None:
        await router.on_stale_button(turn)
        return
    if step not in ("start", "h") and turn.state not in tuple(SubscribeState):
        await start(turn)  # a button from an earlier, finished run of the flow
        return
    if step in ("h", "t", "g"):
        await handler(turn, value)
    else:
        await handler(turn)


async def start(turn: Turn) -> None:
    if not turn.has_consent:
        ask_consent(turn, resume="sub:start", refused=CONSENT_REFUSED)
        return
    current = await queries.subscriptions_of(turn.session, turn.user.id)
    if current:
        hamlet = _hamlet_name(turn, turn.user.hamlet_id)
        turn.say(CURRENT.format(what=_summary(turn, current),
                                hamlet=f" ({hamlet})" if turn.user.hamlet_id else ""))
    pack = turn.content.pack
    options = [Option(label(hamlet.name), f"sub:h:{hamlet.id}") for hamlet in pack.campaign.hamlets]
    turn.say(INTRO, options + [Option(NO_HAMLET, "sub:h:-")])
    turn.goto(SubscribeState.HAMLET)


async def chose_hamlet(turn: Turn, hamlet_id: str) -> None:
    known = {hamlet.id for hamlet in turn.content.pack.campaign.hamlets}
    if hamlet_id != "-" and hamlet_id not in known:
        await start(turn)  # the pack changed since the button was shown
        return
    turn.say(ASK_WHAT, [Option(EVERYTHING, "sub:all"), Option(PICK, "sub:pick")])
    turn.goto(SubscribeState.WHAT, hamlet=None if hamlet_id == "-" else hamlet_id,
              topics=[], groups=[])


async def chose_everything(turn: Turn) -> None:
    await _save(turn, [queries.EVERYTHING])


async def show_topics(turn: Turn) -> None:
    chosen = set(turn.data.get("topics", []))
    options = [Option(_mark(topic.name, topic.id in chosen), f"sub:t:{topic.id}")
               for topic in turn.content.pack.campaign.topics]
    turn.say(ASK_TOPICS, options + [Option(NEXT, "sub:next"), Option(EVERYTHING, "sub:all")])
    turn.goto(SubscribeState.TOPICS, **{**turn.data, "topics": sorted(chosen)})


async def toggle_topic(turn: Turn, topic_id: str) -> None:
    if topic_id in turn.content.pack.topics:
        turn.data["topics"] = sorted(set(turn.data.get("topics", [])) ^ {topic_id})
    await show_topics(turn)


async def show_groups(turn: Turn) -> None:
    groups = turn.content.pack.campaign.groups
    if not groups:
        await finish(turn)
        return
    chosen = set(turn.data.get("groups", []))
    options = [Option(_mark(group.name, group.id in chosen), f"sub:g:{group.id}")
               for group in groups]
    turn.say(ASK_GROUPS, options + [Option(DONE, "sub:done")])
    turn.goto(SubscribeState.GROUPS, **{**turn.data, "groups": sorted(chosen)})


async def toggle_group(turn: Turn, group_id: str) -> None:
    if any(group.id == group_id for group in turn.content.pack.campaign.groups):
        turn.data["groups"] = sorted(set(turn.data.get("groups", [])) ^ {group_id})
    await show_groups(turn)


async def finish(turn: Turn) -> None:
    choices = ([("topic", topic) for topic in turn.data.get("topics", [])]
               + [("group", group) for group in turn.data.get("groups", [])])
    if not choices:
        turn.say(NOTHING_CHOSEN)
        await show_topics(turn)
        return
    await _save(turn, choices)


async def _save(turn: Turn, choices: list[tuple[str, str]]) -> None:
    hamlet_id = turn.data.get("hamlet")
    turn.user.hamlet_id = hamlet_id
    await queries.replace_subscriptions(turn.session, turn.user.id, choices, turn.now)
    turn.goto(None)
    show_menu(turn, CONFIRMED.format(hamlet=_hamlet_name(turn, hamlet_id),
                                     what=_summary(turn, choices)))


@router.command("huy")
@router.keyword(*STOP_WORDS)
async def unsubscribe(turn: Turn) -> None:
    """Everything at once: one word is enough to stop, one command to come back."""
    removed = await queries.unsubscribe_all(turn.session, turn.user.id)
    turn.goto(None)
    show_menu(turn, UNSUBSCRIBED if removed else NOT_SUBSCRIBED)


@router.state(*SubscribeState)
async def typed_during_flow(turn: Turn) -> None:
    if fold(turn.inbound.text).strip(" !.") in {fold(word) for word in STOP_WORDS}:
        turn.goto(None)
        show_menu(turn, FLOW_CANCELLED)
        return
    turn.say(CHOOSE_WITH_BUTTONS)
    state = turn.state
    if state == SubscribeState.HAMLET:
        await start(turn)
    elif state == SubscribeState.WHAT:
        turn.say(ASK_WHAT, [Option(EVERYTHING, "sub:all"), Option(PICK, "sub:pick")])
    elif state == SubscribeState.TOPICS:
        await show_topics(turn)
    else:
        await show_groups(turn)


def _mark(name: str, chosen: bool) -> str:
    return label((CHOSEN_MARK if chosen else "") + name)


def _hamlet_name(turn: Turn, hamlet_id: str | None) -> str:
    for hamlet in turn.content.pack.campaign.hamlets:
        if hamlet.id == hamlet_id:
            return hamlet.name
    return HAMLET_UNKNOWN


def _summary(turn: Turn, choices: list[tuple[str, str]]) -> str:
    if queries.EVERYTHING in choices:
        return EVERYTHING_SUMMARY
    pack = turn.content.pack
    groups = {group.id: group.name for group in pack.campaign.groups}
    names = [pack.topics[ref].name if kind == "topic" and ref in pack.topics
             else groups.get(ref, ref) for kind, ref in choices]
    return "; ".join(names)


router.menu_item(MENU_SUBSCRIBE, "sub:start", order=30)
