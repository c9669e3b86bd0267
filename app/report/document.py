"""The report as a document: sections of paragraphs, lists, tables and figures, written once
from a ReportResult and rendered by render_html (inline SVG) and render_md (tables and text).

Nothing here computes a causal number; it formats the numbers in the ReportResult.
"""
from __future__ import annotations

import math
import shlex
from dataclasses import dataclass, field, replace

from app.drawing import display_positions
from app.graph import CausalGraph
from app.io.dagitty import write_dagitty
from app.report import charts
from app.report.result import ReportResult, Rule
from app.report.svg import SvgEdge, graph_edges, graph_svg

REPORT_TITLE = "Causal analysis report"
MAX_IMPLICATION_ROWS = 40
STATUS_LABEL = {"pass": "✔ pass", "warn": "⚠ check", "info": "ℹ note"}


# ---- blocks -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Para:
    text: str
    strong: str = ""          # a bold lead-in before the text


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()     # column indexes aligned right
    caption: str = ""
    status_col: int | None = None     # a column holding "pass"/"warn"/"info"


@dataclass(frozen=True)
class Figure:
    svg: str
    caption: str
    text: str = ""            # what Markdown shows instead of the picture


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Callout:
    kind: str                 # "verdict" | "warn" | "note"
    text: str
    strong: str = ""


Block = Para | Bullets | Table | Figure | Code | Callout


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: tuple[Block, ...]
    intro: str = ""


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    facts: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...] = field(default=())


# ---- formatting ---------------------------------------------------------------------------------
def fmt(v: float | None) -> str:
    from app.numbers import fmt as _fmt

    return _fmt(v)


def pval(p: float | None) -> str:
    if p is None or not math.isfinite(p):
        return "–"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def pct(v: float | None) -> str:
    return "–" if v is None or not math.isfinite(v) else f"{v:.0%}"


def nodes_text(nodes) -> str:
    nodes = list(nodes)
    return "{" + ", ".join(nodes) + "}" if nodes else "∅ (nothing)"


def ci_text(lo: float | None, hi: float | None) -> str:
    return "–" if lo is None or hi is None else f"{fmt(lo)} to {fmt(hi)}"


def rules_table(rules: tuple[Rule, ...], caption: str = "") -> Table:
    return Table(("Rule", "What it says", "Applies here", "Decision"),
                 tuple((r.name, r.text, "yes" if r.applied else "no", r.outcome or "–")
                       for r in rules), caption=caption)


# ---- the document -------------------------------------------------------------------------------
def build_document(r: ReportResult) -> Document:
    """Every section of the report, in reading order."""
    s = r.settings
    facts = (("Data", f"{r.dataset_name} — {r.n_rows:,} rows × {r.n_columns} columns "
                      f"(fingerprint {r.fingerprint})"),
             ("Question", f"What is the causal effect of {s.treatment} on {s.outcome}?"),
             ("Graph used", {"learned": "learned from the data (no graph of yours was used)",
                             "yours": "your graph (discovery used as a check)",
                             "merged": "your graph plus strongly supported learned edges"}
              [r.graph_source]),
             ("Seed", f"{s.seed} (every random step; see Reproducibility)"))
    body = (_data(r), _discovery(r), _graph(r), _implications(r), _identification(r),
            _estimation(r), *((_mediation(r),) if s.mediators else ()), _refutation(r),
            _sensitivity(r), _what_if(r), _assumptions(r), _reproduce(r))
    numbered = tuple(replace(sec, title=f"{i}. {sec.title}") for i, sec in enumerate(body, 1))
    return Document(REPORT_TITLE, f"Effect of {s.treatment} on {s.outcome}", facts,
                    (_summary(r), *numbered))


