"""Adjustment sets (back-door / generalized adjustment criterion), front-door sets, instruments.

Adjustment uses the constructive back-door criterion of van der Zander, Liśkiewicz & Textor
(2014, 2019), complete for DAGs with latent variables (Shpitser, VanderWeele & Robins 2010;
Perković et al. 2018): Z is a valid adjustment set for the effect of X on Y iff
  (a) Z contains no node of Dpcp(X, Y) — descendants of nodes on proper causal paths X → … → Y,
  (b) Z m-separates X and Y in the proper back-door graph (the first edge of every proper
      causal path removed),
and Z uses measured nodes only. This is the criterion DAGitty implements; with one X and Y and
no latents it gives the same sets as Pearl's back-door criterion whenever that one applies.

As in DAGitty (jslib/graph/GraphAnalyzer.js: isAdjustmentSet, listMsasTotalEffect):
- MAGs: the same criterion with only *visible* edges X -> c removed (Perković, Textor, Kalisch &
  Maathuis 2018, generalized adjustment criterion); an invisible first edge on a causal path
  means the MAG is not amenable and no set exists;
- CPDAGs and maximally oriented PDAGs: possibly causal paths and possible descendants (through
  -- edges), -- edges walked in the direction of travel and kept in the moral graph, as
  DAGitty does; a possibly causal path starting X -- c means not amenable, no set. Checked
  against every member DAG in tests/reference/test_analysis_cpdag.py;
- PAGs: the generalized adjustment criterion of Perković et al. (2018) on the PAG's own marks
  (app/analysis/gac.py): amenability, the forbidden set of possible descendants, and
  m-separation over definite-status paths; sets are listed on one member MAG and each kept
  only when it passes the PAG's check;
- nodes marked `selected` are conditioned on always, and no set exists when the outcome is
  d-connected to them in the back-door graph;
- nodes marked `adjusted` are forced into every listed set; none is listed when one of them is
  forbidden (a mediator or a descendant of one).
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from itertools import combinations

from app.analysis import gac
from app.analysis._core import (
    DAG_MAG_PDAG,
    DAG_ONLY,
    Admg,
    Listing,
    admg,
    anteriors,
    descendants,
    disjoint,
    edge_visible,
    fmt_set,
    m_separated,
    minimal_separators,
    nearest_separator,
    node_set,
    possible_descendants,
    proper_causal_nodes,
    separator_graph,
)
from app.analysis.paths import enumerate_paths
from app.errors import QueryError
from app.graph import CausalGraph

DEFAULT_SET_LIMIT = 200
FRONTDOOR_MAX_CANDIDATES = 16
MAX_PAG_LISTING = 5_000      # sets searched for the minimal ones when a member MAG's differ


@dataclass(frozen=True)
class _Setup:
    adm: Admg
    xs: frozenset[str]
    ys: frozenset[str]
    pcp: frozenset[str]          # nodes on proper causal paths (not X)
    forbidden: frozenset[str]    # Dpcp: never adjust for these
    pbd: Admg                    # proper back-door graph
    usable: frozenset[str]       # measured nodes that may be adjusted for
    selected: frozenset[str] = frozenset()   # conditioned on always
    forced: frozenset[str] = frozenset()     # marked adjusted: in every listed set
    invisible: tuple[tuple[str, str], ...] = ()   # MAG/PDAG/PAG: first causal edges that stay
    pag: gac.Pag | None = None   # PAG: its proper back-door graph (adm/pbd are a member MAG's)
    why: str = ""                # PAG: why it is not amenable
    effect: str = "total"        # "direct": forbidden holds Y's descendants (single door)
    asked: frozenset[str] = frozenset()      # must-include nodes (part of `forced`)

    @property
    def selection_biased(self) -> bool:
        """The outcome is d-connected to a selected node in the back-door graph (DAGitty)."""
        if not self.selected:
            return False
        if self.pag is not None:
            return not gac.m_separated(self.pag, self.ys, self.selected, ())
        return not m_separated(self.pbd, self.ys, self.selected, ())

    def separates(self, z: Iterable[str]) -> bool:
        """Does Z (with the selected nodes) separate X and Y in the proper back-door graph?"""
        cond = frozenset(z) | self.selected
        if self.pag is not None:
            return gac.m_separated(self.pag, self.xs, self.ys, cond)
        return m_separated(self.pbd, self.xs, self.ys, cond)


def _effect_query(g: CausalGraph, x, y, allow: frozenset[str] = DAG_ONLY,
                  what: str = "This analysis", *, selection: bool = False
                  ) -> tuple[Admg, frozenset[str], frozenset[str]]:
    """Check an effect question: known, measured, non-overlapping exposure and outcome sets.

    Refuses graph types outside `allow`, and selected nodes unless the caller handles them.
    """
    xs = node_set(g, x, "exposure")
    ys = node_set(g, y, "outcome")
    disjoint(exposure=xs, outcome=ys)
    adm = admg(g, allow, what)
    if not selection and adm.selected - xs - ys:
        raise QueryError(
            f"{what} does not take selection into account, and "
            f"{fmt_set(adm.selected - xs - ys)} is marked selected.",
            hint="Adjustment sets and d-separation handle selected nodes; or remove the mark.")
    for role, nodes in (("exposure", xs), ("outcome", ys)):
        hidden = sorted(nodes & adm.latent)
        if hidden:
            raise QueryError(
                f"'{hidden[0]}' is marked latent (not measured), so it cannot be the {role}.",
                hint="Take the latent role off the node, or ask about measured variables.")
    return adm, xs, ys


def _setup(g: CausalGraph, x, y) -> _Setup:
    if g.kind == "pag":
        return _pag_setup(g, x, y)
    adm, xs, ys = _effect_query(g, x, y, DAG_MAG_PDAG, "Adjustment", selection=True)
    pcp = proper_causal_nodes(adm, xs, ys)
    forbidden = possible_descendants(adm, pcp)
    first = [(a, b) for a in adm.sorted(xs) for b in adm.sorted(adm.children[a]) if b in pcp]
    invisible = tuple(e for e in first if not edge_visible(adm, *e))
    pbd = adm.without_edges(e for e in first if e not in invisible)
    # PDAG: a possibly causal path that starts X -- c is not amenable (Perković et al. 2018)
    invisible += tuple((a, b) for a in adm.sorted(xs) for b in adm.sorted(adm.und(a)) if b in pcp)
    selected = adm.selected - xs - ys
    forced = frozenset(g.adjusted) - xs - ys - adm.latent - selected
    usable = frozenset(n for n in adm.nodes if n not in adm.latent and n not in forbidden
                       and n not in xs | ys and n not in selected)
    return _Setup(adm, xs, ys, frozenset(pcp), frozenset(forbidden), pbd, usable,
                  selected, forced, invisible)


def _pag_setup(g: CausalGraph, x, y) -> _Setup:
    """The PAG's amenability, forbidden set and back-door graph (Perković et al. 2018), with a
    member MAG (Zhang 2008) on which sets are listed."""
    mag = gac.member_mag(g)
    adm, xs, ys = _effect_query(mag, x, y, DAG_MAG_PDAG, "Adjustment", selection=True)
    p = gac.pag_view(g)
    pcp = gac.proper_possibly_causal_nodes(p, xs, ys)
    forbidden = gac.possible_descendants(p, pcp)
    am = gac.amenability(p, xs, ys, pcp)
    mag_pcp = proper_causal_nodes(adm, xs, ys)
    pbd = adm.without_edges((a, b) for a in xs for b in adm.children[a] if b in mag_pcp)
    selected = adm.selected - xs - ys
    forced = frozenset(g.adjusted) - xs - ys - adm.latent - selected
    usable = frozenset(n for n in adm.nodes if n not in adm.latent and n not in forbidden
                       and n not in xs | ys and n not in selected)
    return _Setup(adm, xs, ys, frozenset(pcp), frozenset(forbidden), pbd, usable, selected,
                  forced, (am.problem,) if am.problem else (),
                  p.without_edges(am.first_edges), am.why)


def _not_amenable(s: _Setup) -> str:
    """Why the graph is not amenable: the first edge of a possibly causal path."""
    if s.why:
        return f"This PAG is not amenable: {s.why}."
    a, b = s.invisible[0]
    if b in s.adm.und(a):
        return (f"This PDAG is not amenable: the causal path may start with {a} -- {b}, and in "
                f"some DAGs of the class {b} causes {a}.")
    return (f"This MAG is not amenable: the edge {a} -> {b} starts a causal path but is not "
            "visible, so a latent confounder of the two may hide behind it.")


def _no_set_reason(s: _Setup) -> str:
    """Why no adjustment set can exist at all, or "" (DAGitty's early exits, in its order)."""
    if s.invisible:
        return _not_amenable(s) + " No adjustment set exists (Perković et al. 2018)."
    bad = s.adm.sorted(s.forced & s.forbidden)
    if bad:
        how = "is in the must-include set" if bad[0] in s.asked else "is marked adjusted"
        if s.effect == "direct":
            return (f"'{bad[0]}' {how} but is the outcome's descendant, so no set for the "
                    "direct effect can contain it.")
        return (f"'{bad[0]}' {how} but lies on or below a causal path from the "
                "exposure to the outcome, so no valid set can contain it.")
    if s.selection_biased:
        return (f"The selection {fmt_set(s.selected)} is d-connected to the outcome once the "
                "exposure's causal edges are cut, so no adjustment set removes the selection "
                "bias.")
    return ""


def _sort_sets(sets: Iterable[frozenset[str]], adm: Admg) -> list[frozenset[str]]:
    return sorted(sets, key=lambda s: (len(s), [adm.order[n] for n in adm.sorted(s)]))


def adjustment_sets(g: CausalGraph, x: str | Iterable[str], y: str | Iterable[str],
                    kind: str = "minimal", *, limit: int = DEFAULT_SET_LIMIT,
                    must_include: str | Iterable[str] = (), must_exclude: str | Iterable[str] = (),
                    effect: str = "total") -> Listing:
    """Valid adjustment sets for the effect of X on Y, smallest first.

    kind="minimal": every minimal valid set (no proper subset is valid), as DAGitty lists them.
    kind="all": every valid set (up to `limit`), smallest first.
    must_include / must_exclude: every listed set contains all of the first and none of the
    second (DAGitty: they become adjusted / unobserved nodes); "minimal" then means no node
    outside must_include can be dropped. Nodes marked adjusted on the graph are always included.
    effect="total" (default) or "direct": sets for the direct effect X -> Y in a linear model
    (single-door criterion, Pearl 2009 Thm 5.3.1, as DAGitty's listMsasDirectEffect): Z has no
    descendant of Y and d-separates X and Y once the edge X -> Y is removed; DAGs only.
    Latent nodes are never used and ↔ edges count as latent confounders. An empty list means
    no set of measured variables works (`.note` says why). Stops after `limit` sets.
    """
    if kind not in ("minimal", "all"):
        raise QueryError(f"Unknown kind of adjustment sets '{kind}'.", hint="Use 'minimal' or 'all'.")
    if effect not in ("total", "direct"):
        raise QueryError(f"Unknown effect '{str(effect)[:20]}'.", hint="Use 'total' or 'direct'.")
    base = _setup(g, x, y) if effect == "total" else _direct_setup(g, x, y)
    inc, exc = _requirements(g, base, must_include, must_exclude)
    s = replace(base, forced=base.forced | inc, usable=base.usable - exc, asked=inc)
    out = _listing(s, kind, limit)
    if not out and not out.note and (inc or exc):
        free = _listing(base, kind, 1)
        out.note = _requirement_text(inc, exc, "No valid set ") + (
            f", though without these requirements there are valid sets (e.g. {fmt_set(free[0])})."
            if free else ".")
    elif out and not out.truncated and (inc or exc or s.forced or s.selected):
        parts = []
        if inc or exc:
            parts.append(_requirement_text(inc, exc, "as asked, every set "))
        if s.forced - inc:
            parts.append(f"every set includes {fmt_set(s.forced - inc)} (marked adjusted)")
        if s.selected:
            parts.append(f"{fmt_set(s.selected)} (marked selected) is conditioned on as well")
        text = "; ".join(parts)
        out.note = text[0].upper() + text[1:] + "."
    return out


def _requirement_text(inc: frozenset[str], exc: frozenset[str], lead: str) -> str:
    parts = ([f"contains {fmt_set(inc)}"] if inc else []) + (
        [f"leaves out {fmt_set(exc)}"] if exc else [])
    return lead + " and ".join(parts)


def _requirements(g: CausalGraph, s: _Setup, must_include, must_exclude
                  ) -> tuple[frozenset[str], frozenset[str]]:
    """Check the must-include / must-exclude node sets against the question and the graph."""
    inc = node_set(g, must_include, "must-include set", allow_empty=True)
    exc = node_set(g, must_exclude, "must-exclude set", allow_empty=True)
    disjoint(**{"must-include set": inc, "must-exclude set": exc})
    for what, nodes in (("must-include", inc), ("must-exclude", exc)):
        both = s.adm.sorted(nodes & (s.xs | s.ys))
        if both:
            role = "exposure" if both[0] in s.xs else "outcome"
            raise QueryError(f"'{both[0]}' is the {role}; it cannot be in the {what} set.",
                             hint="Adjustment sets never contain the exposure or the outcome.")
    bad = s.adm.sorted(inc & (s.adm.latent | s.selected))
    if bad:
        why = "latent (not measured)" if bad[0] in s.adm.latent else "marked selected " \
              "(conditioned on always)"
        raise QueryError(f"'{bad[0]}' is {why}, so it cannot be a must-include node.",
                         hint="Take it out of the must-include set.")
    clash = s.adm.sorted(exc & s.forced)
    if clash:
        raise QueryError(f"'{clash[0]}' is marked adjusted on the graph, so every set includes "
                         "it; it cannot also be excluded.",
                         hint="Take the adjusted mark off the node, or the node off the list.")
    return inc, exc


def _listing(s: _Setup, kind: str, limit: int) -> Listing:
    """The sets themselves (without the requirement notes)."""
    out = Listing()
    reason = _no_set_reason(s)
    if reason:
        out.note = reason
        return out
    if kind == "minimal":
        adj = separator_graph(s.pbd, s.xs, s.ys, s.usable - s.forced, s.forced | s.selected)
        if adj is not None:
            seps, out.truncated = minimal_separators(adj, limit)
            sets = [frozenset(sep) | s.forced for sep in seps]
            if s.pag is not None and not all(s.separates(z) for z in sets):
                sets, out.truncated = _pag_minimal(s, limit)
            out.extend(_sort_sets(sets, s.adm))
    else:
        found = _list_separators(s, s.forced, s.usable, limit)
        out.truncated = len(found) > limit
        found = [z for z in found[:limit] if s.pag is None or s.separates(z)]
        out.extend(_sort_sets(found, s.adm))
    if out.truncated:
        out.note = f"Only the first {limit:,} sets are listed; there are more."
    return out


def _direct_setup(g: CausalGraph, x, y) -> _Setup:
    """The single-door criterion for X -> Y as a separation question (DAGitty's
    listMsasDirectEffect): the edge removed, descendants of Y never used."""
    adm, xs, ys = _effect_query(g, x, y, what="Adjustment for the direct effect")
    if len(xs) != 1 or len(ys) != 1:
        raise QueryError("The direct effect is defined for one exposure and one outcome.",
                         hint="Choose a single exposure and a single outcome.")
    (xn,), (yn,) = tuple(xs), tuple(ys)
    if yn not in adm.children[xn]:
        raise QueryError(f"There is no edge {xn} -> {yn}, so the graph says the direct effect of "
                         f"{xn} on {yn} is zero: there is nothing to estimate.",
                         hint="Ask for the total effect, or draw the edge if you believe in it.")
    below_y = frozenset(descendants(adm, ys))
    forced = frozenset(g.adjusted) - xs - ys - adm.latent
    usable = frozenset(n for n in adm.observed if n not in below_y and n not in xs)
    return _Setup(adm, xs, ys, frozenset(ys), below_y, adm.without_edges([(xn, yn)]), usable,
                  frozenset(), forced, effect="direct")


def _pag_minimal(s: _Setup, limit: int) -> tuple[list[frozenset[str]], bool]:
    """The minimal sets valid in a PAG when some minimal set of its member MAG is not (each set
    valid in the PAG is valid in the MAG, so the MAG's full listing holds them all)."""
    found = [z for z in _list_separators(s, s.forced, s.usable, MAX_PAG_LISTING)
             if s.separates(z)]
    minimal = [z for z in found if not any(o < z for o in found)]
    return minimal[:limit], len(found) > MAX_PAG_LISTING or len(minimal) > limit


def _list_separators(s: _Setup, must: frozenset[str], may: frozenset[str],
                     limit: int) -> list[frozenset[str]]:
    """All Z with must ⊆ Z ⊆ may separating X and Y in the back-door graph (ListSep, van der
    Zander et al. 2019): branch on one node at a time, pruning branches with no separator."""
    found: list[frozenset[str]] = []
    stack = [(must, may)]
    while stack and len(found) <= limit:
        inner, outer = stack.pop()
        z = frozenset(anteriors(s.pbd, s.xs | s.ys | inner | s.selected) & outer)
        if not m_separated(s.pbd, s.xs, s.ys, z | s.selected):
            continue
        if inner == outer:
            found.append(inner)
            continue
        v = min(outer - inner, key=s.adm.order.__getitem__)
        stack.append((inner, outer - {v}))
        stack.append((inner | {v}, outer))
    return found


def _causal_path_through(adm: Admg, xs: frozenset[str], ys: frozenset[str], w: str) -> list[str]:
    """A shortest directed path X → … → w → … → Y (or X → … → w when w is below the paths)."""
    def shortest(starts: Iterable[str], goal) -> list[str] | None:
        prev: dict[str, str | None] = {s: None for s in starts}
        queue = deque(prev)
        while queue:
            v = queue.popleft()
            if goal(v):
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return path[::-1]
            for c in adm.sorted(adm.children[v]):
                if c not in prev:
                    prev[c] = v
                    queue.append(c)
        return None

    head = shortest(xs, lambda v: v == w) or [w]
    tail = shortest([w], lambda v: v in ys and v != w)
    return head + (tail[1:] if tail else [])


@dataclass(frozen=True)
class AdjustmentCheck:
    """Whether a chosen set Z is a valid adjustment set, with every reason it is not."""

    x: frozenset[str]
    y: frozenset[str]
    z: frozenset[str]
    valid: bool
    reasons: tuple[str, ...] = ()
    open_paths: tuple = field(default=(), repr=False)   # PathInfo of biasing paths left open
    effect: str = "total"          # or "direct": the single-door criterion for the edge X -> Y

    def __bool__(self) -> bool:
        return self.valid

    @property
    def message(self) -> str:
        """The verdict in one or more plain sentences."""
        what = fmt_set(self.z) if self.z else "nothing (the empty set)"
        if self.effect == "direct":
            edge = f"{fmt_set(self.x)} → {fmt_set(self.y)}"
            if self.valid:
                return (f"Valid for the direct effect: adjusting for {what} blocks every path "
                        f"from {fmt_set(self.x)} to {fmt_set(self.y)} except the edge {edge}, "
                        "so in a linear model the coefficient of the exposure is the direct "
                        "effect (single-door criterion).")
            return (f"Not valid for the direct effect: adjusting for {what} does not isolate "
                    f"the edge {edge}. " + " ".join(self.reasons))
        if self.valid:
            return (f"Valid: adjusting for {what} blocks every non-causal path from "
                    f"{fmt_set(self.x)} to {fmt_set(self.y)} and leaves the causal paths open.")
        return f"Not valid: adjusting for {what} does not identify the effect. " + " ".join(self.reasons)


def check_adjustment_set(g: CausalGraph, x: str | Iterable[str], y: str | Iterable[str],
                         z: str | Iterable[str], *, effect: str = "total") -> AdjustmentCheck:
    """Is Z a valid adjustment set for the effect of X on Y? Reasons name what goes wrong.

    Reasons cover: a node of X or Y inside Z, a latent node in Z, a node on or below a causal
    path (mediator or descendant of one), and each biasing path that stays open (with why).
    effect="direct": the single-door criterion for the edge X -> Y (Pearl 2009, Thm 5.3.1; as
    adjustment_sets(effect="direct")): Z holds no descendant of Y and d-separates X and Y once
    that edge is removed; DAGs only.
    """
    if effect not in ("total", "direct"):
        raise QueryError(f"Unknown effect '{str(effect)[:20]}'.", hint="Use 'total' or 'direct'.")
    direct = effect == "direct"
    s = _direct_setup(g, x, y) if direct else _setup(g, x, y)
    zs = node_set(g, z, "adjustment set", allow_empty=True)
    reasons: list[str] = []
    for n in s.adm.sorted(zs & (s.xs | s.ys)):
        part = "an exposure" if n in s.xs else "an outcome"
        reasons.append(f"'{n}' is {part} itself; it cannot also be adjusted for.")
    for n in s.adm.sorted(zs & s.adm.latent):
        reasons.append(f"'{n}' is latent (not measured), so it cannot be adjusted for.")
    for n in s.adm.sorted((zs & s.forbidden) - s.xs - s.ys):
        if direct:
            path = " → ".join(_causal_path_through(s.adm, s.ys, frozenset(), n))
            reasons.append(f"'{n}' is a descendant of the outcome ({path}): an adjustment set "
                           "for the direct effect cannot contain it (single-door criterion).")
            continue
        path = " → ".join(_causal_path_through(s.adm, s.xs, s.ys, n))
        if s.adm.kind == "pdag" or s.pag is not None:   # no single path to show
            member = "DAG" if s.pag is None else "graph"
            reasons.append(f"'{n}' may lie on or below a causal path from the exposure (in some "
                           f"{member} of this class): adjusting for it can bias the estimate.")
        elif n in s.pcp:
            reasons.append(f"'{n}' is a mediator on the causal path {path}: adjusting for it "
                           "blocks part of the effect you want to measure.")
        else:
            reasons.append(f"'{n}' is a descendant of the exposure ({path}) below a causal path "
                           "to the outcome: adjusting for it biases the estimate.")
    if s.invisible:
        reasons.append(_not_amenable(s) + " So no set can be valid (Perković et al. 2018).")
    if s.selection_biased:
        reasons.append(f"The selection {fmt_set(s.selected)} (marked selected) is d-connected "
                       "to the outcome once the exposure's causal edges are cut, so no set can "
                       "be valid.")
    cond = (zs - s.xs - s.ys) | s.selected
    separated = s.separates(cond)
    shown: tuple = ()
    classwide = s.adm.kind == "pdag" or s.pag is not None
    # an invisible edge is the reason, not a path; PDAG/PAG paths are not listed (their marks)
    if not separated and not s.invisible and not classwide:
        paths = enumerate_paths(s.pbd, s.xs, s.ys, cond, only_open=True, limit=3)
        shown = tuple(paths)
        kind = (f"path (other than the edge {fmt_set(s.xs)} → {fmt_set(s.ys)})" if direct
                else "non-causal path")
        for p in paths:
            if p.opened_by:
                why = "; ".join(
                    f"adjusting for {zn} opens it ({c} is a collider"
                    + ("" if zn == c else f" and {zn} is its descendant") + ")"
                    for c, zn in p.opened_by)
                reasons.append(f"The {kind} {p.text} is open: {why}.")
            else:
                inner = [n for n in p.nodes[1:-1] if n in s.usable]
                if inner:
                    hint = f" Adjusting for {' or '.join(inner)} would block it."
                elif len(p.nodes) == 2:
                    hint = " They share a latent common cause (↔), which no adjustment can block."
                else:
                    hint = (" Every node on it is latent or affected by the exposure, so no "
                            "adjustment can block it.")
                reasons.append(f"The {kind} {p.text} stays open.{hint}")
        if not paths:
            reasons.append(f"A {kind} between them stays open (too many paths to list).")
    if not separated and not s.invisible and classwide:
        member = "DAG" if s.pag is None else "graph"
        reasons.append(f"A non-causal path between them stays open in some {member} of this "
                       "class.")
    valid = separated and not reasons
    return AdjustmentCheck(s.xs, s.ys, zs, valid, tuple(reasons), shown, effect)


@dataclass(frozen=True)
class CanonicalSet:
    """The canonical adjustment set, or None with the reason no adjustment set exists."""

    x: frozenset[str]
    y: frozenset[str]
    set: frozenset[str] | None
    reason: str = ""

    @property
    def message(self) -> str:
        """The answer in one plain sentence."""
        if self.set is None:
            return self.reason
        what = fmt_set(self.set) if self.set else "nothing (the empty set)"
        return (f"Adjusting for {what} — every measured cause (or possible cause) of "
                f"{fmt_set(self.x)} or {fmt_set(self.y)} that the exposure does not affect — "
                "removes the confounding: whenever any valid set exists, this one works.")


def canonical_adjustment_set(g: CausalGraph, x: str | Iterable[str],
                             y: str | Iterable[str]) -> CanonicalSet:
    """DAGitty's canonical adjustment set (GraphAnalyzer.canonicalAdjustmentSet): the measured
    (possible) ancestors of X ∪ Y outside the forbidden set, minus X and Y.

    It is a valid set whenever any valid set exists (van der Zander, Liśkiewicz & Textor 2014;
    Perković et al. 2018 for CPDAGs, MAGs and PAGs), so when it fails, `.set` is None and
    `.reason` says why no set exists. Selected nodes are conditioned on as well and are not
    listed; marks "adjusted" are not forced here (as in DAGitty).
    """
    s = _setup(g, x, y)
    if s.invisible:
        return CanonicalSet(s.xs, s.ys, None, _not_amenable(s) + " No adjustment set exists "
                            "(Perković et al. 2018).")
    if s.pag is not None:
        anc = gac.possible_ancestors(gac.pag_view(g), s.xs | s.ys)
    else:
        anc = anteriors(s.adm, s.xs | s.ys)
    z = frozenset(anc) - s.adm.latent - s.xs - s.ys - s.forbidden - s.selected
    check = check_adjustment_set(g, s.xs, s.ys, z)
    if check.valid:
        return CanonicalSet(s.xs, s.ys, z)
    return CanonicalSet(s.xs, s.ys, None,
                        f"The canonical set {fmt_set(z) if z else '{}'} is not valid, so no "
                        "adjustment set exists: " + " ".join(check.reasons))


# ---- front door --------------------------------------------------------------------------------

def _intercepts(adm: Admg, xs: frozenset[str], ys: frozenset[str], zs: frozenset[str]) -> bool:
    """True when every directed path from X to Y passes through Z."""
    seen = set(xs)
    stack = list(xs)
    while stack:
        v = stack.pop()
        for c in adm.children[v]:
            if c in ys:
                return False
            if c not in seen and c not in zs:
                seen.add(c)
                stack.append(c)
    return True


def frontdoor_sets(g: CausalGraph, x: str | Iterable[str], y: str | Iterable[str], *,
                   limit: int = DEFAULT_SET_LIMIT) -> Listing:
    """Minimal front-door sets Z for the effect of X on Y (Pearl 2009, Def. 3.3.3), smallest first.

    Z must (i) intercept every directed path X → … → Y, (ii) have no open back-door path from X
    (X's outgoing edges removed, nothing conditioned), and (iii) have every back-door path to Y
    blocked by X; checked node by node as pgmpy does. Minimal sets only use nodes on causal
    paths, so those are the candidates (at most 16 of them are searched exhaustively).
    """
    adm, xs, ys = _effect_query(g, x, y, what="The front-door criterion")
    out = Listing()
    pcp = proper_causal_nodes(adm, xs, ys)
    if not (pcp & ys):
        out.note = "There is no causal path from the exposure to the outcome."
        return out
    no_out_x = adm.without_edges((a, c) for a in xs for c in adm.children[a])
    ok = []
    for m in adm.sorted(pcp - ys - adm.latent):
        if not m_separated(no_out_x, xs, [m], ()):
            continue
        no_out_m = adm.without_edges((m, c) for c in adm.children[m])
        if m_separated(no_out_m, [m], ys, xs):
            ok.append(m)
    if len(ok) > FRONTDOOR_MAX_CANDIDATES:
        full = frozenset(ok)
        if _intercepts(adm, xs, ys, full):
            out.append(full)
        out.truncated = True
        out.note = (f"{len(ok)} candidate mediators: only the set of all of them was checked "
                    "(searching every subset would take too long).")
        return out
    for size in range(1, len(ok) + 1):
        for combo in combinations(ok, size):
            zs = frozenset(combo)
            if any(f <= zs for f in out):
                continue
            if _intercepts(adm, xs, ys, zs):
                out.append(zs)
                if len(out) >= limit:
                    out.truncated = True
                    out.note = f"Only the first {limit:,} sets are listed; there are more."
                    return out
    return out


# ---- instruments ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Instrument:
    """An instrumental variable for X → Y, valid when conditioning on `given` (empty: unconditional)."""

    node: str
    given: frozenset[str] = frozenset()

    @property
    def conditional(self) -> bool:
        return bool(self.given)

    def __str__(self) -> str:
        return self.node + (f" (given {', '.join(sorted(self.given))})" if self.given else "")


def instruments(g: CausalGraph, x: str, y: str) -> list[Instrument]:
    """Instrumental and conditional instrumental variables for the effect of X on Y.

    Z is an instrument given W (W may be empty) when, in the proper back-door graph, W
    d-separates Z from Y while Z stays d-connected to X given W, and W contains no descendant
    of Y and no mediator (van der Zander, Textor & Liśkiewicz 2015; as DAGitty). W is the
    "nearest separator" of Y from Z, which finds a W whenever one exists.
    """
    adm, xs, ys = _effect_query(g, x, y, what="The instrument search")
    if len(xs) != 1 or len(ys) != 1:
        raise QueryError("Instrumental variables are defined for one exposure and one outcome.",
                         hint="Choose a single exposure and a single outcome.")
    (xn,), (yn,) = tuple(xs), tuple(ys)
    pcp = proper_causal_nodes(adm, xs, ys)
    pbd = adm.without_edges((xn, c) for c in adm.children[xn] if c in pcp)
    below_y = descendants(pbd, ys)
    allowed = set(adm.observed) - {xn, yn} - (pcp - ys) - below_y
    selected = {n for n in adm.nodes if n in g.role_nodes("selected")}
    out = []
    for z in adm.sorted(set(adm.observed) - {xn, yn} - selected):
        w = nearest_separator(pbd, ys, [z], allowed - {z})
        if w is None or not m_separated(pbd, ys, [z], w):
            continue
        if m_separated(pbd, xs, [z], w):
            continue
        out.append(Instrument(z, frozenset(w)))
    return out


__all__ = ["AdjustmentCheck", "CanonicalSet", "Instrument", "adjustment_sets",
           "canonical_adjustment_set", "check_adjustment_set",
           "frontdoor_sets", "instruments"]
