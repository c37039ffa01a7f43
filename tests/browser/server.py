"""The console for a real browser: `loaso serve` itself on a free loopback port (with its
sender, so answers are delivered), plus what a campaign day looks like (an account, a
resident, comments), made through the functions staff use."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from bot.actions.accounts import add_account
from bot.console.passwords import hash_password
from content.loader import load_pack
from db.audit import Who
from db.engine import Database
from db.models import Comment, CommentStatus, User
from tests.cli import free_port, popen

PASSWORD = "lua-chin-dong-xanh"
RESIDENT_CHAT = 5550001
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]


def blocking(coroutine):
    """Run a coroutine to its end from synchronous code: in a thread of its own, because
    Playwright's synchronous API keeps an event loop in the calling thread."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def chromium() -> str | None:
    """Debian's Chromium on PATH; never a downloaded browser."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def serving(env: dict[str, str], *, timeout: float = 30.0):
    """`loaso serve` on a free loopback port with these LOASO_* settings; yields its base URL
    once /healthz answers, and stops it (SIGTERM, as a supervisor would) afterwards."""
    port = free_port()
    process = popen(["serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"loaso serve did not start: {process.stderr.read()[-2000:]}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def settings_env(settings: dict[str, object]) -> dict[str, str]:
    return {f"LOASO_{name.upper()}": str(value) for name, value in settings.items()}


@dataclass(frozen=True)
class Seeded:
    answer_me: str  # the resident's comment the test answers
    others: list[str]


SEED_COMMENTS = [
    # (text, section, stance, hamlet, source, signed, days ago)
    ("Phương hướng cần cụ thể hơn cho các thôn, nhất là đường giao thông nội đồng.", "p2",
     "khong_tan_thanh", "thon-1", "telegram", None, 1),
    ("Đề nghị bổ sung chỉ tiêu thu nhập bình quân đầu người đến năm 2030.", "p1-c1",
     "dong_y_mot_phan", "thon-2", "zalo-oa", "Nguyễn Văn Ba", 2),
    ("Tán thành toàn bộ nội dung phần xã hội.", "p1-c2", "tan_thanh", "thon-1", "meeting",
     None, 3),
    ("Nên nêu rõ hơn việc chăm lo gia đình chính sách.", None, "dong_y_mot_phan", None,
     "telegram", None, 5),
    ("<script>alert('gy')</script> \"><img src=x onerror=alert(1)> javascript:alert(1)", "p2",
     "khong_tan_thanh", "thon-2", "telegram", "<b>Tên</b> javascript:alert(1)", 6),
]


async def seed(database_url: str, content_dir, *, username: str = "can.bo",
               role: str = "staff") -> Seeded:
    pack, report = load_pack(content_dir)
    assert pack is not None, report.render()
    database = Database(database_url)
    now = dt.datetime.now(dt.UTC)
    receipts = []
    try:
        async with database.transaction() as session:
            await add_account(session, pack, username=username, name="Lê Thị Lan", role=role,
                              groups=[], areas=[], password_hash=hash_password(PASSWORD),
                              who=Who("Kiểm thử"), now=now)
            resident = User(channel="telegram", address=str(RESIDENT_CHAT), consent_version="1",
                            consent_at=now)
            session.add(resident)
            await session.flush()
            for number, (text, section, stance, hamlet, source, signed, days) in enumerate(
                    SEED_COMMENTS):
                flat = pack.section("bao-cao", section) if section else None
                receipt = "GY-" + f"BRWS{number:04d}".replace("0", "Q").replace("1", "R")
                moment = now - dt.timedelta(days=days)
                session.add(Comment(
                    receipt=receipt, submission_key=f"seed:{receipt}", draft_id="bao-cao",
                    draft_version=pack.drafts["bao-cao"].version,
                    section_id=flat.section.id if flat else None,
                    section_label=flat.label if flat else "",
                    section_order=flat.order if flat else -1,
                    section_quote=flat.section.text if flat else "", stance=stance, text=text,
                    user_id=resident.id if source == "telegram" and number == 0 else None,
                    signed_name=signed, hamlet_id=hamlet, source=source,
                    source_detail="Hội nghị nhân dân thôn 1 — 05/09/2025" if source == "meeting"
                    else None, status=CommentStatus.NEW, created_at=moment, updated_at=moment))
                receipts.append(receipt)
    finally:
        await database.dispose()
    return Seeded(receipts[0], receipts[1:])


async def read_comment(database_url: str, receipt: str) -> Comment:
    from db.comments import find_by_receipt

    database = Database(database_url)
    try:
        async with database.read() as session:
            return await find_by_receipt(session, receipt)
    finally:
        await database.dispose()


async def seed_campaign(database_url: str, content_dir, *, residents: int = 240,
                        comments: int = 180, seed_number: int = 4) -> None:
    """A month of campaign for the screenshots: residents of each hamlet on each channel,
    subscriptions, quiz rounds, comments over 30 days, two bulletins and an announcement."""
    import random

    from sqlalchemy import insert

    from db.models import OutboxMessage, QuizRound, Subscription

    rng = random.Random(seed_number)
    pack, report = load_pack(content_dir)
    assert pack is not None, report.render()
    hamlets = [hamlet.id for hamlet in pack.campaign.hamlets]
    now = dt.datetime.now(dt.UTC)
    database = Database(database_url)
    try:
        async with database.transaction() as session:
            users = []
            for number in range(residents):
                user = User(channel=rng.choice(("telegram", "telegram", "zalo-oa", "zalo-bot")),
                            address=f"campaign-{number}", consent_version="1", consent_at=now,
                            hamlet_id=rng.choice([*hamlets, None]) if number > 1 else None)
                session.add(user)
                users.append(user)
            await session.flush()
            subscribers = [user.id for user in users if rng.random() < 0.6]
            session.add_all(Subscription(user_id=user_id, kind="all", ref="*", created_at=now)
                            for user_id in subscribers)
            session.add_all(QuizRound(user_id=rng.choice(subscribers), token=f"shot{number:06d}",
                                      questions=["q"] * 10, answers=[1] * 10,
                                      score=rng.randint(3, 10), started_at=now, updated_at=now,
                                      finished_at=now) for number in range(residents // 3))
            flat = [entry for entry in pack.sections["bao-cao"]]
            for number in range(comments):
                section = rng.choice(flat)
                moment = now - dt.timedelta(days=rng.triangular(0, 29, 3), hours=rng.random())
                session.add(Comment(
                    receipt=f"GY-C{number:07d}".replace("0", "Z").replace("1", "Y"),
                    submission_key=f"campaign:{number}", draft_id="bao-cao",
                    draft_version=pack.drafts["bao-cao"].version, section_id=section.section.id,
                    section_label=section.label, section_order=section.order,
                    section_quote=section.section.text,
                    stance=rng.choice(("tan_thanh", "tan_thanh", "khong_tan_thanh",
                                       "dong_y_mot_phan")),
                    text="Góp ý mẫu cho ảnh chụp màn hình.", hamlet_id=rng.choice(hamlets),
                    source=rng.choice(("telegram", "telegram", "zalo-oa", "meeting")),
                    status=rng.choice(("moi", "moi", "da_xem", "tiep_thu", "khong_tiep_thu")),
                    created_at=moment, updated_at=moment))
            for batch in ("bulletin:1", "bulletin:2", "announcement:1"):
                await session.execute(insert(OutboxMessage), [
                    {"channel": "telegram", "recipient": str(user_id), "user_id": user_id,
                     "payload": {"type": "message", "text": "Bản tin"}, "priority": 0,
                     "status": rng.choice(("sent",) * 12 + ("failed", "stopped", "queued")),
                     "attempts": 1, "next_attempt_at": now, "created_at": now, "batch": batch,
                     "dedupe_key": f"{batch}:{user_id}:0"} for user_id in subscribers])
    finally:
        await database.dispose()
