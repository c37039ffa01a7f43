"""Invites and roles: who may announce to whom, and who approves.

An invite code is shown once, when it is made; only its SHA-256 is kept, so a copy of the
database cannot be used to take a role. Privileged steps call `active_role` at the moment
they act and never keep the answer: a role revoked a second ago no longer counts.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import rows_changed
from db.models import Invite, InviteAttempt, Role, RoleGrant, User, UserStatus

# No 0/O or 1/I: codes are read aloud over the phone and typed on small keyboards.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_code() -> str:
    """A fresh code shown as XXXX-XXXX."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_code(text: str) -> str | None:
    """The code's eight letters, whatever the case, dashes or spaces; None if it cannot be one."""
    raw = "".join(text.split()).replace("-", "").upper()
    if len(raw) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in raw):
        return None
    return raw


def hash_code(raw: str) -> str:
    return hashlib.sha256(raw.encode("ascii")).hexdigest()


async def create_invite(session: AsyncSession, *, role: Role, groups: list[str],
                        areas: list[str], expires_at: datetime, note: str | None,
                        created_by: str, now: datetime) -> tuple[Invite, str]:
    """Store a new invite and return it with its plain code (the only time it exists)."""
    while True:
        code = new_code()
        raw = normalize_code(code)
        assert raw is not None  # new_code() makes valid codes
        code_hash = hash_code(raw)
        taken = await session.execute(select(Invite.id).where(Invite.code_hash == code_hash))
        if taken.first() is None:
            break
    invite = Invite(code_hash=code_hash, role=role, groups=list(groups), areas=list(areas),
                    note=note, created_by=created_by, created_at=now, expires_at=expires_at)
    session.add(invite)
    await session.flush()
    return invite, code


class InviteState(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"


def invite_state(invite: Invite | None, now: datetime) -> InviteState:
    if invite is None:
        return InviteState.UNKNOWN
    if invite.revoked_at is not None:
        return InviteState.REVOKED
    if invite.used_at is not None:
        return InviteState.USED
    if invite.expires_at <= now:
        return InviteState.EXPIRED
    return InviteState.VALID


async def find_invite(session: AsyncSession, code: str) -> Invite | None:
    raw = normalize_code(code)
    if raw is None:
        return None
    return (await session.execute(
        select(Invite).where(Invite.code_hash == hash_code(raw)))).scalar_one_or_none()


@dataclass(frozen=True)
class Redeemed:
    state: InviteState
    grant: RoleGrant | None = None


async def redeem(session: AsyncSession, *, code: str, user_id: int, now: datetime) -> Redeemed:
    """Turn a valid code into a role for this resident; anything else writes nothing."""
    invite = await find_invite(session, code)
    state = invite_state(invite, now)
    if invite is None or state != InviteState.VALID:
        return Redeemed(state)
    # Guarded: of two residents typing the same code at once, exactly one gets the role.
    taken = await session.execute(
        update(Invite).where(Invite.id == invite.id, Invite.used_at.is_(None),
                             Invite.revoked_at.is_(None), Invite.expires_at > now)
        .values(used_at=now, used_by=user_id)
        .execution_options(synchronize_session=False))
    if rows_changed(taken) != 1:
        await session.refresh(invite)
        return Redeemed(invite_state(invite, now))
    grant = RoleGrant(user_id=user_id, role=invite.role, groups=list(invite.groups),
                      areas=list(invite.areas), invite_id=invite.id, granted_at=now)
    session.add(grant)
    await session.flush()
    return Redeemed(InviteState.VALID, grant)


async def list_invites(session: AsyncSession) -> list[Invite]:
    return list((await session.execute(select(Invite).order_by(Invite.id.desc()))).scalars())


async def revoke_invite(session: AsyncSession, invite_id: int, *, by: str,
                        now: datetime) -> tuple[Invite | None, InviteState]:
    """Make an unused code worthless. Returns the invite and its state before revoking."""
    invite = await session.get(Invite, invite_id)
    state = invite_state(invite, now)
    if invite is not None and state in (InviteState.VALID, InviteState.EXPIRED):
        invite.revoked_at, invite.revoked_by = now, by
    return invite, state


@dataclass(frozen=True)
class ActiveRole:
    """A resident's current grants, read fresh for one action."""

    grants: tuple[RoleGrant, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.grants)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(grant.role for grant in self.grants)

    @property
    def is_staff(self) -> bool:
        """Staff and admins approve announcements and may address the whole commune."""
        return bool(self.roles & {Role.STAFF, Role.ADMIN})

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(group for grant in self.grants for group in grant.groups))

    @property
    def areas(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(area for grant in self.grants for area in grant.areas))

    def may_address(self, *, everyone: bool = False, groups: tuple[str, ...] = (),
                    hamlets: tuple[str, ...] = (), topics: tuple[str, ...] = ()) -> bool:
        """Whether this audience is within the role: staff anything, leaders their own."""
        if self.is_staff:
            return True
        if not self.grants or everyone or topics or not (groups or hamlets):
            return False
        return set(groups) <= set(self.groups) and set(hamlets) <= set(self.areas)


