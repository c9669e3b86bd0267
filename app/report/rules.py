"""The report's stated rules: which discovery method, what background knowledge, how the learned
graph and the user's graph are merged, which adjustment sets and estimators are used.

Each function returns its decision together with `Rule` records (the rule in words, whether it
applied, and what it decided), so the report can show every choice and why it was made.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from app.discovery import METHODS, DiscoveryResult, Knowledge
from app.discovery.pdag import Pdag, dag_extension, meek_closure
from app.estimation.overlap import DETERMINED_R2, DETERMINED_SHARE, column_codes
from app.graph import CausalGraph
from app.report.result import Conflict, ReportSettings, Rule

MAX_DISCOVERY_VARIABLES = 30     # more variables: keep those most associated with T or Y
MAX_SIBLINGS = 6                 # undecided edges at the treatment tried in every orientation
EXCLUDED_TYPES = {"id": "an identifier (one value per row), not a variable",
                  "text": "free text, not a variable with repeatable values",
                  "datetime": "a date/time (use it as the domain/time column instead)",
                  "constant": "it has a single value, so it cannot vary with anything"}
ARROW = "→"


# ---- which variables and which method ----------------------------------------------------------
def discovery_variables(df: pd.DataFrame, types: Mapping[str, str], settings: ReportSettings,
                        extra: Iterable[str] = ()) -> tuple[list[str], list[tuple[str, str]], Rule]:
    """Columns that enter discovery, the ones left out (with why), and the size rule."""
    from app.discovery import default_variables

    t, y = settings.treatment, settings.outcome
    keep_first = [t, y, *[c for c in extra if c in df.columns and c not in (t, y)]]
    usable = set(default_variables(df))
    excluded: list[tuple[str, str]] = []
    candidates: list[str] = []
    for col in map(str, df.columns):
        vtype = types.get(col, "")
        if col == settings.domain_column:
            excluded.append((col, "it is the domain/time column, used by CD-NOD as a context "
                                  "indicator rather than as a variable"))
        elif col in (t, y):
            candidates.append(col)
        elif vtype in EXCLUDED_TYPES:
            excluded.append((col, EXCLUDED_TYPES[vtype]))
        elif col not in usable:
            excluded.append((col, "it looks like an identifier or has no variation"))
        else:
            candidates.append(col)
    rule = Rule("Variable limit",
                f"Discovery uses at most {MAX_DISCOVERY_VARIABLES} variables: the treatment, the "
                "outcome and the variables of your graph first, then those with the strongest "
                "association (absolute rank correlation) with the treatment or the outcome.",
                applied=len(candidates) > MAX_DISCOVERY_VARIABLES)
    if len(candidates) <= MAX_DISCOVERY_VARIABLES:
        return candidates, excluded, rule
    first = [c for c in keep_first if c in candidates]
    rest = [c for c in candidates if c not in first]
    scores = {c: _association(df, c, t, y) for c in rest}
    ranked = sorted(rest, key=lambda c: (-scores[c], candidates.index(c)))
    room = max(0, MAX_DISCOVERY_VARIABLES - len(first))
    chosen = set(first) | set(ranked[:room])
    for c in ranked[room:]:
        excluded.append((c, f"beyond the {MAX_DISCOVERY_VARIABLES}-variable limit (weaker "
                            f"association with {t} and {y}: {scores[c]:.2f})"))
    rule = Rule(rule.name, rule.text, True, f"{len(ranked) - room} variables left out.")
    return [c for c in candidates if c in chosen], excluded, rule


def _association(df: pd.DataFrame, c: str, t: str, y: str) -> float:
    """max |Spearman correlation| of column c with the treatment and with the outcome."""
    out = 0.0
    for other in (t, y):
        pair = pd.DataFrame({"a": column_codes(df[c]), "b": column_codes(df[other])}).dropna()
        if len(pair) > 2 and pair["a"].nunique() > 1 and pair["b"].nunique() > 1:
            r = pair["a"].rank().corr(pair["b"].rank())
            if np.isfinite(r):
                out = max(out, abs(float(r)))
    return round(out, 6)


def choose_method(settings: ReportSettings, graph: CausalGraph | None,
                  n_rows: int) -> tuple[str, bool, tuple[Rule, ...]]:
    """The `method` argument for app.discover, whether latent confounding is suspected, and the
    rules in the order they are tried (the first that applies decides)."""
    latent_in_graph = graph is not None and bool(graph.bidirected or graph.latents)
    suspected = settings.latent if settings.latent is not None else latent_in_graph
    rules = []
    decided = None
    if settings.method != "auto":
        decided = settings.method
        rules.append(Rule("Your choice", "A method you chose is always used.", True,
                          f"{METHODS[settings.method]}."))
    else:
        rules.append(Rule("Your choice", "A method you chose is always used.", False))
    domain = settings.domain_column is not None
    rules.append(Rule(
        "Domain or time column",
        "When a domain/time column is given (rows from several sites, groups or periods), "
        "CD-NOD is used: changes of a mechanism across domains reveal edges and directions.",
        decided is None and domain, "CD-NOD." if decided is None and domain else ""))
    if decided is None and domain:
        decided = "cdnod"
    why_latent = ("you said so" if settings.latent else
                  "your graph has a latent variable or a ↔ edge" if latent_in_graph else "")
    applies = decided is None and suspected
    rules.append(Rule(
        "Suspected unmeasured common causes",
        "When unmeasured common causes are suspected (you say so, or your graph contains a "
        "latent variable or a ↔ edge), FCI is used: it does not assume that every common cause "
        "is measured, and marks with ↔ or o the edges a hidden cause may explain.",
        applies, f"FCI ({why_latent})." if applies else ""))
    if applies:
        decided = "fci"
    applies = decided is None
    rules.append(Rule(
        "Variable types and sample size",
        "Otherwise the discovery engine's Auto rule decides by the data: DirectLiNGAM when every "
        "variable is continuous with clearly non-Gaussian residuals and no strong curvature "
        "(≥ 200 rows); GES (score-based) for up to 25 variables; PC (constraint-based, fastest) "
        "for more.", applies, "See the engine's reason below." if applies else ""))
    rules.append(Rule(
        "Large tables",
        f"Discovery uses a random sample of {settings.max_rows:,} rows when there are more (drawn "
        "with the report's seed); estimation always uses every row.",
        n_rows > settings.max_rows,
        f"{settings.max_rows:,} of {n_rows:,} rows." if n_rows > settings.max_rows else ""))
    return decided or "auto", bool(suspected), tuple(rules)


def report_knowledge(user: Knowledge | None, variables: Sequence[str],
                     settings: ReportSettings) -> tuple[Knowledge, tuple[str, ...]]:
    """The user's knowledge plus the report's default assumption that the outcome is measured
    last (no arrow out of it), unless switched off or contradicted by a required edge."""
    user = user if user is not None else Knowledge()
    lines = []
    if not user.is_empty:
        lines.append(f"Your background knowledge: {user.summary()}.")
    forbidden = set(user.forbidden)
    y = settings.outcome
    if settings.outcome_last:
        kept = [v for v in variables if v != y and not user.is_required(y, v)]
        forbidden |= {(y, v) for v in kept}
        lines.append(f"Default assumption: {y} (the outcome) is measured last, so it causes none "
                     f"of the other variables (every arrow out of {y} is forbidden).")
        clash = sorted(v for v in variables if v != y and user.is_required(y, v))
        if clash:
            lines.append("Except for your required edges " + ", ".join(
                f"{y} {ARROW} {v}" for v in clash) + ".")
    k = replace(user, forbidden=frozenset(forbidden))   # tiers keep their flags
    if k.is_empty:
        lines.append("No background knowledge: directions come from the data alone.")
    return k, tuple(lines)


def knowledge_from_text(text: str) -> Knowledge:
    """Background knowledge typed one statement per line: `A -> B` (required), `A -/-> B`
    (forbidden) and `tier: A, B` (time tiers, earliest first). Blank lines and # comments are
    skipped; anything else is a DiscoveryError naming the line."""
    from app.errors import DiscoveryError

    required, forbidden, tiers = set(), set(), []
    for i, raw in enumerate(str(text or "").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.lower().startswith("tier:"):
            names = tuple(v.strip() for v in line[5:].split(",") if v.strip())
            if not names:
                raise DiscoveryError(f"Line {i}: a tier needs at least one variable.")
            tiers.append(names)
            continue
        for sep, target in (("-/->", forbidden), ("->", required)):
            if sep in line:
                a, b = (v.strip() for v in line.split(sep, 1))
                if not a or not b:
                    break
                target.add((a, b))
                break
        else:
            raise DiscoveryError(f"Line {i} ('{line[:40]}') is not background knowledge.",
                                 hint="Write 'A -> B' (required), 'A -/-> B' (forbidden) or "
                                      "'tier: A, B' (earliest tier first).")
        if not a or not b:
            raise DiscoveryError(f"Line {i}: an edge needs a variable on both sides.")
    return Knowledge(frozenset(required), frozenset(forbidden), tuple(tiers))


# ---- the graph used for the analysis -----------------------------------------------------------
def with_question(g: CausalGraph, treatment: str, outcome: str, data_columns: Iterable[str]
                  ) -> tuple[CausalGraph, list[str]]:
    """Roles for the question (exposure = treatment, outcome = outcome, no 'adjusted' marks) and
    graph nodes without a data column marked latent (unmeasured)."""
    notes = []
    cols = set(data_columns)
    roles: dict[str, frozenset[str]] = {}
    dropped_adjusted = sorted(g.adjusted)
    for n in g.nodes:
        rs = set(g.roles.get(n, ())) - {"exposure", "outcome", "adjusted"}
        if n == treatment:
            rs.add("exposure")
        if n == outcome:
            rs.add("outcome")
        if n not in cols and "latent" not in rs:
            rs.add("latent")
            notes.append(f"'{n}' is in the graph but not in the data: treated as unmeasured "
                         "(latent).")
        if rs:
            roles[n] = frozenset(rs)
    if dropped_adjusted:
        notes.append("Your graph marks " + ", ".join(dropped_adjusted) + " as adjusted; the "
                     "report chooses adjustment sets by its own stated rules (see Identification).")
    return CausalGraph(nodes=g.nodes, edges=g.edges, bidirected=g.bidirected, roles=roles,
                       positions=g.positions), notes


def _share(disc: DiscoveryResult, a: str, b: str) -> float | None:
    """Bootstrap share of resamples with a and b adjacent (0 if never; None without bootstrap)."""
    c = disc.confidence_of(a, b)
    if c is None:
        return 0.0 if disc.bootstrap else None
    return float(c.present)


def _pct(v: float | None) -> str:
    return "" if v is None else f"{v:.0%}"


def _kept_pdag(disc: DiscoveryResult, settings: ReportSettings):
    """The learned edges kept by the stability rule, as a PDAG plus the ↔ pairs."""
    boot = disc.bootstrap > 0
    kept = [e for e in disc.edges if not boot or (_share(disc, e.a, e.b) or 0) >= settings.keep_edge]
    directed = {(e.a, e.b) for e in kept if e.symbol in ("-->", "o->")}
    bidirected = {e.pair for e in kept if e.symbol == "<->"}
    undirected = {frozenset(e.pair) for e in kept if e.symbol in ("---", "o-o", "--o")}
    return kept, Pdag(list(disc.nodes), directed, undirected), bidirected


def parent_choices(disc: DiscoveryResult, settings: ReportSettings) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The treatment's undecided neighbours in the kept learned graph and every subset of them
    that can be its parents without a new collider at the treatment and with a DAG extension
    (the local orientations of IDA, Maathuis, Kalisch & Bühlmann 2009, Annals of Statistics
    37(6); app.estimation.ida.sibling_orientations). Neighbours beyond MAX_SIBLINGS point out
    of the treatment, as `learned_graph` orients them. When no orientation extends (learned
    marks that close a cycle), the one choice left is no parent, as `learned_graph` then falls
    back to the learned node order."""
    from app.estimation.ida import sibling_orientations

    t = settings.treatment
    _, p, _ = _kept_pdag(disc, settings)
    if t not in p.nodes:
        return (), [()]
    order = list(disc.nodes)
    neighbours = sorted(p.neighbours(t), key=order.index)
    sibs = tuple(neighbours[:MAX_SIBLINGS])
    for z in neighbours[MAX_SIBLINGS:]:
        p.orient(t, z)
    return sibs, sibling_orientations(p, t, sibs) or [()]


