"""The pack's slogans (slogans.yaml) sized for an LED board or a banner: at most `width`
characters a line, broken between words only."""

from __future__ import annotations

MIN_WIDTH, MAX_WIDTH = 8, 200


class SloganTooWide(ValueError):
    """A word longer than the board's line: the message names it."""


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` characters, whole words only; SloganTooWide when one word
    alone is longer (it cannot be shown without cutting it)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if len(word) > width:
            raise SloganTooWide(f"Từ “{word}” dài {len(word)} ký tự, hơn {width} ký tự một "
                                "dòng của bảng; hãy chọn --width lớn hơn.")
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def board_text(slogans: list[str], width: int, *, upper: bool = False) -> str:
    """Every slogan wrapped, one blank line between slogans."""
    blocks = ["\n".join(wrap(slogan.upper() if upper else slogan, width)) for slogan in slogans]
    return "\n\n".join(blocks) + "\n"
