"""The console under test: the real app on the suite's database, a browser-like client,
accounts and comments made through the same functions staff use."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import re
from dataclasses import dataclass

import pytest_asyncio
from sqlalchemy import select

from bot.actions.accounts import add_account
from bot.console.passwords import hash_password
from db.audit import Who
from db.console_models import AuditEntry
from db.models import Comment, CommentStatus, User
from tests.utils import running_app

PASSWORD = "lua-chin-dong-xanh"
HTML = {"Accept": "text/html,application/xhtml+xml"}
_chats = itertools.count(7_000_001)
_receipts = itertools.count(1)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


@dataclass
class Desk:
    client: object
    service: object

    @property
    def database(self):
        return self.service.database

    @property
    def pack(self):
        return self.service.content.current.pack

    async def account(self, username: str, role: str = "staff", *, groups=(), areas=(),
                      name: str | None = None, password: str = PASSWORD):
        hashed = await asyncio.to_thread(hash_password, password)
        async with self.database.transaction() as session:
            return await add_account(
                session, self.pack, username=username, name=name or f"Cán bộ {username}",
                role=role, groups=list(groups), areas=list(areas), password_hash=hashed,
                who=Who("Kiểm thử"), now=dt.datetime.now(dt.UTC))

    async def sign_in(self, username: str, password: str = PASSWORD):
        form = await self.client.get("/admin/login", headers=HTML)
        # signed in already, the form redirects: its token is the pre-sign-in cookie
        token = (csrf_of(form.text) if form.status_code == 200
                 else self.client.cookies.get("loaso_login_csrf"))
        return await self.client.post("/admin/login", headers=HTML, data={
            "username": username, "password": password, "csrf_token": token})

    async def csrf(self, path: str = "/admin") -> str:
        return csrf_of((await self.client.get(path, headers=HTML)).text)

    async def post(self, path: str, data: dict | None = None, **options):
        data = {"csrf_token": await self.csrf(), **(data or {})}
        return await self.client.post(path, data=data, headers=HTML, **options)

    async def resident(self, chat_id: int | None = None) -> User:
        async with self.database.transaction() as session:
            user = User(channel="telegram", address=str(chat_id or next(_chats)),
                        consent_version="1", consent_at=dt.datetime.now(dt.UTC))
            session.add(user)
        return user

    async def comment(self, *, text: str = "Phương hướng cần cụ thể hơn cho các thôn.",
                      user: User | None = None, hamlet: str | None = "thon-1",
                      section: str | None = "p2", stance: str = "khong_tan_thanh",
                      signed_name: str | None = None, source: str = "telegram",
                      status: str = CommentStatus.NEW, group: str | None = None,
                      created_at: dt.datetime | None = None, draft: str = "bao-cao") -> str:
        flat = self.pack.section(draft, section) if section else None
        number = next(_receipts)
        receipt = f"GY-T{number:07d}".replace("0", "A").replace("1", "B")
        moment = created_at or dt.datetime.now(dt.UTC)
        async with self.database.transaction() as session:
            session.add(Comment(
                receipt=receipt, submission_key=f"test:{receipt}", draft_id=draft,
                draft_version=self.pack.drafts[draft].version,
                section_id=flat.section.id if flat else None,
                section_label=flat.label if flat else "", section_order=flat.order if flat else -1,
                section_quote=flat.section.text if flat else "", stance=stance, text=text,
                user_id=user.id if user else None, signed_name=signed_name, hamlet_id=hamlet,
                group_id=group, source=source, status=status, created_at=moment,
                updated_at=moment))
        return receipt

    async def row(self, receipt: str) -> Comment:
        async with self.database.read() as session:
            return (await session.execute(
                select(Comment).where(Comment.receipt == receipt))).scalar_one()

    async def audit(self, action: str | None = None) -> list[AuditEntry]:
        async with self.database.read() as session:
            query = select(AuditEntry).order_by(AuditEntry.id)
            if action:
                query = query.where(AuditEntry.action == action)
            return list((await session.execute(query)).scalars())


@pytest_asyncio.fixture
async def desk(telegram_settings):
    settings = telegram_settings(public_url="http://loaso.test")
    async with running_app(settings) as (client, service):
        yield Desk(client, service)