def learned_graph(disc: DiscoveryResult, settings: ReportSettings,
                  into_t: Sequence[str] = ()) -> tuple[CausalGraph, tuple[Rule, ...], list[str]]:
    """A DAG (with ↔ where the PAG says a hidden cause) from the learned graph: keep edges found
    in at least `keep_edge` of the resamples, point the undecided edges at the treatment into it
    for the neighbours in `into_t` (out of it for the others), and orient the rest as one DAG of
    the equivalence class."""
    t = settings.treatment
    kept, p, bidirected = _kept_pdag(disc, settings)
    undirected = set(p.undirected)
    dropped = [e for e in disc.edges if e not in kept]
    notes: list[str] = []
    for z in sorted(p.neighbours(t), key=list(disc.nodes).index) if t in p.nodes else []:
        if z in into_t:
            p.orient(z, t)
        else:
            p.orient(t, z)
    p = meek_closure(p)
    ext = dag_extension(p)
    if ext is None:   # not extendable without a new collider: follow the learned node order
        order = {n: i for i, n in enumerate(disc.nodes)}
        ext = set(p.directed) | {tuple(sorted(q, key=order.__getitem__)) for q in p.undirected}
    g = nx.DiGraph(list(ext))
    g.add_nodes_from(disc.nodes)
    if not nx.is_directed_acyclic_graph(g):   # a PAG read as arrows can close a cycle
        order = {n: i for i, n in enumerate(disc.nodes)}
        ext = {(a, b) if order[a] < order[b] else (b, a) for a, b in ext}
        notes.append("Reading the learned marks as arrows closed a cycle; those edges were "
                     "oriented in the column order instead.")
    undecided = sorted(f"{a} – {b}" for a, b in (tuple(sorted(q)) for q in undirected))
    if undecided:
        notes.append("The data could not decide the direction of " + ", ".join(undecided)
                     + "; the graph below uses the choice the rules made.")
    rules = (
        Rule("Keep stable edges",
             f"Keep the learned edges found in at least {settings.keep_edge:.0%} of the "
             "bootstrap resamples (all learned edges when there was no bootstrap).", True,
             f"{len(kept)} kept, {len(dropped)} dropped"
             + (f" ({', '.join(e.text for e in dropped)})" if dropped else "") + "."),
        Rule("Other undecided edges",
             "Undecided edges away from the treatment follow one DAG of the learned equivalence "
             "class that adds no new collider (Dor & Tarsi 1992); PAG marks o→ are read as →.",
             bool(undirected)),
    )
    graph = CausalGraph.from_edges(sorted(ext), nodes=disc.nodes, bidirected=sorted(bidirected))
    return graph, rules, notes