def _summary(r: ReportResult) -> Section:
    blocks: list[Block] = [Callout("verdict", r.verdict, "Verdict. ")]
    if r.headline:
        blocks.append(Para(r.headline))
    p = r.primary
    if p is not None:
        blocks.append(Para(f"{p.label}, adjusting for {nodes_text(p.adjustment_set)}: "
                           f"{fmt(p.value)} (95% CI {ci_text(p.ci_low, p.ci_high)}).",
                           "Primary estimate. ") if p.kind == "backdoor" else
                      Para(f"{p.label}: {fmt(p.value)} (95% CI {ci_text(p.ci_low, p.ci_high)}).",
                           "Primary estimate. "))
    if r.possible_effects:
        vals = [a.value for a in r.possible_effects if a.value is not None]
        if vals:
            n_none = len(r.possible_effects) - len(vals)
            span = (f"give effects from {fmt(min(vals))} to {fmt(max(vals))}"
                    if fmt(min(vals)) != fmt(max(vals)) else f"all give {fmt(vals[0])}")
            blocks.append(Para(
                f"The data leave the direction of some edges at {r.treatment} undecided. The "
                f"orientations they allow {span}"
                + (f" ({n_none} more leave the effect without a usable adjustment set)"
                   if n_none else "")
                + "; the primary estimate uses the smallest in absolute value (section 3). "
                "Background knowledge would narrow this down.", "Undecided directions. "))
    if r.settings.mediators:
        blocks.append(Para(r.mediation.sentence if r.mediation is not None else
                           f"Not split into direct and indirect parts: {r.mediation_note}",
                           "Direct and indirect. "))
    blocks.append(Table(("Check", "Result", "Details"),
                        tuple((c.name, c.status, c.text) for c in r.checks), status_col=1,
                        caption="How the verdict was reached: each check has a stated rule "
                                "(details in the sections below)."))
    return Section("summary", "Summary", tuple(blocks))


def _data(r: ReportResult) -> Section:
    rows = []
    for c in r.profile.column_profiles:
        if c.mean is not None:
            stats = f"mean {fmt(c.mean)}, sd {fmt(c.std)}, range {fmt(c.min)} to {fmt(c.max)}"
        else:
            stats = ", ".join(f"{v} ({n:,})" for v, n in c.top)
        role = ("treatment" if c.name == r.treatment else "outcome" if c.name == r.outcome
                else "discovery" if c.name in r.variables else "left out")
        rows.append((c.name, c.type, role, f"{c.missing:,}", f"{c.distinct:,}", stats))
    return Section("data", "The data", (
        Bullets(r.profile_notes),
        Table(("Column", "Type", "Used as", "Missing", "Distinct", "Summary"), tuple(rows),
              numeric=(3, 4), caption="Column profile (types as inferred or as you set them)."),
    ), intro="What the table holds and what that implies for the analysis.")


def _layout_graph(r: ReportResult) -> dict[str, tuple[float, float]]:
    return display_positions(r.final_graph)


