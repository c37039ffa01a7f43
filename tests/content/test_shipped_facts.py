"""The shipped pack's facts against the plan (Kế hoạch 04-KH/ĐU) and the checks that guard them."""

from __future__ import annotations

import re

import pytest

from content.loader import load_pack
from content.sources import source_problem
from tests.conftest import SHIPPED_PACK


@pytest.fixture(scope="module")
def loaded():
    pack, report = load_pack(SHIPPED_PACK)
    assert pack is not None, report.render()
    return pack, report


def resident_texts(pack) -> list[tuple[str, str]]:
    texts = [(a.id, f"{a.title}\n{a.summary}\n{a.body}") for a in pack.articles]
    texts += [(e.id, e.answer) for e in pack.faq]
    texts += [(q.id, " ".join((q.question, *q.options, q.explanation))) for q in pack.quiz]
    texts += [(b.id, b.text) for b in pack.bulletins if b.text]
    return texts


def test_the_plan_has_five_forms_of_dissemination(loaded):
    pack, _ = loaded
    quiz = {question.id: question for question in pack.quiz}
    count = quiz["kh04-so-hinh-thuc"]
    assert count.options[count.answer - 1] == "Năm hình thức"
    assert "năm hình thức" in quiz["kh04-truc-quan"].explanation
    article = pack.article_by_id["ke-hoach-04-tuyen-truyen-dai-hoi"].body
    assert re.findall(r"(?m)^(\d)\. ", article) == ["1", "2", "3", "4", "5"]
    prose = [article.body for article in pack.articles] + [e.answer for e in pack.faq]
    prose += [question.explanation for question in pack.quiz]
    assert not any("bốn hình thức" in text.lower() for text in prose)


def test_the_bots_quiz_is_never_the_contest_organised_by_higher_levels(loaded):
    pack, _ = loaded
    for item_id, text in resident_texts(pack):
        assert "đang chơi" not in text, item_id
        for paragraph in text.split("\n\n"):
            if "do cấp trên tổ chức" in paragraph and ("/thi" in paragraph
                                                      or "Loa Số" in paragraph):
                assert "không phải" in paragraph, item_id


@pytest.mark.parametrize("claim", [
    "qua hội nghị ở thôn, qua VNeID",
    "đã được tập hợp và gửi lên Trung ương",
    "Loa Số do Đảng ủy xã Nam An Phụ quản lý",
    "trong đó có ý kiến của bà con xã mình",
    "được Đảng ủy xã tổng hợp theo văn kiện",
    "Ban Tuyên truyền",
])
def test_claims_the_plan_does_not_make_are_gone(loaded, claim):
    pack, _ = loaded
    assert [item for item, text in resident_texts(pack) if claim in text] == []


def test_who_runs_loa_so_waits_for_the_commune(loaded):
    pack, _ = loaded
    answer = next(entry.answer for entry in pack.faq if entry.id == "ai-van-hanh")
    assert "[[CẦN BỔ SUNG:" in answer and "Kế hoạch 04-KH/ĐU" in answer


def test_no_invitation_to_comment_on_a_document_the_pack_does_not_hold(loaded):
    pack, _ = loaded
    assert all(draft.sample for draft in pack.drafts.values())  # the pack holds no real draft
    for item_id, text in resident_texts(pack):
        if "/gopy" in text or "Văn kiện & Góp ý" in text:
            assert "văn bản mẫu" in text, item_id


def test_every_source_is_an_allowed_vietnamese_outlet(loaded):
    pack, _ = loaded
    domains = {outlet.domain for outlet in pack.sources.allowed}
    assert {"dangcongsan.vn", "nhandan.vn", "baochinhphu.vn", "quochoi.vn", "tuyengiao.vn",
            "haiphong.gov.vn", "baohaiphong.vn"} <= domains
    cited = [s for a in pack.articles for s in a.sources] + [q.source for q in pack.quiz]
    assert cited and all(source_problem(pack.sources, source) is None for source in cited)
    for banned in ("vnexpress", "24h.com", "baomoi", "cafef", "znews", "kienthuc", "vietnamnews",
                   "en.sggp", "/english/"):
        assert not any(banned in (source.url or "") for source in cited), banned


def test_placeholder_hamlets_and_groups_are_flagged_until_confirmed(loaded):
    pack, report = loaded
    assert all(not hamlet.confirmed for hamlet in pack.campaign.hamlets)
    stand_in = [p.message for p in report.warnings if "tên tạm" in p.message]
    assert stand_in == [
        "8 thôn có tên tạm, chưa được xã xác nhận: " + ", ".join(f"Thôn {n}" for n in range(1, 9)),
        "4 tổ chức có tên tạm, chưa được xã xác nhận: "
        + ", ".join(f"Chi bộ Thôn {n}" for n in range(1, 5))]


def test_quotation_marks_are_one_style(loaded):
    pack, _ = loaded
    for item_id, text in resident_texts(pack):
        assert '"' not in text and "''" not in text, item_id
        assert text.count("“") == text.count("”"), item_id
