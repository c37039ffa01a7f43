"""QR codes for posters and banners: where they lead, tagged with the poster they are on.

A link carries a source tag ("pano-truong-hoc") and nothing else: Telegram's
`?start=src-<tag>`, the web chat's `?src=<tag>`. On a resident's first contact the tag is
counted per day (db/outputs.py: the tag and a number, nothing about the person), so the
campaign report can say how many came from each poster. A Zalo OA link cannot carry a
parameter to the bot, so Zalo arrivals are not counted by poster (README).

PNG (300 dpi, 20 pixels a module, the caption under the code) or SVG (vector, the caption as
text), chosen by the file's extension.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import segno

from messages.source_tags import source_tag

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont, ImageFont

    from content.models import Draft

TARGETS = ("telegram", "zalo", "webchat", "draft:<mã dự thảo>")
MODULE_PX = 20  # at 300 dpi a module is 1.7 mm: readable from a few metres on a poster
BORDER = 4  # the quiet zone the standard asks for, in modules
DPI = 300
CAPTION_CHARS = 34  # per line under the code
FONT_CANDIDATES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
                   "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
                   "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf")

CAPTIONS = {
    "telegram": "Quét mã để trò chuyện với Loa Số trên Telegram",
    "zalo": "Quét mã để trò chuyện với Loa Số trên Zalo",
    "webchat": "Quét mã để hỏi Loa Số trên trang của xã",
    "draft": "Quét mã để đọc và góp ý: {title}",
}


class QrRefused(ValueError):
    """The target, tag, file or settings cannot make a code; the message says why."""


@dataclass(frozen=True)
class QrLink:
    url: str
    caption: str


def check_source(source: str) -> str:
    if source_tag(source) is None:
        raise QrRefused(f"Mã nguồn “{source}” không hợp lệ: chỉ chữ thường không dấu, số và "
                        "dấu gạch ngang, tối đa 40 ký tự (ví dụ pano-truong-hoc).")
    return source


def link_for(target: str, source: str, *, public_url: str | None,
             telegram_bot_username: str | None, zalo_oa_id: str | None,
             drafts: Mapping[str, Draft]) -> QrLink:
    """The address a code opens and its default caption."""
    check_source(source)
    if target == "telegram":
        if not telegram_bot_username:
            raise QrRefused("Chưa đặt LOASO_TELEGRAM_BOT_USERNAME (tên bot Telegram, không có @).")
        return QrLink(f"https://t.me/{telegram_bot_username}?start=src-{source}",
                      CAPTIONS["telegram"])
    if target == "zalo":
        if not zalo_oa_id:
            raise QrRefused("Chưa đặt LOASO_ZALO_OA_ID (mã Official Account của xã trên Zalo).")
        return QrLink(f"https://zalo.me/{zalo_oa_id}", CAPTIONS["zalo"])
    if not public_url:
        raise QrRefused("Chưa đặt LOASO_PUBLIC_URL (địa chỉ công khai của trang web Loa Số).")
    base = public_url.rstrip("/") + "/chat"
    if target == "webchat":
        return QrLink(f"{base}?{urlencode({'src': source})}", CAPTIONS["webchat"])
    if target.startswith("draft:"):
        draft = drafts.get(target.removeprefix("draft:"))
        if draft is None:
            known = ", ".join(drafts) or "(chưa có)"
            raise QrRefused(f"Không có dự thảo “{target.removeprefix('draft:')}”. Có: {known}")
        query = urlencode({"start": f"gy:{draft.id}", "src": source}, safe=":")
        return QrLink(f"{base}?{query}", CAPTIONS["draft"].format(title=draft.title))
    raise QrRefused(f"Đích không hợp lệ: {target}. Có: {', '.join(TARGETS)}")


def write_code(url: str, caption: str, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise QrRefused(f"Tệp {path.name}: chỉ ghi được .png hoặc .svg.")
    code = segno.make(url, error="m", micro=False)  # M: survives a dirty or torn poster
    rows = [list(row) for row in code.matrix_iter(border=BORDER)]
    lines = textwrap.wrap(" ".join(caption.split()), CAPTION_CHARS) if caption else []
    (_svg if suffix == ".svg" else _png)(rows, lines, path)


def _svg(rows: list[list[int]], lines: list[str], path: Path) -> None:
    from xml.sax.saxutils import escape

    size = len(rows)
    line_height = 2.2  # modules
    height = size + (len(lines) * line_height + 1 if lines else 0)
    squares = "".join(f"M{x},{y}h1v1h-1z" for y, row in enumerate(rows)
                      for x, dark in enumerate(row) if dark)
    texts = "".join(
        f'<text x="{size / 2}" y="{size + (n + 1) * line_height:.1f}" text-anchor="middle" '
        f'font-family="DejaVu Sans, Arial, sans-serif" font-weight="bold" font-size="1.6">'
        f"{escape(line)}</text>" for n, line in enumerate(lines))
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {size} {height:.1f}" width="{size * 2}mm" height="{height * 2:.1f}mm">'
        f'<rect width="100%" height="100%" fill="#fff"/><path d="{squares}" fill="#000"/>'
        f"{texts}</svg>\n", encoding="utf-8")


def _png(rows: list[list[int]], lines: list[str], path: Path) -> None:
    from PIL import Image, ImageDraw

    size = len(rows) * MODULE_PX
    font = caption_font(int(MODULE_PX * 1.5))
    line_px = int(MODULE_PX * 2.2)
    image = Image.new("L", (size, size + (len(lines) * line_px + MODULE_PX if lines else 0)), 255)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            if dark:
                draw.rectangle((x * MODULE_PX, y * MODULE_PX, (x + 1) * MODULE_PX - 1,
                                (y + 1) * MODULE_PX - 1), fill=0)
    for n, line in enumerate(lines):
        draw.text((size / 2, size + n * line_px), line, fill=0, font=font, anchor="ma")
    tmp = path.with_name(path.name + ".partial")
    image.save(tmp, format="PNG", dpi=(DPI, DPI))
    tmp.replace(path)


def caption_font(pixels: int) -> FreeTypeFont | ImageFont:
    """A bold font with the Vietnamese letters when the system has one (DejaVu, Liberation
    or Noto), else Pillow's own."""
    from PIL import ImageFont

    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return ImageFont.truetype(candidate, pixels)
    return ImageFont.load_default(size=pixels)
