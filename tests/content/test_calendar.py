"""/lich as data: events as known on the day, next events and the phase's key dates by month."""

from __future__ import annotations

import datetime as dt

import pytest

from content.calendar import as_known_on, calendar_entries, calendar_page
from content.loader import load_pack
from content.phases import period_on
from tests.conftest import SHIPPED_PACK
from tests.content.test_truth_checks import pack_with


@pytest.fixture(scope="module")
def shipped():
    pack, report = load_pack(SHIPPED_PACK)
    assert pack is not None, report.render()
    return pack


def page(pack, date: str, **limits):
    day = dt.date.fromisoformat(date)
    return calendar_page(pack, period_on(pack, day), day, **limits)


def test_the_14th_congress_is_a_key_date_on_2025_08_10(shipped):
    first = page(shipped, "2025-08-10")
    assert "dai-hoi-xiv" in {entry.event.id for entry in first.key_dates}
    months = {month.heading: [e.event.id for e in month.entries] for month in first.months}
    assert months["Đầu năm 2026"] == ["dai-hoi-xiv"]  # no date was announced yet
    assert months["Tháng 8/2025"] == ["dai-hoi-xa", "ky-niem-cmt8", "ky-niem-cand",
                                      "ngay-hoi-an-ninh"]
    assert months["Chưa công bố ngày"] == ["dai-hoi-thanh-pho"]
    assert "lay-y-kien-du-thao" not in {e.event.id for e in calendar_entries(
        shipped, dt.date(2025, 8, 10))}  # announced on 15/10


def test_key_dates_survive_a_short_upcoming_list(shipped):
    short = page(shipped, "2025-08-10", upcoming=2)
    assert [e.event.id for e in short.upcoming] == ["dai-hoi-xa", "ky-niem-cmt8"]
    shown = [e.event.id for month in short.months for e in month.entries]
    assert {"ke-hoach-04", "dai-hoi-thanh-pho", "dai-hoi-xiv"} <= set(shown)
    assert shown.index("dai-hoi-xa") < shown.index("dai-hoi-thanh-pho") < shown.index("dai-hoi-xiv")


@pytest.mark.parametrize("date, dates, when, tentative", [
    ("2025-10-23", None, "đầu năm 2026", False),
    ("2025-10-24", ("2026-01-19", "2026-01-25"), "", True),
    ("2026-01-20", ("2026-01-19", "2026-01-25"), "", True),
    ("2026-01-21", ("2026-01-19", "2026-01-23"), "", False),
])
def test_the_14th_congress_as_known_on_each_day(shipped, date, dates, when, tentative):
    entry = as_known_on(shipped.events["dai-hoi-xiv"], dt.date.fromisoformat(date))
    assert entry.when == when and entry.tentative is tentative and entry.dated is (not when)
    if dates:
        assert (entry.start.isoformat(), entry.end.isoformat()) == dates


def test_an_unconfirmed_date_is_tentative_and_the_city_congress_appears_on_its_announcement(
        shipped):
    assert as_known_on(shipped.events["dai-hoi-xa"], dt.date(2025, 8, 1)).tentative
    before = as_known_on(shipped.events["dai-hoi-thanh-pho"], dt.date(2025, 9, 21))
    after = as_known_on(shipped.events["dai-hoi-thanh-pho"], dt.date(2025, 9, 22))
    assert before.when == "chưa công bố ngày" and after.dated and not after.tentative


def test_key_dates_follow_the_current_phase(shipped):
    during = page(shipped, "2025-10-20")
    keys = [entry.event.id for entry in during.key_dates]
    # Đợt II began when the city congress ended; the consultation and the 14th Congress lie ahead
    assert keys == ["dai-hoi-thanh-pho", "lay-y-kien-du-thao", "dai-hoi-xiv"]
    after = page(shipped, "2026-03-01")
    assert [entry.event.id for entry in after.key_dates] == ["dai-hoi-xiv"]
    assert after.upcoming == () and after.recent[0].event.id == "ky-niem-thanh-lap-dang"


def test_an_event_is_listed_only_from_its_from(tmp_path):
    pack_dir = pack_with(tmp_path, ("campaign.yaml", "    end: 2025-09-27\n    kind: congress\n",
                                    "    end: 2025-09-27\n    kind: congress\n    from: 2025-09-01\n"
                                    "    announced:\n      - {until: 2025-09-10, when: tháng 9}\n"))
    pack, report = load_pack(pack_dir)
    assert pack is not None, report.render()
    assert "dai-hoi-tp" not in {e.event.id for e in calendar_entries(pack, dt.date(2025, 8, 31))}
    entries = {e.event.id: e for e in calendar_entries(pack, dt.date(2025, 9, 5))}
    assert entries["dai-hoi-tp"].when == "tháng 9"
    assert calendar_entries(pack, dt.date(2025, 9, 10))[-2].event.id == "dai-hoi-tp"


@pytest.mark.parametrize("announced, where, words", [
    ("      - {until: 2025-09-10}\n", "campaign.yaml:26:", "cần start"),
    ("      - {until: 2025-09-10, when: a}\n      - {until: 2025-09-01, when: b}\n",
     "campaign.yaml:20:", "tăng dần"),
])
def test_a_bad_announcement_is_an_error(tmp_path, announced, where, words):
    pack_dir = pack_with(tmp_path, ("campaign.yaml", "    end: 2025-09-27\n    kind: congress\n",
                                    "    end: 2025-09-27\n    kind: congress\n    announced:\n"
                                    + announced))
    pack, report = load_pack(pack_dir)
    assert pack is None
    assert any(str(problem).startswith(where) and words in problem.message
               for problem in report.errors), report.render()
