"""The loudspeaker bulletin: a 10-minute script built from 500 articles (issue 19).

Run: .venv/bin/python -m bench.loa_bench [--articles 500] [--minutes 10] [--rounds 5]

The shipped pack's articles are copied (new ids, every copy true on the day and in the day's
phase and stage) until there are `--articles`, with 20 approved announcements of mixed
priority. Timed, median of the rounds: the whole command's work after the pack is loaded (the
day's view, the script, the DOCX written to a temporary file). Baseline in the same run: the
same on the shipped pack alone (34 articles), so the ratio shows what 500 articles cost.
Target: ≤ 2 s. Figures go to bench/results/loa.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path

from bot.outputs import bulletin_files
from bot.outputs.loudspeaker import Notice, ScriptBuilder
from content.loader import load_pack
from content.pack import Pack
from content.phases import period_on
from content.search import SearchIndex
from content.speech import load_abbreviations
from content.store import Content

ROOT = Path(__file__).resolve().parent.parent
PACK_DIR = ROOT / "content" / "packs" / "nam-an-phu"
DAY = dt.date(2026, 1, 20)


def grown(pack: Pack, count: int) -> Pack:
    period = period_on(pack, DAY)
    articles = []
    for number in range(count):
        source = pack.articles[number % len(pack.articles)]
        articles.append(source.model_copy(update={
            "id": f"bai-{number}", "phases": (period.phase.id,),
            "stages": (period.stage.id,) if period.stage else (),
            "from_": DAY - dt.timedelta(days=number % 30), "until": None,
            "published": DAY - dt.timedelta(days=number % 30)}))
    return Pack.build(pack.campaign, articles, pack.faq, pack.slogans,
                      list(pack.drafts.values()), bulletins=pack.bulletins, quiz=pack.quiz,
                      sources=pack.sources)


def notices() -> list[Notice]:
    kinds = ("thuong", "uu-tien", "khan-cap", "thuong")
    return [Notice(n, "Ủy ban MTTQ xã", f"Thông báo số {n}: mời bà con dự họp lúc 19h ngày "
                   f"{n}/1/2026 tại nhà văn hóa thôn. Đề nghị các hộ cử đại diện tham dự.",
                   kinds[n % 4]) for n in range(1, 21)]


def run(pack: Pack, abbreviations: dict, minutes: int, out: Path):
    view = Content(pack, SearchIndex(pack)).visible(DAY)
    script = ScriptBuilder(pack, abbreviations).build(view, notices(), minutes=minutes)
    bulletin_files.write_docx(script, out)
    return script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    shipped, report = load_pack(PACK_DIR)
    assert shipped is not None, report.render()
    abbreviations = load_abbreviations(PACK_DIR)
    large = grown(shipped, args.articles)
    samples: dict[str, list[float]] = {"large": [], "shipped": []}
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "ban-tin.docx"
        for _ in range(args.rounds):
            for name, pack in (("large", large), ("shipped", shipped)):
                started = time.perf_counter()
                script = run(pack, abbreviations, args.minutes, out)
                samples[name].append(time.perf_counter() - started)
                if name == "large":
                    kept = script
    large_s, shipped_s = (statistics.median(samples[name]) for name in ("large", "shipped"))
    figures = {
        "articles": args.articles, "minutes": args.minutes, "rounds": args.rounds,
        "large_s_median": round(large_s, 3), "large_s_best": round(min(samples["large"]), 3),
        "shipped_s_median": round(shipped_s, 3), "ratio_to_shipped": round(large_s / shipped_s, 1),
        "items": len(kept.items), "left_out": len(kept.left_out), "words": kept.words,
        "reading_seconds": kept.seconds(),
    }
    print(f"{args.minutes}-minute bulletin from {args.articles} articles, median of {args.rounds}: "
          f"{large_s:.3f} s (best {min(samples['large']):.3f} s; target ≤ 2 s) "
          f"{'PASS' if large_s <= 2 else 'MISS'}")
    print(f"  baseline: the shipped pack ({len(shipped.articles)} articles) {shipped_s:.3f} s → "
          f"{figures['ratio_to_shipped']}× its time")
    print(f"  script: {figures['items']} items, {figures['left_out']} left out, "
          f"{figures['words']} words, {kept.reading_time}")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "loa.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
