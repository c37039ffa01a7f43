"""The suite is hermetic: an operator's `.env` and `LOASO_*` environment never reach it, no
test binds a fixed port or writes into the checkout, and the PostgreSQL pass makes its own
database (telling a server that does not answer from one where it cannot)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
from pathlib import Path

import pytest

from bot.settings import ENV_FILE_VARIABLE, load_settings
from tests.cli import LOASO, free_port, hermetic_env, run, workdir
from tests.conftest import BACKEND, PG_SERVER_URL

ROOT = Path(__file__).resolve().parents[1]
# What an operator's half-broken .env may hold: an unsupported database, a bad number, a
# Telegram token in webhook mode without its secret, a pack that is not there.
POISON = ("LOASO_DATABASE_URL=mysql://root@localhost/loaso\n"
          "LOASO_SEND_MAX_ATTEMPTS=beaucoup\n"
          "LOASO_TELEGRAM_TOKEN=123:operator-token\n"
          "LOASO_CONTENT_DIR=/nowhere/pack\n")


def test_no_loaso_setting_of_the_operator_reaches_the_tests():
    leaked = [name for name in os.environ
              if name.startswith("LOASO_") and not name.startswith("LOASO_TEST_")
              and name != ENV_FILE_VARIABLE]
    assert leaked == []
    assert os.environ[ENV_FILE_VARIABLE] == ""


def test_settings_read_in_the_test_process_ignore_a_poisoned_env_file(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text(POISON, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.database_url.startswith("sqlite") and settings.send_max_attempts == 5
    assert not settings.telegram_enabled


def test_a_command_run_beside_a_poisoned_env_file_ignores_it(tmp_path):
    (tmp_path / ".env").write_text(POISON, encoding="utf-8")
    env = {"LOASO_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    result = run(["content", "check"], env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Gói nội dung hợp lệ" in result.stdout
    # The same command as the operator runs it does read that file: the test above can fail.
    operator_env = {key: value for key, value in hermetic_env(env).items()
                    if key != ENV_FILE_VARIABLE}
    operator = subprocess.run([LOASO, "content", "check"], capture_output=True, text=True,
                              env=operator_env, cwd=tmp_path, timeout=60)
    assert operator.returncode == 2 and "Cấu hình sai" in operator.stderr


def test_commands_without_a_database_setting_never_touch_the_checkout():
    checkout_db = ROOT / "var" / "loaso.db"
    before = checkout_db.stat().st_mtime_ns if checkout_db.exists() else None
    result = run(["chat"], stdin="/start\n")
    assert result.returncode == 0, result.stderr
    assert (workdir() / "var" / "loaso.db").exists()  # ./var of the scratch directory
    after = checkout_db.stat().st_mtime_ns if checkout_db.exists() else None
    assert after == before


# A port written as a number where a test or a benchmark starts or reaches a server.
FIXED_PORT = re.compile(r"""--port["']?\s*,\s*["']\d+|\bport\s*=\s*\d{2,5}\b|default=80\d\d\b"""
                        r"""|(127\.0\.0\.1|localhost):(?!5432\b)\d{2,5}""")


def test_no_test_or_benchmark_uses_a_fixed_port():
    offenders = []
    for path in [*(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]:
        if path == Path(__file__):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FIXED_PORT.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_port_probe_catches_what_it_should():
    assert FIXED_PORT.search('run(["serve", "--port", "1"])')
    assert FIXED_PORT.search('parser.add_argument("--port", type=int, default=8081)')
    assert FIXED_PORT.search('base = "http://127.0.0.1:8000/healthz"')
    assert not FIXED_PORT.search('["serve", "--port", str(free_port())]')
    assert not FIXED_PORT.search('"postgresql://postgres@127.0.0.1:5432/postgres"')


# -- the PostgreSQL pass's probe (make test-postgresql) --------------------------------------

def probe(url: str) -> subprocess.CompletedProcess:
    from sys import executable

    return subprocess.run([executable, "-m", "tests.pg_server", url], capture_output=True,
                          text=True, cwd=ROOT, env=hermetic_env(), timeout=60)


def test_a_server_that_does_not_answer_is_skipped_with_its_own_message():
    result = probe(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/postgres")
    assert result.returncode == 3 and "does not answer" in result.stderr


@pytest.mark.skipif(BACKEND != "postgresql", reason="needs the PostgreSQL server of the second pass")
def test_a_server_that_answers_but_cannot_make_the_database_says_so():
    from tests.pg_server import connect_maintenance

    role = f"loaso_nocreatedb_{os.getpid()}"

    async def roles(sql: str) -> None:
        admin = await connect_maintenance(PG_SERVER_URL)
        try:
            await admin.execute(sql)
        finally:
            await admin.close()

    asyncio.run(roles(f'CREATE ROLE "{role}" LOGIN NOCREATEDB'))
    try:
        from sqlalchemy.engine import make_url

        url = make_url(PG_SERVER_URL).set(username=role).render_as_string(hide_password=False)
        refused = probe(url)
        assert refused.returncode == 4, refused.stderr
        assert "cannot be created" in refused.stderr and "does not answer" not in refused.stderr
        assert probe(PG_SERVER_URL).returncode == 0
    finally:
        asyncio.run(roles(f'DROP ROLE IF EXISTS "{role}"'))
