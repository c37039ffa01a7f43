"""What the normaliser returns: the spoken text and what the announcer should check."""

from __future__ import annotations

from dataclasses import dataclass

# How each kind of warning reads to the announcer (Vietnamese: they see these).
_MESSAGES = {
    "symbol": "Ký hiệu “{token}” chưa biết cách đọc, đã giữ nguyên",
    "abbreviation": "Chữ viết tắt “{token}” chưa có trong bảng đọc (speech.yaml), đã giữ nguyên",
    "roman": "Số La Mã “{token}” không rõ cách đọc ở chỗ này, đã giữ nguyên",
    "placeholder": "Đã bỏ câu có chỗ chưa điền “{token}”",
    "address": "Đã bỏ địa chỉ “{token}”, nên đọc lại câu có địa chỉ này",
}


@dataclass(frozen=True)
class SpeechOptions:
    """Reading conventions that vary between regions and styles.

    zero_tens: "linh" (default, northern broadcast: 105 một trăm linh năm) or "lẻ";
    thousand: "nghìn" (default) or "ngàn";
    small_day: the word before days 1–10 of a month: "mồng" (default: mồng hai tháng Chín),
    "mùng", or "" for none.
    """

    zero_tens: str = "linh"
    thousand: str = "nghìn"
    small_day: str = "mồng"

    def __post_init__(self) -> None:
        for name, allowed in (("zero_tens", ("linh", "lẻ")), ("thousand", ("nghìn", "ngàn")),
                              ("small_day", ("mồng", "mùng", ""))):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, not {getattr(self, name)!r}")


@dataclass(frozen=True)
class SpeechWarning:
    """A token the normaliser kept as written (or dropped) that a person should check."""

    kind: str       # "symbol", "abbreviation", "roman", "placeholder" or "address"
    token: str
    context: str    # a few words around the first occurrence, in the spoken text
    count: int = 1  # occurrences in the text

    @property
    def message(self) -> str:
        text = _MESSAGES[self.kind].format(token=self.token)
        if self.count > 1:
            text += f" ({self.count} lần)"
        return f"{text}: “…{self.context}…”" if self.context else text

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class SpeechText:
    """Text ready to be read aloud, and the warnings for the announcer."""

    text: str
    warnings: tuple[SpeechWarning, ...] = ()

    def __str__(self) -> str:
        return self.text
