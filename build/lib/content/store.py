"""The active pack and its search index, swapped whole on a successful reload."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from content.loader import Report, load_pack
from content.pack import Pack
from content.search import SearchIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Content:
    """One consistent snapshot: handlers take it once per event."""

    pack: Pack
    index: SearchIndex


class InvalidPack(Exception):
    def __init__(self, report: Report) -> None:
        super().__init__(report.render())
        self.report = report


class ContentStore:
    def __init__(self, directory: Path, content: Content) -> None:
        self.directory = Path(directory)
        self.current = content

    @classmethod
    def open(cls, directory: Path) -> ContentStore:
        """Load the pack or raise InvalidPack with the full report."""
        pack, report = load_pack(Path(directory))
        if pack is None:
            raise InvalidPack(report)
        return cls(directory, Content(pack, SearchIndex(pack)))

    def reload(self) -> Report:
        """Swap in the pack on disk if it is valid; otherwise keep serving the old one."""
        pack, report = load_pack(self.directory)
        if pack is None:
            log.error("content reload refused, keeping the current pack:\n%s", report.render())
            return report
        self.current = Content(pack, SearchIndex(pack))
        log.info("content reloaded: %d articles, %d FAQ entries", len(pack.articles),
                 len(pack.faq))
        return report