def _discovery(r: ReportResult) -> Section:
    blocks: list[Block] = [rules_table(r.method_rules, "How the discovery method was chosen: "
                                                       "the first rule that applies decides.")]
    blocks.append(Bullets(r.knowledge_summary))
    d = r.discovery
    if d is None:
        blocks.append(Callout("warn", r.discovery_error or "Discovery did not run.",
                              "Discovery failed. "))
        return Section("discovery", "Discovery", tuple(blocks))
    blocks.append(Para(_discovery_summary(d), "Result. "))
    blocks.append(Para(d.reason, "Why this method. "))
    if d.test_reason:
        blocks.append(Para(d.test_reason, "Test or score. "))
    pos = _layout_graph(r)
    nodes = [n for n in r.final_graph.nodes if n in d.nodes] + \
        [n for n in d.nodes if n not in r.final_graph.nodes]
    roles = {r.treatment: {"exposure"}, r.outcome: {"outcome"}}
    learned = CausalGraph.from_edges([], nodes=nodes, roles=roles,
                                     positions={n: pos[n] for n in nodes if n in pos}
                                     if all(n in pos for n in nodes) else None)
    edges = []
    for e in sorted(d.edges):
        c = d.confidence_of(e.a, e.b)
        style = "bidirected" if e.symbol == "<->" else "undirected" if e.symbol == "---" else "default"
        edges.append(SvgEdge(e.a, e.b, e.mark_a, e.mark_b, style,
                             pct(c.present) if c is not None else "", curved=e.symbol == "<->"))
    blocks.append(Figure(
        graph_svg(learned, edges, title="Learned graph"),
        "The learned graph" + (" with the share of bootstrap resamples in which each edge was "
                               "found." if d.bootstrap else "."),
        "Edges: " + ("; ".join(f"{e.text} ({e.meaning})" for e in sorted(d.edges)) or "none")))
    rows = []
    for e in sorted(d.edges):
        c = d.confidence_of(e.a, e.b)
        common = c.most_common if c is not None else ("", 0.0)
        rows.append((e.text, e.meaning, pct(c.present) if c else "–",
                     f"{common[0]} ({pct(common[1])})" if c and common[0] else "–"))
    blocks.append(Table(("Edge", "Meaning", "Found in", "Most common form"), tuple(rows),
                        numeric=(2,), caption="Learned edges. 'Found in' = share of bootstrap "
                                              "resamples with the two variables adjacent."))
    if d.confidence:
        pairs = sorted(d.confidence.values(), key=lambda c: (-c.present, c.pair))[:25]
        blocks.append(Figure(
            charts.share_bars_svg([(f"{c.pair[0]} – {c.pair[1]}", c.present,
                                    c.most_common[0]) for c in pairs],
                                  title="Bootstrap edge confidence"),
            f"Bootstrap confidence of every pair found at least once ({d.bootstrap} resamples; "
            "green ≥ 80%, blue ≥ 50%, grey below).",
            "; ".join(f"{c.pair[0]} – {c.pair[1]}: {pct(c.present)}" for c in pairs)))
    notes = [n for n in d.notes if not n.startswith("Worker processes")]
    if notes:
        blocks.append(Bullets(tuple(notes)))
    return Section("discovery", "Discovery", tuple(blocks),
                   intro="A causal graph proposed by the data alone (plus background knowledge), "
                         "with bootstrap confidence for each edge.")


def _discovery_summary(d) -> str:
    """Like DiscoveryResult.summary() but without the run time (the report must not change
    from one run to the next)."""
    counts: dict[str, int] = {}
    for e in d.edges:
        counts[e.kind] = counts.get(e.kind, 0) + 1
    parts = ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "no edges"
    how = d.method_name + (f" with {d.test}" if d.test else "") + (
        f" ({d.score})" if d.score else "")
    boot = f", {d.bootstrap} bootstrap resamples" if d.bootstrap else ""
    return (f"{how} on {d.n_rows:,} rows × {len(d.nodes)} variables{boot}: {d.graph_type} with "
            f"{parts}.")