def merge_graphs(user: CausalGraph, disc: DiscoveryResult | None, knowledge: Knowledge,
                 settings: ReportSettings) -> tuple[CausalGraph, tuple[Rule, ...], list[Conflict], list[str]]:
    """Your graph, plus learned edges that are strongly supported (if allowed), with every
    disagreement listed. Returns the graph, the rules, the conflicts and the edges added."""
    strong = settings.strong_edge
    rules = [Rule("Your graph first",
                  "Every edge of your graph is kept: it states what you know, and data alone "
                  "cannot prove an edge absent.", True)]
    conflicts: list[Conflict] = []
    added: list[str] = []
    if disc is None:
        return user, tuple(rules), conflicts, added
    learned_nodes = set(disc.nodes)
    for a, b in sorted(user.edges):
        if a not in learned_nodes or b not in learned_nodes:
            continue
        e = disc.edge(a, b)
        share = _share(disc, a, b)
        if e is None:
            conflicts.append(Conflict(
                "not_found", f"{a} {ARROW} {b}",
                f"Not found: no direct dependence of {b} on {a} was detected"
                + (f" (adjacent in {share:.0%} of the resamples)." if share is not None else ".")
                + " It may be absent, or too weak for these data.", share))
        elif e.is_directed and (e.a, e.b) == (b, a):
            conflicts.append(Conflict(
                "reversed", f"{a} {ARROW} {b}",
                f"Reversed: discovery orients it {b} {ARROW} {a}"
                + (f" (edge found in {share:.0%} of the resamples)." if share is not None else "."),
                share))
        elif e.symbol == "<->":
            conflicts.append(Conflict(
                "latent", f"{a} {ARROW} {b}",
                f"Hidden cause: discovery marks {a} ↔ {b}, a hidden common cause rather than a "
                "direct effect.",
                share))
    user_adj = {frozenset(e) for e in user.edges} | {frozenset(e) for e in user.bidirected}
    graph = user
    add_rule = Rule(
        "Add strongly supported edges",
        f"A learned edge between two variables your graph leaves unconnected is added when it is "
        f"found in at least {strong:.0%} of the bootstrap resamples, with the learned direction, "
        "or, if the data leave it undecided, from the earlier to the later variable in your "
        "graph's causal order; never if it would break your background knowledge or close a "
        "cycle.", False)
    outside_rule = Rule(
        "Columns outside your graph",
        "Your graph names the variables you care about. Data columns it leaves out still enter "
        "discovery, so a learned link to one of them is listed (a common cause you may have "
        "left out), but they enter the analysis only if you add them to your graph.", False)
    outside: list[str] = []
    for e in sorted(disc.edges):
        if frozenset(e.pair) in user_adj:
            continue
        share = _share(disc, e.a, e.b)
        if e.a not in user.nodes or e.b not in user.nodes:
            new = e.a if e.a not in user.nodes else e.b
            other = e.b if new == e.a else e.a
            outside.append(new)
            if other in user.nodes and (share is None or share >= settings.keep_edge):
                both = all(disc.edge(new, v) is not None
                           for v in (settings.treatment, settings.outcome) if v in disc.nodes)
                conflicts.append(Conflict(
                    "outside_both" if both else "outside", e.text,
                    f"Left out: discovery links {other} with {new} ({e.meaning}"
                    + (f", {share:.0%} of the resamples" if share is not None else "")
                    + f"), and your graph does not include {new}. If {new} affects both the "
                    "treatment and the outcome, add it to your graph.", share))
            continue
        strong_enough = settings.add_learned and share is not None and share >= strong
        if not strong_enough:
            if share is None or share >= settings.keep_edge:
                conflicts.append(Conflict(
                    "extra", e.text,
                    f"Extra: discovery found {e.text} ({e.meaning}), not in your graph"
                    + (f"; found in {share:.0%} of the resamples, below the {strong:.0%} "
                       "needed to add it." if share is not None and settings.add_learned else
                       "; not added (adding learned edges is off)." if not settings.add_learned
                       else "; not added without bootstrap confidence."), share))
            continue
        if e.symbol == "<->":
            graph = graph.add_bidirected(e.a, e.b)
            added.append(f"{e.a} ↔ {e.b}")
            continue
        if e.symbol in ("-->", "o->"):
            a, b = e.a, e.b
        else:
            order = {n: i for i, n in enumerate(graph.topological_order())}
            a, b = sorted(e.pair, key=lambda n: order.get(n, len(order)))
        if knowledge.is_forbidden(a, b):
            conflicts.append(Conflict("not_added", f"{a} {ARROW} {b}",
                                      f"Discovery strongly supports {e.text} ({share:.0%}), but "
                                      f"{a} {ARROW} {b} is forbidden by the background knowledge.",
                                      share))
            continue
        if b in graph.nodes and a in graph.nodes and a in graph.descendants(b):
            conflicts.append(Conflict("not_added", f"{a} {ARROW} {b}",
                                      f"Discovery strongly supports {e.text} ({share:.0%}), but "
                                      "adding it to your graph would close a directed cycle.",
                                      share))
            continue
        graph = graph.add_edge(a, b)
        added.append(f"{a} {ARROW} {b}")
    rules.append(Rule(add_rule.name, add_rule.text, bool(added),
                      ("Added: " + ", ".join(added) + ".") if added else ""))
    left_out = sorted(set(outside) | (set(disc.nodes) - set(user.nodes)))
    rules.append(Rule(outside_rule.name, outside_rule.text, bool(left_out),
                      ("Left out of the analysis: " + ", ".join(left_out) + ".") if left_out
                      else ""))
    rules.append(Rule("List every disagreement",
                      "Edges of your graph that discovery did not find, found reversed, or "
                      "explained by a hidden cause, and learned edges not added, are listed as "
                      "conflicts; none of them changes your graph.", bool(conflicts),
                      f"{len(conflicts)} conflict(s)." if conflicts else "No conflicts."))
    return graph, tuple(rules), conflicts, added


