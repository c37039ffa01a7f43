"""Content pack at scale: load + validate a generated 5,000-article pack, then search it.

Run: .venv/bin/python -m bench.search_bench [--articles 5000] [--queries 2000]

Baselines in the same run (machines here are shared and noisy, so ratios matter):
- loading: parsing the same files with libyaml alone: no line numbers, no validation;
- search: a linear scan that folds every article for every query (what the index avoids).
"""

from __future__ import annotations

import argparse
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
    campaign = yaml.safe_load((SHIPPED / "campaign.yaml").read_text(encoding="utf-8"))
    topics = [topic["id"] for topic in campaign["topics"]]
    vocabulary = " ".join(path.read_text(encoding="utf-8").split("---", 2)[-1]
                          for path in (SHIPPED / "articles").glob("*.md")).split()
    phases = [("dot-1", "2025-08-01"), ("dot-2", "2025-11-01"), ("dot-3", "2026-03-01")]
    articles = target / "articles"
    articles.mkdir()
    for number in range(count):
        phase, published = phases[number % 3]
        title = " ".join(rng.choices(vocabulary, k=rng.randint(5, 10))).replace('"', "")
        summary = " ".join(rng.choices(vocabulary, k=20)).replace('"', "")
        body = "\n\n".join(" ".join(rng.choices(vocabulary, k=60)) for _ in range(5))
        (articles / f"a{number:05d}.md").write_text(
            f'---\nid: a{number:05d}\ntitle: "{title}"\nphases: [{phase}]\n'
            f"topic: {rng.choice(topics)}\nsummary: \"{summary}\"\npublished: {published}\n"
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
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "search.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
