"""`loaso backup` and `loaso restore`: a copy of the whole database, and putting one back."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import Force, confirm, fail, refuse_overwrite, settings_or_exit

STOP_FIRST = ("Loa Số đang chạy trên máy này ({running}); dừng dịch vụ trước khi phục hồi, ví "
              "dụ: systemctl stop loaso-serve loaso-worker. Chưa phục hồi gì.")


def _size(count: int) -> str:
    from content.text import format_number

    return f"{format_number(round(count / 1024 / 1024, 1))} MB"


def backup(out: Annotated[Path | None, typer.Option(
               "--out", help="Tệp sao lưu sẽ tạo, ví dụ /var/backups/loaso-2025-09-30.db "
                             "(PostgreSQL: .dump).")] = None,
           force: Force = False) -> None:
    """Sao lưu toàn bộ cơ sở dữ liệu, an toàn cả khi dịch vụ đang chạy."""
    settings = settings_or_exit()
    from db.backup import BackupError
    from db.backup import backup as make_backup

    if out is None:
        fail("Cần chỉ định tệp sao lưu: --out TỆP (ví dụ --out loaso-sao-luu.db).")
    out = out.expanduser().resolve()
    if out.is_dir():
        fail(f"'{out}' là một thư mục; hãy ghi cả tên tệp, ví dụ {out / 'loaso-sao-luu.db'}.")
    if not out.parent.is_dir():
        fail(f"Thư mục '{out.parent}' không tồn tại; hãy tạo trước hoặc chọn nơi khác.")
    refuse_overwrite(out, force)
    try:
        made = make_backup(settings.database_url, out)
    except BackupError as error:
        fail(f"Chưa sao lưu: {error}")
    except OSError as error:
        fail(f"Chưa sao lưu: không ghi được {out}: {error.strerror or error}")
    typer.echo(f"Đã sao lưu cơ sở dữ liệu ({made.kind}, phiên bản cấu trúc {made.revision}) ra "
               f"{made.path} ({_size(made.size)}).")
    typer.echo("Tệp chứa dữ liệu cá nhân của người dân: chỉ lưu ở nơi an toàn của cơ quan. "
               "Phục hồi bằng: loaso restore TỆP --yes")


def restore(file: Annotated[Path, typer.Argument(help="Tệp sao lưu tạo bằng loaso backup.")],
            yes: Annotated[bool, typer.Option(
                "--yes", help="Xác nhận thay toàn bộ dữ liệu hiện có, không hỏi lại.")] = False,
            ) -> None:
    """Phục hồi cơ sở dữ liệu từ một bản sao lưu (thay toàn bộ dữ liệu hiện có)."""
    settings = settings_or_exit()
    from bot import runfiles
    from db import migrations
    from db.backup import BackupError, backend, inspect
    from db.backup import restore as put_back

    if not file.is_file():
        fail(f"Không có tệp {file}.")
    try:
        kind, revision = inspect(file)
    except BackupError as error:
        fail(f"Chưa phục hồi: {error}")
    target = backend(settings.database_url)
    if kind != target:
        fail(f"Chưa phục hồi: {file} là bản sao lưu {kind}, còn LOASO_DATABASE_URL là {target}. "
             "Phục hồi vào cùng loại cơ sở dữ liệu.")
    if revision is None or not migrations.is_known(revision):
        fail(f"Chưa phục hồi: bản sao lưu có cấu trúc phiên bản {revision or '(không rõ)'}, "
             "phiên bản Loa Số này không biết (bản sao lưu từ bản Loa Số mới hơn?). Cập nhật "
             "Loa Số (git pull, make install) rồi phục hồi lại.")
    running = runfiles.running(settings.run_dir)
    if running:
        fail(STOP_FIRST.format(running=", ".join(f"{role} pid {pid}" for role, pid in running)))
    busy = asyncio.run(_other_connections(settings.database_url))
    if busy:
        fail(STOP_FIRST.format(running=busy))
    if not yes:
        confirm(f"Thay toàn bộ dữ liệu của {_where(settings.database_url)} bằng {file}? "
                "Dữ liệu hiện có sẽ mất.", refused="Chưa phục hồi gì.")
    try:
        put_back(settings.database_url, file)
    except BackupError as error:
        fail(f"Phục hồi không thành công, dữ liệu cũ giữ nguyên: {error}")
    typer.echo(f"Đã phục hồi cơ sở dữ liệu từ {file} (phiên bản cấu trúc {revision}).")
    if revision != migrations.head_revision():
        asyncio.run(_upgrade(settings.database_url))
        typer.echo(f"Bản sao lưu cũ hơn phiên bản này: đã cập nhật cấu trúc (loaso migrate) lên "
                   f"{migrations.head_revision()}.")
    typer.echo("Khởi động lại dịch vụ: systemctl start loaso-serve loaso-worker")


def _where(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return str(parsed.database) if parsed.get_backend_name() == "sqlite" else \
        f"cơ sở dữ liệu {parsed.database} trên {parsed.host or 'localhost'}"


async def _other_connections(url: str) -> str:
    """On PostgreSQL, whatever else holds the database: the active worker's advisory lock, or
    any other session (a `serve --no-sender` on another machine has no pid file here)."""
    from sqlalchemy import text

    from db.backup import backend
    from db.engine import Database
    from scheduler.leader import LOCK_KEY

    if backend(url) != "postgresql":
        return ""
    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            others = (await connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"))).scalar_one()
            worker = (await connection.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :low "
                "AND classid = :high"), {"low": LOCK_KEY & 0xFFFFFFFF,
                                         "high": LOCK_KEY >> 32})).scalar_one()
    except OSError as error:
        fail(f"Không kết nối được cơ sở dữ liệu: {error}")
    finally:
        await database.dispose()
    if worker:
        return "một loaso worker đang giữ khóa hoạt động"
    if others:
        return f"{others} kết nối khác tới cơ sở dữ liệu"
    return ""


async def _upgrade(url: str) -> None:
    from db import migrations
    from db.engine import Database

    database = Database(url)
    try:
        await migrations.upgrade(database)
    finally:
        await database.dispose()