def ensure_effect_edge(g: CausalGraph, treatment: str, outcome: str) -> tuple[CausalGraph, Rule]:
    """Add treatment → outcome when the graph has no directed path between them, so the size of
    the effect is estimated instead of assumed to be exactly zero."""
    text = (f"The question is how much {treatment} changes {outcome}, so the graph used for "
            f"estimation always allows an effect: when it has no directed path {treatment} "
            f"{ARROW} … {ARROW} {outcome}, the edge {treatment} {ARROW} {outcome} is added (a "
            "graph without it would assert the effect is exactly zero; the estimate then tells "
            "whether it is near zero).")
    if outcome in g.descendants(treatment):
        return g, Rule("Allow an effect", text, False)
    if treatment in g.descendants(outcome):
        return g, Rule("Allow an effect", text, False,
                       f"Not added: the graph says {outcome} causes {treatment}.")
    return g.add_edge(treatment, outcome), Rule("Allow an effect", text, True,
                                                f"Added {treatment} {ARROW} {outcome}.")


# ---- adjustment ----------------------------------------------------------------------------------
def determiner_rule(determiners: Mapping[str, float], treatment: str, binary: bool) -> Rule:
    """The stated rule that keeps treatment-deciding variables out of the adjustment set."""
    how = (f"puts at least {DETERMINED_SHARE:.0%} of the rows where {treatment} is decided "
           "(a propensity score from that variable alone of ≤ 1% or ≥ 99%)") if binary else (
           f"explains at least {DETERMINED_R2:.0%} of {treatment}'s variance")
    text = (f"A variable that (nearly) decides the treatment — one that on its own {how} — is never "
            "part of the primary adjustment set: within its levels there are no comparable "
            "treated and untreated units (positivity fails). It is listed as a candidate "
            "instrument or a dose of the treatment instead.")
    found = ", ".join(f"{z} ({v:.0%})" for z, v in sorted(determiners.items()))
    return Rule("Overlap (positivity)", text, bool(determiners),
                f"Kept out of the adjustment set: {found}." if determiners else "")