def _graph(r: ReportResult) -> Section:
    g = r.final_graph
    blocks: list[Block] = [Para({
        "learned": "No graph of yours was used, so the analysis uses the learned graph, made into "
                   "a DAG by the rules below.",
        "yours": "The analysis uses your graph; discovery serves as an independent check "
                 "(conflicts below).",
        "merged": "The analysis uses your graph plus the learned edges strongly supported by the "
                  "data (rules below)."}[r.graph_source])]
    blocks.append(rules_table(r.merge_rules, "How the graph used for the analysis was built."))
    if r.conflicts:
        blocks.append(Table(("Edge", "Kind", "What discovery says", "Found in"),
                            tuple((c.edge, c.kind.replace("_", " "), c.text, pct(c.confidence))
                                  for c in r.conflicts), numeric=(3,),
                            caption="Disagreements between your graph and discovery."))
    if r.graph_notes:
        blocks.append(Bullets(r.graph_notes))
    if r.possible_effects:
        blocks.append(Table(
            ("Orientation at the treatment", "Adjustment set", "Regression estimate", "95% CI",
             "Changes conclusion?", "Note"),
            tuple((a.change, nodes_text(a.adjustment_set) if a.adjustment_set is not None
                   else "none valid", fmt(a.value), ci_text(a.ci_low, a.ci_high),
                   "yes" if a.changes_conclusion else "no" if a.changes_conclusion is False
                   else "–", a.note) for a in r.possible_effects),
            numeric=(2, 3), caption="Possible effects: every orientation of the undecided edges "
                                    "at the treatment that the data allow (local IDA)."))
    styles: dict[tuple[str, str], str] = {}
    added = set(r.added_edges)
    for a, b in g.edges:
        if f"{a} → {b}" in added:
            styles[(a, b)] = "extra"
    for c in r.conflicts:
        if c.kind in ("reversed", "not_found") and " → " in c.edge:
            a, b = c.edge.split(" → ", 1)
            if (a, b) in g.edges:
                styles[(a, b)] = "reversed" if c.kind == "reversed" else "dashed"
    effect_rule = next((x for x in r.merge_rules if x.name == "Allow an effect"), None)
    if effect_rule is not None and effect_rule.applied:
        styles[(r.treatment, r.outcome)] = "highlight"
    labels = {}
    if r.discovery is not None and r.discovery.confidence:
        for a, b in g.edges:
            c = r.discovery.confidence_of(a, b)
            if c is not None:
                labels[(a, b)] = pct(c.present)
    p = r.primary
    drawn = g
    if p is not None and p.kind == "backdoor":
        for z in p.adjustment_set:
            drawn = drawn.set_role(z, "adjusted")
    blocks.append(Figure(
        graph_svg(drawn, graph_edges(drawn, styles, labels), title="Graph used for the analysis",
                  extra_legend=(("extra", "added: strongly supported by discovery"),
                                ("reversed", "discovery found the opposite direction"),
                                ("dashed", "not found by discovery"),
                                ("highlight", "added so the effect can be estimated"))),
        "The graph used for identification and estimation. Boxes: the primary adjustment set."
        + (" Labels: share of bootstrap resamples in which discovery found the edge."
           if labels else ""),
        "Edges: " + ", ".join(f"{a} → {b}" for a, b in sorted(g.edges))
        + ("; hidden common causes: " + ", ".join(f"{a} ↔ {b}" for a, b in sorted(g.bidirected))
           if g.bidirected else "")))
    blocks.append(Code(write_dagitty(g.without_positions())))
    return Section("graph", "The graph used", tuple(blocks),
                   intro="The causal assumptions every later step relies on (also as DAGitty "
                         "text, to paste into the Graph page or dagitty.net).")


def _implications(r: ReportResult) -> Section:
    rep = r.implications
    if rep is None:
        return Section("implications", "Testable implications",
                       (Callout("note", r.implications_note or "Not tested."),))
    blocks: list[Block] = [Callout("note" if rep.consistent else "warn", rep.verdict)]
    if r.implications_note:
        blocks.append(Para(r.implications_note))
    if len(rep):
        ordered = sorted(rep.results, key=lambda t: (t.p_value, t.independence.text))
        rows = tuple((t.independence.text, t.test, fmt(t.statistic), fmt(t.dof), pval(t.p_value),
                      pval(t.p_holm), "violated" if t.p_holm < rep.alpha else
                      "rejected alone" if t.rejected else "consistent")
                     for t in ordered[:MAX_IMPLICATION_ROWS])
        more = len(ordered) - MAX_IMPLICATION_ROWS
        blocks.append(Table(("Implied independence", "Test", "Statistic", "df", "p", "p (Holm)",
                             "Verdict"), rows, numeric=(2, 3, 4, 5),
                            caption="Smallest p-values first"
                                    + (f"; {more} more not shown." if more > 0 else ".")))
    if rep.skipped:
        blocks.append(Bullets(tuple(f"Not tested: {ind.text} — {why}" for ind, why in rep.skipped[:10])))
    if rep.notes:
        blocks.append(Bullets(tuple(rep.notes)))
    return Section("implications", "Testable implications", tuple(blocks),
                   intro="Every missing edge in the graph claims an independence; if the data "
                         "clearly contradict one, the graph is wrong somewhere.")


