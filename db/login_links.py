"""One-time sign-in links to the console: issuing one for an account, and for a resident who
holds a chat role (the `/dangnhap` step).

This sits in db/ so that the chat flow (handlers/console_login.py, below bot/ in the layers)
can call it; the console and the CLI reach the same functions through
bot.actions.accounts. What the resident reads is chosen by the flow from `LinkOffer.refused`.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db import accounts as account_queries
from db import audit
from db.console_models import StaffAccount
from db.models import Invite, Role, RoleGrant, User, UserStatus
from db.roles import active_grants

ROLE_RANK = {Role.LEADER: 1, Role.STAFF: 2, Role.ADMIN: 3}
RANK_OF: dict[str, int] = {str(role): rank for role, rank in ROLE_RANK.items()}
ROLE_LABELS = {Role.ADMIN: "Quản trị", Role.STAFF: "Cán bộ", Role.LEADER: "Người phụ trách"}
LINK_LIFETIME = timedelta(minutes=10)
LINK_PATH = "/admin/link/"
NAME_MAX = 100


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def highest(roles: Iterable[str]) -> str:
    return max(roles, key=lambda held: RANK_OF.get(held, 0))


async def create_login_link(session: AsyncSession, account: StaffAccount, *, public_url: str,
                            who: audit.Who, now: datetime) -> str:
    """`public_url/admin/link/<token>`: valid LINK_LIFETIME, usable once, bound to this
    account; only the token's SHA-256 is stored, so the database cannot be used to sign in."""
    token = secrets.token_urlsafe(32)
    await account_queries.add_link(session, account_id=account.id, token_hash=token_hash(token),
                                    now=now, expires_at=now + LINK_LIFETIME)
    await audit.record(session, who, "link.create", now=now, target=account.username)
    return f"{public_url.rstrip('/')}{LINK_PATH}{token}"


class Refusal(StrEnum):
    NO_ROLE = "no-role"  # no leader, staff or admin role in chat
    NO_ADDRESS = "no-address"  # LOASO_PUBLIC_URL is not set: no link to give
    DISABLED = "disabled"  # the console account tied to the resident was disabled


@dataclass(frozen=True)
class LinkOffer:
    """What `/dangnhap` gets: a link, or why not."""

    url: str | None = None
    refused: Refusal | None = None


def _account_name(label: str | None, role: str) -> str:
    name = " ".join(unicodedata.normalize("NFC", label or "").split())
    if not name or len(name) > NAME_MAX or any(unicodedata.category(c) == "Cc" for c in name):
        return ROLE_LABELS[Role(role)]
    return name


async def _invite_note(session: AsyncSession, grants: list[RoleGrant]) -> str | None:
    """The note staff wrote on the invite that gave the highest role ("Chủ tịch MTTQ")."""
    invite_ids = [grant.invite_id for grant in sorted(
        grants, key=lambda grant: -RANK_OF.get(grant.role, 0)) if grant.invite_id]
    if not invite_ids:
        return None
    notes = dict((await session.execute(
        select(Invite.id, Invite.note).where(Invite.id.in_(invite_ids)))).all())
    return next((notes[ref] for ref in invite_ids if notes.get(ref)), None)


async def login_link_for_resident(session: AsyncSession, *, user_id: int,
                                  public_url: str | None, now: datetime,
                                  label: str | None = None) -> LinkOffer:
    """The `/dangnhap` step: a resident holding a leader, staff or admin role in chat gets a
    one-time link to the console account tied to them (made on first use, named `chat-<id>`,
    with no password); its role and scope follow the chat role at every request.
    `label` names a new account; otherwise the note of the invite that gave the role, or the
    role's name."""
    grants = await active_grants(session, user_id)
    user = await session.get(User, user_id)
    if not grants or user is None or user.status != UserStatus.ACTIVE:
        return LinkOffer(refused=Refusal.NO_ROLE)
    if not public_url:
        return LinkOffer(refused=Refusal.NO_ADDRESS)
    account = await account_queries.account_of_resident(session, user_id)
    who = audit.Who("Loa Số (/dangnhap)", address=f"chat:{user.channel}")
    if account is None:
        role = highest(grant.role for grant in grants)
        name = _account_name(label or await _invite_note(session, grants), role)
        account = StaffAccount(
            username=f"chat-{user_id}", name=name, role=role, groups=[], areas=[],
            password_hash=None, user_id=user_id, created_by=who.name, created_at=now)
        session.add(account)
        await session.flush()
        await audit.record(session, who, "account.add", now=now, target=account.username,
                           details={"role": role, "linked": True})
    elif account.disabled_at is not None:
        return LinkOffer(refused=Refusal.DISABLED)
    url = await create_login_link(session, account, public_url=public_url,
                                  who=audit.Who(account.name, account.id, who.address), now=now)
    return LinkOffer(url)