def efficient_adjustment_set(g: CausalGraph, treatment: str, outcome: str,
                             measured: Iterable[str]) -> tuple[str, ...] | None:
    """The optimal adjustment set O = pa(cn) \\ forb (Henckel, Perković & Maathuis 2022, JRSS-B
    84(2)): among valid sets, the one with the smallest asymptotic variance for linear models.
    None when it uses an unmeasured variable or is not a valid adjustment set in `g`."""
    from app.analysis import check_adjustment_set

    dg = g.to_networkx()
    below_t = nx.descendants(dg, treatment)
    cn = {w for w in below_t if w == outcome or outcome in nx.descendants(dg, w)}
    forb = {treatment} | cn | {d for w in cn for d in nx.descendants(dg, w)}
    o_set = {p for w in cn for p in dg.predecessors(w)} - forb
    if not o_set <= set(measured) or o_set & g.latents:
        return None
    if not check_adjustment_set(g, treatment, outcome, o_set).valid:
        return None
    return tuple(n for n in g.nodes if n in o_set)


# ---- which estimators ------------------------------------------------------------------------------
MAX_OVERLAP_TRIES = 6            # valid adjustment sets tried for overlap, in order
MIN_ROWS_ML = 100                # doubly robust machine learning needs at least this many rows


@dataclass(frozen=True)
class PlannedEstimate:
    """One estimator the report will run: method, adjustment set (None: the engine's), why."""

    method: str
    adjustment_set: tuple[str, ...] | None
    why: str
    primary: bool


