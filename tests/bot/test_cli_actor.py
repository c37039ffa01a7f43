"""The one `--by` rule: every command that records who acted refuses a missing or blank name
with the same message and writes nothing, and records a given name NFC, trimmed, spaced once.

Real `loaso` processes on a database (both backends) holding one of everything the commands
act on: a pinned phase, a comment, a pending and a sending announcement, an unused invite, a
granted role, and a filled meeting template.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
import typer
from sqlalchemy import select

from bot.cli.common import ACTOR_MAX_LENGTH, ACTOR_MISSING, actor
from content.loader import load_pack
from db import campaign as campaign_queries
from db import roles
from db.models import AnnouncementStatus, Base
from delivery.fanout import Audience
from tests.bot.test_cli import run
from tests.conftest import MINI_PACK
from tests.reports.test_export import add_comments
from tests.reports.test_meeting_import import GOOD, workbook
from tests.scheduler.test_announcements import announcement, hamlets_fixture, resident

RECEIPT = "GY-ACTR2345"
NOW = dt.datetime.now(dt.UTC)

# Every command that records who acted; {out} is a folder that must stay empty on refusal.
COMMANDS = {
    "phase set": ["phase", "set", "dot-2"],
    "phase clear": ["phase", "clear"],
    "comments review": ["comments", "review", RECEIPT, "--status", "da_xem"],
    "comments answer": ["comments", "answer", RECEIPT, "--text", "Cảm ơn bà con đã góp ý."],
    "comments export": ["comments", "export", "--out", "{out}/gop-y.csv"],
    "comments report": ["comments", "report", "--draft", "bao-cao", "--out", "{out}/bc.docx"],
    "comments import": ["comments", "import", "{meeting}"],
    "announcements approve": ["announcements", "approve", "1"],
    "announcements reject": ["announcements", "reject", "1", "--reason", "Trùng lịch"],
    "announcements cancel": ["announcements", "cancel", "1"],
    "announcements stop": ["announcements", "stop", "2"],
    "broadcast": ["broadcast", "--text", "Họp thôn lúc 19 giờ.", "--yes"],
    "invites create": ["invites", "create", "--role", "staff"],
    "invites revoke": ["invites", "revoke", "1"],
    "roles revoke": ["roles", "revoke", "1"],
}


@pytest.fixture
async def world(database, database_url, tmp_path) -> dict:
    """One of everything; returns the environment and the paths the commands take."""
    pack, _ = load_pack(MINI_PACK)
    await hamlets_fixture(database)
    leader = await resident(database, "leader", subscriptions=())
    await announcement(database, audience=Audience(hamlets=("thon-1",)),
                       status=AnnouncementStatus.PENDING, author_user_id=leader)  # #1
    await announcement(database, audience=Audience(everyone=True),
                       status=AnnouncementStatus.SENDING)  # #2
    await add_comments(database, pack, {"receipt": RECEIPT, "text": "Cần cụ thể hơn."})
    async with database.transaction() as session:
        later = NOW + dt.timedelta(days=7)
        await roles.create_invite(session, role="staff", groups=[], areas=[], expires_at=later,
                                  note=None, created_by="Cán bộ Tư", now=NOW)  # #1, unused
        _, code = await roles.create_invite(session, role="leader", groups=[],
                                            areas=["thon-1"], expires_at=later, note=None,
                                            created_by="Cán bộ Tư", now=NOW)
        await roles.redeem(session, code=code, user_id=leader, now=NOW)  # grant #1
        await campaign_queries.set_override(session, phase_id="dot-1", stage_id=None,
                                            by="Cán bộ Tư", now=NOW)
    out = tmp_path / "out"
    out.mkdir()
    return {"env": {"LOASO_DATABASE_URL": database_url, "LOASO_CONTENT_DIR": str(MINI_PACK)},
            "out": out, "meeting": workbook(tmp_path / "hoi-nghi.xlsx", GOOD)}


def command(world: dict, name: str) -> list[str]:
    return [part.format(out=world["out"], meeting=world["meeting"]) for part in COMMANDS[name]]


async def everything(database) -> dict[str, list[str]]:
    """Every row of every table, to show that a refused command changed nothing."""
    async with database.read() as session:
        return {table.name: sorted(repr(tuple(row)) for row in
                                   (await session.execute(select(table))).all())
                for table in Base.metadata.sorted_tables}


@pytest.mark.parametrize("name", list(COMMANDS))
async def test_a_missing_or_blank_name_is_refused_and_nothing_is_written(world, database, name):
    before = await everything(database)
    for by in ([], ["--by", " \t "]):
        result = run([*command(world, name), *by], env=world["env"])
        assert result.returncode == 2, (by, result.stdout, result.stderr)
        assert result.stderr.strip() == ACTOR_MISSING, (by, result.stderr)
    assert await everything(database) == before
    assert list(world["out"].iterdir()) == []


@pytest.mark.parametrize("name", list(COMMANDS))
async def test_the_name_is_recorded_nfc_and_trimmed(world, database, name):
    typed = unicodedata.normalize("NFD", "  Nguyễn   Thị\tHằng ")  # as some keyboards send it
    result = run([*command(world, name), "--by", typed], env=world["env"])
    assert result.returncode == 0, result.stderr
    rows = repr(await everything(database))
    assert "Nguyễn Thị Hằng" in rows
    assert unicodedata.normalize("NFD", "Hằng") not in rows


def test_the_rule_itself(capsys):
    assert actor(unicodedata.normalize("NFD", " Trần  Văn\u00a0Ánh\n")) == "Trần Văn Ánh"
    assert actor("A" * ACTOR_MAX_LENGTH) == "A" * ACTOR_MAX_LENGTH
    for bad, message in [(None, ACTOR_MISSING), ("", ACTOR_MISSING), (" \u3000\t", ACTOR_MISSING),
                         ("Lê\x00Văn", "ký tự điều khiển"),
                         ("A" * (ACTOR_MAX_LENGTH + 1), f"dài {ACTOR_MAX_LENGTH + 1} ký tự")]:
        with pytest.raises(typer.Exit) as refused:
            actor(bad)
        assert refused.value.exit_code == 2
        assert message in capsys.readouterr().err


def test_help_says_the_name_is_required():
    shown = run(["comments", "review", "--help"], env={"COLUMNS": "200"})
    assert "Họ tên cán bộ thực hiện, ghi vào nhật ký (bắt buộc)." in shown.stdout
