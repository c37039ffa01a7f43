"""The phase engine on the plan's real dates, and staff pins."""

import datetime as dt

import pytest

from content.loader import load_pack
from content.phases import earlier_phases, period_on, pinned_period
from tests.conftest import MINI_PACK, SHIPPED_PACK


@pytest.fixture(scope="module")
def shipped():
    pack, report = load_pack(SHIPPED_PACK)
    assert pack is not None, report.render()
    return pack


@pytest.mark.parametrize("day, label", [
    ("2025-07-21", "chưa bắt đầu"),
    ("2025-07-22", "Đợt I"),
    ("2025-08-15", "Đợt I"),
    ("2025-09-27", "Đợt I"),  # the city congress's last day still belongs to Đợt I
    ("2025-09-28", "Đợt II — Sau Đại hội Đảng bộ Thành phố"),
    ("2025-11-01", "Đợt II — Trước khai mạc Đại hội XIV"),
    ("2026-01-19", "Đợt II — Trong thời gian diễn ra Đại hội XIV"),
    ("2026-01-23", "Đợt II — Trong thời gian diễn ra Đại hội XIV"),
    ("2026-01-24", "Đợt III"),
    ("2026-06-01", "Đợt III"),
    ("2030-01-01", "Đợt III"),
])
def test_shipped_phases_follow_the_plan(shipped, day, label):
    assert period_on(shipped, dt.date.fromisoformat(day)).label() == label


def test_pins_name_a_real_phase_or_nothing():
    pack, _ = load_pack(MINI_PACK)
    pinned = pinned_period(pack, "dot-2", "trong-dai-hoi")
    assert pinned.pinned and pinned.label() == "Đợt II — Trong thời gian Đại hội XIV"
    assert pinned_period(pack, "dot-9", None) is None
    assert pinned_period(pack, "dot-1", "trong-dai-hoi") is None  # stage of another phase


def test_archive_lists_earlier_phases_newest_first():
    pack, _ = load_pack(MINI_PACK)
    period = period_on(pack, dt.date(2026, 3, 1))
    assert [phase.id for phase in earlier_phases(pack, period)] == ["dot-2", "dot-1"]
