"""Signing in with a password: the throttle, Argon2id, the audit row.

The attempt is counted as a failure before the password is checked (and forgotten if it was
right), so parallel guesses cannot slip past the limit while a check runs; the check itself
runs in a thread, outside any transaction.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.actions.accounts import access_of
from bot.console import passwords, throttle
from db import accounts as account_queries
from db import audit
from db.console_models import StaffAccount
from db.engine import Database

WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."
LOCKED = (f"Đã nhập sai quá {throttle.LIMIT} lần trong {int(throttle.WINDOW.seconds / 60)} phút, "
          f"nên việc đăng nhập tạm bị khóa {int(throttle.LOCK.seconds / 60)} phút. "
          "Vui lòng thử lại sau.")


class Outcome(StrEnum):
    OK = "ok"
    WRONG = "wrong"  # unknown name, wrong password, disabled account: one answer for all
    LOCKED = "locked"


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    account: StaffAccount | None = None

    @property
    def message(self) -> str:
        return {Outcome.WRONG: WRONG, Outcome.LOCKED: LOCKED}.get(self.outcome, "")


async def password_sign_in(database: Database, username: str, password: str, *,
                           address: str, now: datetime) -> Attempt:
    name = username.strip().lower()[:40]
    async with database.transaction() as session:
        if await throttle.locked(session, name, address, now):
            await audit.record(session, audit.Who(name or "?", None, address), "login.locked",
                               now=now)
            return Attempt(Outcome.LOCKED)
        counted = await throttle.count_failure(session, name, address, now)
        account = await account_queries.find_account(session, name) if name else None
        stored = account.password_hash if account else None
    matched = await asyncio.to_thread(passwords.verify_password, stored, password)
    async with database.transaction() as session:
        if matched and account is not None:  # a match needs a stored hash, so an account
            account = await session.get(StaffAccount, account.id)
            matched = account is not None and await access_of(session, account) is not None
        if not matched or account is None:
            await audit.record(session, audit.Who(name or "?", account.id if account else None,
                                                  address), "login.failed", now=now)
            return Attempt(Outcome.WRONG)
        await throttle.succeeded(session, name, counted)
        await audit.record(session, audit.Who(account.name, account.id, address), "login",
                           now=now, details={"via": "password"})
    return Attempt(Outcome.OK, account)
