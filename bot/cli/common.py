"""What every `loaso` command shares: settings with one-line errors, failing cleanly, and
the one rule for who acted (`--by`)."""

from __future__ import annotations

import asyncio
import sys
import unicodedata
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer

from bot.logs import setup_logging
from bot.settings import Settings, SettingsError, get_settings
from db.comments import use_pseudonym_key

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.channels.base import Channel
    from bot.service import Service
    from content.pack import Pack
    from db.engine import Database

T = TypeVar("T")

MIGRATE_HINT = "Cơ sở dữ liệu chưa được cập nhật. Hãy chạy: loaso migrate"


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def settings_or_exit(*, require_channels: bool = False) -> Settings:
    """The settings, or exit with one line per bad setting. Each command checks what it uses:
    only the commands that run channels (`serve`, `worker`, `webhook set`, `zalo oa-auth`)
    pass `require_channels`, so a half-finished webhook set-up stops them and nothing else."""
    try:
        settings = get_settings()
        if require_channels and (problems := settings.channel_problems()):
            raise SettingsError("\n".join(problems))
        use_pseudonym_key(settings.external_pseudonym_key())
    except SettingsError as error:
        fail(str(error))
    setup_logging(settings.log_level, settings.secret_values())
    return settings


# Every command that writes a file refuses to replace one without --force (as `drafts import`
# does): an export or a backup written over yesterday's is lost for good.
Force = Annotated[bool, typer.Option("--force", help="Ghi đè nếu tệp đã có.")]


def refuse_overwrite(path: Path, force: bool, why: str = "") -> None:
    if path.exists() and not force:
        fail(f"Đã có tệp {path}{why}. Không ghi đè: chọn tên khác, hoặc thêm --force để ghi đè.")


YES_ANSWERS = {"c", "co", "y", "yes", "dong y"}
NO_ANSWERS = {"", "k", "khong", "n", "no"}


def confirm(question: str, *, refused: str, flag: str = "--yes") -> None:
    """Go on only when the staff member at a terminal answers yes ("c", "có"; Enter is no).
    Off a terminal (a script, a pipe, cron) nobody can answer: exit explaining `flag` rather
    than guess. `refused` says what was not done."""
    from content.text import fold

    if not sys.stdin.isatty():
        fail(f"{refused} Thêm {flag} để xác nhận. (Lệnh không chạy trong cửa sổ lệnh nên "
             "không hỏi lại được.)")
    while True:
        try:
            answer = fold(input(f"{question} [c/K] (c = có, k = không): "))
        except EOFError:
            answer = ""
        if answer in YES_ANSWERS:
            return
        if answer in NO_ANSWERS:
            fail(refused, code=1)
        typer.echo("Gõ c (có) hoặc k (không).")


def choose_code(given: str, names: dict[str, str], what: str) -> str:
    """The code of a status as staff type it: the code (`pending`, `tiep_thu`) or the name
    the CLI prints ("chờ duyệt", "Tiếp thu"), in any case, with or without diacritics."""
    from content.text import match_code

    code = match_code(given, names)
    if code is not None:
        return code
    listed = ", ".join(f"{code} ({name})" for code, name in names.items())
    fail(f"{what} không hợp lệ: {given}. Có: {listed}")


SETTING_HINTS = {"public_url": " (địa chỉ HTTPS công khai của máy chủ)"}


def require(settings: Settings, *names: str) -> None:
    """Exit naming the first of these settings that is not set (webhook registration needs
    a token, a public address and a secret, whatever the channel)."""
    for name in names:
        if getattr(settings, name) is None:
            fail(f"Chưa đặt LOASO_{name.upper()}{SETTING_HINTS.get(name, '')}.")


INVALID_PACK = "Gói nội dung có lỗi (xem trên); sửa rồi chạy lại. Kiểm tra bằng: loaso content check"


def build_service(settings: Settings, *, channels: dict[str, Channel] | None = None,
                  as_of: datetime | None = None) -> Service:
    """The process's Service, or exit with the content report if the pack is invalid."""
    from bot.service import Service
    from content.store import InvalidPack

    try:
        return Service(settings, channels=channels, as_of=as_of)
    except InvalidPack as error:
        typer.echo(error.report.render(), err=True)
        fail(INVALID_PACK)


