"""Pack loading and `content check`: every problem with its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from content.loader import load_pack
from tests.conftest import MINI_PACK, SHIPPED_PACK


def test_shipped_pack_is_valid_with_only_warnings():
    pack, report = load_pack(SHIPPED_PACK)
    assert report.errors == [], report.render()
    assert pack is not None and len(pack.articles) >= 25
    assert [window.id for window in pack.windows] == ["dot-1", "dot-2", "dot-3"]
    assert [stage.id for stage in pack.window("dot-2").stages] == [
        "sau-dai-hoi-tp", "truoc-khai-mac", "trong-dai-hoi"]
    warned = " ".join(problem.message for problem in report.warnings)
    assert "chưa được xác nhận" in warned  # the commune congress date is not known
    assert "CẦN BỔ SUNG" in warned  # facts only the commune can supply


def test_mini_pack_warnings_carry_file_and_line():
    pack, report = load_pack(MINI_PACK)
    assert pack is not None and report.ok
    assert [str(p) for p in report.warnings] == [
        "campaign.yaml:18: ngày của sự kiện 'dai-hoi-xa' chưa được xác nhận",
        "articles/du-thao-xa.md:9: chỗ cần bổ sung: [[CẦN BỔ SUNG: thời gian hội nghị lấy ý kiến]]",
    ]


def broken(tmp_path: Path, file: str, old: str, new: str) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    path = pack / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return pack


BROKEN = [
    ("duplicate topic id", "campaign.yaml", "{id: nghi-quyet,", "{id: lich-su,",
     "campaign.yaml:65:", "mã 'lich-su' bị trùng"),
    ("duplicate article id", "articles/nghi-quyet-xiv.md", "id: nghi-quyet-xiv", "id: y-nghia-xiv",
     "articles/y-nghia-xiv.md:2:", "mã 'y-nghia-xiv' bị trùng"),
    ("unknown phase", "articles/du-thao-xa.md", "phases: [dot-1]", "phases: [dot-9]",
     "articles/du-thao-xa.md:4:", "đợt 'dot-9' không tồn tại"),
    ("unknown topic", "articles/du-thao-xa.md", "topic: van-kien", "topic: khong-co",
     "articles/du-thao-xa.md:5:", "chủ đề 'khong-co' không tồn tại"),
    ("stage of another phase", "articles/nghi-quyet-xiv.md", "topic: nghi-quyet",
     "stages: [trong-dai-hoi]\ntopic: nghi-quyet", "articles/nghi-quyet-xiv.md:5:",
     "không thuộc các đợt"),
    ("invalid date", "campaign.yaml", "start: 2025-09-26", "start: 2025-02-30",
     "campaign.yaml:22:", "ngày không hợp lệ"),
    ("inverted event dates", "campaign.yaml", "end: 2025-09-27", "end: 2025-09-20",
     "campaign.yaml:20:", "trước ngày bắt đầu"),
    ("inverted phase", "campaign.yaml", "ends: {event: dai-hoi-tp, edge: end}",
     "ends: {date: 2025-07-01}", "campaign.yaml:36:", "không sau bắt đầu"),
    ("phase refers to a missing event", "campaign.yaml", "starts: {event: khoi-dong}",
     "starts: {event: khong-co}", "campaign.yaml:35:", "sự kiện 'khong-co' không có"),
    ("empty required field", "articles/lich-su-dang.md", "summary: Đảng qua các kỳ Đại hội.",
     "summary: '  '", "articles/lich-su-dang.md:6:", "không được để trống"),
    ("missing required field", "faq.yaml", "  answer: Đảng ủy xã Thử Nghiệm.", "",
     "faq.yaml:7:", "thiếu trường bắt buộc"),
    ("unknown field", "campaign.yaml", "kind: plan", "kidn: plan", "campaign.yaml:12:",
     "không được hỗ trợ"),
    ("bad YAML", "faq.yaml", "- id: ai-van-hanh", "- id: [ai-van-hanh", "faq.yaml:8:",
     "YAML sai cú pháp"),
    ("article without front matter", "articles/du-thao-xa.md", "---\nid: du-thao-xa", "id: du-thao-xa",
     "articles/du-thao-xa.md:1:", "front matter"),
    ("id that cannot travel in a button", "articles/du-thao-xa.md", "id: du-thao-xa",
     "id: Dự-Thảo", "articles/du-thao-xa.md:2:", "mã không hợp lệ"),
]


@pytest.mark.parametrize("label, file, old, new, where, words", BROKEN, ids=[b[0] for b in BROKEN])
def test_each_broken_pack_is_reported_with_file_and_line(tmp_path, label, file, old, new, where,
                                                         words):
    pack, report = load_pack(broken(tmp_path, file, old, new))
    assert pack is None
    rendered = [str(problem) for problem in report.errors]
    assert any(line.startswith(where) and words in line for line in rendered), rendered


def test_missing_campaign_file_is_an_error(tmp_path):
    pack, report = load_pack(tmp_path)
    assert pack is None and "campaign.yaml" in report.render()


def test_text_is_normalised_to_nfc(tmp_path):
    import unicodedata

    pack_dir = broken(tmp_path, "articles/du-thao-xa.md", "Bà con góp ý vào dự thảo.",
                      unicodedata.normalize("NFD", "Bà con góp ý vào dự thảo."))
    pack, _ = load_pack(pack_dir)
    assert pack.article_by_id["du-thao-xa"].summary == "Bà con góp ý vào dự thảo."
