"""`loaso qr` and the per-poster arrival counts its links feed (real processes)."""

from __future__ import annotations

import segno
from PIL import Image
from sqlalchemy import select

from db.models import SourceArrival
from tests.bot.test_cli_roles import env, loaso  # noqa: F401  (env is a fixture)
from tests.cli import run

LINKS = {"LOASO_TELEGRAM_BOT_USERNAME": "loaso_xa_bot", "LOASO_ZALO_OA_ID": "1234567890",
         "LOASO_PUBLIC_URL": "https://loaso.example.vn"}


def modules(url: str) -> list[list[int]]:
    return [list(row) for row in segno.make(url, error="m", micro=False).matrix_iter(border=4)]


def test_png_carries_the_tagged_link_and_its_caption(env, tmp_path):
    out = tmp_path / "pano.png"
    result = loaso({**env, **LINKS}, "qr", "--target", "telegram", "--source", "pano-truong-hoc",
                   "--out", str(out))
    assert result.returncode == 0, result.stderr
    url = "https://t.me/loaso_xa_bot?start=src-pano-truong-hoc"
    assert url in result.stdout
    image = Image.open(out)
    assert image.info["dpi"][0] > 299
    expected = modules(url)
    size = len(expected) * 20
    assert image.width == size and image.height > size  # the caption under the code
    for y, row in enumerate(expected):  # every module as segno encodes the link
        for x, dark in enumerate(row):
            assert (image.getpixel((x * 20 + 10, y * 20 + 10)) == 0) == bool(dark)


def test_svg_for_webchat_and_a_draft(env, tmp_path):
    out = tmp_path / "chat.svg"
    result = loaso({**env, **LINKS}, "qr", "--target", "webchat", "--source", "loa-thon-1",
                   "--out", str(out), "--caption", "Hỏi Loa Số")
    assert result.returncode == 0, result.stderr
    assert "https://loaso.example.vn/chat?src=loa-thon-1" in result.stdout
    svg = out.read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and ">Hỏi Loa Số</text>" in svg
    draft = loaso({**env, **LINKS}, "qr", "--target", "draft:bao-cao", "--source", "nha-van-hoa",
                  "--out", str(tmp_path / "gopy.svg"))
    assert draft.returncode == 0, draft.stderr
    assert "/chat?start=gy:bao-cao&src=nha-van-hoa" in draft.stdout


def test_bad_inputs_write_nothing(env, tmp_path):
    out = tmp_path / "x.png"
    cases = [
        ({}, ["--target", "telegram", "--source", "a"], "Chưa đặt LOASO_TELEGRAM_BOT_USERNAME"),
        (LINKS, ["--target", "facebook", "--source", "a"], "Đích không hợp lệ: facebook"),
        (LINKS, ["--target", "telegram", "--source", "Pano Trường"], "Mã nguồn “Pano Trường”"),
        (LINKS, ["--target", "draft:khong-co", "--source", "a"], "Không có dự thảo “khong-co”"),
    ]
    for extra, args, message in cases:
        result = loaso({**env, **extra}, "qr", *args, "--out", str(out))
        assert result.returncode == 2 and message in result.stderr, result.stderr
        assert not out.exists()
    jpg = loaso({**env, **LINKS}, "qr", "--target", "zalo", "--source", "a",
                "--out", str(tmp_path / "x.jpg"))
    assert jpg.returncode == 2 and "chỉ ghi được .png hoặc .svg" in jpg.stderr


async def test_first_contact_through_a_poster_counts_the_tag_only(env, database):
    for user, line in (("an", "/start src-pano-truong-hoc"), ("binh", "/start src-pano-truong-hoc"),
                       ("an", "/start src-pano-truong-hoc"),  # not a first contact: not again
                       ("chi", "/start"), ("dung", "/start src-Khong Hop Le")):
        result = run(["chat", "--user", user], env=env, stdin=line + "\n")
        assert result.returncode == 0, result.stderr
    async with database.read() as session:
        rows = (await session.execute(select(SourceArrival))).scalars().all()
    assert [(row.source, row.arrivals) for row in rows] == [("pano-truong-hoc", 2)]

    report = run(["qr-arrivals", "--from", "2020-01-01", "--to", "2100-01-01"], env=env)
    assert report.returncode == 0, report.stderr
    assert report.stdout == "pano-truong-hoc\t< 3\n"  # the small-numbers rule
    bad = run(["qr-arrivals", "--from", "2026-02-01", "--to", "2026-01-01"], env=env)
    assert bad.returncode == 2 and "--to phải từ ngày --from trở đi" in bad.stderr