def _identification(r: ReportResult) -> Section:
    e = r.estimand
    blocks: list[Block] = []
    if e.identifiable:
        blocks.append(Code(f"{e.query_text} = {e.text}"))
        blocks.append(Para(e.reason, "Why. "))
    else:
        blocks.append(Callout("warn", e.reason, "Not identifiable. "))
    rows = [("Smallest valid adjustment sets", "; ".join(nodes_text(z) for z in r.minimal_sets)
             or "none: no set of measured variables blocks every back-door path"),
            ("Efficient adjustment set (Henckel et al. 2022)",
             nodes_text(r.efficient_set) if r.efficient_set is not None else
             "not available (uses an unmeasured variable or is not valid)"),
            ("Instruments", ", ".join(r.instruments) or "none"),
            ("Front-door sets", "; ".join(nodes_text(z) for z in r.frontdoor_sets) or "none")]
    blocks.append(Table(("Strategy", "In this graph"), tuple(rows)))
    if e.notes:
        blocks.append(Bullets(tuple(e.notes)))
    return Section("identification", "Identification", tuple(blocks),
                   intro="Can the effect be computed from the observed data if the graph is "
                         "right, and by which formula?")


def _estimation(r: ReportResult) -> Section:
    blocks: list[Block] = [rules_table(r.estimator_rules, "How the estimators were chosen.")]
    rows = []
    for e in r.estimates:
        rows.append(((("★ " if e.primary else "") + e.label),
                     nodes_text(e.adjustment_set) if e.kind in ("backdoor", "plug-in") else
                     ", ".join(e.adjustment_set) or "–",
                     fmt(e.value) if e.ok else "–", ci_text(e.ci_low, e.ci_high) if e.ok else "–",
                     e.ci_method if e.ok else f"not computed: {e.error}", e.why))
    n = r.naive
    if n is not None:
        rows.insert(0, ("Unadjusted difference (naive)", "∅ (nothing)", fmt(n.value),
                        ci_text(n.ci_low, n.ci_high), "Welch / robust", "For comparison: "
                        "what the raw data show before any adjustment."))
    blocks.append(Table(("Estimator", "Adjusts for / uses", "Estimate", "95% CI", "Interval",
                         "Why it is here"), tuple(rows), numeric=(2, 3),
                        caption="★ = primary estimate (the one the verdict is about)."))
    forest = []
    if n is not None:
        forest.append(charts.ForestRow("Unadjusted difference", n.value, n.ci_low, n.ci_high,
                                       charts.NAIVE))
    for e in r.estimates:
        if e.ok:
            forest.append(charts.ForestRow(("★ " if e.primary else "") + _short(e)
                                           + (f" {nodes_text(e.adjustment_set)}"
                                              if e.method == "linear_regression" else ""),
                                           e.value, e.ci_low, e.ci_high,
                                           charts.ADJUSTED if e.kind != "plug-in" else charts.OK))
    if forest:
        unit = (f"difference in the share with {r.coding['outcome_label']}"
                if r.coding.get("binary_outcome") else f"difference in mean {r.outcome}")
        blocks.append(Figure(
            charts.forest_svg(forest, title="Estimates", axis_label=unit),
            "Grey: unadjusted. Blue: causal estimates with 95% intervals. Green: plug-in of the "
            "formula. Estimates on opposite sides of the dashed zero line disagree in sign.",
            "; ".join(f"{f.label}: {fmt(f.value)}" for f in forest)))
    if r.headline:
        blocks.append(Para(r.headline, "In words. "))
    if r.estimation_notes:
        blocks.append(Bullets(r.estimation_notes))
    return Section("estimation", "Estimation", tuple(blocks),
                   intro="The identified effect estimated several ways, next to the naive "
                         "comparison.")


