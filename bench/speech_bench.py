"""Text normalised for reading aloud: 1 MB of the pack's article text through content/speech.

Run: .venv/bin/python -m bench.speech_bench [--megabytes 1] [--rounds 5] [--per-rule]

The text is the shipped pack's articles (title, summary, Markdown body), repeated until it
reaches the size asked for, and normalised as one text (the worst case for the regex passes)
and article by article (as the bulletin does). Baselines in the same run, over the same text
(machines here are shared and noisy, so ratios matter): `str.split()`, and one regular
expression that tokenises every word and symbol. `--per-rule` also times each rule alone
over the whole text (without the skipping of lines that hold no digit, so the sum is more
than the real run).
Target: ≤ 1 s per megabyte. Figures go to bench/results/speech.json.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from pathlib import Path

import yaml

from content.speech import SpeechNormaliser, load_abbreviations
from content.speech.markup import strip_markup

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "content" / "packs" / "nam-an-phu"
TOKEN = re.compile(r"\w+|[^\w\s]")


def pack_articles() -> list[str]:
    """Each article as the bulletin would read it: title, summary, then the body."""
    texts = []
    for path in sorted((PACK / "articles").glob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---", 2)
        meta = yaml.safe_load(front)
        texts.append(f"{meta['title']}\n\n{meta.get('summary', '')}\n\n{body.strip()}\n")
    return texts


def corpus(megabytes: float) -> list[str]:
    articles, chunks, size = pack_articles(), [], 0
    while size < megabytes * 1_000_000:
        for article in articles:
            chunks.append(article)
            size += len(article.encode("utf-8"))
    return chunks


def measure(functions: dict, rounds: int) -> dict[str, tuple[float, float]]:
    """(best, median) seconds of each function; rounds alternate between them so that a
    neighbour's burst of CPU on this shared machine hits every measurement alike."""
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            started = time.perf_counter()
            function()
            samples[name].append(time.perf_counter() - started)
    return {name: (min(values), statistics.median(values)) for name, values in samples.items()}


def per_rule(normaliser: SpeechNormaliser, text: str) -> list[tuple[str, float]]:
    """Seconds spent in each step, applied in order to the same text."""
    timings = []
    started = time.perf_counter()
    text = strip_markup(text, lambda kind, token: None)
    timings.append(("markup", time.perf_counter() - started))
    for pattern, handler in normaliser.reader.rules:
        started = time.perf_counter()
        text = pattern.sub(handler, text)
        name = getattr(handler, "__name__", "?")
        timings.append((f"{name} {pattern.pattern[:50]!r}", time.perf_counter() - started))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-rule", action="store_true")
    args = parser.parse_args()
    normaliser = SpeechNormaliser(load_abbreviations(PACK))
    chunks = corpus(args.megabytes)
    text = "\n".join(chunks)
    size_mb = len(text.encode("utf-8")) / 1_000_000
    timings = measure({
        "whole": lambda: normaliser(text),
        "each": lambda: [normaliser(chunk) for chunk in chunks],
        "split": text.split,
        "tokens": lambda: TOKEN.findall(text),
    }, args.rounds)
    whole, each, split, tokens = (timings[name] for name in ("whole", "each", "split", "tokens"))
    spoken = normaliser(text)
    figures = {
        "megabytes": round(size_mb, 3),
        "articles": len(chunks),
        "whole_text_s_best": round(whole[0], 3), "whole_text_s_median": round(whole[1], 3),
        "per_article_s_best": round(each[0], 3), "per_article_s_median": round(each[1], 3),
        "str_split_s_median": round(split[1], 4),
        "regex_tokenise_s_median": round(tokens[1], 4),
        "ratio_to_regex_tokenise": round(whole[1] / tokens[1], 1),
        "ratio_to_str_split": round(whole[1] / split[1], 1),
        "warnings": len(spoken.warnings),
        "spoken_megabytes": round(len(spoken.text.encode("utf-8")) / 1_000_000, 3),
    }
    per_mb = whole[1] / size_mb
    print(f"{size_mb:.2f} MB of article text ({len(chunks)} articles), median of {args.rounds} rounds")
    print(f"  normalise as one text   {whole[1]:.3f} s (best {whole[0]:.3f} s) = {per_mb:.3f} s/MB "
          f"(target ≤ 1 s) {'PASS' if per_mb <= 1 else 'MISS'}")
    print(f"  article by article      {each[1]:.3f} s (best {each[0]:.3f} s)")
    print(f"  baseline: regex tokens  {tokens[1]:.4f} s → normaliser {figures['ratio_to_regex_tokenise']}× "
          "its time")
    print(f"  baseline: str.split()   {split[1]:.4f} s → normaliser "
          f"{figures['ratio_to_str_split']}× its time")
    print(f"  spoken text {figures['spoken_megabytes']} MB, {figures['warnings']} distinct warnings")
    if args.per_rule:
        print("Per step (one pass, the whole text):")
        for name, seconds in sorted(per_rule(normaliser, text), key=lambda item: -item[1]):
            print(f"  {seconds * 1000:8.1f} ms  {name}")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "speech.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