@dataclass(frozen=True)
class EstimatorPlan:
    """The estimators to run, the stated rules that chose them, notes, and the overlap
    diagnostics of the adjustment set used (None when not computed)."""

    estimates: tuple[PlannedEstimate, ...]
    rules: tuple[Rule, ...]
    notes: tuple[str, ...]
    overlap: Any


def overlap_choice(df: pd.DataFrame, s: ReportSettings, main_set, minimal):
    """The adjustment set to use, its overlap diagnostics and the stated rule: the planned set
    unless its propensity scores overlap poorly and another valid set (tried in order, at most
    MAX_OVERLAP_TRIES) overlaps well."""
    from app.errors import CausalCanvasError
    from app.estimation.overlap import overlap_diagnostics

    tried = []
    for zs in dict.fromkeys([tuple(main_set), *(tuple(m) for m in minimal if m)]):
        if len(tried) >= MAX_OVERLAP_TRIES:
            break
        try:
            o = overlap_diagnostics(df, s.treatment, list(zs), treatment_value=s.treatment_value,
                                    control_value=s.control_value)
        except CausalCanvasError:
            continue
        tried.append((zs, o))
        if o.ok:
            break
    text = ("Adjust for a set whose propensity scores overlap: when the planned set leaves "
            "treated or untreated units without comparable units (share outside [0.05, 0.95] "
            "over 10%, or weights worth under a tenth of a group), the next valid set that "
            "overlaps well is used instead; if none does, the verdict says so.")
    if not tried:
        return main_set, None, Rule("Overlap of the adjustment set", text, False)
    good = next(((zs, o) for zs, o in tried if o.ok), None)
    first_zs, first = tried[0]
    if good is None:
        return main_set, first, Rule("Overlap of the adjustment set", text, True,
                                     f"No valid set overlaps well: {first.message}")
    if good[0] != tuple(main_set):
        return good[0], good[1], Rule(
            "Overlap of the adjustment set", text, True,
            "{" + ", ".join(first_zs) + "} overlaps poorly (" + first.message + "); used {"
            + ", ".join(good[0]) + "} instead.")
    return main_set, good[1], Rule("Overlap of the adjustment set", text, False,
                                   good[1].message)