MEDIATION_CONDITIONS = (
    "Covariates C block every back-door path from the treatment to the outcome.",
    "C blocks every back-door path from the treatment to the mediators.",
    "C and the treatment block every back-door path from the mediators to the outcome.",
    "No mediator–outcome confounder is itself affected by the treatment.",
)


def _mediation(r: ReportResult) -> Section:
    """The total effect split into its direct and indirect parts (natural effects), or why the
    graph does not allow the split."""
    s, m = r.settings, r.mediation
    via = ", ".join(s.mediators)
    blocks: list[Block] = [Para(
        "Natural direct and indirect effects are identified from data and a graph when, for a set "
        "C of pre-treatment covariates, four conditions hold (Pearl 2001; VanderWeele 2015, "
        "Explanation in Causal Inference, §2.2); they are checked on the graph used (section 3):",
        "Identification. "), Bullets(MEDIATION_CONDITIONS)]
    if m is None:
        blocks.append(Callout("warn", r.mediation_note, "Not split. "))
        return Section("mediation", "Direct and indirect effects", tuple(blocks),
                       intro=f"How much of the effect runs through {via} — not computed here.")
    blocks.append(Para(f"All four hold with C = {nodes_text(m.covariates)}.", "Checked: "))
    share = ("–" if m.share_mediated is None else pct(m.share_mediated))
    blocks.append(Table(
        ("Effect", "Estimate", "95% CI", "What it means"),
        (("Total effect", fmt(m.total), ci_text(*m.total_ci),
          f"How much {s.outcome} changes when {s.treatment} changes, by every path."),
         ("Natural direct effect (NDE)", fmt(m.nde), ci_text(*m.nde_ci),
          f"The change if {s.treatment} changed but {via} stayed as under the control value."),
         ("Natural indirect effect (NIE)", fmt(m.nie), ci_text(*m.nie_ci),
          f"The change carried through {via} alone."),
         ("Proportion mediated", share,
          f"{pct(m.share_ci[0])} to {pct(m.share_ci[1])}" if m.share_ci else "–",
          "NIE ÷ total: the share of the effect that runs through the mediators"
          + (" (its interval from the same resamples)." if m.share_ci else
             f". {m.share_ci_note}" if m.share_ci_note else "."))),
        numeric=(1, 2), caption=f"{m.method.capitalize()}; percentile bootstrap intervals "
                                f"({m.n_bootstrap} resamples, seed {s.seed}), {m.n_rows:,} rows."))
    blocks.append(_mediation_figure(r))
    blocks.append(Para(m.sentence, "In words. "))
    blocks.append(Bullets(m.notes))
    return Section("mediation", "Direct and indirect effects", tuple(blocks),
                   intro=f"How much of the effect of {s.treatment} on {s.outcome} runs through "
                         f"{via}, and how much does not.")


def _mediation_figure(r: ReportResult) -> Figure:
    from app.charts.estimation import mediation_table

    colors = {"total": charts.NAIVE, "direct": charts.ADJUSTED, "indirect": charts.OK}
    rows = [charts.ForestRow(row.label, row.value, row.ci_low, row.ci_high,
                             colors.get(row.part, charts.WARN))
            for row in mediation_table(r.mediation).itertuples()]
    unit = (f"difference in the share with {r.coding['outcome_label']}"
            if r.coding.get("binary_outcome") else f"difference in mean {r.outcome}")
    return Figure(charts.forest_svg(rows, title="Direct and indirect effects", axis_label=unit),
                  "Grey: total effect. Blue: direct part. Green: indirect part (through the "
                  "mediators). Lines: 95% intervals; direct + indirect = total.",
                  "; ".join(f"{row.label}: {fmt(row.value)}" for row in rows))


