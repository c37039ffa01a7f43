"""Backups and restores of the whole database, consistent while the service runs.

SQLite: the online backup API (`sqlite3.Connection.backup` in one step) copies a snapshot
of the file while `serve` keeps writing (WAL: the copy is a reader, writers go on).
PostgreSQL: `pg_dump` in its custom format (`-Fc`), itself a snapshot in one transaction,
restored with `pg_restore`; both come with Debian's `postgresql-client`.

A backup is written under a temporary name and renamed when complete, with mode 0600 (it
holds residents' personal data). Everything here is synchronous (files and processes): the
scheduler runs it in a thread.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

SQLITE_HEADER = b"SQLite format 3\x00"
PG_HEADER = b"PGDMP"
NIGHTLY_NAME = re.compile(r"^loaso-\d{8}-\d{6}\.(db|dump)$")
NO_CLIENT = ("Chưa cài {tool} (gói postgresql-client, cùng phiên bản chính với máy chủ "
             "PostgreSQL hoặc mới hơn): apt-get install postgresql-client")


class BackupError(Exception):
    """Why a backup or restore cannot go on, worded for the operator."""


@dataclass(frozen=True)
class Backup:
    path: Path
    kind: str  # sqlite or postgresql
    revision: str | None  # the schema version (Alembic revision) inside
    size: int


def backend(url: str) -> str:
    return "sqlite" if make_url(url).get_backend_name() == "sqlite" else "postgresql"


def sqlite_file(url: str) -> Path:
    return Path(make_url(url).database or "")


def _pg(url: str) -> tuple[str, dict[str, str]]:
    """A libpq address without the password, and the environment that carries it (a password
    on the command line would show in `ps`)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    address = parsed.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    return address, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(NO_CLIENT.format(tool=name))
    return found


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["(không có thông báo)"])[-1]
        raise BackupError(f"{what} báo lỗi: {detail}")
    return done.stdout


def backup(url: str, out: Path) -> Backup:
    """Write a consistent copy of the database at `url` to `out` (replacing it)."""
    scratch = out.with_name(f".{out.name}.{secrets.token_hex(4)}.part")
    try:
        if backend(url) == "sqlite":
            source_file = sqlite_file(url)
            if not source_file.is_file():
                raise BackupError(f"Không có tệp cơ sở dữ liệu {source_file}.")
            source = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True)
            target = sqlite3.connect(scratch)
            try:
                source.backup(target)  # one step: a single snapshot, however busy the service
                target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                target.close()
                source.close()
        else:
            address, env = _pg(url)
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(scratch),
                  "--dbname", address], env, "pg_dump")
        os.chmod(scratch, 0o600)
        kind, revision = inspect(scratch)
        os.replace(scratch, out)
        return Backup(out, kind, revision, out.stat().st_size)
    finally:
        scratch.unlink(missing_ok=True)


def inspect(path: Path) -> tuple[str, str | None]:
    """What a backup file holds: its kind and schema version; refuses anything else."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise BackupError(f"Không đọc được {path}: {error.strerror or error}") from None
    if header.startswith(SQLITE_HEADER):
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            raise BackupError(f"{path} là tệp SQLite nhưng không phải cơ sở dữ liệu của "
                              "Loa Số.") from None
        finally:
            connection.close()
        return "sqlite", row[0] if row else None
    if header.startswith(PG_HEADER):
        listing = _run([_tool("pg_restore"), "--data-only", "--table", "alembic_version",
                        "--file", "-", str(path)], dict(os.environ), "pg_restore")
        lines = listing.splitlines()
        for number, line in enumerate(lines):
            if line.startswith("COPY ") and "alembic_version" in line and number + 1 < len(lines):
                value = lines[number + 1].strip()
                return "postgresql", None if value == "\\." else value
        return "postgresql", None
    raise BackupError(f"{path} không phải bản sao lưu của Loa Số (tạo bằng: loaso backup).")


def restore(url: str, path: Path) -> None:
    """Replace the database at `url` with the backup at `path` (checked by the caller)."""
    if backend(url) == "sqlite":
        target_file = sqlite_file(url)
        target_file.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(target_file)
        try:
            source.backup(target)  # page by page into the live file: its WAL stays coherent
        finally:
            target.close()
            source.close()
        return
    address, env = _pg(url)
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", "--dbname", address, str(path)], env, "pg_restore")


# -- nightly backups with rotation (run by the active worker) ---------------------------------

def nightly(url: str, directory: Path, keep: int, now: dt.datetime) -> Backup:
    """A dated backup in `directory`, then only the newest `keep` of them are kept."""
    directory.mkdir(parents=True, exist_ok=True)
    suffix = "db" if backend(url) == "sqlite" else "dump"
    made = backup(url, directory / f"loaso-{now:%Y%m%d-%H%M%S}.{suffix}")
    dated = sorted(path for path in directory.iterdir() if NIGHTLY_NAME.match(path.name))
    for old in dated[:-keep]:
        old.unlink(missing_ok=True)
    return made