def estimator_plan(df: pd.DataFrame, s: ReportSettings, minimal, efficient, instruments,
                   frontdoor_sets, determiners: Mapping[str, float],
                   binary_t: bool) -> EstimatorPlan:
    """Which estimators to run and why. Adjustment sets holding a variable that decides the
    treatment are never used (no overlap); see the "Estimators" rule for the plan itself."""
    t = s.treatment
    rules = [determiner_rule(determiners, t, binary_t)]
    blocked = set(determiners)
    had_sets, had_efficient = bool(minimal), efficient is not None
    if efficient is not None and set(efficient) & blocked:
        efficient = None
    minimal = tuple(m for m in minimal if not set(m) & blocked)
    main_set = efficient if efficient is not None else (minimal[0] if minimal else None)
    overlap = None
    if main_set and binary_t:
        main_set, overlap, overlap_rule = overlap_choice(df, s, main_set, minimal)
        rules.append(overlap_rule)
    has_iv, has_fd = bool(instruments), bool(frontdoor_sets)
    if main_set is not None:
        plan = _backdoor_plan(main_set, minimal, efficient is not None, binary_t, len(df), has_iv)
    elif has_fd:
        plan = [PlannedEstimate("frontdoor", None, "Primary: no valid adjustment set, but a "
                                                   "front-door mediator set exists.", True)]
        if has_iv:
            plan.append(PlannedEstimate("iv", None, "Check: an instrument exists.", False))
    elif has_iv:
        plan = [PlannedEstimate("iv", None, "Primary: no valid adjustment set, but an "
                                            "instrument exists.", True)]
    else:
        plan = []
    rules.append(Rule(
        "Adjustment set",
        "Adjust for the efficient (optimal) adjustment set when it is valid, fully measured and "
        "keeps overlap; otherwise for the smallest such valid set.", main_set is not None,
        ("{" + ", ".join(main_set) + "}" + (" (efficient set)" if efficient is not None else
                                            " (smallest set)")) if main_set is not None else
        ("Every valid adjustment set holds a variable that decides the treatment (no overlap)."
         if blocked and (had_sets or had_efficient) else
         "No valid adjustment set of measured variables.")))
    rules.append(Rule(
        "Estimators",
        "Back-door: linear regression always (primary); with a two-valued treatment and something "
        f"to adjust for, also propensity-score weighting and (≥ {MIN_ROWS_ML} rows) doubly robust "
        "machine learning; regression on the smallest valid set when it differs; an "
        "instrumental-variable estimate whenever an instrument exists. Without a valid adjustment "
        "set: front-door, then instrumental variables.", bool(plan),
        f"{len(plan)} estimator run(s)." if plan else "Nothing applies: the effect is not "
                                                      "identifiable from this graph and data."))
    notes = []
    if main_set and not binary_t:
        notes.append("Only regression-type estimators apply to a numeric treatment (propensity-"
                     "score and machine-learning estimators need two treatment groups), so the "
                     "checks are other valid adjustment sets and instruments where they exist.")
    if main_set == () and binary_t:
        notes.append("Nothing needs adjusting for (no back-door path), so every adjustment "
                     "estimator reduces to the difference in means; the checks use other valid "
                     "sets where there are any.")
    return EstimatorPlan(tuple(plan), tuple(rules), tuple(notes), overlap)


