"""Run and check Alembic migrations from inside the application (same scripts on both backends)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from alembic import command
from db.engine import Database

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def alembic_config() -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_known(revision: str) -> bool:
    """Whether this release's migrations contain `revision` (a newer release's do not)."""
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except (CommandError, KeyError):
        return False


async def current_revision(database: Database) -> str | None:
    async with database.engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


async def is_up_to_date(database: Database) -> bool:
    return await current_revision(database) == head_revision()


async def upgrade(database: Database, revision: str = "head") -> None:
    await _run(database, command.upgrade, revision)


async def downgrade(database: Database, revision: str) -> None:
    await _run(database, command.downgrade, revision)


async def _run(database: Database, alembic_command: Callable[..., Any], revision: str) -> None:
    """Alembic's commands are synchronous: run one on the engine's connection, in its loop."""
    config = alembic_config()

    def run(sync_connection: Any) -> None:
        config.attributes["connection"] = sync_connection
        alembic_command(config, revision)

    async with database.engine.begin() as connection:
        await connection.run_sync(run)


# When `loaso migrate` (or `loaso chat`) created the schema of an empty database: the
# scheduler's catch-up never reports a bulletin "missed while stopped" that was due before the
# database existed. A row of app_secrets (the installation's own values), so no migration is
# needed; databases created before this row existed simply have none.
INSTALLED = "installed_at"


async def upgrade_recording_installation(database: Database) -> None:
    """`upgrade`, and when the database was empty, the moment it was installed."""
    from db.dialect import insert_for
    from db.models import AppSecret

    empty = await current_revision(database) is None
    await upgrade(database)
    if empty:
        async with database.transaction() as session:
            await session.execute(insert_for(session, AppSecret).values(
                name=INSTALLED, value="", created_at=dt.datetime.now(dt.UTC)
            ).on_conflict_do_nothing(index_elements=["name"]))


async def installed_at(database: Database) -> dt.datetime | None:
    from db.models import AppSecret

    async with database.read() as session:
        row = await session.get(AppSecret, INSTALLED)
    return row.created_at if row is not None else None
