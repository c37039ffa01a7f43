"""Dữ liệu của tôi (/dulieu) and /xoadulieu: what Loa Số keeps about a resident, and erasing it.

The law (91/2025/QH15) gives residents the right to know what is kept and to have it
deleted; both are one command here, and deletion happens at once on confirmation, in the
same transaction that answers the resident (db.erasure does the work).
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import func, select

from bot.channels.registry import source_label
from db import comments as comment_queries
from db.erasure import erase_resident, has_personal_data
from db.models import Announcement, QuizRound, RoleGrant, Subscription
from handlers import texts
from handlers.consent import retention_days
from handlers.menu import show_menu
from handlers.paging import label
from handlers.router import Turn, router
from messages.types import Option

MENU_MY_DATA = "Dữ liệu của tôi"
TITLE = "🗂 Dữ liệu Loa Số đang giữ về bạn"
NOTHING_KEPT = (
    "🗂 Dữ liệu của tôi\n\n"
    "Loa Số không giữ thông tin cá nhân nào của bạn. Bạn chưa đồng ý lưu dữ liệu, nên Loa Số "
    "chỉ giữ mã cuộc trò chuyện trên {channel} để trả lời tin nhắn của bạn; không lưu tên, "
    "số điện thoại hay nội dung tin nhắn.\n\n"
    "Khi bạn đăng ký nhận tin, góp ý hay thi tìm hiểu, Loa Số sẽ hỏi sự đồng ý của bạn trước."
)
ADDRESS = "📱 Mã cuộc trò chuyện trên {channel}: {address} (để trả lời bạn)."
CONSENT_GIVEN = "✅ Đồng ý lưu dữ liệu: từ {when} (thông báo phiên bản {version})."
CONSENT_NONE = "⚪ Đồng ý lưu dữ liệu: chưa đồng ý hoặc đã rút lại."
HAMLET = "🏡 Thôn: {hamlet}."
HAMLET_NONE = "🏡 Thôn: chưa chọn."
SUBSCRIBED = "📬 Đăng ký nhận tin: {what}."
SUBSCRIBED_ALL = "tất cả các tin"
SUBSCRIBED_TOPICS = "chủ đề {names}"
SUBSCRIBED_GROUPS = "tin của {names}"
SUBSCRIBED_NONE = "📬 Đăng ký nhận tin: chưa đăng ký."
LEADERBOARD = "🏆 Tên trên bảng xếp hạng thi tìm hiểu: {name}."
ROLES = "🔑 Vai trò: {roles}."
ROLE_NAMES = {"leader": "phụ trách chi bộ, đoàn thể", "staff": "cán bộ", "admin": "quản trị"}
ROLE_SCOPE = "{role} ({scope})"
ANNOUNCEMENTS = "📣 Thông báo bạn đã soạn gửi đến người dân: {count}."
COMMENTS = "✍️ Góp ý đã gửi: {count}."
COMMENTS_NONE = "✍️ Góp ý đã gửi: chưa có."
COMMENT_LINE = "• {receipt}, {when}: {target} ({status})"
COMMENTS_MORE = "• … và {count} góp ý khác (chọn «Xem góp ý của tôi»)."
QUIZ = "🎯 Thi tìm hiểu: {count} lượt đã làm xong, điểm cao nhất {best}."
QUIZ_LAST = "Lượt gần nhất ngày {day}: {score}."
QUIZ_UNFINISHED = "🎯 Thi tìm hiểu: {count} lượt đang làm dở."
QUIZ_NONE = "🎯 Thi tìm hiểu: chưa tham gia."
SCORE = "{score}/{total} câu đúng"
RETENTION = (
    "⏳ Thời hạn lưu: nếu bạn không nhắn tin cho Loa Số trong {days} ngày, các thông tin trên "
    "tự động được xóa."
)
ACTIONS = (
    "Muốn dừng nhận tin, gõ /huy. Muốn xóa toàn bộ dữ liệu trên, chọn «Xóa dữ liệu của tôi» "
    "hoặc gõ /xoadulieu."
)
SEE_COMMENTS = "Xem góp ý của tôi"
ERASE = "Xóa dữ liệu của tôi"
ERASE_NOTHING = (
    "Loa Số không giữ dữ liệu cá nhân nào của bạn, nên không có gì để xóa. Loa Số chỉ giữ "
    "mã cuộc trò chuyện để trả lời tin nhắn của bạn."
)
ERASE_CONFIRM = (
    "⚠️ Xóa dữ liệu của bạn\n\n"
    "Nếu bạn xác nhận, Loa Số sẽ làm ngay:\n"
    "• hủy mọi đăng ký nhận tin và dừng các tin đang chờ gửi cho bạn;\n"
    "• xóa thôn, tên hiển thị, kết quả thi tìm hiểu và vai trò (nếu có);\n"
    "• giữ góp ý của bạn chỉ dưới dạng ẩn danh: nội dung và mục góp ý còn lại để tổng hợp, "
    "mọi liên kết với bạn (tên, thôn, tài khoản) bị xóa, nên bạn không xem hay sửa được nữa;\n"
    "• rút lại sự đồng ý lưu dữ liệu.\n\n"
    "Việc này không hoàn tác được. Bạn chắc chắn muốn xóa?"
)
ERASE_YES = "Xóa ngay"
ERASE_NO = "Không xóa"
ERASE_KEPT = "Loa Số chưa xóa gì. Dữ liệu của bạn vẫn giữ nguyên."
ERASED = "🗑 Loa Số đã xóa dữ liệu của bạn:"
ERASED_LINES = {
    "subscriptions": "• Đã hủy {n} đăng ký nhận tin.",
    "messages_cancelled": "• Đã dừng {n} tin đang chờ gửi cho bạn.",
    "messages_in_flight": "• {n} tin đang được gửi đúng lúc này nên không dừng kịp.",
    "messages_cleared": "• Đã xóa nội dung {n} tin Loa Số từng gửi cho bạn khỏi máy chủ.",
    "profile": "• Đã xóa thôn và tên hiển thị của bạn.",
    "comments_anonymised": "• {n} góp ý được giữ lại dưới dạng ẩn danh, không còn liên kết "
                           "với bạn.",
    "quiz_rounds": "• Đã xóa {n} lượt thi tìm hiểu.",
    "roles_revoked": "• Đã thu hồi {n} vai trò.",
    "announcements_unlinked": "• {n} thông báo bạn từng gửi không còn ghi bạn là người gửi.",
    "consent": "• Đã rút lại sự đồng ý lưu dữ liệu.",
}
ERASED_END = (
    "Từ nay Loa Số chỉ giữ mã cuộc trò chuyện để trả lời bạn. Bạn vẫn đọc được mọi tin "
    "công khai; muốn đăng ký hay góp ý lại, Loa Số sẽ hỏi sự đồng ý của bạn."
)
RECENT_COMMENTS = 5


class DataState(StrEnum):
    CONFIRM = "data.confirm"


def channel_name(channel: str) -> str:
    return source_label(channel)


@router.command("dulieu")
async def my_data_command(turn: Turn) -> None:
    """Show everything kept about the resident."""
    await show_my_data(turn)


@router.command("xoadulieu")
async def erase_command(turn: Turn) -> None:
    """Ask for confirmation, then erase."""
    await ask_erase(turn)


@router.button("data")
async def data_button(turn: Turn) -> None:
    """data:show, data:erase (ask), data:yes (confirmed), data:no (keep)."""
    steps = {"show": show_my_data, "erase": ask_erase, "yes": confirm_erase, "no": keep}
    step = steps.get(turn.value)
    if step is None:
        await router.on_stale_button(turn)
        return
    await step(turn)


async def show_my_data(turn: Turn) -> None:
    user = turn.user
    channel = channel_name(user.channel)
    if not await has_personal_data(turn.session, user.id):
        show_menu(turn, NOTHING_KEPT.format(channel=channel))
        return
    pack = turn.content.pack
    comments = await comment_queries.comments_of(turn.session, user.id)
    lines = [TITLE, "", ADDRESS.format(channel=channel, address=user.address)]
    if turn.has_consent:
        lines.append(CONSENT_GIVEN.format(when=turn.local(user.consent_at),
                                          version=user.consent_version))
    else:
        lines.append(CONSENT_NONE)
    hamlets = {hamlet.id: hamlet.name for hamlet in pack.campaign.hamlets}
    lines.append(HAMLET.format(hamlet=hamlets.get(user.hamlet_id, user.hamlet_id))
                 if user.hamlet_id else HAMLET_NONE)
    lines.append(await _subscriptions(turn))
    if user.leaderboard_name:
        lines.append(LEADERBOARD.format(name=user.leaderboard_name))
    roles = await _roles(turn, hamlets)
    if roles:
        lines.append(ROLES.format(roles=roles))
    authored = (await turn.session.execute(select(func.count()).select_from(Announcement).where(
        Announcement.author_user_id == user.id))).scalar_one()
    if authored:
        lines.append(ANNOUNCEMENTS.format(count=authored))
    lines.extend(_comments(turn, comments))
    lines.extend(await _quiz(turn))
    lines += ["", RETENTION.format(days=retention_days(turn)), ACTIONS]
    options = [Option(ERASE, "data:erase")]
    if comments:
        options.append(Option(SEE_COMMENTS, "my:0"))
    turn.say("\n".join(lines), [*options, Option(texts.MENU, "menu:show")])
    turn.goto(None)


async def _subscriptions(turn: Turn) -> str:
    rows = (await turn.session.execute(
        select(Subscription.kind, Subscription.ref).where(Subscription.user_id == turn.user.id)
        .order_by(Subscription.id))).all()
    if not rows:
        return SUBSCRIBED_NONE
    pack = turn.content.pack
    groups = {group.id: group.name for group in pack.campaign.groups}
    topics = [pack.topics[ref].name if ref in pack.topics else ref
              for kind, ref in rows if kind == "topic"]
    chosen_groups = [groups.get(ref, ref) for kind, ref in rows if kind == "group"]
    parts = [SUBSCRIBED_ALL] if any(kind == "all" for kind, _ in rows) else []
    if topics:
        parts.append(SUBSCRIBED_TOPICS.format(names=", ".join(topics)))
    if chosen_groups:
        parts.append(SUBSCRIBED_GROUPS.format(names=", ".join(chosen_groups)))
    return SUBSCRIBED.format(what="; ".join(parts))


async def _roles(turn: Turn, hamlets: dict[str, str]) -> str:
    grants = (await turn.session.execute(
        select(RoleGrant).where(RoleGrant.user_id == turn.user.id,
                                RoleGrant.revoked_at.is_(None)).order_by(RoleGrant.id))).scalars()
    groups = {group.id: group.name for group in turn.content.pack.campaign.groups}
    shown = []
    for grant in grants:
        role = ROLE_NAMES.get(grant.role, grant.role)
        scope = [groups.get(ref, ref) for ref in grant.groups or ()]
        scope += [hamlets.get(ref, ref) for ref in grant.areas or ()]
        shown.append(ROLE_SCOPE.format(role=role, scope=", ".join(scope)) if scope else role)
    return "; ".join(shown)


def _comments(turn: Turn, comments: list) -> list[str]:
    if not comments:
        return [COMMENTS_NONE]
    lines = [COMMENTS.format(count=len(comments))]
    for comment in comments[:RECENT_COMMENTS]:
        draft = turn.content.pack.drafts.get(comment.draft_id)
        target = comment.section_label or texts.GY_GENERAL
        lines.append(COMMENT_LINE.format(
            receipt=comment.receipt, when=_day(turn, comment.created_at),
            target=label(f"{draft.title if draft else comment.draft_id} › {target}"),
            status=texts.STATUSES.get(comment.status, comment.status)))
    if len(comments) > RECENT_COMMENTS:
        lines.append(COMMENTS_MORE.format(count=len(comments) - RECENT_COMMENTS))
    return lines


async def _quiz(turn: Turn) -> list[str]:
    rounds = list((await turn.session.execute(
        select(QuizRound).where(QuizRound.user_id == turn.user.id)
        .order_by(QuizRound.started_at.desc(), QuizRound.id.desc()))).scalars())
    finished = [played for played in rounds if played.finished_at is not None]
    if not rounds:
        return [QUIZ_NONE]
    lines = []
    if finished:
        best = max(finished, key=lambda played: (played.score, -len(played.questions)))
        last = max(finished, key=lambda played: played.finished_at)
        lines.append(QUIZ.format(count=len(finished), best=_score(best)) + " "
                     + QUIZ_LAST.format(day=_day(turn, last.finished_at), score=_score(last)))
    if len(rounds) > len(finished):
        lines.append(QUIZ_UNFINISHED.format(count=len(rounds) - len(finished)))
    return lines


def _day(turn: Turn, moment) -> str:
    return moment.astimezone(turn.zone).strftime("%d/%m/%Y")


def _score(played: QuizRound) -> str:
    return SCORE.format(score=played.score, total=len(played.questions))


async def ask_erase(turn: Turn) -> None:
    if not await has_personal_data(turn.session, turn.user.id):
        show_menu(turn, ERASE_NOTHING)
        return
    turn.say(ERASE_CONFIRM, [Option(ERASE_YES, "data:yes"), Option(ERASE_NO, "data:no")])
    turn.goto(DataState.CONFIRM)


async def confirm_erase(turn: Turn) -> None:
    """Erase at once, but only as the answer to the question just asked."""
    if turn.state != DataState.CONFIRM:  # an old "Xóa ngay" button: ask again, do nothing
        await ask_erase(turn)
        return
    if not await has_personal_data(turn.session, turn.user.id):
        turn.goto(None)
        show_menu(turn, ERASE_NOTHING)
        return
    counts = await erase_resident(turn.session, turn.user.id, now=turn.now,
                                  via=turn.inbound.channel)
    done = [line.format(n=counts[key]) for key, line in ERASED_LINES.items() if counts.get(key)]
    turn.goto(None)
    show_menu(turn, "\n".join([ERASED, *done, "", ERASED_END]))


async def keep(turn: Turn) -> None:
    turn.goto(None)
    show_menu(turn, ERASE_KEPT)


@router.state(DataState.CONFIRM)
async def typed_while_confirming(turn: Turn) -> None:
    """Text instead of a choice is not a confirmation: leave the question, treat as search."""
    turn.goto(None)
    await router.on_text(turn)


router.menu_item(MENU_MY_DATA, "data:show", order=85)
