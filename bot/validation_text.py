"""Pydantic's validation errors in Vietnamese, for the two places staff read them: a bad
setting (`Cấu hình sai: …`) and a bad command-line value (typer checks values with pydantic).

Pydantic's own messages are English and not translatable; each error carries a stable `type`
and its context, which is what the table below words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic_core import ErrorDetails


def _expected(ctx: dict[str, Any]) -> str:
    # literal_error's ctx: "'webhook' or 'polling'"
    return str(ctx.get("expected", "")).replace(" or ", " hoặc ")


MESSAGES: dict[str, Callable[[dict[str, Any]], str]] = {
    "int_parsing": lambda ctx: "cần một số nguyên",
    "int_type": lambda ctx: "cần một số nguyên",
    "int_from_float": lambda ctx: "cần một số nguyên, không có phần thập phân",
    "float_parsing": lambda ctx: "cần một số",
    "float_type": lambda ctx: "cần một số",
    "bool_parsing": lambda ctx: "cần true hoặc false",
    "bool_type": lambda ctx: "cần true hoặc false",
    "greater_than": lambda ctx: f"cần lớn hơn {ctx['gt']}",
    "greater_than_equal": lambda ctx: f"cần từ {ctx['ge']} trở lên",
    "less_than": lambda ctx: f"cần nhỏ hơn {ctx['lt']}",
    "less_than_equal": lambda ctx: f"cần nhiều nhất là {ctx['le']}",
    "literal_error": lambda ctx: f"chỉ nhận {_expected(ctx)}",
    "enum": lambda ctx: f"chỉ nhận {_expected(ctx)}",
    "string_too_short": lambda ctx: f"cần ít nhất {ctx['min_length']} ký tự",
    "string_too_long": lambda ctx: f"dài quá {ctx['max_length']} ký tự",
    "string_type": lambda ctx: "cần một chuỗi ký tự",
    "missing": lambda ctx: "chưa có giá trị",
    "date_parsing": lambda ctx: "cần một ngày dạng YYYY-MM-DD",
    "date_from_datetime_parsing": lambda ctx: "cần một ngày dạng YYYY-MM-DD",
    "datetime_parsing": lambda ctx: "cần ngày giờ dạng YYYY-MM-DD HH:MM",
    "datetime_from_date_parsing": lambda ctx: "cần ngày giờ dạng YYYY-MM-DD HH:MM",
    "path_type": lambda ctx: "cần một đường dẫn tệp",
    "json_invalid": lambda ctx: "không phải JSON hợp lệ",
    "list_type": lambda ctx: "cần một danh sách",
}


def error_text(item: ErrorDetails) -> str:
    """One pydantic error item (from `ValidationError.errors()`) as a Vietnamese phrase."""
    kind = item.get("type", "")
    if kind == "value_error":  # our own validators already speak Vietnamese
        return str(item["msg"]).removeprefix("Value error, ")
    wording = MESSAGES.get(kind)
    if wording is not None:
        try:
            return wording(item.get("ctx") or {})
        except KeyError:
            pass
    return "giá trị không hợp lệ"
