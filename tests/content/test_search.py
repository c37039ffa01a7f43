"""Search: diacritics, case, NFC/NFD, Roman numerals; ranking; FAQ first."""

import unicodedata

import pytest

from content.loader import load_pack
from content.search import SearchIndex
from content.text import fold, words
from tests.conftest import MINI_PACK, SHIPPED_PACK


@pytest.fixture(scope="module")
def mini():
    pack, _ = load_pack(MINI_PACK)
    return SearchIndex(pack)


@pytest.fixture(scope="module")
def shipped():
    pack, _ = load_pack(SHIPPED_PACK)
    return SearchIndex(pack)


def test_fold_removes_diacritics_maps_d_and_ignores_form_and_case():
    assert fold("ĐẠI HỘI Đảng") == "dai hoi dang"
    assert fold(unicodedata.normalize("NFD", "Đại hội")) == fold("Đại hội")
    assert words("Đại hội XIV, lần thứ XIII") == ["dai", "hoi", "14", "lan", "thu", "13"]


@pytest.mark.parametrize("query", ["dai hoi xiv", "ĐẠI HỘI 14", "Đại hội XIV",
                                   unicodedata.normalize("NFD", "đại hội xiv"), "dai   hoi   14"])
def test_every_spelling_finds_the_same_articles(mini, query):
    found = [article.id for article in mini.search(query).articles]
    # four titles say "Đại hội XIV": equal scores, newest first
    assert found == ["nghi-quyet-xiv", "trong-dai-hoi", "truoc-khai-mac", "y-nghia-xiv"]


def test_title_outranks_summary_outranks_body():
    import datetime as dt

    from content.models import Article
    from content.pack import Pack

    pack, _ = load_pack(MINI_PACK)

    def article(id_, title, summary, body):
        return Article(id=id_, title=title, phases=("dot-1",), topic="lich-su", summary=summary,
                       body=body, from_=dt.date(2025, 8, 1))

    articles = [article("in-body", "Một", "Hai", "Loa truyền thanh"),
                article("in-title", "Loa truyền thanh thôn", "Ba", "Bốn"),
                article("in-summary", "Năm", "Về loa truyền thanh", "Sáu")]
    index = SearchIndex(Pack.build(pack.campaign, articles, [], []))
    assert [a.id for a in index.search("loa truyen thanh").articles] == [
        "in-title", "in-summary", "in-body"]


def test_faq_answer_comes_first_when_confident(mini):
    result = mini.search("gop y van kien nhu the nao")
    assert result.faq is not None and result.faq.id == "cach-gop-y"
    assert mini.search("lịch sử").faq is None


@pytest.mark.parametrize("query", ["!!! ???", "🎉🎉", "   ", "—"])
def test_queries_without_words_find_nothing(mini, query):
    result = mini.search(query)
    assert result.query_words == [] and result.empty


def test_a_5000_character_query_is_cut_to_its_first_words(mini):
    result = mini.search("lịch sử " + "x" * 5000)
    assert len(result.query_words) <= 12


def test_shipped_pack_finds_congress_xiv_both_ways(shipped):
    for query in ("dai hoi xiv", "DAI HOI 14"):
        titles = [article.title for article in shipped.search(query).articles]
        assert titles and all("XIV" in title or "14" in title for title in titles[:2]), titles


def test_fast_fold_matches_the_unicode_definition_for_every_letter():
    from content.text import _slow_fold

    for code in list(range(0x20, 0x250)) + list(range(0x300, 0x370)) + list(range(0x1E00, 0x1F00)):
        char = chr(code)
        assert fold(char) == " ".join(_slow_fold(char).casefold().split()), hex(code)


@pytest.mark.parametrize("query", ["Tô Lâm", "to lam", "TÔ LÂM", "đồng chí Tô Lâm"])
def test_a_name_as_a_phrase_outranks_its_words_scattered(query):
    """Issue 16, item 7: the words in a title outweigh them in a body, but a body that holds
    the name as typed ranks above a title that only has its words apart."""
    import datetime as dt

    from content.models import Article
    from content.pack import Pack

    pack, _ = load_pack(MINI_PACK)

    def article(id_, title, summary, body):
        return Article(id=id_, title=title, phases=("dot-1",), topic="lich-su", summary=summary,
                       body=body, from_=dt.date(2025, 8, 1))

    articles = [article("scattered", "Tô điểm làng quê, lâm nghiệp phát triển", "Hai", "Ba"),
                article("in-body", "Kết quả Đại hội", "Bốn",
                        "Đại hội bầu đồng chí Tô Lâm làm Tổng Bí thư."),
                article("in-title", "Đồng chí Tô Lâm gặp mặt cử tri", "Năm", "Sáu")]
    index = SearchIndex(Pack.build(pack.campaign, articles, [], []))
    found = [a.id for a in index.search(query).articles]
    assert found[:2] == ["in-title", "in-body"]
    assert found[2:] == ([] if "chí" in query else ["scattered"])


def test_the_shipped_pack_finds_the_general_secretary(shipped):
    found = [article.id for article in shipped.search("to lam").articles]
    assert found[:2] and all("Tô Lâm" in article.summary + article.body
                             for article in shipped.search("to lam").articles[:2])