def _backdoor_plan(main_set, minimal, is_efficient: bool, binary_t: bool, n_rows: int,
                   has_iv: bool) -> list[PlannedEstimate]:
    why_set = ("the efficient adjustment set (smallest variance among valid sets, Henckel et "
               "al. 2022)" if is_efficient else "the smallest valid adjustment set")
    set_txt = "{" + ", ".join(main_set) + "}"
    plan = [PlannedEstimate("linear_regression", main_set,
                            f"Primary: regression adjustment for {set_txt}, {why_set}. "
                            "Transparent, and the sensitivity analysis is exact for it.", True)]
    if binary_t and main_set:
        plan.append(PlannedEstimate(
            "ps_weighting", main_set, "Check: models the treatment instead of the outcome; "
            "agreement with regression means the answer does not hinge on the outcome model.",
            False))
        if n_rows >= MIN_ROWS_ML:
            plan.append(PlannedEstimate(
                "ml", main_set, "Check: flexible (gradient boosting) and doubly robust: right if "
                "either the outcome or the treatment model is right.", False))
    if minimal and tuple(sorted(minimal[0])) != tuple(sorted(main_set)):
        plan.append(PlannedEstimate(
            "linear_regression", minimal[0], "Check: the smallest valid set "
            + ("{" + ", ".join(minimal[0]) + "}" if minimal[0] else "(nothing to adjust for)")
            + "; another valid set should give a similar answer.", False))
    if has_iv:
        plan.append(PlannedEstimate(
            "iv", None, "Check: an instrument exists; the IV estimate rests on different "
            "assumptions (no unmeasured-confounding assumption for the treatment).", False))
    return plan


__all__ = ["MAX_DISCOVERY_VARIABLES", "MAX_OVERLAP_TRIES", "MAX_SIBLINGS", "EstimatorPlan",
           "PlannedEstimate", "choose_method", "determiner_rule", "discovery_variables",
           "efficient_adjustment_set", "ensure_effect_edge", "estimator_plan",
           "knowledge_from_text", "learned_graph", "merge_graphs", "overlap_choice",
           "parent_choices", "report_knowledge", "with_question"]
