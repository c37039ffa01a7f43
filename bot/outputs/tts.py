"""An audio file of the script through a text-to-speech command (`LOASO_TTS_COMMAND`), off
by default. The command gets the text on standard input; `{out}` in it is replaced by the
audio file's path (`espeak-ng -v vi -w {out}`); without `{out}`, what it prints on standard
output is the audio (`espeak-ng -v vi --stdout`)."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

TIMEOUT_SECONDS = 300


class SpeechCommandFailed(RuntimeError):
    """The command is missing, failed or wrote nothing; the message says which, in Vietnamese."""


def synthesise(command: str, text: str, out: Path) -> None:
    try:
        words = shlex.split(command)
    except ValueError as error:
        raise SpeechCommandFailed(f"không đọc được lệnh “{command}”: {error}") from None
    if not words:
        raise SpeechCommandFailed("lệnh để trống")
    to_stdout = not any("{out}" in word for word in words)
    argv = [word.replace("{out}", str(out)) for word in words]
    tmp = out.with_name(out.name + ".partial")
    try:
        result = subprocess.run(argv, input=text.encode("utf-8"), capture_output=True,
                                timeout=TIMEOUT_SECONDS, check=False)
    except FileNotFoundError:
        raise SpeechCommandFailed(f"không tìm thấy chương trình “{argv[0]}”") from None
    except PermissionError:
        raise SpeechCommandFailed(f"không có quyền chạy “{argv[0]}”") from None
    except subprocess.TimeoutExpired:
        raise SpeechCommandFailed(f"“{argv[0]}” chạy quá {TIMEOUT_SECONDS} giây, đã dừng") from None
    if result.returncode != 0:
        detail = " ".join(result.stderr.decode("utf-8", "replace").split())[:300]
        raise SpeechCommandFailed(f"“{argv[0]}” dừng với mã lỗi {result.returncode}"
                                  + (f": {detail}" if detail else ""))
    if to_stdout:
        if not result.stdout:
            raise SpeechCommandFailed(f"“{argv[0]}” không xuất ra âm thanh nào")
        tmp.write_bytes(result.stdout)
        tmp.replace(out)
    elif not out.is_file() or out.stat().st_size == 0:
        raise SpeechCommandFailed(f"“{argv[0]}” không ghi tệp âm thanh {out}")
