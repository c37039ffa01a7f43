"""Pages of a long list: which page was asked for, and the links to the others."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from fastapi import Request

from messages.types import is_number

MAX_PAGE = 100_000


@dataclass(frozen=True)
class Paging:
    number: int
    per_page: int
    path: str
    query: tuple[tuple[str, str], ...] = ()  # the other parameters, kept in the links
    total: int = 0

    @classmethod
    def of(cls, request: Request, per_page: int) -> Paging:
        raw = request.query_params.get("page", "1")
        number = int(raw) if is_number(raw) and 0 < int(raw) <= MAX_PAGE else 1
        query = tuple((key, value) for key, value in request.query_params.multi_items()
                      if key != "page" and value)
        return cls(number, per_page, request.url.path, query)

    def with_total(self, total: int) -> Paging:
        return replace(self, total=total)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first_shown(self) -> int:
        return min(self.total, self.offset + 1)

    @property
    def last_shown(self) -> int:
        return min(self.total, self.offset + self.per_page)

    def url(self, number: int) -> str:
        query = [*self.query, ("page", str(number))] if number > 1 else list(self.query)
        return f"{self.path}?{urlencode(query)}" if query else self.path
