"""Content pack at scale: load + validate a generated 5,000-article pack, then search it.

Run: .venv/bin/python -m bench.search_bench [--articles 5000] [--queries 2000]

Baselines in the same run (machines here are shared and noisy, so ratios matter):
- loading: parsing the same files with libyaml alone: no line numbers, no validation;
- search: a linear scan that folds every article for every query (what the index avoids);
- dated search: the same queries through `Content.visible(day)` (what residents get: only
  what is true on the day, with the view's own index) against the whole-pack index.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from content.loader import load_pack
from content.search import SearchIndex
from content.store import Content
from content.text import words

ROOT = Path(__file__).resolve().parent.parent
FASTEST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SHIPPED = ROOT / "content" / "packs" / "nam-an-phu"


def generate_pack(target: Path, count: int, seed: int = 7) -> None:
    """The shipped campaign, faq and slogans, plus `count` articles of its own vocabulary."""
    rng = random.Random(seed)
    shutil.copy(SHIPPED / "campaign.yaml", target / "campaign.yaml")
    shutil.copy(SHIPPED / "faq.yaml", target / "faq.yaml")
    shutil.copy(SHIPPED / "slogans.yaml", target / "slogans.yaml")
    shutil.copy(SHIPPED / "sources.yaml", target / "sources.yaml")
    campaign = yaml.safe_load((SHIPPED / "campaign.yaml").read_text(encoding="utf-8"))
    topics = [topic["id"] for topic in campaign["topics"]]
    vocabulary = " ".join(path.read_text(encoding="utf-8").split("---", 2)[-1]
                          for path in (SHIPPED / "articles").glob("*.md")).split()
    # each phase's articles come out over its weeks, so a day sees only part of the pack
    phases = [("dot-1", dt.date(2025, 7, 22), 60), ("dot-2", dt.date(2025, 9, 28), 110),
              ("dot-3", dt.date(2026, 1, 24), 120)]
    articles = target / "articles"
    articles.mkdir()
    for number in range(count):
        phase, first, days = phases[number % 3]
        published = first + dt.timedelta(days=rng.randrange(days))
        title = " ".join(rng.choices(vocabulary, k=rng.randint(5, 10))).replace('"', "")
        summary = " ".join(rng.choices(vocabulary, k=20)).replace('"', "")
        body = "\n\n".join(" ".join(rng.choices(vocabulary, k=60)) for _ in range(5))
        (articles / f"a{number:05d}.md").write_text(
            f'---\nid: a{number:05d}\ntitle: "{title}"\nphases: [{phase}]\n'
            f"topic: {rng.choice(topics)}\nsummary: \"{summary}\"\nfrom: {published}\n"
            f"---\n{body}\n", encoding="utf-8")


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def raw_parse(directory: Path) -> int:
    count = 0
    for path in (directory / "articles").glob("*.md"):
        _, front, _ = path.read_text(encoding="utf-8").split("---", 2)
        yaml.load(front, Loader=FASTEST)  # noqa: S506 (CSafeLoader is safe)
        count += 1
    return count


def linear_search(articles, query: str) -> list:
    wanted = set(words(query))
    hits = []
    for article in articles:
        text = set(words(f"{article.title} {article.summary} {article.body}"))
        if wanted <= text:
            hits.append(article)
    return hits[:5]


def dated_search(pack, index, queries: list[str], rng: random.Random) -> dict:
    """Search as residents get it: the view of a day, built (filter + its own index) on the
    first question of a span of days with the same content, then cached; against the
    whole-pack index on the same queries, interleaved so machine noise hits both alike."""
    content = Content(pack, index)
    days = [dt.date(2025, 7, 22) + dt.timedelta(days=offset) for offset in range(0, 260, 13)]
    builds, cached = [], []
    for day in days:
        _, seconds = timed(lambda d: content.visible(d).index, day)  # first question that day
        builds.append(seconds * 1000)
        _, seconds = timed(content.visible, day)  # every later question that day
        cached.append(seconds * 1_000_000)
    through_view, whole = [], []
    for query in queries:
        view = content.visible(rng.choice(days))
        _, seconds = timed(view.search, query)
        through_view.append(seconds * 1000)
        _, seconds = timed(index.search, query)
        whole.append(seconds * 1000)
    return {
        "dated_days": len(days),
        "view_build_ms_median": round(statistics.median(builds), 2),
        "view_build_ms_max": round(max(builds), 2),
        "view_cached_us_median": round(statistics.median(cached), 2),
        "dated_search_ms_p50": round(statistics.median(through_view), 3),
        "dated_search_ms_p99": round(percentile(through_view, 0.99), 3),
        "whole_search_ms_p50": round(statistics.median(whole), 3),
        "whole_search_ms_p99": round(percentile(whole, 0.99), 3),
    }


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--baseline-queries", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as temp:
        directory = Path(temp)
        generate_pack(directory, args.articles)
        _, raw_seconds = timed(raw_parse, directory)
        (pack, report), load_seconds = timed(load_pack, directory)
        assert pack is not None, report.render()
        index, index_seconds = timed(SearchIndex, pack)
    vocabulary = sorted({word for article in pack.articles[:200] for word in words(article.title)})
    queries = [" ".join(rng.sample(vocabulary, rng.randint(1, 3))) for _ in range(args.queries)]
    queries += ["dai hoi xiv", "ĐẠI HỘI 14", "góp ý văn kiện", "lịch sử Đảng"]
    latencies = []
    for query in queries:
        _, seconds = timed(index.search, query)
        latencies.append(seconds * 1000)
    dated = dated_search(pack, index, queries, rng)
    baseline = []
    for query in queries[: args.baseline_queries]:
        _, seconds = timed(linear_search, pack.articles, query)
        baseline.append(seconds * 1000)
    figures = {
        "articles": len(pack.articles),
        "load_and_validate_s": round(load_seconds, 3),
        "raw_yaml_parse_s": round(raw_seconds, 3),
        "validation_overhead_ratio": round(load_seconds / raw_seconds, 2),
        "index_build_s": round(index_seconds, 3),
        "search_ms_p50": round(statistics.median(latencies), 3),
        "search_ms_p95": round(percentile(latencies, 0.95), 3),
        "search_ms_p99": round(percentile(latencies, 0.99), 3),
        "linear_scan_ms_median": round(statistics.median(baseline), 1),
        "index_speedup_ratio": round(statistics.median(baseline) / statistics.median(latencies)),
        **dated,
    }
    print(f"Pack of {figures['articles']} articles")
    print(f"  load + validate      {figures['load_and_validate_s']:.3f} s   (target ≤ 1 s) "
          f"{'PASS' if load_seconds <= 1 else 'MISS'}")
    print(f"  bare libyaml parse   {figures['raw_yaml_parse_s']:.3f} s   "
          f"(ratio {figures['validation_overhead_ratio']}×)")
    print(f"  search index build   {figures['index_build_s']:.3f} s")
    print(f"Search, {len(latencies)} queries")
    print(f"  p50 {figures['search_ms_p50']:.3f} ms, p95 {figures['search_ms_p95']:.3f} ms, "
          f"p99 {figures['search_ms_p99']:.3f} ms   (target p99 ≤ 20 ms) "
          f"{'PASS' if figures['search_ms_p99'] <= 20 else 'MISS'}")
    print(f"  linear scan baseline median {figures['linear_scan_ms_median']} ms "
          f"→ index {figures['index_speedup_ratio']}× faster")
    print(f"Dated search, Content.visible(day) on {dated['dated_days']} days")
    print("  first view of a day (filtered lists and index restriction) median "
          f"{dated['view_build_ms_median']} ms, "
          f"max {dated['view_build_ms_max']} ms; a cached view {dated['view_cached_us_median']} µs")
    print(f"  search through the view p50 {dated['dated_search_ms_p50']:.3f} ms, "
          f"p99 {dated['dated_search_ms_p99']:.3f} ms; whole-pack index, same queries, "
          f"p50 {dated['whole_search_ms_p50']:.3f} ms, p99 {dated['whole_search_ms_p99']:.3f} ms")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "search.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
