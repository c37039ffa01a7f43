"""A short journal of messages the platform accepted whose outcome is not in the database yet.

Outcomes are written in batches (a fraction of a second apart), so a process killed with
SIGKILL between a platform's acceptance and that write would leave the row "sending"; when
its lease expired the sweeper would queue it again and the resident would get it twice,
about a lease later, after the conversation had moved on. So each acceptance is appended
here first: a `write` to a local file, which the kernel keeps whatever happens to the
process. After every commit of outcomes the journal is cut back to what is still unwritten,
so it stays a few lines long. The sweeper (any sender sharing the run directory) reads every
journal before it returns expired leases, marks those rows sent, and removes the journals of
processes that are gone. What this cannot cover: a machine that loses power (the page cache
with it), and a worker on another machine, which has its own run directory.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

SUFFIX = ".journal"


class SentJournal:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._fd: int | None = None
        self.path: Path | None = None

    def _open(self) -> int:
        if self._fd is None:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.path = self.directory / f"sent-{os.getpid()}-{uuid.uuid4().hex[:8]}{SUFFIX}"
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return self._fd

    def accepted(self, row_id: int, platform_message_id: str | None) -> None:
        """The platform took this row: noted before anything else can go wrong."""
        os.write(self._open(), _line(row_id, platform_message_id))

    def committed(self, still_unwritten: dict[int, str | None]) -> None:
        """Outcomes were committed: keep only acceptances not written to the database yet
        (called right after the commit, before any other task runs)."""
        if self._fd is None:
            return
        os.ftruncate(self._fd, 0)
        if still_unwritten:
            os.write(self._fd, b"".join(_line(row_id, message_id)
                                        for row_id, message_id in still_unwritten.items()))

    def close(self) -> None:
        """A clean stop, every outcome written: the journal goes."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            if self.path is not None:
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()


def _line(row_id: int, platform_message_id: str | None) -> bytes:
    return f"{row_id} {platform_message_id or '-'}\n".encode()


def read_all(directory: Path) -> tuple[dict[int, str | None], list[Path]]:
    """Every acceptance in every journal of the directory, and the journals of processes
    that no longer run (to remove once their acceptances are in the database)."""
    accepted: dict[int, str | None] = {}
    orphaned: list[Path] = []
    for path in sorted(directory.glob(f"sent-*{SUFFIX}")) if directory.is_dir() else []:
        with contextlib.suppress(FileNotFoundError):
            for line in path.read_text(encoding="ascii", errors="replace").splitlines():
                row_id, _, message_id = line.partition(" ")
                if row_id.isascii() and row_id.isdigit():  # a line cut short by the kill
                    accepted[int(row_id)] = None if message_id in ("-", "") else message_id
        if not _alive(path):
            orphaned.append(path)
    return accepted, orphaned


def _alive(path: Path) -> bool:
    pid = path.name.split("-")[1]
    if not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
