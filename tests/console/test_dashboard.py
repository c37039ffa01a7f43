"""/admin, the dashboard: the campaign's period, its numbers as charts with tables, the
small-numbers rule by hamlet, and a leader's figures limited to their hamlets and groups."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from sqlalchemy import insert

from bot.console.charts import Chart, Row, bar_layout, column_layout, per_hamlet, plain
from bot.console.render import environment
from bot.reports.small_numbers import HIDDEN, hamlet_count, is_hidden, shown_value
from db.models import OutboxMessage, QuizRound, Subscription, User
from tests.console.conftest import HTML

_addresses = itertools.count(8_100_001)
_tokens = itertools.count(1)


def panel(html: str, key: str) -> str:
    """The section of one chart: its SVG and its table."""
    start = html.index(f'id="{key}"')
    return html[start:html.index("</section>", start)]


def table_rows(html: str, key: str) -> dict[str, list[str]]:
    """The chart's table as {row label: [cells]}."""
    body = panel(html, key).split("<tbody>")[1]
    rows = {}
    for label, cells in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', body, re.S):
        rows[label] = re.findall(r'<td class="num">(.*?)</td>', cells)
    return rows


async def residents(desk, hamlet: str | None, count: int, *, channel: str = "telegram",
                    subscribed: int = 0, group: str | None = None, consent: bool = True,
                    quiz_rounds: int = 0) -> list[int]:
    """`count` residents of a hamlet; the first `subscribed` of them subscribe (to `group`'s
    news if given); each plays `quiz_rounds` rounds."""
    now = dt.datetime.now(dt.UTC)
    ids = []
    async with desk.database.transaction() as session:
        for number in range(count):
            user = User(channel=channel, address=str(next(_addresses)), hamlet_id=hamlet,
                        consent_version="1" if consent else None,
                        consent_at=now if consent else None)
            session.add(user)
            await session.flush()
            ids.append(user.id)
            if number < subscribed:
                session.add(Subscription(user_id=user.id, kind="group" if group else "all",
                                         ref=group or "*", created_at=now))
            for _ in range(quiz_rounds):
                session.add(QuizRound(user_id=user.id, token=f"q{next(_tokens):08d}",
                                      questions=["a"] * 10, answers=[0] * 10, score=7,
                                      started_at=now, updated_at=now, finished_at=now))
    return ids


async def broadcast(desk, batch: str, statuses: dict[str, int], users: list[int]) -> None:
    now = dt.datetime.now(dt.UTC)
    rows, who = [], itertools.cycle(users)
    for status, count in statuses.items():
        for _ in range(count):
            user = next(who)
            rows.append({"channel": "telegram", "recipient": str(user), "user_id": user,
                         "payload": {"type": "message", "text": "Bản tin"}, "priority": 0,
                         "status": status, "attempts": 1, "next_attempt_at": now,
                         "created_at": now, "batch": batch,
                         "dedupe_key": f"{batch}:{user}:{len(rows)}"})
    async with desk.database.transaction() as session:
        await session.execute(insert(OutboxMessage), rows)


# --- the rule ------------------------------------------------------------------------------

@pytest.mark.parametrize("count, text, drawn", [
    (0, "< 3", None), (1, "< 3", None), (2, "< 3", None), (3, "3", 3), (1234, "1.234", 1234)])
def test_counts_under_three_for_a_hamlet_read_less_than_three(count, text, drawn):
    assert hamlet_count(count) == text and shown_value(count) == drawn
    assert is_hidden(count) == (drawn is None) and HIDDEN == "< 3"
    assert per_hamlet(count).text == text and per_hamlet(count).value == drawn


# --- the page ------------------------------------------------------------------------------

