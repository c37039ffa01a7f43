"""The active pack and its search index, swapped whole on a successful reload."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from content.corrections import PublishedCorrection, with_corrections
from content.loader import Report, load_pack
from content.pack import Pack
from content.search import SearchIndex
from content.view import ContentView, Snapshot, Timeline

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Content:
    """One consistent snapshot: handlers take it once per event.

    `pack` and `index` hold everything, whatever its date (staff tools, reports); what a
    resident sees comes from `visible(day)`.
    """

    pack: Pack
    index: SearchIndex
    _timeline: Timeline = field(init=False, repr=False, compare=False)
    _spans: dict[int, Snapshot] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_timeline", Timeline(self.pack))
        object.__setattr__(self, "_spans", {})

    def visible(self, day: dt.date) -> ContentView:
        """What residents may see on `day` (campaign time zone), with its own search index;
        built once per span of days with the same content, then shared."""
        span = self._timeline.span(day)
        shared = self._spans.get(span)
        if shared is None:  # two threads may build the same span: harmless, one is kept
            shared = self._spans.setdefault(span, Snapshot(self.pack, day, self.index))
        return ContentView(self.pack, day, shared)


class InvalidPack(Exception):
    def __init__(self, report: Report) -> None:
        super().__init__(report.render())
        self.report = report


class ContentStore:
    """The pack on disk with the console's edits (`overlay`: path → text) laid over it."""

    def __init__(self, directory: Path, content: Content,
                 overlay: Mapping[str, str] | None = None) -> None:
        self.directory = Path(directory)
        self.current = content
        self._loaded = content.pack  # the pack on disk, before the published corrections
        self._corrections: tuple[PublishedCorrection, ...] = ()
        self.overlay = dict(overlay or {})

    @classmethod
    def open(cls, directory: Path, overlay: Mapping[str, str] | None = None) -> ContentStore:
        """Load the pack or raise InvalidPack with the full report."""
        pack, report = load_pack(Path(directory), overlay)
        if pack is None:
            raise InvalidPack(report)
        return cls(directory, Content(pack, SearchIndex(pack)), overlay)

    def reload(self, overlay: Mapping[str, str] | None = None) -> Report:
        """Swap in the pack on disk (with `overlay`, or the last one given) if it is valid;
        otherwise keep serving the old one."""
        overlay = self.overlay if overlay is None else dict(overlay)
        pack, report = load_pack(self.directory, overlay)
        if pack is None:
            log.error("content reload refused, keeping the current pack:\n%s", report.render())
            return report
        self._loaded = pack
        self.overlay = overlay
        self._lay_over()
        log.info("content reloaded: %d articles, %d FAQ entries", len(pack.articles),
                 len(pack.faq))
        return report

    def set_corrections(self, corrections: list[PublishedCorrection]) -> bool:
        """Show these published corrections as articles; True if that changed anything."""
        wanted = tuple(corrections)
        if wanted == self._corrections:
            return False
        self._corrections = wanted
        self._lay_over()
        return True

    def _lay_over(self) -> None:
        pack = with_corrections(self._loaded, list(self._corrections))
        self.current = Content(pack, SearchIndex(pack))