def _short(e) -> str:
    from app.estimation import METHODS

    info = METHODS.get(e.method)
    return info.short if info is not None and info.short else "Plug-in formula" \
        if e.kind == "plug-in" else e.label


def _refutation(r: ReportResult) -> Section:
    if not r.refutations:
        return Section("refutation", "Refutation",
                       (Callout("note", r.refutation_note or "No refutation ran."),))
    rows = tuple((x.label, x.expected, fmt(x.new_effect), pval(x.p_value),
                  "passed" if x.passed else "warning", x.explanation) for x in r.refutations)
    blocks: list[Block] = [Table(("Refutation", "Expected if the estimate is sound", "New effect",
                                  "p", "Result", "Explanation"), rows, numeric=(2, 3))]
    for x in r.refutations:
        expected = 0.0 if x.kind == "placebo" else x.original
        blocks.append(Figure(
            charts.strip_svg(x.simulations, x.original, title=x.label, expected=expected),
            f"{x.label}: {x.n_simulations} re-estimates (blue ticks), the original estimate (red "
            f"diamond) and {'0' if x.kind == 'placebo' else 'the original value'} (dashed).",
            f"{x.label}: mean {fmt(x.new_effect)} over {x.n_simulations} re-estimates."))
    if r.refutation_note:
        blocks.append(Para(r.refutation_note, "Not run. "))
    return Section("refutation", "Refutation", tuple(blocks),
                   intro="Change the data in ways that should (or should not) change the answer, "
                         "and check that the estimate behaves.")


def _sensitivity(r: ReportResult) -> Section:
    sens = r.sensitivity
    if sens is None:
        return Section("sensitivity", "Sensitivity to hidden confounding",
                       (Callout("note", r.sensitivity_note or "Not computed."),))
    blocks: list[Block] = [Para(sens.explanation)]
    blocks.append(Table(("Quantity", "Value"), (
        ("Regression estimate the bound applies to", fmt(sens.estimate)),
        ("Robustness value (estimate → 0)", pct(sens.robustness_value)),
        ("Robustness value (95% CI reaches 0)", pct(sens.robustness_value_ci))), numeric=(1,)))
    t = sens.table
    bench = sens.benchmarks
    points = [(float(b.strength), float(b.adjusted_estimate), f"as strong as {b.covariate}")
              for b in bench.itertuples()][:8]
    blocks.append(Figure(
        charts.curve_svg(list(t["strength"]), list(t["adjusted_estimate"]), list(t["ci_low"]),
                         list(t["ci_high"]), title="Sensitivity",
                         x_label="strength of a hidden confounder (partial R² with treatment "
                                 "and outcome)", y_label="adjusted estimate",
                         points=points, marks=[(sens.robustness_value, "RV")]),
        "The estimate (line) and its 95% interval (band) if a hidden confounder explained the "
        "given share of the remaining variation of treatment and outcome (Cinelli & Hazlett "
        "2020). Dots: a confounder as strong as a measured covariate.",
        f"Robustness value {pct(sens.robustness_value)}; for the interval "
        f"{pct(sens.robustness_value_ci)}."))
    if len(bench):
        blocks.append(Table(("A confounder as strong as", "Partial R² with treatment",
                             "Partial R² with outcome", "Estimate would become"),
                            tuple((str(b.covariate), pct(b.r2_treatment), pct(b.r2_outcome),
                                   fmt(b.adjusted_estimate)) for b in bench.itertuples()),
                            numeric=(1, 2, 3)))
    if sens.notes:
        blocks.append(Bullets(tuple(sens.notes)))
    return Section("sensitivity", "Sensitivity to hidden confounding", tuple(blocks),
                   intro="How strong would an unmeasured confounder have to be to explain the "
                         "effect away?")


