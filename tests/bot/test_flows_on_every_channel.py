"""Every flow a resident uses, on every channel that has a driver in tests/channels/drivers/.

The same script runs on each channel against its fake platform; only the resident's way of
typing and tapping differs (buttons, buttons that come back as text, numbered lists), and
each channel's driver says how. The handlers are the same.
"""

from __future__ import annotations

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
from tests.channels.drivers import Resident, residents
from tests.conftest import count_rows

RESIDENTS = residents()
CHANNELS = list(RESIDENTS)
RECEIPT = re.compile(r"GY-[A-Z0-9]{6,}")


@pytest.fixture
def on_channel(request, name):
    """`async with on_channel(name, as_of=...) as resident` on a running app, sender drained.
    The channel's fake platform starts here, from its driver's fixtures."""
    kind = RESIDENTS[name]
    fake = request.getfixturevalue(kind.fake_fixture)
    settings_for = request.getfixturevalue(kind.settings_fixture)

    @asynccontextmanager
    async def start(name: str, as_of: str | None = None, **overrides):
        settings = settings_for(**{**kind.settings_overrides, **overrides})
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
    if not RESIDENTS[name].sends_unsupported:
        pytest.skip(f"{name} has no way to send anything but text and taps")
    async with on_channel(name) as resident:
        replies = await resident.deliver(resident.unsupported_update())
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
