"""`loaso loa bulletin`: the loudspeaker script for the commune radio (issue 19).

The script is built from the articles residents may read on the day (the day's phase and
stage) and the approved announcements of the seven days up to it; see
bot/outputs/loudspeaker.py for the order and the shortening.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import Force, fail, in_transaction, refuse_overwrite, settings_or_exit

if TYPE_CHECKING:
    from bot.outputs.loudspeaker import Script

loa_app = typer.Typer(help="Loa truyền thanh: kịch bản bản tin để đọc trên loa.",
                      no_args_is_help=True)

class ScriptFormat(StrEnum):
    txt = "txt"
    docx = "docx"


def parse_day(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option} phải là ngày dạng NĂM-THÁNG-NGÀY, ví dụ 2026-01-19 (nhận được: {value}).")


@loa_app.command("bulletin")
def bulletin(
        date: Annotated[str, typer.Option("--date", help="Ngày của bản tin (2026-01-19).")],
        out: Annotated[Path, typer.Option("--out", help="Tệp kịch bản cần ghi.")],
        minutes: Annotated[int, typer.Option(
            "--minutes", min=1, max=60, help="Thời lượng đọc, phút.")] = 10,
        format_: Annotated[ScriptFormat, typer.Option(
            "--format", help="txt (UTF-8, cho loa IP đọc chữ) hoặc docx (chữ lớn, để in).")]
        = ScriptFormat.txt,
        audio: Annotated[Path | None, typer.Option(
            "--audio", help="Cũng đọc thành tệp âm thanh bằng lệnh LOASO_TTS_COMMAND.")] = None,
        force: Force = False) -> None:
    """Viết kịch bản bản tin đọc trên loa truyền thanh cho một ngày."""
    settings = settings_or_exit()
    day = parse_day(date, "--date")
    if out.suffix.lower() in (".txt", ".docx") and out.suffix.lower() != f".{format_.value}":
        fail(f"Tệp {out.name} không khớp --format {format_.value}; đổi tên tệp hoặc --format.")
    refuse_overwrite(out, force)
    if audio is not None:
        if not settings.tts_command:
            fail("Chưa đặt LOASO_TTS_COMMAND (lệnh đọc văn bản thành giọng nói, ví dụ "
                 "espeak-ng -v vi -w {out}); bỏ --audio hoặc đặt lệnh này.")
        refuse_overwrite(audio, force)
    from bot.cli.common import pack_or_exit
    from bot.outputs import bulletin_files
    from bot.outputs.loudspeaker import NothingToRead, ScriptBuilder
    from content.search import SearchIndex
    from content.speech import SpeechTableError, load_abbreviations
    from content.store import Content

    pack = pack_or_exit(settings)
    try:
        abbreviations = load_abbreviations(settings.content_path)
    except SpeechTableError as error:
        fail(str(error))
    view = Content(pack, SearchIndex(pack)).visible(day)

    from bot.outputs.daily_bulletin import notices_for

    notices = asyncio.run(in_transaction(settings, lambda session: notices_for(session, pack, day)))
    try:
        script = ScriptBuilder(pack, abbreviations).build(view, notices, minutes=minutes)
    except NothingToRead as error:
        fail(str(error))
    from bot.outputs.bulletin_docx import write_docx

    writer = write_docx if format_ is ScriptFormat.docx else bulletin_files.write_text
    writer(script, out)
    typer.echo(f"Đã ghi kịch bản {out}: {len(script.items)} mục. {script.reading_time}.")
    if script.urgent:
        typer.echo(f"Có {script.urgent} thông báo KHẨN CẤP, đã đưa lên đầu bản tin.")
    for note in bulletin_files.note_lines(script):
        typer.echo(f"Lưu ý: {note}", err=True)
    if audio is not None and settings.tts_command:  # set: checked before the script was built
        _speak(settings.tts_command, script, out, audio)


def _speak(command: str, script: Script, out: Path, audio: Path) -> None:
    from bot.outputs.bulletin_files import spoken_text
    from bot.outputs.tts import SpeechCommandFailed, synthesise

    try:
        synthesise(command, spoken_text(script), audio)
    except SpeechCommandFailed as error:
        fail(f"Không tạo được tệp âm thanh bằng LOASO_TTS_COMMAND: {error}. "
             f"Kịch bản vẫn đã được ghi ở {out}.", code=1)
    typer.echo(f"Đã ghi tệp âm thanh {audio}.")
