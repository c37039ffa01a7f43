"""/admin/outbox: the outbox per channel as `loaso outbox status` counts it, the commonest
reasons in Vietnamese, and Zalo OA's token state."""

from __future__ import annotations

import datetime as dt

from db.models import ChannelToken, OutboxMessage
from tests.console.conftest import HTML


def row(channel: str, status: str, *, error_class=None, error=None, priority=0, number=0):
    now = dt.datetime.now(dt.UTC)
    return OutboxMessage(channel=channel, recipient=f"r{number}", payload={"text": "x"},
                         priority=priority, status=status, attempts=1, next_attempt_at=now,
                         created_at=now, error_class=error_class, error=error)


async def test_staff_see_each_channel_the_commonest_reasons_and_the_zalo_token(desk):
    refreshed = dt.datetime(2026, 3, 1, 1, 0, tzinfo=dt.UTC)
    async with desk.database.transaction() as session:
        session.add_all([row("telegram", "sent", number=n) for n in range(4)])
        session.add_all([row("telegram", "stopped", error_class="stopped",
                             error="Forbidden: bot was blocked by the user", number=n)
                         for n in range(4)])
        session.add_all([row("zalo-oa", "stopped", error_class="stopped", number=n,
                             error="Zalo -230: người dân không tương tác với OA trong 7 ngày qua")
                         for n in range(2)])
        session.add(row("zalo-oa", "stopped", error_class="skipped",
                        error="ngoài thời hạn được phép nhắn của nền tảng"))
        session.add(row("zalo-oa", "queued", priority=10))
        session.add(ChannelToken(channel="zalo-oa", access_token="secret-access",
                                 refresh_token="secret-refresh", generation=7,
                                 access_expires_at=refreshed + dt.timedelta(hours=25),
                                 updated_at=refreshed))
    await desk.account("can.bo", "staff")
    await desk.sign_in("can.bo")
    page = await desk.client.get("/admin/outbox", headers=HTML)
    assert page.status_code == 200
    html = page.text
    assert "Telegram" in html and "Zalo OA" in html
    reasons = html[html.index("errors-title"):html.index("token-title")]
    blocked = reasons.index("người dùng đã chặn bot")  # 4 rows: first
    window = reasons.index("quá 7 ngày kể từ lần nhắn cuối (Zalo OA)")  # -230 and skipped: 3
    assert blocked < window and reasons.count("quá 7 ngày") == 1
    assert '<td class="num">4</td>' in reasons[blocked:window]
    assert '<td class="num">3</td>' in reasons[window:]
    token = html[html.index("token-title"):]
    assert "Hạn dùng đến</dt><dd>09:00 02/03/2026" in token  # 01:00 UTC + 25 h, at UTC+7
    assert "Làm mới lần cuối</dt><dd>08:00 01/03/2026" in token and "lần thứ 7" in token
    assert "Đã hết hạn" in token
    assert "secret-access" not in html and "secret-refresh" not in html


async def test_leaders_may_not_open_it(desk):
    await desk.account("truong.thon", "leader", areas=["thon-1"])
    await desk.sign_in("truong.thon")
    assert (await desk.client.get("/admin/outbox", headers=HTML)).status_code == 403