async def active_grants(session: AsyncSession, user_id: int) -> list[RoleGrant]:
    return list((await session.execute(
        select(RoleGrant).where(RoleGrant.user_id == user_id, RoleGrant.revoked_at.is_(None))
        .order_by(RoleGrant.id))).scalars())


async def active_role(session: AsyncSession, user_id: int) -> ActiveRole:
    """The resident's role right now. Call it at the moment of acting; never keep it."""
    user = await session.get(User, user_id)
    if user is None or user.status != UserStatus.ACTIVE:
        return ActiveRole()
    return ActiveRole(tuple(await active_grants(session, user_id)))


async def list_grants(session: AsyncSession, *, include_revoked: bool = False
                      ) -> list[tuple[RoleGrant, Invite | None]]:
    statement = (select(RoleGrant, Invite).outerjoin(Invite, RoleGrant.invite_id == Invite.id)
                 .order_by(RoleGrant.id))
    if not include_revoked:
        statement = statement.where(RoleGrant.revoked_at.is_(None))
    return [(grant, invite) for grant, invite in (await session.execute(statement)).all()]


async def revoke_grant(session: AsyncSession, grant_id: int, *, by: str,
                       now: datetime) -> tuple[RoleGrant | None, bool]:
    """End a role; the row stays as history. Returns the grant and whether it was active."""
    grant = await session.get(RoleGrant, grant_id)
    if grant is None or grant.revoked_at is not None:
        return grant, False
    grant.revoked_at, grant.revoked_by = now, by
    return grant, True


async def staff_user_ids(session: AsyncSession) -> list[int]:
    """Residents who hold a staff or admin role now and can be messaged."""
    rows = await session.execute(
        select(RoleGrant.user_id).join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.revoked_at.is_(None), RoleGrant.role.in_([Role.STAFF, Role.ADMIN]),
               User.status == UserStatus.ACTIVE)
        .distinct().order_by(RoleGrant.user_id))
    return list(rows.scalars())


# Codes cannot be guessed from a chat: this many wrong codes within the hour, and /vaitro
# waits until the oldest is an hour old.
WRONG_CODES_ALLOWED = 5
WRONG_CODE_MEMORY = timedelta(hours=1)


async def too_many_wrong_codes(session: AsyncSession, user_id: int, now: datetime) -> bool:
    """Whether this resident must wait; their notes older than the hour are dropped here
    (/vaitro is rare, so the statement costs nothing noticeable)."""
    await session.execute(delete(InviteAttempt).where(
        InviteAttempt.user_id == user_id, InviteAttempt.at <= now - WRONG_CODE_MEMORY))
    count = (await session.execute(
        select(func.count()).select_from(InviteAttempt).where(
            InviteAttempt.user_id == user_id))).scalar_one()
    return count >= WRONG_CODES_ALLOWED


async def record_wrong_code(session: AsyncSession, user_id: int, now: datetime) -> None:
    """Note one wrong code (never the code itself)."""
    session.add(InviteAttempt(user_id=user_id, at=now))