async def test_the_dashboard_shows_the_campaign_in_charts_with_their_tables(desk):
    await desk.account("can.bo")
    await desk.sign_in("can.bo")
    thon1 = await residents(desk, "thon-1", 12, subscribed=5, quiz_rounds=1)
    await residents(desk, "thon-2", 2, subscribed=2, channel="zalo-bot", quiz_rounds=2)
    await residents(desk, None, 4, channel="zalo-oa")
    await residents(desk, "thon-1", 3, consent=False)  # not counted: no consent
    today = dt.datetime.now(dt.UTC)
    old = today - dt.timedelta(days=6)
    for _ in range(4):
        await desk.comment(hamlet="thon-1", stance="tan_thanh")
    await desk.comment(hamlet="thon-2", created_at=old)
    await desk.comment(hamlet=None, source="meeting", status="tiep_thu")
    await desk.comment(hamlet="thon-1", status="da_xem", created_at=today - dt.timedelta(days=3))
    await desk.comment(hamlet="thon-1", created_at=today - dt.timedelta(days=45))  # before the days shown
    await broadcast(desk, "bulletin:1", {"sent": 7, "failed": 1, "stopped": 2}, thon1)
    await broadcast(desk, "bulletin:2", {"sent": 3, "queued": 1}, thon1)
    await broadcast(desk, "announcement:4", {"sent": 2}, thon1)
    await broadcast(desk, "answer:9", {"sent": 5}, thon1)  # a reply, not a broadcast

    page = await desk.client.get("/admin", headers=HTML)
    assert page.status_code == 200
    html = page.text
    assert "<h1>Tổng quan chiến dịch</h1>" in html and "Xin chào, Cán bộ can.bo" in html
    assert "Đợt III" in html and "Dự thảo Báo cáo chính trị (thử nghiệm)" in html
    assert "Dự thảo đã hết hạn góp ý" not in html  # closed: not among the drafts open now
    assert re.search(r'id="fig-people".*?<p class="big">18</p>.*?<strong>7</strong>', html, re.S)
    assert re.search(r'id="fig-comments".*?<p class="big">8</p>.*?<strong>7</strong> góp ý chờ '
                     r"xử lý.*?lâu nhất đã chờ 45 ngày", html, re.S)
    assert re.search(r'id="fig-quiz".*?<p class="big">16</p>', html, re.S)

    assert table_rows(html, "residents-hamlet") == {
        "Thôn 1": ["12", "5"], "Thôn 2": ["&lt; 3", "&lt; 3"], "Chưa rõ thôn": ["4", "&lt; 3"]}
    assert table_rows(html, "residents-channel") == {
        "Telegram": ["12", "5"], "Zalo OA": ["4", "0"], "Zalo Bot": ["2", "2"]}
    assert table_rows(html, "comments-statuses") == {
        "Mới nhận": ["6"], "Đã xem": ["1"], "Tiếp thu": ["1"]}
    assert table_rows(html, "comments-stances") == {"Không tán thành": ["4"],
                                                    "Tán thành": ["4"]}
    assert table_rows(html, "comments-hamlet") == {
        "Thôn 1": ["6"], "Thôn 2": ["&lt; 3"], "Chưa rõ thôn": ["1"]}
    assert table_rows(html, "comments-sources") == {"Telegram": ["7"], "Hội nghị": ["1"]}
    days = table_rows(html, "comments-day")
    assert len(days) == 30 and sum(int(cells[0]) for cells in days.values()) == 7
    local = dt.timezone(dt.timedelta(hours=7))
    assert days[f"{today.astimezone(local):%d/%m}"] == ["5"]
    assert days[f"{old.astimezone(local):%d/%m}"] == ["1"]
    assert table_rows(html, "broadcasts") == {
        "Bản tin (2 lượt gửi, 14 tin)": ["10", "1", "1", "2"],
        "Thông báo (1 lượt gửi, 2 tin)": ["2", "0", "0", "0"]}
    assert table_rows(html, "quiz-hamlet") == {
        "Thôn 1": ["12", "12"], "Thôn 2": ["4", "&lt; 3"]}

    # every chart is drawn as inline SVG, and hidden figures draw no bar
    hamlets = panel(html, "residents-hamlet")
    assert hamlets.count("<rect class=\"s0\" x=\"0\"") == 2
    assert "<title>Thôn 2 — Đã đồng ý: &lt; 3</title>" in hamlets
    assert panel(html, "comments-day").count('<rect class="s0"') == 30
    assert "<script" not in html.split("</head>")[1]  # no script in the page itself (CSP)


