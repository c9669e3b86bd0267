"""Identification of P(y | do(x)): back-door, front-door, or the general ID algorithm.

Preference order: a back-door (adjustment) formula when a valid set exists, else a front-door
formula, else the ID algorithm of Shpitser & Pearl (2006) on the latent projection of the graph
(bidirected edges and nodes marked latent are the unmeasured part). ID is complete: when it
fails it returns a hedge, which proves that the effect is not identifiable from the observed
distribution. networkx has nothing for this and DoWhy's ID does not accept bidirected edges,
so the algorithm and its formula algebra are our own.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from app.analysis._core import Admg, fmt_set, proper_causal_nodes
from app.analysis.adjustment import _effect_query, adjustment_sets, frontdoor_sets
from app.errors import QueryError
from app.graph import CausalGraph

# ---- probability expressions ----------------------------------------------------------------


@dataclass(frozen=True)
class Prob:
    """P(vars | given) of the observed (pre-intervention) distribution."""

    vars: frozenset[str]
    given: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Product:
    terms: tuple = ()


@dataclass(frozen=True)
class Sum:
    over: frozenset[str]
    body: object


@dataclass(frozen=True)
class Fraction:
    num: object
    den: object


Expr = Prob | Product | Sum | Fraction
ONE = Product(())


def free_vars(e: Expr) -> frozenset[str]:
    """Variables an expression depends on (not bound by a sum)."""
    if isinstance(e, Prob):
        return e.vars | e.given
    if isinstance(e, Product):
        return frozenset().union(*(free_vars(t) for t in e.terms))
    if isinstance(e, Sum):
        return free_vars(e.body) - e.over
    return free_vars(e.num) | free_vars(e.den)


def mul(*terms: Expr) -> Expr:
    """A product, flattened, with chain-rule pairs merged: P(a | b, c) P(b | c) = P(a, b | c)."""
    flat: list[Expr] = []
    for t in terms:
        flat.extend(t.terms if isinstance(t, Product) else [t])
    merged = True
    while merged:
        merged = False
        for i, j in itertools.permutations(range(len(flat)), 2):
            a, b = flat[i], flat[j]
            if (isinstance(a, Prob) and isinstance(b, Prob) and a.given == b.vars | b.given
                    and not (a.vars & b.vars) and not (b.vars & b.given)):
                flat = [t for k, t in enumerate(flat) if k not in (i, j)]
                flat.append(Prob(a.vars | b.vars, b.given))
                merged = True
                break
    return flat[0] if len(flat) == 1 else Product(tuple(flat))


def marginal(over: Iterable[str], e: Expr) -> Expr:
    """Σ_over e, simplified: a variable held only as a target of one factor is summed away."""
    over = frozenset(over) & free_vars(e)
    if not over:
        return e
    if isinstance(e, Sum):
        return marginal(over | e.over, e.body)
    if isinstance(e, Prob):
        if not (over & e.given):
            rest = e.vars - over
            return Prob(rest, e.given) if rest else ONE
        return Sum(over, e)
    if isinstance(e, Product):
        terms = list(e.terms)
        changed = True
        while changed and over:
            changed = False
            for v in sorted(over):
                holders = [k for k, t in enumerate(terms) if v in free_vars(t)]
                if not holders:
                    over -= {v}
                    changed = True
                elif len(holders) == 1:
                    t = terms[holders[0]]
                    if isinstance(t, Prob) and v in t.vars and v not in t.given:
                        rest = t.vars - {v}
                        terms[holders[0]] = Prob(rest, t.given) if rest else ONE
                        over -= {v}
                        changed = True
        terms = [t for t in terms if t != ONE]
        inside = [t for t in terms if free_vars(t) & over]
        outside = [t for t in terms if not free_vars(t) & over]
        if not over:
            return mul(*terms) if terms else ONE
        return mul(*outside, Sum(over, mul(*inside)))
    return Sum(over, e)


def divide(num: Expr, den: Expr) -> Expr:
    """num / den, cancelling common factors of products."""
    if den == ONE:
        return num
    nt = list(num.terms) if isinstance(num, Product) else [num]
    dt = list(den.terms) if isinstance(den, Product) else [den]
    if all(t in nt for t in dt):
        for t in dt:
            nt.remove(t)
        return mul(*nt) if nt else ONE
    return Fraction(num, den)


def conditional(p: Expr, scope: frozenset[str], target: frozenset[str],
                cond: frozenset[str]) -> Expr:
    """P_p(target | cond) for a distribution expression p over `scope`."""
    if isinstance(p, Prob) and p.vars == scope:
        return Prob(target, cond | p.given)
    num = marginal(scope - target - cond, p)
    den = marginal(scope - cond, p)
    return divide(num, den)


# ---- rendering -----------------------------------------------------------------------------------

_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$",
                  "%": r"\%", "&": r"\&", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}


def latex_name(name: str) -> str:
    """A node name as LaTeX: X, X_{1}, or \\text{...} with special characters escaped."""
    base, primes = re.fullmatch(r"(.*?)('*)", name).groups()
    if re.fullmatch(r"[A-Za-z]", base):
        out = base
    elif m := re.fullmatch(r"([A-Za-z])_?(\d+)", base):
        out = f"{m.group(1)}_{{{m.group(2)}}}"
    else:
        out = r"\text{" + "".join(_LATEX_SPECIAL.get(c, c) for c in base) + "}"
    return out + primes


class _Renderer:
    def __init__(self, order: Mapping[str, int], latex: bool) -> None:
        self.order = order
        self.latex = latex

    def names(self, vs: Iterable[str], env: Mapping[str, str]) -> str:
        shown = [env.get(v, v) for v in sorted(vs, key=lambda v: (self.order.get(v, 1 << 30), v))]
        if self.latex:
            return ", ".join(latex_name(n) for n in shown)
        return ", ".join(shown)

    def render(self, e: Expr, env: Mapping[str, str], in_use: frozenset[str]) -> str:
        if isinstance(e, Prob):
            inner = self.names(e.vars, env)
            if e.given:
                bar = r" \mid " if self.latex else " | "
                inner += bar + self.names(e.given, env)
            return (r"P\left(" + inner + r"\right)") if self.latex else f"P({inner})"
        if isinstance(e, Product):
            if not e.terms:
                return "1"
            parts = []
            for t in e.terms:
                s = self.render(t, env, in_use)
                if isinstance(t, Sum):
                    s = (r"\left[" + s + r"\right]") if self.latex else f"[{s}]"
                parts.append(s)
            return (r" \, " if self.latex else " ").join(parts)
        if isinstance(e, Sum):
            env = dict(env)
            used = set(in_use)
            for v in sorted(e.over):
                shown = v
                while shown in used:
                    shown += "'"
                env[v] = shown
                used.add(shown)
            body = self.render(e.body, env, frozenset(used))
            if self.latex:
                return r"\sum_{" + self.names(e.over, env) + "} " + body
            return "Σ_{" + self.names(e.over, env) + "} " + body
        num = self.render(e.num, env, in_use)
        den = self.render(e.den, env, in_use)
        if self.latex:
            return r"\frac{" + num + "}{" + den + "}"
        return f"({num}) / ({den})"


def render(e: Expr, order: Mapping[str, int], *, latex: bool,
           free: Iterable[str] = ()) -> str:
    """The expression as LaTeX or plain text; a summed variable that clashes with a free one
    (e.g. the exposure inside the front-door formula) gets a prime: x'."""
    names = frozenset(free) | free_vars(e)
    return _Renderer(order, latex).render(e, {}, names)


