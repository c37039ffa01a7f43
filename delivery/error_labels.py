"""Why a message did not go out, in words staff understand (the console's delivery pages).

The outbox keeps the platform's own reason (`error`, often English or a Zalo code) and our
class of it (`error_class`); staff need the few cases that matter named plainly, and the
rest grouped by class. Only wording: nothing here decides a retry.
"""

from __future__ import annotations

# The outbox's states as staff read them (`loaso outbox status` and the console).
STATUS_NAMES = {"queued": "Đang chờ gửi", "sending": "Đang gửi", "sent": "Đã gửi",
                "failed": "Gửi lỗi", "stopped": "Dừng (chặn bot, hủy, ngoài hạn)"}

BLOCKED = "người dùng đã chặn bot"
ZALO_WINDOW = "quá 7 ngày kể từ lần nhắn cuối (Zalo OA)"
OUTSIDE_WINDOW = "ngoài thời hạn nền tảng cho phép nhắn"
NOT_FOLLOWING = "người dùng chưa quan tâm (follow) OA"
GONE = "người dùng đã xóa tài khoản hoặc không nhận tin được nữa"
CANCELLED = "cán bộ đã dừng hoặc hủy"
TRANSIENT = "lỗi mạng hoặc máy chủ của nền tảng (đã thử lại nhiều lần)"
CONFIG = "cấu hình hoặc token của kênh không đúng"
REFUSED = "nền tảng từ chối tin nhắn"
OTHER = "lỗi khác"

_ZALO_OA_CODES = {"-230": ZALO_WINDOW, "-232": ZALO_WINDOW, "-217": BLOCKED,
                  "-213": NOT_FOLLOWING}


def error_label(channel: str, error_class: str | None, error: str | None) -> str:
    """One short Vietnamese phrase for an outbox row's failure or skip."""
    reason = (error or "").lower()
    if error_class == "skipped":  # fan-out left it out: the platform's reply window had passed
        return ZALO_WINDOW if channel == "zalo-oa" else OUTSIDE_WINDOW
    if error_class == "cancelled":
        return CANCELLED
    if error_class == "stopped":
        if channel == "zalo-oa":
            for code, label in _ZALO_OA_CODES.items():
                if f"zalo {code}" in reason:
                    return label
        if "blocked" in reason or "chặn" in reason or channel == "zalo-bot":
            return BLOCKED
        return GONE
    if error_class == "transient":
        return TRANSIENT
    if error_class == "config":
        return CONFIG
    if error_class == "permanent":
        return REFUSED
    return OTHER


# Residents see one Zalo; staff checking delivery need to tell its two doors apart.
_DOORS = {"zalo-oa": "Zalo OA", "zalo-bot": "Zalo Bot"}


def channel_name(channel: str) -> str:
    from bot.channels.registry import source_label

    return _DOORS.get(channel) or source_label(channel)
