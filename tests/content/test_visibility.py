"""Nothing a resident sees is from the future: the content API on the shipped pack, five dates.

Every kind of content (articles by phase and topic, FAQ, quiz, calendar, search) is asked
through `Content.visible(day)`, the one question handlers, public pages and the scheduler ask.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from content.phases import period_on
from content.store import ContentStore
from tests.conftest import MINI_PACK, SHIPPED_PACK

DATES = ["2025-08-10", "2025-10-20", "2026-01-19", "2026-01-21", "2026-03-01"]

# Words that were true only from a given day: none may reach a resident earlier.
LATER_FACTS = [
    ("26–27/9/2025", "2025-09-22"),  # the city congress's dates, announced on 22/9
    ("Lê Tiến Châu", "2025-09-27"),  # the city congress's secretary
    ("2,5 triệu", "2025-11-08"),  # the consultation's interim count
    ("2.501.265", "2025-11-08"),
    ("19–25/1/2026", "2025-10-24"),  # the 14th Congress's planned dates
    ("25/1/2026", "2025-10-24"),
    ("19 đến 23/1/2026", "2026-01-21"),  # its final dates, after the vote to shorten it
    ("rút ngắn", "2026-01-21"),
    ("23/1/2026", "2026-01-21"),
    ("đã bế mạc", "2026-01-23"),
    ("Tô Lâm", "2026-01-23"),  # elected General Secretary on 23/1
    ("200 đồng chí", "2026-01-23"),
    ("đã kết thúc", "2025-11-16"),  # the consultation ended on 15/11
]


@pytest.fixture(scope="module")
def content():
    return ContentStore.open(SHIPPED_PACK).current


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def resident_texts(view) -> list[tuple[str, str]]:
    """(where, text) of everything a resident can read on the view's day."""
    texts = [(f"article {a.id}", f"{a.title}\n{a.summary}\n{a.body}") for a in view.articles]
    texts += [(f"faq {e.id}", e.answer) for e in view.faq]
    texts += [(f"quiz {q.id}", " ".join((q.question, *q.options, q.explanation)))
              for q in view.quiz]
    texts += [(f"calendar {entry.event.id}", entry.event.name) for entry in view.calendar]
    return texts


@pytest.mark.parametrize("date", DATES)
def test_every_kind_of_content_is_true_on_the_day(content, date):
    view = content.visible(day(date))
    pack = view.pack
    for item in (*view.articles, *view.faq, *view.quiz):
        assert item.from_ <= view.day and (item.until is None or view.day < item.until), item.id
        for event_id in item.since:
            assert pack.events[event_id].start <= view.day, (item.id, event_id)
        for event_id in item.after:
            assert pack.events[event_id].last_day <= view.day, (item.id, event_id)
    hidden = [a for a in pack.articles if not a.visible_on(view.day)]
    assert all(view.article(a.id) is None for a in hidden)
    for phase in pack.windows:
        for stage in (None, *phase.stages):
            shown = view.articles_in(phase.id, stage and stage.id)
            assert all(a.visible_on(view.day) for a in shown)
            topics = {topic.id for topic in view.topics_in(phase.id, stage and stage.id)}
            assert topics == {a.topic for a in shown}
    for entry in view.calendar:
        assert entry.event.visible_on(view.day)


@pytest.mark.parametrize("date", DATES)
def test_no_fact_reaches_a_resident_before_its_day(content, date):
    view = content.visible(day(date))
    for where, text in resident_texts(view):
        for words, since in LATER_FACTS:
            if view.day < day(since):
                assert words not in text, f"{date}: {where} says “{words}” (true from {since})"


@pytest.mark.parametrize("date", DATES)
def test_search_finds_only_what_is_visible(content, date):
    view = content.visible(day(date))
    visible = {article.id for article in view.articles}
    faq = {entry.id for entry in view.faq}
    for article in view.pack.articles:  # every title, as a query, visible or not
        result = view.search(article.title)
        assert {found.id for found in result.articles} <= visible, article.title
        assert result.faq is None or result.faq.id in faq
    for entry in view.pack.faq:
        result = view.search(entry.questions[0])
        assert result.faq is None or result.faq.id in faq


def test_on_2025_08_10_no_results_no_ended_consultation_no_commune_results(content):
    view = content.visible(day("2025-08-10"))
    ids = {article.id for article in view.articles}
    assert "dot2-ket-qua-bau-cu-dai-hoi-xiv" not in ids
    assert "dot1-ket-qua-dai-hoi-xa" not in ids  # the commune congress (15–16/8) is ahead
    for query in ("Tô Lâm", "kết quả bầu cử Đại hội XIV", "kết quả Đại hội Đảng bộ xã"):
        for article in view.search(query).articles:
            assert article.visible_on(view.day) and not article.after, (query, article.id)
    answer = view.search("gop y van kien o dau").faq
    assert answer is not None and "đã kết thúc" not in answer.answer
    assert not any("lay-y-kien-du-thao" in (*q.since, *q.after) for q in view.quiz)
    assert "dh14-tong-bi-thu" not in {q.id for q in view.quiz}


