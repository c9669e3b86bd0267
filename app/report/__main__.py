"""Command line: write the automatic causal analysis report for a table.

    python -m app.report data.csv --treatment T --outcome Y [--graph g.dagitty] [options]
    python -m app.report data.csv -t T -y Y --graph g.dagitty --mediator M   (direct/indirect)
    python -m app.report lalonde_nsw --treatment treat --outcome re78 --graph sample

DATA is a CSV/TSV/Parquet file or the name of a bundled sample. Bad input prints a clear
message and exits with status 2 (never a traceback); Ctrl-C exits with status 130.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def _edge(text: str) -> tuple[str, str]:
    for sep in ("->", "→"):
        if sep in text:
            a, b = (part.strip() for part in text.split(sep, 1))
            if a and b:
                return a, b
    raise argparse.ArgumentTypeError(f"'{text}' is not an edge; write it as A->B")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m app.report",
        description="Automatic causal analysis of a table, written as a self-contained HTML "
                    "report (and Markdown). Every choice follows a stated rule and the same "
                    "inputs give the same report.")
    p.add_argument("data", help="CSV/TSV/Parquet file, or the name of a bundled sample "
                                "(e.g. lalonde_nsw)")
    p.add_argument("-t", "--treatment", required=True, help="the cause whose effect you want")
    p.add_argument("-y", "--outcome", required=True, help="the outcome it may affect")
    p.add_argument("-g", "--graph", help="your causal graph (DAGitty, DOT, JSON, GML, CSV edge "
                                         "list); 'sample' = the bundled sample's graph")
    p.add_argument("--keep-my-graph", action="store_true",
                   help="do not add learned edges to your graph (only list conflicts)")
    p.add_argument("--bootstrap", type=int, default=50, metavar="N",
                   help="discovery bootstrap resamples (default 50; 0 = none)")
    p.add_argument("--seed", type=int, default=0, help="seed for every random step (default 0)")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level (default 0.05)")
    p.add_argument("--method", default="auto",
                   help="discovery method: auto (stated rules), pc, ges, hc, fci, lingam, cdnod")
    p.add_argument("--domain", metavar="COLUMN", help="domain/time column (CD-NOD)")
    latent = p.add_mutually_exclusive_group()
    latent.add_argument("--latent", dest="latent", action="store_true", default=None,
                        help="unmeasured common causes are suspected (FCI)")
    latent.add_argument("--no-latent", dest="latent", action="store_false",
                        help="assume every common cause is measured")
    p.add_argument("--outcome-not-last", action="store_true",
                   help="do not assume the outcome causes none of the other variables")
    p.add_argument("--treated-value", help="treated value of a categorical treatment")
    p.add_argument("--control-value", help="control value of a categorical treatment")
    p.add_argument("--refutations", type=int, metavar="N",
                   help="re-estimates per refutation (default: the engine's; 0 = skip)")
    p.add_argument("--require", type=_edge, action="append", default=[], metavar="A->B",
                   help="background knowledge: this edge must be present (repeatable)")
    p.add_argument("--forbid", type=_edge, action="append", default=[], metavar="A->B",
                   help="background knowledge: this edge must be absent (repeatable)")
    p.add_argument("--tier", action="append", default=[], metavar="A,B,...",
                   help="a time tier, earliest first (repeatable): later tiers cannot cause "
                        "earlier ones")
    p.add_argument("--mediator", action="append", default=[], metavar="M",
                   help="split the effect into its direct part and the part through M "
                        "(repeatable: several mediators together)")
    p.add_argument("--html", type=Path, help="where to write the HTML report "
                                             "(default: <data>-report.html)")
    p.add_argument("--md", type=Path, help="also write the Markdown report here")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    return p


def _load(args):
    """The dataset, the graph (or None) and the default output path."""
    from app.data import load_data
    from app.errors import DataError
    from app.io import parse_graph
    from app.samples import SAMPLE_NAMES, load_sample

    path = Path(args.data)
    sample = None
    if not path.exists() and args.data.removeprefix("sample:") in SAMPLE_NAMES:
        sample = load_sample(args.data.removeprefix("sample:"))
        dataset = sample.to_dataset()
        stem = sample.name
    else:
        dataset = load_data(path)
        stem = path.stem
    graph = None
    if args.graph == "sample":
        if sample is None:
            raise DataError("'--graph sample' needs a bundled sample as the data.",
                            hint="Give the path of a graph file instead.")
        graph = sample.graph
    elif args.graph:
        gpath = Path(args.graph)
        try:
            text = gpath.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise DataError(f"Cannot read the graph file '{gpath}' ({type(err).__name__}).",
                            hint="Give a text file in DAGitty, DOT, JSON, GML or CSV edge-list "
                                 "format.") from None
        graph = parse_graph(text)
    return dataset, graph, Path(f"{stem}-report.html")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from app.errors import CausalCanvasError

    last = [""]

    def progress(fraction: float, text: str) -> None:
        stage = text.split(" — ")[0].rstrip("…")
        if not args.quiet and stage != last[0]:
            last[0] = stage
            print(f"[{fraction:4.0%}] {stage}…", file=sys.stderr, flush=True)

    try:
        from app.discovery import Knowledge
        from app.report import make_report, render_html, render_markdown

        dataset, graph, default_out = _load(args)
        knowledge = Knowledge(required=frozenset(args.require), forbidden=frozenset(args.forbid),
                              tiers=tuple(tuple(v.strip() for v in t.split(",") if v.strip())
                                          for t in args.tier))
        result = make_report(
            dataset, args.treatment, args.outcome, graph=graph, knowledge=knowledge,
            bootstrap=args.bootstrap, seed=args.seed, alpha=args.alpha, method=args.method,
            use_graph=graph is not None, add_learned=not args.keep_my_graph, latent=args.latent,
            domain_column=args.domain, outcome_last=not args.outcome_not_last,
            treatment_value=args.treated_value, control_value=args.control_value,
            refutation_simulations=args.refutations, mediators=tuple(args.mediator),
            progress=progress)
        out = args.html or default_out
        out.write_text(render_html(result), encoding="utf-8")
        if args.md:
            args.md.write_text(render_markdown(result), encoding="utf-8")
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except CausalCanvasError as err:
        print(f"error: {err.user_message()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as err:
        print(f"error: cannot write the report ({err.strerror or err}).", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(result.verdict)
    if result.headline:
        print(result.headline)
    print(f"Report: {out}" + (f" (Markdown: {args.md})" if args.md else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