def _what_if(r: ReportResult) -> Section:
    blocks: list[Block] = [Bullets(r.what_would_change)]
    if r.alternatives:
        rows = tuple((a.change, a.reason,
                      nodes_text(a.adjustment_set) if a.adjustment_set is not None else "none valid",
                      fmt(a.value) if a.value is not None else "–", ci_text(a.ci_low, a.ci_high),
                      "yes" if a.changes_conclusion else "no" if a.changes_conclusion is False
                      else "–", a.note) for a in r.alternatives)
        blocks.append(Table(("Change to the graph", "Why try it", "Adjustment set",
                             "Regression estimate", "95% CI", "Changes conclusion?", "Note"),
                            rows, numeric=(3, 4),
                            caption="One-edge changes at the treatment or outcome. A change alters "
                                    "the conclusion when the estimate changes sign or its "
                                    "interval starts or stops including 0."))
    return Section("what-if", "What would change the conclusion", tuple(blocks))


def _assumptions(r: ReportResult) -> Section:
    return Section("assumptions", "Assumptions", (Bullets(r.assumptions),),
                   intro="What has to hold for the estimate to be the causal effect.")


def _reproduce(r: ReportResult) -> Section:
    s = r.settings
    settings_rows = (
        ("Treatment / outcome", f"{s.treatment} / {s.outcome}"),
        ("Treated vs control", f"{r.coding.get('treatment_label')} vs "
                               f"{r.coding.get('control_label')}"),
        ("Discovery method", s.method), ("Bootstrap resamples", str(s.bootstrap)),
        ("Significance level", f"{s.alpha:g}"),
        ("Your graph used", "yes" if s.use_graph and r.user_graph is not None else "no"),
        ("Add strongly supported learned edges", "yes" if s.add_learned else "no"),
        ("Unmeasured common causes suspected", {True: "yes", False: "no", None: "decide from "
                                                "the graph"}[s.latent]),
        ("Domain/time column", s.domain_column or "none"),
        ("Outcome measured last", "yes" if s.outcome_last else "no"),
        ("Refutation simulations", "engine default" if s.refutation_simulations is None
         else str(s.refutation_simulations)),
        *((("Mediators", ", ".join(s.mediators)),) if s.mediators else ()),
        ("Data fingerprint", r.fingerprint),
    )
    args = ["python", "-m", "app.report", r.dataset_name, "--treatment", s.treatment,
            "--outcome", s.outcome, "--bootstrap", str(s.bootstrap), "--seed", str(s.seed)]
    if r.user_graph is not None and s.use_graph:
        args += ["--graph", "graph.dagitty"]
    if s.method != "auto":
        args += ["--method", s.method]
    if s.domain_column:
        args += ["--domain", s.domain_column]
    if s.alpha != 0.05:
        args += ["--alpha", f"{s.alpha:g}"]
    if s.latent is not None:
        args += ["--latent" if s.latent else "--no-latent"]
    if s.treatment_value is not None:
        args += ["--treated-value", str(s.treatment_value)]
    if s.control_value is not None:
        args += ["--control-value", str(s.control_value)]
    if not s.outcome_last:
        args += ["--outcome-not-last"]
    if not s.add_learned:
        args += ["--keep-my-graph"]
    if s.refutation_simulations is not None:
        args += ["--refutations", str(s.refutation_simulations)]
    for m in s.mediators:
        args += ["--mediator", m]
    return Section("reproduce", "Reproducibility", (
        Para("The same data, graph and settings give the same report, byte for byte: every "
             "random step uses the seed below, and no time stamp is written."),
        Table(("Setting", "Value"), settings_rows),
        Table(("Random step", "Seed"), tuple((k, str(v)) for k, v in s.seeds.items()),
              numeric=(1,)),
        Table(("Software", "Version"), r.versions),
        Para("To run it again from a terminal (graph.dagitty = the DAGitty text of your graph; "
             "background knowledge, if any, is given with --require/--forbid/--tier):"),
        Code(shlex.join(args)),
    ))


__all__ = ["Block", "Bullets", "Callout", "Code", "Document", "Figure", "Para", "Section",
           "Table", "build_document"]
