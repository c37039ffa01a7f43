"""Publishing a file of comments: written under a temporary name, hashed (SHA-256), recorded
in `export_audit`, and only then given its real name. A failed export leaves neither a file
nor an audit row, and an exported file never exists without its audit row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from db import comments as comment_queries
from db.engine import Database


@dataclass(frozen=True)
class Published:
    path: Path
    kind: str
    rows: int
    sha256: str


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


async def publish(database: Database, out: Path, *, kind: str, actor: str, filters: dict[str, Any],
                  write: Callable[[Path], Awaitable[int]]) -> Published:
    """Write under a temporary name, audit, then rename; nothing is left on failure.

    The audit row is committed before the rename, so a crash in between leaves an audited
    temporary file rather than an unaudited export.
    """
    scratch = out.with_name(f".{out.name}.{secrets.token_hex(4)}.part")
    try:
        rows = await write(scratch)
        os.chmod(scratch, 0o600)  # comments are personal data: readable by the exporter only
        digest = file_sha256(scratch)
        async with database.transaction() as session:
            await comment_queries.record_export(
                session, actor=actor, kind=kind, filters=filters, row_count=rows,
                sha256=digest, now=dt.datetime.now(dt.UTC))
        os.replace(scratch, out)
        return Published(out, kind, rows, digest)
    finally:
        scratch.unlink(missing_ok=True)


async def installation_key(database: Database) -> bytes:
    # Created and committed on first use, so later exports give the same pseudonyms.
    async with database.transaction() as session:
        return await comment_queries.pseudonym_key(session)