async def test_a_leader_sees_the_figures_of_their_hamlets_and_groups_only(desk):
    await desk.account("bi.thu", "leader", areas=["thon-1"], groups=["mttq"])
    await desk.sign_in("bi.thu")
    mine = await residents(desk, "thon-1", 5, subscribed=4, quiz_rounds=1)
    followers = await residents(desk, "thon-2", 3, subscribed=3, group="mttq")
    others = await residents(desk, "thon-2", 40, subscribed=40, quiz_rounds=3)
    await desk.comment(hamlet="thon-1")
    await desk.comment(hamlet=None, source="meeting", group="mttq")
    for _ in range(9):
        await desk.comment(hamlet="thon-2")
    await broadcast(desk, "bulletin:1", {"sent": 5}, mine)
    await broadcast(desk, "bulletin:1", {"failed": 40}, others)
    await broadcast(desk, "announcement:2", {"sent": 3}, followers)

    html = (await desk.client.get("/admin", headers=HTML)).text
    assert "Số liệu của thôn, tổ chức bạn phụ trách: Thôn 1, Ủy ban MTTQ xã." in html
    assert re.search(r'id="fig-people".*?<p class="big">8</p>', html, re.S)
    assert re.search(r'id="fig-comments".*?<p class="big">2</p>', html, re.S)
    assert table_rows(html, "residents-hamlet") == {"Thôn 1": ["5", "4"],
                                                    "Thôn 2": ["3", "3"]}
    assert table_rows(html, "residents-channel") == {"Telegram": ["8", "7"]}
    assert table_rows(html, "comments-hamlet") == {"Thôn 1": ["&lt; 3"], "Chưa rõ thôn": ["1"]}
    assert table_rows(html, "broadcasts") == {
        "Bản tin (1 lượt gửi, 5 tin)": ["5", "0", "0", "0"],
        "Thông báo (1 lượt gửi, 3 tin)": ["3", "0", "0", "0"]}
    assert table_rows(html, "quiz-hamlet") == {"Thôn 1": ["5", "5"]}
    assert "120" not in panel(html, "quiz-hamlet")  # the other hamlet's 120 rounds


async def test_a_leader_of_a_few_residents_sees_channel_counts_under_the_rule(desk):
    await desk.account("bi.thu", "leader", areas=["thon-2"])
    await desk.sign_in("bi.thu")
    await residents(desk, "thon-2", 4, subscribed=1)
    await residents(desk, "thon-2", 1, channel="zalo-bot")
    html = (await desk.client.get("/admin", headers=HTML)).text
    assert table_rows(html, "residents-channel") == {"Telegram": ["4", "&lt; 3"],
                                                     "Zalo Bot": ["&lt; 3", "&lt; 3"]}


async def test_an_empty_campaign_shows_zeros_and_no_charts_to_draw(desk):
    await desk.account("quan.tri", "admin")
    await desk.sign_in("quan.tri")
    html = (await desk.client.get("/admin", headers=HTML)).text
    assert "Chưa có số liệu." in panel(html, "comments-statuses")
    assert table_rows(html, "residents-hamlet") == {"Thôn 1": ["&lt; 3", "&lt; 3"],
                                                    "Thôn 2": ["&lt; 3", "&lt; 3"]}
    assert "lâu nhất" not in html


async def test_without_a_session_the_dashboard_sends_to_sign_in(desk):
    answer = await desk.client.get("/admin", headers=HTML)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/admin/login")
    assert (await desk.client.get("/admin")).status_code == 401


# --- charts ---------------------------------------------------------------------------------

def render_chart(chart: Chart) -> str:
    template = environment().from_string(
        '{% from "_charts.html" import chart %}{{ chart(c, bar_layout, column_layout) }}')
    return template.render(c=chart, bar_layout=bar_layout, column_layout=column_layout)


def test_labels_in_charts_tables_and_tooltips_are_text():
    hostile = "<script>alert(1)</script>\"><img src=x onerror=alert(1)> javascript:alert(1)"
    html = render_chart(Chart("x", hostile, (hostile, "b"), (Row(hostile, (plain(5), plain(2))),)))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x" in html
    assert html.count("&lt;script&gt;") >= 4  # title, legend, label, tooltip (and table)


def test_bars_are_sized_to_the_largest_and_columns_name_the_latest_day():
    chart = Chart("x", "t", ("a",), tuple(Row(f"{day:02d}/09", (plain(day),))
                                          for day in range(1, 11)), kind="columns")
    layout = column_layout(chart, tick_every=7)
    assert [tick.text for tick in layout.ticks] == ["03/09", "10/09"]
    assert layout.columns[-1].height == 150 and layout.columns[0].height == 15
    bars = bar_layout(Chart("y", "t", ("a",), (Row("A", (plain(50),)), Row("B", (plain(25),)),
                                               Row("C", (per_hamlet(1),)))))
    widths = [row.bars[0].width for row in bars.rows]
    assert widths == [82.0, 41.0, 0.0] and bars.rows[2].bars[0].text == "< 3"