# ---- the ID algorithm ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hedge(Exception):
    f: frozenset[str]
    f_prime: frozenset[str]


def latent_projection(adm: Admg) -> Admg:
    """The ADMG over measured nodes implied by `adm` (Verma 1993): a → b when a directed path
    runs from a to b through latent nodes only; a ↔ b when a latent node (or a ↔ edge) reaches
    both through latent nodes only."""
    if not adm.latent:
        return adm
    obs = [n for n in adm.nodes if n not in adm.latent]

    def reach(start: str) -> set[str]:
        """Measured nodes below `start` through latent nodes only (start excluded)."""
        out, stack, seen = set(), [start], {start}
        while stack:
            v = stack.pop()
            for c in adm.children[v]:
                if c in seen:
                    continue
                seen.add(c)
                if c in adm.latent:
                    stack.append(c)
                else:
                    out.add(c)
        return out

    def as_source(v: str) -> set[str]:
        return reach(v) if v in adm.latent else {v}

    parents: dict[str, set[str]] = {n: set() for n in obs}
    spouses: dict[str, set[str]] = {n: set() for n in obs}
    for a in obs:
        for c in reach(a):
            parents[c].add(a)
    groups = [reach(u) for u in adm.latent]
    groups += [as_source(a) | as_source(b) for a in adm.nodes for b in adm.spouses[a] if a < b]
    for grp in groups:
        for a in grp:
            spouses[a] |= grp - {a}
    children: dict[str, set[str]] = {n: set() for n in obs}
    for c, ps in parents.items():
        for p in ps:
            children[p].add(c)
    order = {n: adm.order[n] for n in obs}
    return Admg(tuple(obs), {n: frozenset(v) for n, v in parents.items()},
                {n: frozenset(v) for n, v in children.items()},
                {n: frozenset(v) for n, v in spouses.items()}, frozenset(), order)


