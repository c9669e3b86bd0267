"""Report benchmark: end-to-end time of the automatic analysis on each sample, per stage, against
a hand-made minimal analysis (one discovery run without bootstrap + one auto estimate) in the
same process.

Settings are the page's defaults: 50 discovery bootstrap resamples, the engine's default
refutations (100 re-estimates each; 20 for the simulated confounder), seed 0, your graph used.
Target: < 60 s for Lalonde on 2 cores. Also checks that two runs give byte-identical HTML.

    .venv/bin/python benchmarks/report.py               # ~2–4 min on 2 idle cores
    .venv/bin/python benchmarks/report.py --bootstrap 10 --samples kidney_stones
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.discovery import discover  # noqa: E402
from app.discovery.bootstrap import available_cores  # noqa: E402
from app.estimation import estimate_effect  # noqa: E402
from app.report import make_report, render_html, render_markdown  # noqa: E402
from app.samples import load_sample  # noqa: E402

QUESTIONS = {"lalonde_nsw": ("treat", "re78"), "kidney_stones": ("treatment", "recovery"),
             "asia": ("smoke", "dysp")}
TARGET = {"lalonde_nsw": 60.0}


def baseline(name: str) -> float:
    """The minimal analysis by hand: discovery (no bootstrap) and one auto estimate."""
    s = load_sample(name)
    t, y = QUESTIONS[name]
    start = time.perf_counter()
    discover(s.data, types=s.types)
    estimate_effect(s.data, s.graph, t, y)
    return time.perf_counter() - start


def one_report(name: str, bootstrap: int):
    s = load_sample(name)
    t, y = QUESTIONS[name]
    start = time.perf_counter()
    result = make_report(s.to_dataset(), t, y, graph=s.graph, bootstrap=bootstrap, seed=0)
    html = render_html(result)
    render_markdown(result)
    return time.perf_counter() - start, result, html


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bootstrap", type=int, default=50)
    p.add_argument("--samples", nargs="*", default=list(QUESTIONS))
    args = p.parse_args()
    print(f"cores available: {available_cores()}; bootstrap resamples: {args.bootstrap}")
    cold_start = time.perf_counter()
    one_report("kidney_stones", 0)            # imports DoWhy, starts the worker pool
    print(f"cold start (first report in a fresh process, no bootstrap): "
          f"{time.perf_counter() - cold_start:.1f} s\n")
    print(f"{'sample':<15}{'report s':>10}{'baseline s':>12}{'ratio':>8}  target   stages (s)")
    for name in args.samples:
        base = baseline(name)
        seconds, result, html = one_report(name, args.bootstrap)
        stages = ", ".join(f"{k} {v:.1f}" for k, v in result.timings.items() if v >= 0.05)
        target = TARGET.get(name)
        verdict = "" if target is None else ("ok " if seconds < target else "MISS") + f" <{target:.0f}"
        print(f"{name:<15}{seconds:>10.1f}{base:>12.2f}{seconds / base:>8.1f}  {verdict:<8} {stages}")
        again = render_html(make_report(load_sample(name).to_dataset(), *QUESTIONS[name],
                                        graph=load_sample(name).graph, bootstrap=args.bootstrap,
                                        seed=0))
        print(f"{'':<15}identical HTML on a second run: {again == html}; "
              f"{len(html) / 1024:.0f} KB; primary {result.primary.label} = "
              f"{result.primary.value:.4g}")


if __name__ == "__main__":
    main()
