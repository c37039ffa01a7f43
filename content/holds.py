"""Nothing unconfirmed is pushed: why a bulletin (or the article it carries) must be held.

A pushed message reaches residents who did not ask for it, so it must not carry a
`[[CẦN BỔ SUNG: …]]` placeholder, nor speak of an event whose date the commune has not
confirmed (`confirmed: false`), nor an article that is not yet true on the day it goes out.
The scheduler asks `hold_reasons` before fanning a bulletin out; `loaso content check`
lists the same reasons as warnings naming the bulletin.
"""

from __future__ import annotations

import datetime as dt
import re

from content.models import PLACEHOLDER_PATTERN, Article, Bulletin, Refers
from content.pack import Pack

_PLACEHOLDER = re.compile(PLACEHOLDER_PATTERN)


def placeholders(text: str) -> list[str]:
    """The `[[CẦN BỔ SUNG…]]` placeholders in a text, in order."""
    return _PLACEHOLDER.findall(text) if "[[" in text else []


def unconfirmed_events(pack: Pack, item: Refers) -> list[str]:
    """Ids of the events the item refers to (`after`, `since`) whose date is unconfirmed."""
    return [event_id for event_id in dict.fromkeys((*item.after, *item.since))
            if (event := pack.events.get(event_id)) is not None and not event.confirmed]


def article_hold_reasons(pack: Pack, article: Article) -> list[str]:
    """Why this article must not be pushed (it may still be read on request)."""
    reasons = []
    found = [mark for text in (article.title, article.summary, article.body)
             for mark in placeholders(text)]
    if found:
        reasons.append(f"bài '{article.id}' còn {len(found)} chỗ cần bổ sung")
    reasons += [f"bài '{article.id}' nói về sự kiện '{event_id}' chưa được xác nhận ngày"
                for event_id in unconfirmed_events(pack, article)]
    return reasons


def hold_reasons(pack: Pack, bulletin: Bulletin, day: dt.date | None = None) -> list[str]:
    """Why this bulletin must be held (empty: it may go out). With `day`, the campaign day it
    would go out on, an article not yet true that day is a reason too."""
    reasons = []
    if bulletin.text:
        found = placeholders(bulletin.text)
        if found:
            reasons.append(f"nội dung còn {len(found)} chỗ cần bổ sung")
    reasons += [f"nói về sự kiện '{event_id}' chưa được xác nhận ngày"
                for event_id in unconfirmed_events(pack, bulletin)]
    if bulletin.article:
        article = pack.article_by_id.get(bulletin.article)
        if article is None:
            reasons.append(f"bài '{bulletin.article}' không có trong gói nội dung")
        else:
            reasons += article_hold_reasons(pack, article)
            if day is not None and not article.visible_on(day):
                reasons.append(f"bài '{article.id}' chưa đúng vào ngày {day.isoformat()} "
                               f"(from {article.from_.isoformat()})")
    if bulletin.schedule.phase_start:
        reasons += [f"đợt/giai đoạn '{bulletin.schedule.phase_start}' bắt đầu theo sự kiện "
                    f"'{event_id}' chưa được xác nhận ngày"
                    for event_id in _period_anchors(pack, bulletin.schedule.phase_start)
                    if not pack.events[event_id].confirmed]
    return reasons


def _period_anchors(pack: Pack, period_id: str) -> list[str]:
    """The event a phase or stage starts on, if it starts on an event of the pack."""
    for phase in pack.campaign.phases:
        for period in (phase, *phase.stages):
            if period.id == period_id and period.starts.event in pack.events:
                return [period.starts.event]
    return []
