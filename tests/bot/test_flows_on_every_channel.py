"""Every flow a resident uses, through Telegram, Zalo OA and Zalo Bot against the fake platforms.

The same script runs on each channel; only the resident's way of typing and tapping differs
(Telegram: callback buttons; Zalo OA: buttons that come back as prefixed text, a numbered
list beyond five options; Zalo Bot: always a numbered list). The handlers are the same.
"""

from __future__ import annotations

import copy
import itertools
import re
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import select

from bot.app import create_app
from bot.channels.registry import capabilities_of
from bot.service import Service
from db.models import Comment, Role
from db.roles import create_invite
from handlers import texts
from tests.channels.conftest import (  # noqa: F401  (fixtures used by name)
    ZALO_BOT_SECRET,
    fake_zalo_bot,
    fake_zalo_oa,
    zalo_bot_settings,
    zalo_oa_settings,
)
from tests.conftest import count_rows, fixture
from tests.utils import secret_headers, telegram_update

CHANNELS = ["telegram", "zalo-oa", "zalo-bot"]
RECEIPT = re.compile(r"GY-[A-Z0-9]{6,}")
_ids = itertools.count(1)


class Resident:
    """One resident on one channel: types, taps, and reads what the platform delivered."""

    def __init__(self, client, service) -> None:
        self.client, self.service = client, service

    async def say(self, text: str) -> list[dict]:
        return await self._deliver(self.text_update(text))

    async def choose(self, label: str) -> list[dict]:
        """Tap the button called `label`, or type its number where options are a list."""
        for message in reversed(self.messages()):
            for shown, payload in message["buttons"] or []:
                if shown == label:
                    return await self._deliver(self.tap_update(payload))
            for line in message["text"].splitlines():
                number, _, shown = line.partition(". ")
                if number.isdigit() and shown == label:
                    return await self.say(number)
        raise AssertionError(f"no option {label!r} on screen")

    async def _deliver(self, update) -> list[dict]:
        before = len(self.messages())
        response = await self.post(update)
        assert response.status_code == 200, response.text
        await self.service.sender.drain()
        return self.messages()[before:]

    def texts(self, replies: list[dict]) -> str:
        return "\n".join(reply["text"] for reply in replies)


class TelegramResident(Resident):
    chat = 7001

    def __init__(self, client, service, fake) -> None:
        super().__init__(client, service)
        self.fake = fake

    def text_update(self, text):
        return telegram_update("text", chat_id=self.chat, text=text)

    def tap_update(self, payload):
        return telegram_update("callback", chat_id=self.chat, data=payload)

    async def post(self, update):
        return await self.client.post("/webhook/telegram", json=update, headers=secret_headers())

    def messages(self):
        return [{"text": m["text"],
                 "buttons": [(row[0]["text"], row[0]["callback_data"])
                             for row in (m["reply_markup"] or {}).get("inline_keyboard", [])]}
                for m in self.fake.sent if m["chat_id"] == self.chat]


class ZaloOAResident(Resident):
    user = "5510000000000000001"

    def __init__(self, client, service, fake) -> None:
        super().__init__(client, service)
        self.fake = fake

    def text_update(self, text):
        event = copy.deepcopy(fixture("zalo_oa/user_send_text.json"))
        event["message"] = {"text": text, "msg_id": f"{next(_ids):020x}"}
        return event

    def tap_update(self, payload):
        return self.text_update(payload)  # a tap is a user_send_text carrying the payload

    async def post(self, update):
        body, headers = self.fake.webhook(update)
        return await self.client.post("/webhook/zalo-oa", content=body, headers=headers)

    def messages(self):
        return [{"text": m["text"],
                 "buttons": [(b["title"], b["payload"]) for b in m["buttons"] or []]}
                for m in self.fake.sent if m["user_id"] == self.user]