def content_overlay(settings: Settings) -> dict[str, str]:
    """The console's content edits (db/content_edits.py), which every process lays over the
    pack on disk; none when the database is not there or not migrated yet."""
    from sqlalchemy.engine import make_url

    from db import content_edits, migrations
    from db.engine import Database

    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and (
            not url.database or not Path(url.database).is_file()):
        return {}  # no database file yet: nothing edited, and none is made here

    async def read() -> dict[str, str]:
        database = Database(settings.database_url)
        try:
            if not await migrations.is_up_to_date(database):
                return {}
            async with database.read() as session:
                return await content_edits.overlay(session)
        finally:
            await database.dispose()

    try:
        return asyncio.run(read())
    except Exception:  # no database yet: the pack on disk alone
        return {}


def pack_or_exit(settings: Settings) -> Pack:
    """The content pack with the console's edits, or exit with its report."""
    from content.loader import load_pack

    pack, report = load_pack(settings.content_path, content_overlay(settings))
    if pack is None:
        typer.echo(report.render(), err=True)
        fail(INVALID_PACK)
    return pack


async def in_transaction(settings: Settings,
                         work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work(session)` in one transaction on a migrated database (else exit with the hint)."""
    from db import migrations
    from db.engine import Database

    database = Database(settings.database_url)
    try:
        if not await migrations.is_up_to_date(database):
            fail(MIGRATE_HINT)
        async with database.transaction() as session:
            return await work(session)
    finally:
        await database.dispose()


def check_ids(kind: str, given: list[str], known: dict[str, str]) -> None:
    """Exit naming the ids of this kind (thôn, nhóm, chủ đề) that the pack does not have."""
    missing = [ref for ref in given if ref not in known]
    if missing:
        listed = ", ".join(f"{ref} ({name})" for ref, name in known.items()) or "(chưa có)"
        fail(f"Không có {kind} mã {', '.join(missing)} trong gói nội dung. Có: {listed}")


# --- who acted ------------------------------------------------------------------------------

ACTOR_MAX_LENGTH = 100  # the audit columns (reviewed_by, decided_by, export_audit.actor…)
ACTOR_MISSING = 'Cần ghi tên cán bộ thực hiện, ví dụ: --by "Nguyễn Văn A" (ghi vào nhật ký).'


def actor(by: str | None) -> str:
    """The name given with --by as it is recorded: NFC, trimmed, inner whitespace as single
    spaces. A missing or blank name, a control character or more than ACTOR_MAX_LENGTH
    characters exits before anything is written: a record of who acted must name someone."""
    name = " ".join(unicodedata.normalize("NFC", by or "").split())
    if not name:
        fail(ACTOR_MISSING)
    if any(unicodedata.category(char) == "Cc" for char in name):
        fail("Tên cán bộ thực hiện (--by) có ký tự điều khiển; hãy gõ lại tên.")
    if len(name) > ACTOR_MAX_LENGTH:
        fail(f"Tên cán bộ thực hiện (--by) dài {len(name)} ký tự; tối đa {ACTOR_MAX_LENGTH}.")
    return name


def server_operator() -> str:
    """Who acted, for the few commands whose contract has no --by (`staff …`, `comments
    show`): the operating-system account that ran the command on the server."""
    import getpass

    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        login = "?"
    return f"Máy chủ ({login})"[:ACTOR_MAX_LENGTH]


# Every command that records who acted takes `by: Actor = ""`. The callback applies `actor`
# while the command line is parsed, so the command receives the clean name, and a missing
# --by gets the same Vietnamese refusal as a blank one (not click's English "Missing option").
Actor = Annotated[str, typer.Option(
    "--by", help="Họ tên cán bộ thực hiện, ghi vào nhật ký (bắt buộc).", callback=actor,
    show_default=False)]


def run_action(settings: Settings,
               work: Callable[[AsyncSession, datetime], Awaitable[T]]) -> T:
    """Run one staff action, `work(session, now)`, in one transaction; a refusal
    (bot.actions.ActionRefused) exits with its message and nothing written."""
    import asyncio
    import datetime as dt

    from bot.actions import ActionRefused

    try:
        return asyncio.run(in_transaction(
            settings, lambda session: work(session, dt.datetime.now(dt.UTC))))
    except ActionRefused as refused:
        fail(str(refused))


def with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work(database)` on a migrated database, or stop with the migrate hint."""
    import asyncio

    from db import migrations
    from db.engine import Database

    async def run() -> T:
        database = Database(settings.database_url)
        try:
            try:
                current = await migrations.is_up_to_date(database)
            except OSError as error:
                fail(f"Không kết nối được cơ sở dữ liệu: {error}")
            if not current:
                fail(MIGRATE_HINT)
            return await work(database)
        finally:
            await database.dispose()

    try:
        return asyncio.run(run())
    except OSError as error:  # disk full, permission denied, connection lost mid-way
        fail(f"Không ghi được tệp: {error}")