def _c_components(h: Admg, nodes: frozenset[str]) -> list[frozenset[str]]:
    comps, seen = [], set()
    for start in sorted(nodes, key=h.order.__getitem__):
        if start in seen:
            continue
        comp, stack = {start}, [start]
        while stack:
            v = stack.pop()
            for s in h.spouses[v]:
                if s in nodes and s not in comp:
                    comp.add(s)
                    stack.append(s)
        seen |= comp
        comps.append(frozenset(comp))
    return comps


def _ancestors_within(h: Admg, ys: Iterable[str], nodes: frozenset[str],
                      cut: frozenset[str] = frozenset()) -> frozenset[str]:
    """Ancestors of ys inside the induced subgraph on `nodes`, not walking into nodes of `cut`'s
    parents (edges into `cut` removed)."""
    seen = set(ys)
    stack = list(seen)
    while stack:
        v = stack.pop()
        if v in cut:
            continue
        for p in h.parents[v]:
            if p in nodes and p not in seen:
                seen.add(p)
                stack.append(p)
    return frozenset(seen)


def _id(h: Admg, y: frozenset[str], x: frozenset[str], p: Expr, v: frozenset[str]) -> Expr:
    """ID(y, x, P, G[v]) — Shpitser & Pearl (2006), Figure 3, lines 1–7."""
    if not x:                                                            # line 1
        return marginal(v - y, p)
    an_y = _ancestors_within(h, y, v)
    if an_y != v:                                                        # line 2
        return _id(h, y, x & an_y, marginal(v - an_y, p), an_y)
    w = (v - x) - _ancestors_within(h, y, v, cut=x)                      # line 3
    if w:
        return _id(h, y, x | w, p, v)
    comps = _c_components(h, v - x)
    if len(comps) > 1:                                                   # line 4
        return marginal(v - (y | x), mul(*(_id(h, s, v - s, p, v) for s in comps)))
    s = comps[0]
    whole = _c_components(h, v)
    if whole == [v]:                                                     # line 5
        raise _Hedge(v, s)
    order = sorted(v, key=h.order.__getitem__)

    def factor(n: str) -> Expr:
        return conditional(p, v, frozenset([n]), frozenset(order[:order.index(n)]))

    if s in whole:                                                       # line 6
        return marginal(s - y, mul(*(factor(n) for n in order if n in s)))
    s_big = next(c for c in whole if s <= c)                             # line 7
    p_new = mul(*(factor(n) for n in order if n in s_big))
    return _id(h, y, x & s_big, p_new, s_big)


def id_algorithm(adm: Admg, xs: frozenset[str], ys: frozenset[str]) -> Expr:
    """P(y | do(x)) as an expression of the observed distribution; raises _Hedge if none exists."""
    h = latent_projection(adm)
    v = frozenset(h.nodes)
    return _id(h, ys, xs, Prob(v), v)


# ---- evaluation on data -----------------------------------------------------------------------------


class _Undefined(Exception):
    pass


def evaluate(e: Expr, values: Mapping[str, object], prob: Callable[[dict, dict], float],
             domains: Mapping[str, list]) -> float:
    """The number an expression stands for, given values of its free variables, a function
    prob(target_values, given_values) and the values each summed variable can take."""
    if isinstance(e, Prob):
        return prob({v: values[v] for v in e.vars}, {v: values[v] for v in e.given})
    if isinstance(e, Product):
        out, undefined = 1.0, False
        for t in e.terms:
            try:
                val = evaluate(t, values, prob, domains)
            except _Undefined:
                undefined = True
                continue
            if val == 0.0:
                return 0.0      # a zero weight makes an undefined factor irrelevant
            out *= val
        if undefined:
            raise _Undefined
        return out
    if isinstance(e, Sum):
        over = sorted(e.over)
        total = 0.0
        for combo in itertools.product(*(domains[v] for v in over)):
            total += evaluate(e.body, {**values, **dict(zip(over, combo))}, prob, domains)
        return total
    den = evaluate(e.den, values, prob, domains)
    if den == 0.0:
        raise _Undefined
    return evaluate(e.num, values, prob, domains) / den


