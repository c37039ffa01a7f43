"""Corrections staff published after a rumour report, shown as articles in the topic
"Kiểm chứng thông tin" beside the pack's own.

They live in the database (bot.actions.inbox publishes them), not in the pack on disk; the
content store lays them over the pack it loaded (`with_corrections`), so reloading the pack
keeps them and publishing one needs no file edit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from content.models import Article, Topic
from content.pack import Pack

TOPIC_ID = "kiem-chung-thong-tin"
# The topic's name when the pack does not list it (packs may, with their own description).
TOPIC_NAME = "Kiểm chứng thông tin"
SUMMARY_LENGTH = 200


@dataclass(frozen=True)
class PublishedCorrection:
    id: int
    title: str
    body: str
    published: dt.date  # campaign day it was approved


def article_id(correction_id: int) -> str:
    return f"kiem-chung-{correction_id}"


def as_article(pack: Pack, correction: PublishedCorrection) -> Article:
    summary = " ".join(correction.body.split())
    if len(summary) > SUMMARY_LENGTH:
        summary = summary[:SUMMARY_LENGTH - 1] + "…"
    return Article.model_validate({
        "id": article_id(correction.id), "title": correction.title, "topic": TOPIC_ID,
        "phases": [phase.id for phase in pack.campaign.phases], "summary": summary,
        "from": correction.published, "body": correction.body})


def with_corrections(pack: Pack, corrections: list[PublishedCorrection]) -> Pack:
    """`pack` with the corrections as articles (and the topic, if the pack has none)."""
    if not corrections:
        return pack
    campaign = pack.campaign
    if TOPIC_ID not in pack.topics:
        campaign = campaign.model_copy(update={
            "topics": (*campaign.topics, Topic(id=TOPIC_ID, name=TOPIC_NAME))})
    articles = [*pack.articles, *(as_article(pack, item) for item in corrections)]
    return Pack.build(campaign, articles, pack.faq, pack.slogans, list(pack.drafts.values()),
                      bulletins=pack.bulletins, quiz=pack.quiz, sources=pack.sources)
