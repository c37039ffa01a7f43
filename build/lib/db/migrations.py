"""Run and check Alembic migrations from inside the application (same scripts on both backends)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from db.engine import Database

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def alembic_config() -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


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


async def _run(database: Database, alembic_command, revision: str) -> None:
    """Alembic's commands are synchronous: run one on the engine's connection, in its loop."""
    config = alembic_config()

    def run(sync_connection) -> None:
        config.attributes["connection"] = sync_connection
        alembic_command(config, revision)

    async with database.engine.begin() as connection:
        await connection.run_sync(run)
