"""The loudspeaker script written by the worker every day at the pack's time."""

from __future__ import annotations

import datetime as dt

from bot.outputs.daily_bulletin import daily_job
from content.models import Loudspeaker
from content.pack import Pack
from content.search import SearchIndex
from content.store import Content
from tests.scheduler.test_announcements import mini_pack

MORNING = dt.datetime(2026, 1, 19, 23, 30, tzinfo=dt.UTC)  # 06:30 on 20/1 in Hà Nội


def content_with(loudspeaker: Loudspeaker) -> Content:
    pack = mini_pack()
    campaign = pack.campaign.model_copy(update={"loudspeaker": loudspeaker})
    pack = Pack.build(campaign, pack.articles, pack.faq, pack.slogans, list(pack.drafts.values()),
                      bulletins=pack.bulletins, quiz=pack.quiz)
    return Content(pack, SearchIndex(pack))


async def test_written_once_a_day_into_the_folder(make_settings, database, tmp_path):
    folder = tmp_path / "loa"
    content = content_with(Loudspeaker(time=dt.time(6, 0), minutes=3))
    jobs = daily_job(make_settings(loa_dir=folder), database, lambda: content,
                     clock=lambda: MORNING)
    at, run = jobs["loudspeaker"]
    assert at == dt.time(6, 0)
    await run()
    text = (folder / "loa-2026-01-20.txt").read_text(encoding="utf-8")
    assert text.startswith("BẢN TIN TRUYỀN THANH NGÀY 20/01/2026")
    assert (folder / "loa-2026-01-20.docx").is_file()
    (folder / "loa-2026-01-20.txt").write_text("đã có", encoding="utf-8")
    await run()  # a restart the same day: the day's files are kept
    assert (folder / "loa-2026-01-20.txt").read_text(encoding="utf-8") == "đã có"


async def test_off_without_a_folder_or_a_time(make_settings, database, tmp_path):
    timed = content_with(Loudspeaker(time=dt.time(6, 0)))
    assert daily_job(make_settings(), database, lambda: timed) == {}
    untimed = content_with(Loudspeaker())
    assert daily_job(make_settings(loa_dir=tmp_path), database, lambda: untimed) == {}


async def test_a_day_with_nothing_to_read_writes_nothing(make_settings, database, tmp_path):
    content = content_with(Loudspeaker(time=dt.time(6, 0)))
    (_, run), = daily_job(make_settings(loa_dir=tmp_path / "loa"), database, lambda: content,
                          clock=lambda: dt.datetime(2025, 1, 1, tzinfo=dt.UTC)).values()
    await run()
    assert not (tmp_path / "loa").exists()
