"""/chiase and `loaso share`: plain text for hamlet Zalo groups, ≤ 2,000 characters, with the
article's public address (handlers/share.py)."""

from __future__ import annotations

from handlers import texts
from handlers.share import MAX_CHARS, share_article, share_text
from tests.bot.test_cli_roles import env, loaso  # noqa: F401  (env is a fixture)
from tests.handlers.test_announcements import clock, people  # noqa: F401  (fixture)
from tests.scheduler.test_announcements import mini_pack
from tests.utils import dialog

MARKDOWN_MARKS = ("**", "](", "# ", "__")


def test_a_long_article_is_cut_at_a_sentence_and_keeps_its_link():
    article = mini_pack().article_by_id["lich-su-dang"]
    long = article.model_copy(update={"body": "## Phần một\n\n" + "Câu **rất** dài về lịch sử Đảng. " * 300})
    text = share_article(long, organisation="Đảng ủy xã Thử Nghiệm",
                         public_url="https://loaso.example.vn/")
    assert len(text) <= MAX_CHARS
    assert text.startswith("LỊCH SỬ VẺ VANG CỦA ĐẢNG\n\n")
    assert "Đọc đầy đủ: https://loaso.example.vn/tin/lich-su-dang" in text
    assert text.endswith("— Đảng ủy xã Thử Nghiệm")
    body = text.split("\n\nĐọc đầy đủ")[0]
    assert body.endswith("lịch sử Đảng. …")  # a whole sentence, never a cut word
    assert not any(mark in text for mark in MARKDOWN_MARKS)


def test_free_text_loses_markdown_not_its_words():
    text = share_text("**Họp thôn** lúc 19h, xem [trang](https://x.vn)", organisation="Xã A")
    assert text == "Họp thôn lúc 19h, xem trang (https://x.vn)\n\n— Xã A"


def test_share_command_prints_the_text(env):
    result = loaso({**env, "LOASO_PUBLIC_URL": "https://loaso.example.vn"}, "share",
                   "lich-su-dang")
    assert result.returncode == 0, result.stderr
    assert "Đọc đầy đủ: https://loaso.example.vn/tin/lich-su-dang" in result.stdout
    assert "**" not in result.stdout
    no_link = loaso(env, "share", "lich-su-dang")
    assert no_link.returncode == 0 and "Chưa đặt LOASO_PUBLIC_URL" in no_link.stderr
    blank = loaso(env, "share", "  ")
    assert blank.returncode == 2 and "Cần mã bài viết" in blank.stderr


async def test_chiase_for_leaders_only(make_settings, database, people):
    async with dialog(make_settings(), user="an", clock=clock) as talk:
        (reply,) = await talk("/chiase")
        assert reply.startswith(texts.NOT_FOR_YOU)
    async with dialog(make_settings(public_url="https://loaso.example.vn"), user="leader",
                      clock=clock) as talk:
        replies = await talk("/chiase")
        assert replies[0].startswith(texts.CS_PICK)
        ready, text = await talk.choose("Lịch sử vẻ vang của Đảng")
        assert ready == texts.CS_READY
        assert text.startswith("LỊCH SỬ VẺ VANG CỦA ĐẢNG")
        assert "https://loaso.example.vn/tin/lich-su-dang" in text
        typed = await talk("/chiase Mời bà con **dự họp** tối nay.")
        assert typed == [texts.CS_READY, "Mời bà con dự họp tối nay.\n\n— Đảng ủy xã Thử Nghiệm"]
