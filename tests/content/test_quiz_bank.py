"""Quiz banks: a bad bank fails `loaso content check` with file and line; the shipped bank is sound."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from content.loader import load_pack
from content.text import fold
from tests.bot.test_cli import run
from tests.conftest import MINI_PACK, SHIPPED_PACK

BANK = "quiz/co-ban.yaml"


def broken_bank(tmp_path: Path, old: str, new: str, *, extra: str | None = None) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    path = pack / BANK
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {BANK}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    if extra is not None:
        (pack / "quiz" / "them.yaml").write_text(extra, encoding="utf-8")
    return pack


def test_content_check_fails_on_a_question_without_its_correct_answer(tmp_path):
    pack = broken_bank(tmp_path, "  answer: 1\n", "")
    result = run(["content", "check", str(pack)])
    assert result.returncode == 1
    assert f"LỖI {BANK}:2: 0.answer: thiếu trường bắt buộc" in result.stdout


def test_content_check_fails_on_duplicate_options(tmp_path):
    # Differs from option 1 only in case and diacritics: residents could not tell them apart.
    pack = broken_bank(tmp_path, "    - Tán thành, Không tán thành, Đồng ý một phần",
                       "    - đồng ý, phản đối, trung lập")
    result = run(["content", "check", str(pack)])
    assert result.returncode == 1
    assert f"LỖI {BANK}:34: ba-lua-chon: phương án 4 trùng với phương án 1" in result.stdout


@pytest.mark.parametrize("old, new, where", [
    ("  answer: 3\n", "  answer: 5\n", f"{BANK}:23: 2.answer"),
    ("  answer: 3\n", "  answer: ba\n", f"{BANK}:23: 2.answer"),
    ("options: [3/2/1930, 2/9/1945, 19/8/1945, 6/1/1946]", "options: [3/2/1930, 2/9/1945]",
     f"{BANK}:5: 0.options"),
    ("  explanation: Ba đợt, theo các mốc đại hội.\n", "", f"{BANK}:38: 4.explanation"),
    ("  source: {title: Hướng dẫn góp ý trên ứng dụng VNeID}\n", "", f"{BANK}:27: 3.source"),
    ("  topic: lich-su\n", "  topic: khong-co\n", f"{BANK}:9: thanh-lap-dang: chủ đề 'khong-co'"),
])
def test_each_broken_question_is_reported_with_file_and_line(tmp_path, old, new, where):
    pack, report = load_pack(broken_bank(tmp_path, old, new))
    assert pack is None
    assert any(str(problem).startswith(where) for problem in report.errors), report.render()


def test_a_question_id_used_twice_across_files_is_reported(tmp_path):
    again = ("- id: so-dot\n  from: 2025-07-22\n  question: Lặp mã?\n  options: [a, b, c, d]\n"
             "  answer: 1\n  explanation: x\n  source: {title: Nguồn thử nghiệm}\n")
    pack, report = load_pack(broken_bank(tmp_path, "# A small", "# A small", extra=again))
    assert pack is None
    assert any("so-dot" in problem.message and "trùng" in problem.message
               for problem in report.errors), report.render()


def test_the_shipped_bank_has_at_least_30_sourced_questions():
    pack, report = load_pack(SHIPPED_PACK)
    assert pack is not None, report.render()
    assert len(pack.quiz) >= 30
    for question in pack.quiz:
        assert question.source.title.strip() and question.explanation.strip()
        assert len({fold(option) for option in question.options}) == 4
        assert question.topic in pack.topics
        assert all(len(option) <= 60 for option in question.options), question.id
    # Correct answers are spread over the positions, so "always pick 1" does not win.
    positions = {question.answer for question in pack.quiz}
    assert positions == {1, 2, 3, 4}


def test_wrong_number_of_options_and_answer_out_of_range_are_explained_in_vietnamese(tmp_path):
    import shutil

    from content.loader import load_pack
    from tests.conftest import MINI_PACK

    pack_dir = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack_dir)
    (pack_dir / "quiz" / "hong.yaml").write_text(
        "- id: ba-phuong-an\n  question: Câu hỏi?\n  options: [A, B, C]\n  answer: 5\n"
        "  explanation: Giải thích.\n  source: {title: Nguồn}\n", encoding="utf-8")
    pack, report = load_pack(pack_dir)
    rendered = report.render()
    assert pack is None
    assert "quiz/hong.yaml:3" in rendered and "cần ít nhất 4 mục, có 3" in rendered
    assert "quiz/hong.yaml:4" in rendered and "không được lớn hơn 4" in rendered
