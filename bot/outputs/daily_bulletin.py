"""The loudspeaker script written every day at the pack's time (`loudspeaker.time` in
campaign.yaml) into `LOASO_LOA_DIR`, by the active worker's scheduler: the commune radio (or
its IP loudspeaker system) finds `loa-YYYY-MM-DD.txt` and `.docx` there each morning, with
`.wav` too when `LOASO_TTS_COMMAND` is set. A day's files already there are kept (a restart
writes nothing twice); a day with nothing to read writes nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.outputs import bulletin_files
from bot.outputs.loudspeaker import NothingToRead, Notice, Script, ScriptBuilder
from bot.settings import Settings
from content.pack import Pack
from content.speech import load_abbreviations
from content.store import Content
from db.engine import Database

log = logging.getLogger(__name__)

NOTICE_DAYS = 7  # announcements of the week up to the bulletin's day


async def notices_for(session: AsyncSession, pack: Pack, day: dt.date) -> list[Notice]:
    """Approved announcements due in the NOTICE_DAYS up to the end of `day`."""
    from db.outputs import readable_announcements

    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=pack.zone)
    rows = await readable_announcements(session, end - dt.timedelta(days=NOTICE_DAYS), end)
    return [Notice(row.id, row.author, row.text, row.priority) for row in rows]


def file_name(day: dt.date, suffix: str) -> str:
    return f"loa-{day.isoformat()}.{suffix}"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def daily_job(settings: Settings, database: Database, content: Callable[[], Content], *,
              clock: Callable[[], dt.datetime] = utcnow,
              ) -> dict[str, tuple[dt.time, Callable[[], Awaitable[Any]]]]:
    """The job for CampaignScheduler's `daily`, when LOASO_LOA_DIR and the pack's time are set."""
    pack = content().pack
    at = pack.campaign.loudspeaker.time
    if settings.loa_dir is None or at is None:
        return {}
    folder = Path(settings.loa_dir)

    async def run() -> None:
        current = content()
        day = clock().astimezone(current.pack.zone).date()
        if (folder / file_name(day, "txt")).exists():
            return
        try:
            async with database.read() as session:
                notices = await notices_for(session, current.pack, day)
            abbreviations = await asyncio.to_thread(load_abbreviations, settings.content_path)
            script = ScriptBuilder(current.pack, abbreviations).build(
                current.visible(day), notices, minutes=current.pack.campaign.loudspeaker.minutes)
        except NothingToRead:
            log.info("loudspeaker script for %s: nothing to read", day)
            return
        except Exception:
            log.exception("loudspeaker script for %s could not be built", day)
            return
        await asyncio.to_thread(_write, folder, day, script, settings.tts_command)

    return {"loudspeaker": (at, run)}


def _write(folder: Path, day: dt.date, script: Script, tts_command: str | None) -> None:
    from bot.outputs.bulletin_docx import write_docx

    folder.mkdir(parents=True, exist_ok=True)
    write_docx(script, folder / file_name(day, "docx"))
    text = folder / file_name(day, "txt")
    partial = text.with_name(text.name + ".partial")
    bulletin_files.write_text(script, partial)
    partial.replace(text)  # last: its presence means the day is done
    log.info("loudspeaker script for %s written: %d items, %d s", day, len(script.items),
             script.seconds())
    if tts_command:
        from bot.outputs.tts import SpeechCommandFailed, synthesise

        try:
            synthesise(tts_command, bulletin_files.spoken_text(script),
                       folder / file_name(day, "wav"))
        except SpeechCommandFailed as error:
            log.error("loudspeaker audio for %s not made (LOASO_TTS_COMMAND): %s", day, error)
