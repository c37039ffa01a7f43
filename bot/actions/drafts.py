"""Drafts from Word, shared by `loaso drafts import` and /admin/drafts: the level and moments
as staff type them, the document read and outlined (bot/reports/draft_import.py), the YAML
the pack holds, and the few top-level fields staff fix afterwards (title, level, version,
opening and closing moments) changed in that YAML without touching its sections.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.actions import ActionRefused
from bot.reports import draft_import as di
from content.text import fold

LEVELS = ("xã", "thành phố", "trung ương")
MAX_WORD_FILE = 10 * 1024 * 1024  # the console's upload limit (bot/console/forms.py)


def choose_level(text: str | None, default: str) -> str:
    if text is None or not text.strip():
        return default
    chosen = next((level for level in LEVELS if fold(level) == fold(text)), None)
    if chosen is None:
        raise ActionRefused(f"Cấp không hợp lệ: '{text}' (cần một trong: {', '.join(LEVELS)}).")
    return chosen


def parse_moment(text: str, what: str, *, end_of_day: bool) -> dt.datetime:
    """'YYYY-MM-DD HH:MM' (or a bare day: 00:00 to open, 23:59 to close), campaign time."""
    text = " ".join(text.split())
    for form in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            moment = dt.datetime.strptime(text, form)
        except ValueError:
            continue
        if form == "%Y-%m-%d" and end_of_day:
            moment = moment.replace(hour=23, minute=59)
        return moment
    raise ActionRefused(f"Thời điểm {what} không hợp lệ: '{text}' (cần dạng YYYY-MM-DD HH:MM, "
                        "ví dụ 2025-09-01 07:00).")


def check_id(draft_id: str) -> str:
    draft_id = draft_id.strip()
    if not di.valid_id(draft_id):
        raise ActionRefused(
            f"Mã dự thảo không hợp lệ: '{draft_id}' (chỉ chữ thường a-z không dấu, số và "
            "dấu -, bắt đầu bằng chữ hoặc số, tối đa 40 ký tự; ví dụ: bao-cao-chinh-tri).")
    return draft_id


@dataclass(frozen=True)
class WordDraft:
    text: str  # drafts/<id>.yaml
    outline: di.Outline
    tracked_changes: bool


def word_draft(file: Path, *, source_name: str, draft_id: str, title: str, level: str,
               version: str, opens: dt.datetime, closes: dt.datetime, today: dt.date,
               ) -> WordDraft:
    """Read a .docx and make the draft's YAML, or ActionRefused saying why not (not a Word
    file, no Phần/Chương/Mục/Điều or heading styles, …)."""
    title = " ".join(unicodedata.normalize("NFC", title).split())
    if not title:
        raise ActionRefused("Cần tên dự thảo.")
    if not 1 <= len(version.strip()) <= 20:
        raise ActionRefused("Phiên bản cần từ 1 đến 20 ký tự.")
    if closes <= opens:
        raise ActionRefused(f"Hết hạn góp ý ({closes:%Y-%m-%d %H:%M}) phải sau lúc bắt đầu "
                            f"({opens:%Y-%m-%d %H:%M}).")
    try:
        word = di.read_document(file)
        found = di.outline(word.blocks)
    except di.DraftImportError as error:
        raise ActionRefused(str(error).replace(Path(file).name, source_name)) from None
    data = di.draft_data(found, draft_id=draft_id, title=title, level=level,
                         version=version.strip(), opens=opens, closes=closes)
    return WordDraft(di.to_yaml(data, source_name, today), found, word.tracked_changes)


_FIELDS = ("title", "level", "version", "opens", "closes")


# Replacements as functions, so that the value's backslashes stay as typed.
def _as_is(line: str) -> Callable[[re.Match[str]], str]:
    return lambda _: line


def _after(line: str) -> Callable[[re.Match[str]], str]:
    return lambda match: f"{match.group(1)}\n{line}"


def set_fields(text: str, **values: str) -> str:
    """The draft's YAML with these top-level fields set (each on its own `key: value` line,
    as drafts are written); the sections are left as they are."""
    for key, value in values.items():
        if key not in _FIELDS:
            raise ValueError(key)
        line = f"{key}: {json.dumps(value, ensure_ascii=False)}"
        pattern = re.compile(rf"^{key}:.*$", re.M)
        if pattern.search(text):
            text = pattern.sub(_as_is(line), text, count=1)
        else:
            text = re.sub(r"^(id:.*)$", _after(line), text, count=1, flags=re.M)
    return text
