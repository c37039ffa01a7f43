"""Running `loaso` as an operator does, hermetically: every test that starts a `loaso`
process goes through here, so none reads the operator's `.env` or `LOASO_*` environment,
writes into the checkout (relative defaults such as ./var land in a scratch directory), or
binds a fixed port."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from bot.settings import ENV_FILE_VARIABLE

LOASO = str(Path(sys.executable).parent / "loaso")
_workdir: Path | None = None


def hermetic_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without any LOASO_* setting, reading no `.env`, plus `env`."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("LOASO_")}
    return {**clean, ENV_FILE_VARIABLE: "", **(env or {})}


def workdir() -> Path:
    """An empty scratch directory, the working directory of every `loaso` process the suite
    starts (removed when the run ends)."""
    global _workdir
    if _workdir is None:
        _workdir = Path(tempfile.mkdtemp(prefix="loaso-tests-"))
        atexit.register(shutil.rmtree, _workdir, ignore_errors=True)
    return _workdir


def run(args, env=None, stdin="", timeout=60, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([LOASO, *args], input=stdin, capture_output=True, text=True,
                          env=hermetic_env(env), timeout=timeout, cwd=cwd or workdir())


def popen(args, env=None, cwd=None, **options) -> subprocess.Popen:
    """A long-running `loaso` (serve, worker) with the same hermetic environment."""
    return subprocess.Popen([LOASO, *args], env=hermetic_env(env), cwd=cwd or workdir(),
                            **options)


def free_port() -> int:
    """A loopback port the kernel just handed out (never a fixed number)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_in_terminal(args, env=None, typed="", timeout=60, cwd=None) -> tuple[int, str]:
    """`loaso` as staff run it at a terminal (a pseudo-terminal): `typed` is what they type.
    Returns the exit code and everything the terminal showed."""
    import os
    import pty
    import select
    import time

    main_fd, child_fd = pty.openpty()
    process = subprocess.Popen([LOASO, *args], stdin=child_fd, stdout=child_fd, stderr=child_fd,
                               env=hermetic_env(env), cwd=cwd or workdir(), close_fds=True)
    os.close(child_fd)
    os.write(main_fd, typed.encode())
    shown = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main_fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(main_fd, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                shown += chunk
            elif process.poll() is not None:
                break
        code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main_fd)
    return code, shown.decode("utf-8", errors="replace").replace("\r\n", "\n")