# ---- the public answer --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimand:
    """The answer to "can P(y | do(x)) be computed from observed data, and how?"."""

    x: tuple[str, ...]
    y: tuple[str, ...]
    identifiable: bool
    kind: str                       # "backdoor" | "frontdoor" | "id" | "none"
    latex: str = ""                 # right-hand side, LaTeX
    text: str = ""                  # right-hand side, plain text
    reason: str = ""                # plain-language explanation (the hedge when not identifiable)
    adjustment_set: frozenset[str] | None = None
    frontdoor_set: frozenset[str] | None = None
    hedge: tuple[frozenset[str], frozenset[str]] | None = None
    notes: tuple[str, ...] = ()
    expression: Expr | None = field(default=None, repr=False, compare=False)

    @property
    def query_latex(self) -> str:
        return (r"P\left(" + ", ".join(latex_name(n) for n in self.y) + r" \mid \mathrm{do}("
                + ", ".join(latex_name(n) for n in self.x) + r")\right)")

    @property
    def query_text(self) -> str:
        return f"P({', '.join(self.y)} | do({', '.join(self.x)}))"

    @property
    def full_latex(self) -> str:
        """The whole equation for st.latex (or the question alone when not identifiable)."""
        return f"{self.query_latex} = {self.latex}" if self.identifiable else self.query_latex

    def __str__(self) -> str:
        if not self.identifiable:
            return f"{self.query_text} is not identifiable: {self.reason}"
        return f"{self.query_text} = {self.text}"

    def evaluate(self, df, x_values: Mapping[str, object], y_values: Mapping[str, object],
                 weights: str | None = None) -> float:
        """P(y = y_values | do(x = x_values)) computed from a table of discrete data with the
        identified formula (empirical probabilities; `weights` names a column of row weights)."""
        if not self.identifiable or self.expression is None:
            raise QueryError(f"{self.query_text} is not identifiable, so it cannot be computed.")
        values = {**dict(x_values), **dict(y_values)}
        missing = [n for n in (*self.x, *self.y) if n not in values]
        if missing:
            raise QueryError(f"Give a value for '{missing[0]}'.")
        needed = _all_vars(self.expression) | set(values)
        absent = sorted(n for n in needed if n not in df.columns)
        if absent:
            raise QueryError(f"The data have no column '{absent[0]}', which the formula needs.")
        w = df[weights].astype(float) if weights else None
        domains = {n: sorted(df[n].dropna().unique().tolist(), key=str) for n in needed}
        for n in free_vars(self.expression) - set(values):
            # the answer does not depend on it (see `notes`): use its most common value
            counts = (w.groupby(df[n]).sum() if w is not None else df[n].value_counts())
            values[n] = counts.idxmax()
        cache: dict = {}

        def mass(assign: dict) -> float:
            key = tuple(sorted(assign.items(), key=lambda kv: kv[0]))
            if key not in cache:
                mask = None
                for k, val in assign.items():
                    m = df[k] == val
                    mask = m if mask is None else mask & m
                cache[key] = float(w[mask].sum() if w is not None else mask.sum()) \
                    if mask is not None else float(w.sum() if w is not None else len(df))
            return cache[key]

        def prob(target: dict, given: dict) -> float:
            den = mass(given)
            if den == 0.0:
                raise _Undefined
            return mass({**given, **target}) / den

        try:
            return evaluate(self.expression, values, prob, domains)
        except _Undefined:
            raise QueryError(
                "The formula needs a combination of values that never occurs in the data "
                "(positivity fails), so the effect cannot be computed from this table.",
                hint="Merge rare categories or collect more data.") from None


def _all_vars(e: Expr) -> set[str]:
    if isinstance(e, Prob):
        return set(e.vars | e.given)
    if isinstance(e, Product):
        return set().union(*(_all_vars(t) for t in e.terms)) if e.terms else set()
    if isinstance(e, Sum):
        return _all_vars(e.body) | set(e.over)
    return _all_vars(e.num) | _all_vars(e.den)


def backdoor_expression(xs: frozenset[str], ys: frozenset[str], zs: frozenset[str]) -> Expr:
    """Σ_z P(y | x, z) P(z) (P(y | x) when z is empty)."""
    if not zs:
        return Prob(ys, xs)
    return Sum(zs, Product((Prob(ys, xs | zs), Prob(zs))))


