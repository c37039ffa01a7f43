"""`content check` on truth: items dated before the events they speak of, bulletins going out
too early or unconfirmed, sources outside the allow-list, straight quotes, stand-in names.
Each bad pack is refused (nothing loaded) with the file and line of the problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from content.loader import load_pack
from tests.bot.test_cli import run
from tests.conftest import MINI_PACK

BULLETINS = """\
- id: ket-qua
  schedule: {at: [2026-02-02T07:00:00]}
  audience: {everyone: true}
  article: nghi-quyet-xiv
"""


def pack_with(tmp_path: Path, *changes: tuple[str, str, str], files: dict | None = None) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    for file, old, new in changes:
        path = pack / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture text {old!r} not in {file}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    for name, text in (files or {}).items():
        (pack / name).write_text(text, encoding="utf-8")
    return pack


BAD = [
    ("results before the event ended", ("articles/nghi-quyet-xiv.md", "from: 2026-02-01",
                                        "from: 2026-01-20\nafter: [dai-hoi-xiv]"),
     "articles/nghi-quyet-xiv.md:7:", "trước khi 'dai-hoi-xiv' kết thúc (23/1/2026)"),
    ("under way before it began", ("articles/trong-dai-hoi.md", "from: 2026-01-19",
                                   "from: 2026-01-18\nsince: [dai-hoi-xiv]"),
     "articles/trong-dai-hoi.md:8:", "trước khi 'dai-hoi-xiv' bắt đầu (19/1/2026)"),
    ("an event that does not exist", ("articles/nghi-quyet-xiv.md", "from: 2026-02-01",
                                      "from: 2026-02-01\nafter: [khong-co]"),
     "articles/nghi-quyet-xiv.md:8:", "sự kiện 'khong-co' không có trong events"),
    ("a FAQ answer before the congress", ("faq.yaml", "- id: ai-van-hanh\n  from: 2025-07-22\n",
                                          "- id: ai-van-hanh\n  from: 2025-07-22\n"
                                          "  after: [dai-hoi-tp]\n"),
     "faq.yaml:8:", "trước khi 'dai-hoi-tp' kết thúc (27/9/2025)"),
    ("a quiz question before the results", ("quiz/co-ban.yaml", "  from: 2026-01-23\n",
                                            "  from: 2026-01-22\n"),
     "quiz/co-ban.yaml:11:", "trước khi 'dai-hoi-xiv' kết thúc"),
    ("until not after from", ("faq.yaml", "- id: ai-van-hanh\n  from: 2025-07-22\n",
                              "- id: ai-van-hanh\n  from: 2025-07-22\n  until: 2025-07-01\n"),
     "faq.yaml:7:", "until (2025-07-01) phải sau from (2025-07-22)"),
    ("published before it is true", ("articles/lich-su-dang.md", "from: 2025-07-25",
                                     "from: 2025-07-25\npublished: 2025-07-01"),
     "articles/lich-su-dang.md:2:", "published (2025-07-01) trước from (2025-07-25)"),
    ("an aggregator", ("articles/lich-su-dang.md", "url: https://dangcongsan.vn",
                       "url: https://baomoi.com/tin-dai-hoi.epi"),
     "articles/lich-su-dang.md:10:", "'baomoi.com' không có trong danh sách nguồn được phép"),
    ("an English edition", ("articles/lich-su-dang.md", "url: https://dangcongsan.vn",
                            "url: https://en.nhandan.vn/politics"),
     "articles/lich-su-dang.md:10:", "trang tiếng nước ngoài"),
    ("an English section", ("quiz/co-ban.yaml", "url: https://nhandan.vn}",
                            "url: https://nhandan.vn/english/congress}"),
     "quiz/co-ban.yaml:25:", "trang tiếng nước ngoài"),
    ("an English title", ("quiz/co-ban.yaml", "{title: Báo Nhân Dân, url: https://nhandan.vn}",
                          "{title: Vietnam News, url: https://nhandan.vn}"),
     "quiz/co-ban.yaml:25:", "tên nguồn 'Vietnam News' không phải tiếng Việt"),
    ("not a web address", ("articles/lich-su-dang.md", "url: https://dangcongsan.vn",
                           "url: dangcongsan.vn"),
     "articles/lich-su-dang.md:10:", "không hợp lệ"),
    ("straight quotes in a summary", ("articles/lich-su-dang.md",
                                      "summary: Đảng qua các kỳ Đại hội.",
                                      "summary: Đảng qua các kỳ \"Đại hội\"."),
     "articles/lich-su-dang.md:6:", "ngoặc kép “ ”"),
    ("straight quotes in a body line", ("articles/du-thao-xa.md", "Nội dung dự thảo.",
                                        "Mở đầu.\n\nNội dung \"dự thảo\"."),
     "articles/du-thao-xa.md:11:", "ngoặc kép “ ”"),
    ("straight quotes in an answer", ("faq.yaml", "answer: Đảng ủy xã Thử Nghiệm.",
                                      "answer: 'Đảng ủy \"xã\" Thử Nghiệm.'"),
     "faq.yaml:11:", "ngoặc kép “ ”"),
]


@pytest.mark.parametrize("label, change, where, words", BAD, ids=[b[0] for b in BAD])
def test_each_untrue_or_unsourced_item_fails_with_file_and_line(tmp_path, label, change, where,
                                                                words):
    pack, report = load_pack(pack_with(tmp_path, change))
    assert pack is None
    rendered = [str(problem) for problem in report.errors]
    assert any(line.startswith(where) and words in line for line in rendered), rendered


BAD_BULLETINS = [
    ("goes out before its article is true", BULLETINS.replace("2026-02-02", "2026-01-20"),
     "bulletins.yaml:2:", "ket-qua: gửi ngày 20/1/2026 nhưng bài 'nghi-quyet-xiv' chỉ đúng từ 1/2/2026"),
    ("speaks of results before the end", "- id: som\n  schedule: {at: [2026-01-20T07:00:00]}\n"
     "  audience: {everyone: true}\n  after: [dai-hoi-xiv]\n  text: Kết quả Đại hội.\n",
     "bulletins.yaml:2:", "som: gửi ngày 20/1/2026 trước khi 'dai-hoi-xiv' kết thúc"),
    ("a phase start before the event", "- id: mo-dau\n  schedule: {phase_start: trong-dai-hoi}\n"
     "  audience: {everyone: true}\n  after: [dai-hoi-xiv]\n  text: Đại hội đã xong.\n",
     "bulletins.yaml:2:", "mo-dau: gửi ngày 19/1/2026 trước khi 'dai-hoi-xiv' kết thúc"),
    ("refers to an unknown event", "- id: la\n  schedule: {cron: \"0 7 * * 1\"}\n"
     "  audience: {everyone: true}\n  since: [khong-co]\n  text: Tin.\n",
     "bulletins.yaml:4:", "la: sự kiện 'khong-co' không có trong events"),
]


@pytest.mark.parametrize("label, bulletins, where, words", BAD_BULLETINS,
                         ids=[b[0] for b in BAD_BULLETINS])
def test_each_bulletin_out_of_time_fails_with_file_and_line(tmp_path, label, bulletins, where,
                                                            words):
    pack, report = load_pack(pack_with(tmp_path, files={"bulletins.yaml": bulletins}))
    assert pack is None
    rendered = [str(problem) for problem in report.errors]
    assert any(line.startswith(where) and words in line for line in rendered), rendered


def test_held_bulletins_and_stand_in_names_are_warnings_naming_them(tmp_path):
    bulletins = BULLETINS + (
        "- id: du-thao\n  schedule: {at: [2025-08-05T07:00:00]}\n  audience: {everyone: true}\n"
        "  article: du-thao-xa\n"
        "- id: dai-hoi-xa\n  schedule: {at: [2025-08-22T07:00:00]}\n  audience: {everyone: true}\n"
        "  after: [dai-hoi-xa]\n  text: Đại hội Đảng bộ xã đã thành công.\n")
    pack_dir = pack_with(tmp_path, ("campaign.yaml", "{id: thon-2, name: Thôn 2}",
                                    "{id: thon-2, name: Thôn 2, confirmed: false}"),
                         ("campaign.yaml", "kind: mttq}", "kind: mttq, confirmed: false}"),
                         files={"bulletins.yaml": bulletins})
    pack, report = load_pack(pack_dir)
    assert pack is not None, report.render()
    warned = [str(problem) for problem in report.warnings]
    assert ("bulletins.yaml:5: bản tin 'du-thao' sẽ bị giữ lại, không gửi: bài 'du-thao-xa' "
            "còn 1 chỗ cần bổ sung") in warned
    assert ("bulletins.yaml:9: bản tin 'dai-hoi-xa' sẽ bị giữ lại, không gửi: nói về sự kiện "
            "'dai-hoi-xa' chưa được xác nhận ngày") in warned
    assert not any("'ket-qua'" in line for line in warned)
    assert "campaign.yaml:58: 1 thôn có tên tạm, chưa được xã xác nhận: Thôn 2" in warned
    assert "campaign.yaml:60: 1 tổ chức có tên tạm, chưa được xã xác nhận: Ủy ban MTTQ xã" in warned


def test_a_pack_without_an_allow_list_is_warned(tmp_path):
    pack_dir = pack_with(tmp_path)
    (pack_dir / "sources.yaml").unlink()
    pack, report = load_pack(pack_dir)
    assert pack is not None
    assert any(problem.file == "sources.yaml" and "chưa được kiểm tra" in problem.message
               for problem in report.warnings)


def test_a_bad_allow_list_is_an_error(tmp_path):
    pack_dir = pack_with(tmp_path, files={"sources.yaml": "allowed:\n  - {domain: Báo Đảng, name: x}\n"})
    pack, report = load_pack(pack_dir)
    assert pack is None and "sources.yaml:2" in report.render()


def test_content_check_prints_the_untrue_item_and_exits_1(tmp_path):
    pack_dir = pack_with(tmp_path, ("articles/nghi-quyet-xiv.md", "from: 2026-02-01",
                                    "from: 2026-01-20\nafter: [dai-hoi-xiv]"))
    result = run(["content", "check", str(pack_dir)])
    assert result.returncode == 1
    assert ("LỖI articles/nghi-quyet-xiv.md:7: nghi-quyet-xiv: from 20/1/2026 trước khi "
            "'dai-hoi-xiv' kết thúc (23/1/2026)") in result.stdout
