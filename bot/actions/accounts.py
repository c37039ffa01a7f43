"""Console accounts: add, disable, reset a password; what an account may see right now; the
one-time sign-in link (`create_login_link`, from db/login_links.py, where the `/dangnhap`
flow finds `login_link_for_resident` too).

Passwords arrive here already hashed (bot/console/passwords.py): hashing takes a tenth of a
second of CPU and must not happen inside a transaction.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions import ActionRefused
from content.pack import Pack
from db import accounts as account_queries
from db import audit
from db.console_models import LoginLink, StaffAccount
from db.login_links import (  # noqa: F401  (the console and the CLI take them from here)
    LINK_LIFETIME,
    LINK_PATH,
    ROLE_LABELS,
    ROLE_RANK,
    create_login_link,
    highest,
    token_hash,
)
from db.models import Role
from db.roles import active_role

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
NAME_MAX = 100


def clean_username(raw: str) -> str:
    username = unicodedata.normalize("NFC", raw or "").strip().lower()
    if not USERNAME.match(username):
        raise ActionRefused(
            f"Tên đăng nhập '{raw}' không hợp lệ: 3–40 ký tự gồm chữ không dấu, số, dấu chấm, "
            "gạch ngang, gạch dưới; bắt đầu bằng chữ hoặc số (ví dụ: nguyen.van.a).")
    return username


def clean_name(raw: str) -> str:
    name = " ".join(unicodedata.normalize("NFC", raw or "").split())
    if not name:
        raise ActionRefused('Cần ghi họ tên người dùng tài khoản, ví dụ --name "Nguyễn Văn A".')
    if any(unicodedata.category(char) == "Cc" for char in name) or len(name) > NAME_MAX:
        raise ActionRefused(f"Họ tên không hợp lệ (tối đa {NAME_MAX} ký tự, không ký tự điều khiển).")
    return name


def check_scope(pack: Pack, role: str, groups: list[str], areas: list[str]
                ) -> tuple[list[str], list[str]]:
    """A leader's groups and hamlets, checked against the pack (as invite codes are); staff
    and admins see everything, so they take none."""
    if role not in ROLE_RANK:
        raise ActionRefused(f"Vai trò '{role}' không hợp lệ. Có: admin, staff, leader.")
    groups, areas = list(dict.fromkeys(groups)), list(dict.fromkeys(areas))
    if role != Role.LEADER:
        if groups or areas:
            raise ActionRefused("Chỉ tài khoản người phụ trách (leader) mới gắn với nhóm, thôn.")
        return [], []
    known_groups = {group.id: group.name for group in pack.campaign.groups}
    known_areas = {hamlet.id: hamlet.name for hamlet in pack.campaign.hamlets}
    for kind, given, known in (("nhóm", groups, known_groups), ("thôn", areas, known_areas)):
        missing = [ref for ref in given if ref not in known]
        if missing:
            listed = ", ".join(f"{ref} ({name})" for ref, name in known.items()) or "(chưa có)"
            raise ActionRefused(f"Không có {kind} mã {', '.join(missing)} trong gói nội dung. "
                                f"Có: {listed}")
    if not groups and not areas:
        raise ActionRefused("Người phụ trách cần ít nhất một nhóm (--group) hoặc thôn (--area).")
    return groups, areas


async def add_account(session: AsyncSession, pack: Pack, *, username: str, name: str,
                      role: str, groups: list[str], areas: list[str], password_hash: str,
                      who: audit.Who, now: datetime) -> StaffAccount:
    username, name = clean_username(username), clean_name(name)
    groups, areas = check_scope(pack, role, groups, areas)
    if await account_queries.find_account(session, username) is not None:
        raise ActionRefused(f"Đã có tài khoản '{username}'. Chọn tên khác, hoặc đặt lại mật "
                            f"khẩu bằng: loaso staff reset-password {username}")
    account = StaffAccount(username=username, name=name, role=role, groups=groups, areas=areas,
                           password_hash=password_hash, created_by=who.name, created_at=now,
                           password_changed_at=now)
    session.add(account)
    await session.flush()
    await audit.record(session, who, "account.add", now=now, target=username,
                       details={"role": role, "groups": groups, "areas": areas})
    return account


async def _existing(session: AsyncSession, username: str) -> StaffAccount:
    account = await account_queries.find_account(session, clean_username(username))
    if account is None:
        raise ActionRefused(f"Không có tài khoản '{username}'. Xem danh sách: loaso staff list")
    return account


async def disable_account(session: AsyncSession, username: str, *, who: audit.Who,
                          now: datetime) -> StaffAccount:
    """No more sign-ins; open sessions and unused links end in the same transaction."""
    account = await _existing(session, username)
    if account.disabled_at is None:
        account.disabled_at, account.disabled_by = now, who.name
    ended = await account_queries.end_sessions_of(session, account.id)
    await account_queries.drop_unused_links(session, account.id)
    await audit.record(session, who, "account.disable", now=now, target=account.username,
                       details={"sessions_ended": ended})
    return account


async def reset_password(session: AsyncSession, username: str, *, password_hash: str,
                         who: audit.Who, now: datetime) -> StaffAccount:
    """A new password; every open session of the account ends (whoever knew the old one)."""
    account = await _existing(session, username)
    account.password_hash, account.password_changed_at = password_hash, now
    ended = await account_queries.end_sessions_of(session, account.id)
    await audit.record(session, who, "account.reset_password", now=now, target=account.username,
                       details={"sessions_ended": ended})
    return account


# --- what an account may do now --------------------------------------------------------------

@dataclass(frozen=True)
class Access:
    """An account's role at this moment; a leader's scope is its groups and hamlets."""

    role: Role
    groups: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()

    def at_least(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


async def access_of(session: AsyncSession, account: StaffAccount) -> Access | None:
    """None when the account may not use the console now: disabled, or linked to a resident
    whose chat role was revoked (or who deleted their data)."""
    if account.disabled_at is not None:
        return None
    if account.user_id is None:
        return Access(Role(account.role), tuple(account.groups), tuple(account.areas))
    chat = await active_role(session, account.user_id)
    if not chat:
        return None
    role = highest(chat.roles)
    if role != Role.LEADER:
        return Access(Role(role))
    return Access(Role.LEADER, chat.groups, chat.areas)


# --- one-time sign-in links ------------------------------------------------------------------

class LinkState(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"  # never issued (mistyped, cut short or forged)
    EXPIRED = "expired"
    USED = "used"
    BLOCKED = "blocked"  # the account was disabled or lost its role since


async def check_login_link(session: AsyncSession, token: str, now: datetime
                           ) -> tuple[LinkState, LoginLink | None, StaffAccount | None]:
    """What a link is worth, without using it (opening the page does not spend it)."""
    link = await account_queries.find_link(session, token_hash(token)) if token else None
    if link is None:
        return LinkState.UNKNOWN, None, None
    account = await session.get(StaffAccount, link.account_id)
    if link.used_at is not None:
        return LinkState.USED, link, account
    if link.expires_at <= now:
        return LinkState.EXPIRED, link, account
    if account is None or await access_of(session, account) is None:
        return LinkState.BLOCKED, link, account
    return LinkState.VALID, link, account


async def use_login_link(session: AsyncSession, token: str, now: datetime
                         ) -> tuple[LinkState, StaffAccount | None]:
    """Spend the link: VALID exactly once, whatever races it."""
    state, link, account = await check_login_link(session, token, now)
    if state == LinkState.VALID and link is not None \
            and not await account_queries.use_link(session, link.id, now):
        await session.refresh(link)
        state = LinkState.USED if link.used_at is not None else LinkState.EXPIRED
    return state, account
