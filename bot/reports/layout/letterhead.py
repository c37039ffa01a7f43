"""The letterhead's words: who issues and signs (settings, else the content pack), the
number and the place-and-date line as each document family writes them."""

from __future__ import annotations

import datetime as dt
import unicodedata

from bot.reports.layout.spec import Layout, Letterhead
from bot.settings import Settings
from content.pack import Pack

UNIT_PREFIXES = ("xã ", "phường ", "thị trấn ", "đặc khu ")
NUMBER_BLANK = "\u00a0" * 6  # room for the office to write the number in by hand


def nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


def address_parts(pack: Pack) -> list[str]:
    """"xã Nam An Phụ, thành phố Hải Phòng" → ["xã Nam An Phụ", "thành phố Hải Phòng"]."""
    return [part.strip() for part in nfc(pack.campaign.organisation.address).split(",")
            if part.strip()]


def commune(pack: Pack) -> str:
    """"xã Nam An Phụ": the address's first part, else the organisation's name without the
    Party body's own name in front of it."""
    parts = address_parts(pack)
    if parts:
        return parts[0]
    name = nfc(pack.campaign.organisation.name)
    lowered = name.lower()
    for body in ("đảng ủy ", "đảng uỷ ", "đảng bộ "):
        if lowered.startswith(body):
            return name[len(body):]
    return name


def place_name(pack: Pack) -> str:
    """The place of the date line: "xã Nam An Phụ" → "Nam An Phụ"."""
    unit = commune(pack)
    for prefix in UNIT_PREFIXES:
        if unit.lower().startswith(prefix):
            return unit[len(prefix):].strip()
    return unit


def date_line(place: str, day: dt.date) -> str:
    """"Nam An Phụ, ngày 05 tháng 02 năm 2026": both rules put a zero before days below 10
    and before months 1 and 2."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def number_line(letterhead: Letterhead, type_code: str, number: str | None) -> str:
    """"Số 12-BC/ĐU" (Party) or "Số: 12/BC-UBND" (state); blank room when not yet numbered."""
    number = nfc(number) or NUMBER_BLANK
    if letterhead.layout == "party":
        return f"Số {number}-{type_code}/{letterhead.symbol}"
    return f"Số: {number}/{type_code}-{letterhead.symbol}"


def letterhead(settings: Settings, pack: Pack, layout: Layout = "party") -> Letterhead:
    """The letterhead for one layout. A setting wins; otherwise the pack's organisation gives
    the Party committee ("Đảng ủy xã …"), the body above it ("Đảng bộ" + the address's last
    part, the province or city a commune answers to) and the People's Committee ("UBND xã …")."""
    parts = address_parts(pack)
    if layout == "party":
        derived_parent = f"Đảng bộ {parts[-1]}" if len(parts) > 1 else None
        return Letterhead(
            layout="party",
            parent=nfc(settings.report_party_parent or derived_parent) or None,
            body=nfc(settings.report_party_body or pack.campaign.organisation.name),
            symbol=nfc(settings.report_party_symbol),
            place=place_name(pack),
            authority=nfc(settings.report_signer_authority),
            signer_title=nfc(settings.report_signer_title) or None,
            signer_name=nfc(settings.report_signer_name) or None,
            recipients=tuple(settings.report_recipients))
    return Letterhead(
        layout="state",
        parent=nfc(settings.report_state_parent) or None,
        body=nfc(settings.report_state_body or f"UBND {commune(pack)}"),
        symbol=nfc(settings.report_state_symbol),
        place=place_name(pack),
        authority=nfc(settings.report_state_signer_authority),
        signer_title=nfc(settings.report_state_signer_title) or None,
        signer_name=nfc(settings.report_state_signer_name) or None,
        recipients=tuple(settings.report_state_recipients))
