"""What every `loaso` command shares: settings with one-line errors, and failing cleanly."""

from __future__ import annotations

import typer

from bot.logs import setup_logging
from bot.settings import Settings, SettingsError, get_settings

MIGRATE_HINT = "Cơ sở dữ liệu chưa được cập nhật. Hãy chạy: loaso migrate"


def fail(message: str, code: int = 2) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def settings_or_exit() -> Settings:
    try:
        settings = get_settings()
    except SettingsError as error:
        fail(str(error))
    setup_logging(settings.log_level, settings.secret_values())
    return settings


SETTING_HINTS = {"public_url": " (địa chỉ HTTPS công khai của máy chủ)"}


def require(settings: Settings, *names: str) -> None:
    """Exit naming the first of these settings that is not set (webhook registration needs
    a token, a public address and a secret, whatever the channel)."""
    for name in names:
        if getattr(settings, name) is None:
            fail(f"Chưa đặt LOASO_{name.upper()}{SETTING_HINTS.get(name, '')}.")


INVALID_PACK = "Gói nội dung có lỗi (xem trên); sửa rồi chạy lại. Kiểm tra bằng: loaso content check"


def build_service(settings: Settings, **options):
    """The process's Service, or exit with the content report if the pack is invalid."""
    from bot.service import Service
    from content.store import InvalidPack

    try:
        return Service(settings, **options)
    except InvalidPack as error:
        typer.echo(error.report.render(), err=True)
        fail(INVALID_PACK)


def pack_or_exit(settings: Settings):
    """The content pack, or exit with its report."""
    from content.loader import load_pack

    pack, report = load_pack(settings.content_path)
    if pack is None:
        typer.echo(report.render(), err=True)
        fail(INVALID_PACK)
    return pack


async def in_transaction(settings: Settings, work):
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
