"""Pid files, so `loaso content reload` can reach every running process with SIGHUP."""

from __future__ import annotations

import os
import signal
from pathlib import Path


def register(run_dir: Path, role: str) -> Path:
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / f"loaso-{role}-{os.getpid()}.pid"
    path.write_text(str(os.getpid()))
    return path


def unregister(path: Path) -> None:
    path.unlink(missing_ok=True)


def signal_all(run_dir: Path, signum: int = signal.SIGHUP, *, skip: int | None = None,
               ) -> list[int]:
    """Signal each live process with a pid file (but `skip`); stale files are removed.
    Returns the pids."""
    reached = []
    for path in sorted(run_dir.glob("loaso-*.pid")) if run_dir.is_dir() else []:
        try:
            pid = int(path.read_text().strip())
            if pid == skip:
                continue
            os.kill(pid, signum)
            reached.append(pid)
        except (ValueError, ProcessLookupError):
            path.unlink(missing_ok=True)
        except PermissionError:
            continue
    return reached


def running(run_dir: Path) -> list[tuple[str, int]]:
    """The (role, pid) of each live process with a pid file here (stale files are removed)."""
    found = []
    for path in sorted(run_dir.glob("loaso-*.pid")) if run_dir.is_dir() else []:
        try:
            pid = int(path.read_text().strip())
            os.kill(pid, 0)
        except (ValueError, ProcessLookupError):
            path.unlink(missing_ok=True)
            continue
        except PermissionError:  # alive, another user's
            pass
        found.append((path.name.split("-")[1], pid))
    return found
