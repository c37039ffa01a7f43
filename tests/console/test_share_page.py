"""/admin/chia-se: the text for hamlet Zalo groups in the console (issue 19)."""

from __future__ import annotations

import html
import re

from tests.console.conftest import HTML


async def test_a_leader_gets_the_copy_ready_text(desk):
    anonymous = await desk.client.get("/admin/chia-se", headers=HTML)
    assert anonymous.status_code in (302, 303, 401)
    await desk.account("bi.thu", "leader", name="Bí thư chi bộ", areas=["thon-1"])
    await desk.sign_in("bi.thu")
    listing = await desk.client.get("/admin/chia-se", headers=HTML)
    assert listing.status_code == 200 and "Chia sẻ lên nhóm Zalo" in listing.text
    article_id = re.search(r'href="/admin/chia-se\?bai=([a-z0-9-]+)"', listing.text).group(1)
    chosen = await desk.client.get(f"/admin/chia-se?bai={article_id}", headers=HTML)
    assert chosen.status_code == 200
    text = html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", chosen.text, re.S).group(1))
    assert len(text) <= 2000 and "**" not in text
    assert f"Đọc đầy đủ: http://loaso.test/tin/{article_id}" in text
    missing = await desk.client.get("/admin/chia-se?bai=khong-co-bai-nay", headers=HTML)
    assert missing.status_code == 404


async def test_a_leader_makes_their_own_text_into_a_zalo_message(desk):
    await desk.account("bi.thu", "leader", name="Bí thư chi bộ", areas=["thon-1"])
    await desk.sign_in("bi.thu")
    typed = ("**Họp chi bộ** thôn 1 lúc 19 giờ thứ Bảy tại nhà văn hóa.\n\n"
             + "Bà con đến đúng giờ. " * 200)
    made = await desk.post("/admin/chia-se", {"noi_dung": typed})
    assert made.status_code == 200
    text = html.unescape(re.search(r'<textarea id="share-text"[^>]*>(.*?)</textarea>', made.text,
                                   re.S).group(1))
    assert text.startswith("Họp chi bộ thôn 1 lúc 19 giờ") and "**" not in text
    assert len(text) <= 2000 and text.endswith(f"— {desk.pack.campaign.organisation.name}")
    assert "Sao chép" in made.text
    for bad, problem in (("   \n ", "Hãy dán hoặc gõ nội dung"), ("x" * 20_001, "dài quá 20.000")):
        refused = await desk.post("/admin/chia-se", {"noi_dung": bad})
        assert refused.status_code == 400 and problem in refused.text
        assert 'id="share-text"' not in refused.text
