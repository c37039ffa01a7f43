"""The words of exports and reports: the chat's own labels for stances, statuses and sources.

One wording everywhere: what residents read in the chat is what staff read in the files.
"""

from __future__ import annotations

import unicodedata

from bot.channels.registry import source_label as source_label
from handlers import texts

REPORT_FORMATS = ("docx", "xlsx")  # the summary of comments on a draft (summary.py)

STANCE_LABELS = texts.STANCES
STATUS_LABELS = texts.STATUSES
GENERAL = texts.GY_GENERAL
ANONYMOUS = texts.GY_ANONYMOUS


def stance_label(stance: str) -> str:
    return STANCE_LABELS.get(stance, stance)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def nfc(text: str | None) -> str:
    """NFC, so Excel's search and filters find what a phone typed decomposed."""
    if not text:
        return ""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)