class ZaloBotResident(Resident):
    chat = "6ede9afa66b88fe6d6a9"

    def __init__(self, client, service, fake) -> None:
        super().__init__(client, service)
        self.fake = fake

    def text_update(self, text):
        update = copy.deepcopy(fixture("zalo_bot/text.json"))
        update["message"].update(text=text, message_id=f"{next(_ids):020x}")
        return update

    def tap_update(self, payload):
        raise AssertionError("Zalo Bot has no buttons")

    async def post(self, update):
        return await self.client.post("/webhook/zalo-bot", json=update,
                                      headers={"X-Bot-Api-Secret-Token": ZALO_BOT_SECRET})

    def messages(self):
        return [{"text": m["text"], "buttons": None} for m in self.fake.sent
                if m["chat_id"] == self.chat]


@pytest.fixture
def on_channel(request, telegram_settings, fake_telegram, zalo_oa_settings, fake_zalo_oa,
               zalo_bot_settings, fake_zalo_bot):
    """`async with on_channel(name, as_of=...) as resident` on a running app, sender drained."""

    @asynccontextmanager
    async def start(name: str, as_of: str | None = None, **overrides):
        if name == "telegram":
            settings = telegram_settings(telegram_chat_rate_limit=100, telegram_chat_burst=20,
                                         **overrides)
            kind, fake = TelegramResident, fake_telegram
        elif name == "zalo-oa":
            settings, kind, fake = zalo_oa_settings(**overrides), ZaloOAResident, fake_zalo_oa
        else:
            settings, kind, fake = zalo_bot_settings(**overrides), ZaloBotResident, fake_zalo_bot
        preview = datetime.fromisoformat(as_of).replace(tzinfo=settings.zone) if as_of else None
        service = Service(settings, as_of=preview)
        app = create_app(service, run_sender=False)
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://loaso.test") as client:
                yield kind(client, service, fake)

    return start


def assert_fits(resident: Resident, name: str) -> None:
    """Nothing the platform refused: every message within its length, buttons within count."""
    capabilities = capabilities_of(name)
    for message in resident.messages():
        assert 0 < len(message["text"]) <= capabilities.max_text_length
        assert len(message["buttons"] or []) <= capabilities.max_buttons


@pytest.mark.parametrize("name", CHANNELS)
async def test_consent_then_menu(on_channel, name):
    async with on_channel(name) as resident:
        greeting = resident.texts(await resident.say("/start"))
        assert "Xin chào! Đây là Loa Số" in greeting
        recorded = resident.texts(await resident.choose(texts.CONSENT_YES))
        assert "đã ghi nhận sự đồng ý" in recorded
        menu = await resident.say("/menu")
        shown = resident.texts(menu) + " ".join(label for m in menu for label, _ in m["buttons"] or [])
        for label in ("Tin Đại hội", "Văn kiện & Góp ý", "Hỏi đáp"):
            assert label in shown
        assert_fits(resident, name)


@pytest.mark.parametrize("name", CHANNELS)
async def test_browsing_news(on_channel, name):
    async with on_channel(name, as_of="2025-08-15") as resident:
        assert "Đợt I" in resident.texts(await resident.say("/tin"))
        await resident.choose("Lịch sử Đảng")
        article = resident.texts(await resident.choose("Lịch sử vẻ vang của Đảng"))
        assert "LỊCH SỬ VẺ VANG CỦA ĐẢNG" in article and "Đăng ngày 25/7/2025." in article
        back = await resident.choose("Quay lại")
        assert "Lịch sử vẻ vang của Đảng" in str(back)
        assert_fits(resident, name)


@pytest.mark.parametrize("name", CHANNELS)
async def test_search_and_open_a_result(on_channel, name):
    async with on_channel(name) as resident:
        results = await resident.say("đại hội xiv")
        assert "Ý nghĩa Đại hội XIV của Đảng" in str(results)
        article = resident.texts(await resident.choose("Ý nghĩa Đại hội XIV của Đảng"))
        assert "XIV" in article
        assert "Ý nghĩa Đại hội XIV của Đảng" in str(await resident.say("/timkiem dai hoi 14"))


@pytest.mark.parametrize("name", CHANNELS)
async def test_faq(on_channel, name):
    async with on_channel(name) as resident:
        await resident.say("/menu")
        await resident.choose("Hỏi đáp")
        answer = resident.texts(await resident.choose("Ai vận hành Loa Số?"))
        assert "Đảng ủy xã Thử Nghiệm." in answer


