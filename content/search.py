"""In-memory search over a pack: diacritics, case and NFC/NFD don't matter; XIV = 14.

The pack lives in files and memory, not in the database, so SQLite and PostgreSQL
deployments return exactly the same results. An inverted index keeps a query to a few
dictionary lookups, whatever the pack size.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, Protocol

from content.models import Article, FaqEntry
from content.text import words

TITLE, TAGS, SUMMARY, BODY = 8.0, 4.0, 3.0, 1.0
MAX_QUERY_WORDS = 12
# Function words carry no topic: they neither filter nor rank articles (but count for FAQ).
STOPWORDS = frozenset(
    "la cua va co khong nhu the nao gi o dau khi bao gio thi ma cho voi de duoc cac nhung "
    "mot toi ban minh a a oi nhe vay sao nay do".split())
FAQ_CONFIDENCE = 0.45


@dataclass(frozen=True)
class SearchResult:
    faq: FaqEntry | None
    articles: list[Article]
    query_words: list[str]

    @property
    def empty(self) -> bool:
        return self.faq is None and not self.articles


class Searchable(Protocol):
    """A whole pack, or what residents may see on one day (content.view)."""

    @property
    def articles(self) -> Sequence[Article]: ...

    @property
    def faq(self) -> Sequence[FaqEntry]: ...


class SearchIndex:
    def __init__(self, source: Searchable) -> None:
        self.articles = list(source.articles)
        self.postings: dict[str, dict[int, float]] = defaultdict(dict)
        # Each article's words in order, padded with spaces, to find a query as a phrase
        # ("to lam" in "... dong chi to lam duoc bau ..."), title first.
        self.title_words = [f" {' '.join(words(article.title))} " for article in self.articles]
        self.all_words = [
            f" {' '.join(words(' '.join((article.title, article.summary, article.body, *article.tags))))} "
            for article in self.articles]
        for number, article in enumerate(self.articles):
            # lowest weight first, so a word's best field overwrites the others
            weights = dict.fromkeys(words(article.body), BODY)
            weights.update(dict.fromkeys(words(article.summary), SUMMARY))
            weights.update(dict.fromkeys(words(" ".join(article.tags)), TAGS))
            weights.update(dict.fromkeys(words(article.title), TITLE))
            for word, weight in weights.items():
                self.postings[word][number] = weight
        self.faq = [(entry, [set(words(question)) for question in entry.questions])
                    for entry in source.faq]

    def search(self, query: str, limit: int = 5, *, articles: AbstractSet[int] | None = None,
               faq: AbstractSet[str] | None = None) -> SearchResult:
        """The FAQ answer and the best articles for `query`. `articles` (numbers in
        `self.articles`) and `faq` (ids) restrict the answer to what a day's view holds, with
        the same ranking an index of only those would give."""
        query_words = words(query)[:MAX_QUERY_WORDS]
        content_words = [word for word in query_words if word not in STOPWORDS] or query_words
        return SearchResult(self._best_faq(query_words, faq),
                            self._rank(content_words, limit, articles, phrase=query_words),
                            query_words)

    def _rank(self, query_words: list[str], limit: int,
              within: AbstractSet[int] | None = None,
              phrase: list[str] | None = None) -> list[Article]:
        if not query_words:
            return []
        postings = [self.postings.get(word, {}) for word in dict.fromkeys(query_words)]
        smallest_first = sorted(postings, key=len)
        matching: set[int] = set(smallest_first[0])
        if within is not None:
            matching = matching & within
        for posting in smallest_first[1:]:
            matching = matching & posting.keys()
        if not matching:  # no article has every word: fall back to most of them
            counts: dict[int, int] = defaultdict(int)
            for posting in postings:
                for number in posting:
                    if within is None or number in within:
                        counts[number] += 1
            needed = max(1, (len(postings) + 1) // 2)
            matching = {number for number, count in counts.items() if count >= needed}
        typed = phrase if phrase and len(phrase) > 1 else query_words
        together = f" {' '.join(typed)} " if len(typed) > 1 else None

        def score(number: int) -> tuple[Any, ...]:
            """Phrases outrank scattered words: the query's words in order in the title,
            then anywhere in the article, then the weights of the words found."""
            total = sum(posting.get(number, 0.0) for posting in postings)
            as_phrase = 0
            if together is not None:
                if together in self.title_words[number]:
                    as_phrase = 2
                elif together in self.all_words[number]:
                    as_phrase = 1
            return (-as_phrase, -total, -self.articles[number].published.toordinal(), number)

        ranked = heapq.nsmallest(limit, matching, key=score)
        return [self.articles[number] for number in ranked]

    def _best_faq(self, query_words: list[str],
                  within: AbstractSet[str] | None = None) -> FaqEntry | None:
        query = set(query_words)
        if not query:
            return None
        best, best_score = None, 0.0
        for entry, variants in self.faq:
            if within is not None and entry.id not in within:
                continue
            for variant in variants:
                union = query | variant
                score = len(query & variant) / len(union) if union else 0.0
                if score > best_score:
                    best, best_score = entry, score
        return best if best_score >= FAQ_CONFIDENCE else None