def frontdoor_expression(xs: frozenset[str], ys: frozenset[str], zs: frozenset[str]) -> Expr:
    """Σ_z P(z | x) Σ_x' P(y | x', z) P(x')."""
    return Sum(zs, Product((Prob(zs, xs), Sum(xs, Product((Prob(ys, xs | zs), Prob(xs)))))))


def identify(g: CausalGraph, x: str | Iterable[str], y: str | Iterable[str], *,
             method: str = "auto") -> Estimand:
    """Is P(y | do(x)) identifiable in `g`, and by which formula?

    method="auto" prefers a back-door formula (smallest valid adjustment set), then a front-door
    formula, then the ID algorithm; method="id" always runs the ID algorithm. When the effect is
    not identifiable the hedge (two sets of nodes F' ⊂ F, Shpitser & Pearl 2006) is returned.
    """
    if method not in ("auto", "id"):
        raise QueryError(f"Unknown identification method '{method}'.", hint="Use 'auto' or 'id'.")
    adm, xs, ys = _effect_query(g, x, y, what="Identification")
    xt, yt = tuple(adm.sorted(xs)), tuple(adm.sorted(ys))
    notes = []
    if adm.latent:
        notes.append("Latent nodes " + fmt_set(adm.latent) + " are treated as unmeasured.")

    def done(kind: str, expr: Expr, reason: str, **extra) -> Estimand:
        spare = adm.sorted(free_vars(expr) - xs - ys)
        extra_notes = [f"The formula contains {', '.join(spare)}, but its value does not depend "
                       "on which value you put in for " + ("it" if len(spare) == 1 else "them")
                       + " (any value with data works)."] if spare else []
        return Estimand(xt, yt, True, kind, render(expr, adm.order, latex=True, free=xs | ys),
                        render(expr, adm.order, latex=False, free=xs | ys), reason,
                        notes=tuple(notes + extra_notes), expression=expr, **extra)

    if method == "auto" and not (proper_causal_nodes(adm, xs, ys) & ys):
        expr = marginal(frozenset(), Prob(ys))
        return done("id", expr, f"There is no causal (directed) path from {fmt_set(xs)} to "
                    f"{fmt_set(ys)}: setting the exposure does not change the outcome's "
                    "distribution.")
    if method == "auto":
        sets = adjustment_sets(g, xs, ys, limit=50)
        if sets:
            z = sets[0]
            what = f"adjusting for {fmt_set(z)}" if z else "no adjustment at all"
            return done("backdoor", backdoor_expression(xs, ys, z),
                        f"Back-door adjustment: {what} blocks every non-causal path from the "
                        "exposure to the outcome, so comparing like with like within its "
                        "levels and averaging over them gives the causal effect.",
                        adjustment_set=z)
        fds = frontdoor_sets(g, xs, ys, limit=10)
        if fds:
            z = fds[0]
            return done("frontdoor", frontdoor_expression(xs, ys, z),
                        f"Front-door adjustment through {fmt_set(z)}: no set of measured "
                        "variables blocks the confounding, but the effect passes entirely "
                        f"through {fmt_set(z)}, whose own links to the exposure and outcome "
                        "are unconfounded, so the effect is chained from two identifiable "
                        "pieces.", frontdoor_set=z)
    try:
        expr = id_algorithm(adm, xs, ys)
    except _Hedge as h:
        f_set, s_set = sorted(h.f), sorted(h.f_prime)
        return Estimand(
            xt, yt, False, "none",
            reason=(f"Not identifiable: the nodes {fmt_set(f_set)} form a hedge with "
                    f"{fmt_set(s_set)} — they are tied together by unmeasured common causes (↔) "
                    "in a way that no adjustment or do-calculus step can separate from the "
                    "exposure. Measuring a confounder, or a mediator with unconfounded links, "
                    "would help."),
            hedge=(frozenset(h.f), frozenset(h.f_prime)), notes=tuple(notes))
    return done("id", expr, "No adjustment or front-door set exists, but the ID algorithm "
                "(Shpitser & Pearl 2006) derives this formula from the rules of the "
                "do-calculus: it uses only the distribution of the measured variables.")


__all__ = ["Estimand", "identify", "id_algorithm", "latent_projection", "Prob", "Product",
           "Sum", "Fraction", "render", "evaluate"]
