"""Nothing unconfirmed is pushed: the reasons the scheduler holds a bulletin back."""

from __future__ import annotations

import datetime as dt

import pytest

from content.holds import article_hold_reasons, hold_reasons, placeholders
from content.loader import load_pack
from content.models import Bulletin
from content.store import ContentStore
from tests.conftest import MINI_PACK, SHIPPED_PACK


@pytest.fixture(scope="module")
def mini():
    pack, report = load_pack(MINI_PACK)
    assert pack is not None, report.render()
    return pack


def bulletin(**fields) -> Bulletin:
    return Bulletin.model_validate({"id": "thu", "schedule": {"cron": "0 7 * * 1"},
                                    "audience": {"everyone": True}, **fields})


def test_placeholders_are_found_with_and_without_a_description():
    text = "Xã tổ chức [[CẦN BỔ SUNG]] tại [[CẦN BỔ SUNG: địa điểm]]; [[khác]] thì không."
    assert placeholders(text) == ["[[CẦN BỔ SUNG]]", "[[CẦN BỔ SUNG: địa điểm]]"]
    assert placeholders("Không có gì cần bổ sung.") == []


def test_a_clean_bulletin_may_go_out(mini):
    assert hold_reasons(mini, bulletin(text="Mời bà con đọc tin.")) == []
    assert hold_reasons(mini, bulletin(article="lich-su-dang"), dt.date(2025, 8, 1)) == []


@pytest.mark.parametrize("fields, day, reason", [
    ({"text": "Họp tại [[CẦN BỔ SUNG: địa điểm]]."}, None, "nội dung còn 1 chỗ cần bổ sung"),
    ({"text": "Đại hội xã đã thành công.", "after": ["dai-hoi-xa"]}, None,
     "nói về sự kiện 'dai-hoi-xa' chưa được xác nhận ngày"),
    ({"article": "du-thao-xa"}, None, "bài 'du-thao-xa' còn 1 chỗ cần bổ sung"),
    ({"article": "nghi-quyet-xiv"}, dt.date(2026, 1, 20),
     "bài 'nghi-quyet-xiv' chưa đúng vào ngày 2026-01-20 (from 2026-02-01)"),
    ({"article": "khong-co"}, None, "bài 'khong-co' không có trong gói nội dung"),
])
def test_each_reason_to_hold(mini, fields, day, reason):
    assert reason in hold_reasons(mini, bulletin(**fields), day)


def test_a_phase_start_on_an_unconfirmed_event_is_held(tmp_path):
    import shutil

    pack_dir = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack_dir)
    campaign = pack_dir / "campaign.yaml"
    campaign.write_text(campaign.read_text(encoding="utf-8").replace(
        "    ends: {event: dai-hoi-tp, edge: end}\n  - id: dot-2",
        "    ends: {event: dai-hoi-tp, edge: end}\n    stages:\n"
        "      - {id: dai-hoi-xa, name: Đại hội xã, starts: {event: dai-hoi-xa}}\n"
        "  - id: dot-2", 1), encoding="utf-8")
    pack, report = load_pack(pack_dir)
    assert pack is not None, report.render()
    reasons = hold_reasons(pack, bulletin(text="Bắt đầu.", schedule={"phase_start": "dai-hoi-xa"}))
    assert reasons == ["đợt/giai đoạn 'dai-hoi-xa' bắt đầu theo sự kiện 'dai-hoi-xa' "
                       "chưa được xác nhận ngày"]
    assert hold_reasons(pack, bulletin(text="Bắt đầu.", schedule={"phase_start": "dot-2"})) == []


def test_the_shipped_pack_holds_exactly_its_unconfirmed_bulletins():
    pack, report = load_pack(SHIPPED_PACK)
    held = {b.id for b in pack.bulletins if hold_reasons(pack, b)}
    assert held == {"ket-qua-dai-hoi-xa", "nghi-quyet-dai-hoi-xiv"}
    warned = [str(p) for p in report.warnings if "sẽ bị giữ lại" in p.message]
    assert len(warned) == 2 and all("bulletins.yaml:" in line for line in warned)
    assert article_hold_reasons(pack, pack.article_by_id["dot1-ket-qua-dai-hoi-xa"])[-1] == (
        "bài 'dot1-ket-qua-dai-hoi-xa' nói về sự kiện 'dai-hoi-xa' chưa được xác nhận ngày")


def test_the_view_holds_a_bulletin_whose_article_is_not_out_yet():
    content = ContentStore.open(MINI_PACK).current
    weekly = bulletin(article="nghi-quyet-xiv")
    assert content.visible(dt.date(2026, 1, 31)).hold_reasons(weekly)
    assert content.visible(dt.date(2026, 2, 1)).hold_reasons(weekly) == []
