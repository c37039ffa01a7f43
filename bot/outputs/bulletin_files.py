"""The loudspeaker script as text: UTF-8 for IP loudspeaker systems that read text or the
announcer's own printer, and what a text-to-speech command reads. The DOCX in large type for
the microphone is bulletin_docx.py, imported only where one is written (python-docx costs
15 MB of imports that a `serve` need not carry)."""

from __future__ import annotations

from pathlib import Path

from bot.outputs.loudspeaker import Script

TITLE = "BẢN TIN TRUYỀN THANH"
URGENT_FLAG = "[KHẨN CẤP]"
NOTES_TITLE = "Ghi chú cho người đọc (không đọc lên loa)"
LEFT_OUT = "Không đủ thời gian, chưa đưa vào: "
LEFT_OUT_SHOWN = 10


def header_lines(script: Script) -> list[str]:
    lines = [f"{TITLE} NGÀY {script.day:%d/%m/%Y}", script.reading_time]
    if script.urgent:
        lines.append(f"Có {script.urgent} thông báo khẩn cấp, đọc đầu tiên.")
    return lines


def note_lines(script: Script) -> list[str]:
    notes = list(script.warnings)
    if script.left_out:
        shown = script.left_out[:LEFT_OUT_SHOWN]
        more = len(script.left_out) - len(shown)
        notes.append(LEFT_OUT + "; ".join(shown) + (f"; và {more} mục khác" if more else ""))
    notes += [f"{item.label}: đã rút gọn cho vừa thời lượng" for item in script.items
              if item.shortened]
    return notes


def to_text(script: Script) -> str:
    """The script as plain text: a header (day, reading time), then what is read, paragraph
    by paragraph. Notes for the announcer are not in it (the command prints them)."""
    parts = ["\n".join(header_lines(script)), script.opening]
    for item in script.items:
        lead = f"{URGENT_FLAG} " if item.urgent else ""
        parts.append(f"{lead}{item.heading}\n{item.text}")
    parts.append(script.closing)
    return "\n\n".join(parts) + "\n"


def spoken_text(script: Script) -> str:
    """Only what is read aloud, for a text-to-speech command."""
    parts = [script.opening, *(f"{item.heading}\n{item.text}" for item in script.items),
             script.closing]
    return "\n\n".join(parts) + "\n"


def write_text(script: Script, path: Path) -> None:
    path.write_text(to_text(script), encoding="utf-8")
