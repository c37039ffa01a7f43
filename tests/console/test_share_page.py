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
