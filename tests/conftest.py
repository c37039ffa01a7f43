"""Fixtures only. The suite runs on SQLite, or on PostgreSQL with LOASO_TEST_DATABASE=postgresql.

The suite is hermetic: the operator's `LOASO_*` environment and `.env` never reach it. The
settings of every test are built here (`make_settings`, `_env_file=None`) or passed to the
`loaso` processes it starts (tests/cli.py); the first thing this module does is drop every
`LOASO_*` variable but the suite's own `LOASO_TEST_*` and tell `load_settings` to read no
`.env` (LOASO_ENV_FILE empty).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import text

from bot.settings import ENV_FILE_VARIABLE, Settings, get_settings

for _name in [name for name in os.environ if name.startswith("LOASO_")]:
    if not _name.startswith("LOASO_TEST_"):
        del os.environ[_name]
os.environ[ENV_FILE_VARIABLE] = ""
get_settings.cache_clear()
from db import migrations
from db.engine import Database
from db.models import Base
from tests.channels import drivers

FIXTURES = Path(__file__).parent / "channels" / "fixtures"
MINI_PACK = Path(__file__).parent / "content" / "fixtures" / "mini"
SHIPPED_PACK = Path(__file__).parents[1] / "content" / "packs" / "nam-an-phu"
BACKEND = os.environ.get("LOASO_TEST_DATABASE", "sqlite")
# The PostgreSQL server (and role) of the second pass. The suite creates its own database
# through the server's maintenance database, whatever database the URL names.
PG_SERVER_URL = os.environ.get("LOASO_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
PG_TEST_DB = f"loaso_test_{os.getpid()}"
# Every table of the models (so a table added by a later migration is emptied too).
TABLES = sorted(Base.metadata.tables)
WEBHOOK_SECRET = "test-secret_0123456789"
# Each channel's fake platform and settings fixtures live in its driver module.
pytest_plugins = drivers.modules()


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _pg_url(database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(PG_SERVER_URL).set(database=database).render_as_string(hide_password=False)


async def _create_pg_database() -> str:
    from tests.pg_server import connect_maintenance

    admin = await connect_maintenance(PG_SERVER_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{PG_TEST_DB}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{PG_TEST_DB}"')
    finally:
        await admin.close()
    url = _pg_url(PG_TEST_DB)
    database = Database(url)
    await migrations.upgrade(database)
    await database.dispose()
    return url


async def _drop_pg_database() -> None:
    from tests.pg_server import connect_maintenance

    admin = await connect_maintenance(PG_SERVER_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{PG_TEST_DB}" WITH (FORCE)')
    finally:
        await admin.close()


REPOSITORY = Path(__file__).parents[1]
_UNTRACKED_AT_START: set[str] = set()


def _untracked() -> set[str]:
    """Files `git add -A` would add (untracked and not ignored); empty outside a checkout."""
    import subprocess

    try:
        listed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                                cwd=REPOSITORY, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return set()
    return {line[3:] for line in listed.stdout.splitlines() if line.startswith("?? ")}


def pytest_sessionstart(session) -> None:
    _UNTRACKED_AT_START.update(_untracked())


def pytest_sessionfinish(session, exitstatus) -> None:
    """A test that writes into the working tree (a relative path; on PostgreSQL a database's
    name taken for a file's) leaves a file that `git add -A` would commit: the pass fails and
    names it."""
    stray = sorted(_untracked() - _UNTRACKED_AT_START)
    if stray:
        print(f"\nTests left files in the repository: {', '.join(stray)}. Write to tmp_path.")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_collection_modifyitems(config, items) -> None:
    """The PostgreSQL pass runs only the tests that touch a database: those that use the
    `migrated_template` fixture (directly or through `database_url`, `database`, ...) or that
    read BACKEND themselves. Every other test would run the same code twice."""
    if BACKEND != "postgresql":
        return
    keep, same_on_both = [], []
    for item in items:
        module = getattr(item, "module", None)
        uses_database = ("migrated_template" in getattr(item, "fixturenames", ())
                         or getattr(module, "BACKEND", None) is not None)
        (keep if uses_database else same_on_both).append(item)
    if same_on_both:
        config.hook.pytest_deselected(items=same_on_both)
        items[:] = keep


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> str:
    """A database at the newest migration: a SQLite file to copy, or a PostgreSQL database."""
    if BACKEND == "postgresql":
        url = asyncio.run(_create_pg_database())
        yield url
        asyncio.run(_drop_pg_database())
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database(f"sqlite+aiosqlite:///{path}")

    async def build() -> None:
        await migrations.upgrade(database)
        await database.dispose()

    asyncio.run(build())
    yield str(path)


@pytest.fixture
def database_url(migrated_template, tmp_path) -> str:
    """A fresh, migrated, empty database for one test."""
    if BACKEND == "postgresql":
        async def truncate() -> None:
            database = Database(migrated_template)
            async with database.transaction() as session:
                await session.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
            await database.dispose()

        asyncio.run(truncate())
        return migrated_template
    path = tmp_path / "loaso.db"
    shutil.copy(migrated_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def empty_database_url(tmp_path) -> str:
    """A database with no schema at all (for migration and refusal tests); SQLite only."""
    return f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"


@pytest_asyncio.fixture
async def database(database_url) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


@pytest.fixture
def make_settings(database_url, tmp_path):
    def build(**overrides) -> Settings:
        values = {"database_url": database_url, "sender_poll_seconds": 0.05,
                  "content_dir": MINI_PACK, "run_dir": tmp_path / "run",
                  "console_export_dir": tmp_path / "exports",
                  # dialogs in tests type faster than a person; the flood tests set a limit
                  "inbound_per_minute": 0}
        values.update(overrides)
        return Settings(_env_file=None, **values)
    return build


async def count_rows(db: Database, table: str) -> int:
    async with db.read() as session:
        return (await session.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()


async def wait_until(predicate, timeout: float = 5.0, interval: float = 0.02) -> None:
    """Poll an async or sync predicate until it holds; fail the test with a clear message."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)