@pytest.mark.parametrize("name", CHANNELS)
async def test_consultation_comment_and_receipt(on_channel, name, database):
    async with on_channel(name) as resident:
        await resident.say("/gopy")
        await resident.choose("Dự thảo Báo cáo chính trị (thử nghiệm)")
        await resident.choose("Phần II. Phương hướng")
        await resident.choose("Góp ý mục này")
        await resident.choose("Đồng ý")  # consent, asked before the first comment
        await resident.choose("Đồng ý một phần")
        await resident.say("Nên bổ sung phương hướng phát triển làng nghề của xã.")
        await resident.choose("Ẩn danh")
        receipt = resident.texts(await resident.choose("Gửi"))
        code = RECEIPT.search(receipt).group(0)
        mine = str(await resident.say("/gopycuatoi"))  # in a label or a numbered line
        assert code in mine
        assert_fits(resident, name)
    async with database.read() as session:
        stored = (await session.execute(select(Comment))).scalar_one()
    assert (stored.source, stored.section_id, stored.receipt) == (name, "p2", code)


@pytest.mark.parametrize("name", CHANNELS)
async def test_unsupported_messages_get_a_polite_answer(on_channel, name):
    async with on_channel(name) as resident:
        if name == "telegram":
            update = telegram_update("photo", chat_id=resident.chat)
        elif name == "zalo-oa":
            update = copy.deepcopy(fixture("zalo_oa/user_send_image.json"))
            update["message"]["msg_id"] = f"{next(_ids):020x}"
        else:
            update = copy.deepcopy(fixture("zalo_bot/image.json"))
            update["message"]["message_id"] = f"{next(_ids):020x}"
        replies = await resident._deliver(update)
        assert replies and replies[0]["text"].startswith(texts.UNSUPPORTED[:20])


async def invite_code(database, role: Role) -> str:
    now = datetime.now(UTC)
    async with database.transaction() as session:
        _, code = await create_invite(session, role=role, groups=[], areas=["thon-1"] if
                                      role == Role.LEADER else [],
                                      expires_at=now + timedelta(days=1), note=None,
                                      created_by="Kiểm thử", now=now)
    return code


@pytest.mark.parametrize("name", CHANNELS)
async def test_dangnhap_gives_a_role_holder_a_sign_in_link_and_others_the_way_to_a_role(
        on_channel, name, database):
    async with on_channel(name, public_url="http://loaso.test") as resident:
        assert resident.texts(await resident.say("/dangnhap")) == texts.DN_NO_ROLE
        assert await count_rows(database, "login_links") == 0
        await resident.say(f"/vaitro {await invite_code(database, Role.LEADER)}")
        await resident.choose(texts.CONSENT_YES)  # a role is kept only with consent
        answer = resident.texts(await resident.say("/dangnhap"))
        link = re.search(r"http://loaso\.test(/admin/link/[A-Za-z0-9_-]{40,})", answer)
        assert link and "một lần, trong 10 phút" in answer
        page = await resident.client.get(link.group(1), headers={"Accept": "text/html"})
        assert page.status_code == 200 and "Đăng nhập bằng đường dẫn" in page.text
        await resident.say("/vaitro")  # the roles held, with a button to the console
        again = resident.texts(await resident.choose(texts.VT_CONSOLE))
        assert "/admin/link/" in again and link.group(1) not in again  # a new link each time
        assert_fits(resident, name)
    assert await count_rows(database, "login_links") == 2


@pytest.mark.parametrize("name", CHANNELS)
async def test_dangnhap_without_a_public_address_says_so(on_channel, name, database):
    code = await invite_code(database, Role.STAFF)
    async with on_channel(name) as resident:
        await resident.say(f"/vaitro {code}")
        await resident.choose(texts.CONSENT_YES)
        assert resident.texts(await resident.say("/dangnhap")) == texts.DN_NO_ADDRESS
    assert await count_rows(database, "login_links") == 0
    assert await count_rows(database, "staff_accounts") == 0
