"""The sources a pack may cite to residents: Vietnamese official outlets, in Vietnamese.

The allow-list lives in the pack (`sources.yaml`). A source passes when its title is
Vietnamese (it has at least one letter with a Vietnamese diacritic) and, if it has a URL, the
URL is http(s) on an allowed domain or one of its subdomains, and not an English edition
(a host starting with `en.`/`english.`, or an `/en/`/`english` path segment).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from content.models import Source, SourcePolicy
from content.text import fold

FOREIGN_EDITIONS = frozenset({"en", "english", "eng"})


def is_vietnamese(text: str) -> bool:
    """At least one letter with a Vietnamese diacritic (or đ): "Báo Nhân Dân" yes, "Vietnam News" no."""
    return fold(text) != " ".join(text.casefold().split())


def allowed_domain(policy: SourcePolicy, host: str) -> bool:
    return any(host == outlet.domain or host.endswith("." + outlet.domain)
               for outlet in policy.allowed)


def source_problem(policy: SourcePolicy, source: Source) -> str | None:
    """Why residents must not be shown this source, or None."""
    if not is_vietnamese(source.title):
        return f"tên nguồn '{source.title}' không phải tiếng Việt"
    if not source.url:
        return None
    parts = urlsplit(source.url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return f"địa chỉ nguồn '{source.url}' không hợp lệ (cần http:// hoặc https://)"
    segments = {segment.lower() for segment in parts.path.split("/") if segment}
    if host.split(".")[0] in FOREIGN_EDITIONS or segments & FOREIGN_EDITIONS:
        return f"'{source.url}' là trang tiếng nước ngoài; chỉ dẫn nguồn tiếng Việt"
    if not allowed_domain(policy, host.removeprefix("www.")):
        return (f"'{host}' không có trong danh sách nguồn được phép (sources.yaml); "
                "chỉ dẫn báo, cổng thông tin chính thống")
    return None