def test_the_same_question_has_the_answer_of_its_day(content):
    answers = {date: content.visible(day(date)).search("dai hoi 14 dien ra ngay nao").faq.answer
               for date in DATES}
    assert "đầu năm 2026" in answers["2025-08-10"] and "19" not in answers["2025-08-10"]
    assert "đầu năm 2026" in answers["2025-10-20"]
    assert "19 đến ngày 25/1/2026" in answers["2026-01-19"]
    assert "19 đến 23/1/2026" in answers["2026-01-21"] == answers["2026-03-01"]
    consultation = {date: content.visible(day(date)).search("gop y van kien o dau").faq.id
                    for date in DATES}
    assert consultation == {"2025-08-10": "cach-gop-y",
                            "2025-10-20": "cach-gop-y-dot-lay-y-kien",
                            "2026-01-19": "cach-gop-y-sau-lay-y-kien",
                            "2026-01-21": "cach-gop-y-sau-lay-y-kien",
                            "2026-03-01": "cach-gop-y-sau-lay-y-kien"}


def test_quiz_grows_with_the_campaign(content):
    sizes = [len(content.visible(day(date)).quiz) for date in DATES]
    assert sizes == sorted(sizes) and sizes[0] >= 20 and sizes[-1] == len(content.pack.quiz)
    before = {q.id for q in content.visible(day("2026-01-22")).quiz}
    after = {q.id for q in content.visible(day("2026-01-23")).quiz}
    assert "dh14-tong-bi-thu" in after - before


def test_articles_by_phase_follow_the_date(content):
    early = content.visible(day("2026-03-01"))
    later = content.visible(day("2026-03-02"))
    assert "dot3-dua-nghi-quyet-vao-cuoc-song" not in {a.id for a in early.articles_in("dot-3")}
    assert "dot3-dua-nghi-quyet-vao-cuoc-song" in {a.id for a in later.articles_in("dot-3")}
    during = content.visible(day("2026-01-19"))
    staged = {a.id for a in during.articles_in("dot-2", "trong-dai-hoi") if a.stages}
    assert staged == {"dot2-y-nghia-dai-hoi-xiv"}  # the stage's later articles are not out yet


def test_days_with_the_same_content_share_one_index(tmp_path):
    store = ContentStore.open(MINI_PACK)
    first = store.current.visible(day("2025-08-02"))
    same = store.current.visible(day("2025-08-20"))  # no item starts or ends in between
    assert first.shared is same.shared and first.index is same.index
    assert first.day != same.day
    other = store.current.visible(day("2025-09-01"))  # y-nghia-xiv starts on 1/9
    assert other.shared is not first.shared
    assert "y-nghia-xiv" in {a.id for a in other.articles}
    assert "y-nghia-xiv" not in {a.id for a in first.articles}


def test_until_hides_an_item_from_that_day(tmp_path):
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    faq = pack / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace(
        "- id: ai-van-hanh\n  from: 2025-07-22\n",
        "- id: ai-van-hanh\n  from: 2025-07-22\n  until: 2025-10-01\n"), encoding="utf-8")
    content = ContentStore.open(pack).current
    assert content.visible(day("2025-09-30")).faq_entry("ai-van-hanh") is not None
    assert content.visible(day("2025-10-01")).faq_entry("ai-van-hanh") is None


def test_shipped_files_are_nfc(content):
    for path in SHIPPED_PACK.rglob("*"):
        if path.suffix in (".md", ".yaml"):
            text = path.read_text(encoding="utf-8")
            assert unicodedata.is_normalized("NFC", text), path.name


def test_earlier_periods_list_earlier_stages_then_earlier_phases(content):
    def labels(date: str) -> list[str]:
        view = content.visible(day(date))
        return [p.label() for p in view.earlier_periods(period_on(view.pack, view.day))]

    assert labels("2025-08-10") == []
    assert labels("2025-10-20") == ["Đợt II — Sau Đại hội Đảng bộ Thành phố", "Đợt I"]
    assert labels("2026-01-21") == ["Đợt II — Trước khai mạc Đại hội XIV",
                                    "Đợt II — Sau Đại hội Đảng bộ Thành phố", "Đợt I"]
    assert labels("2026-03-01") == ["Đợt II", "Đợt I"]


@pytest.mark.parametrize("date", DATES)
def test_the_days_index_ranks_as_an_index_of_only_that_days_content(content, date):
    from dataclasses import dataclass

    from content.search import SearchIndex

    view = content.visible(day(date))

    @dataclass
    class Only:
        articles: list
        faq: list

    alone = SearchIndex(Only(view.articles, view.faq))
    queries = [a.title for a in content.pack.articles] + [
        e.questions[-1] for e in content.pack.faq] + ["dai hoi xiv", "ĐẠI HỘI 14", "góp ý",
                                                       "lịch sử Đảng", "Hải Phòng", "Tô Lâm"]
    for query in queries:
        restricted, separate = view.search(query, 8), alone.search(query, 8)
        assert [a.id for a in restricted.articles] == [a.id for a in separate.articles], query
        assert (restricted.faq and restricted.faq.id) == (separate.faq and separate.faq.id)
