"""Testable implications: the conditional independencies a graph implies, checked on data.

The list follows DAGitty's "minimal implications" (missing-edge basis): for every pair of
measured nodes with no edge between them, each minimal set of measured nodes that d-separates
them. (kind="local" gives the local Markov pairs instead: v ⊥ w | parents(v) for every
non-descendant w of v, DAGs without latents only.) Pairs that no measured set can separate
(e.g. joined through a latent node) imply nothing testable and are left out, as in DAGitty.

Tests, by variable type: discrete a, b and Z — G-test (log-likelihood ratio) summed over the
strata of Z, or Pearson's chi-square; continuous a, b and Z — Fisher's z on the partial
correlation; mixed — a nested linear-regression F-test with a continuous one of a, b as the
response (discrete variables enter as indicator columns); when a and b are both discrete but
some of Z is continuous, those Z are cut into quantile bins and the G-test is used (noted).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from app.analysis._core import (
    Listing,
    admg,
    descendants,
    fmt_set,
    m_separated,
    minimal_separators,
    separator_graph,
)
from app.errors import Cancelled, DataError, QueryError
from app.graph import CausalGraph
from app.settings import MAX_ALL_PAIRS_QUERIES

DEFAULT_LIMIT = 2000
DISCRETE_TYPES = {"binary", "categorical", "ordinal", "discrete", "nominal", "boolean", "bool"}
CONTINUOUS_TYPES = {"continuous", "numeric", "real"}
AUTO_DISCRETE_MAX_LEVELS = 10
MIN_EXPECTED_PER_CELL = 5.0


@dataclass(frozen=True)
class Independence:
    """The statement a ⊥ b | given: a and b are independent once `given` is known."""

    a: str
    b: str
    given: frozenset[str] = frozenset()

    @property
    def text(self) -> str:
        cond = f" | {', '.join(sorted(self.given))}" if self.given else ""
        return f"{self.a} ⊥ {self.b}{cond}"

    @property
    def pair(self) -> tuple[str, str]:
        return (self.a, self.b)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class BasisStatement:
    """v ⊥ others | parents(v): one line of DAGitty's basis set (the local Markov property)."""

    v: str
    others: tuple[str, ...]
    given: tuple[str, ...]

    @property
    def text(self) -> str:
        cond = f" | {', '.join(self.given)}" if self.given else ""
        return f"{self.v} ⊥ {', '.join(self.others)}{cond}"

    def __str__(self) -> str:
        return self.text


def basis_set(g: CausalGraph) -> list[BasisStatement]:
    """DAGitty's impliedConditionalIndependencies(type="basis.set"): for each node with
    non-descendants other than its parents, one joint statement — it is independent of all of
    them given its parents (local Markov property, Lauritzen 1996, §3.2.2). These few lines
    imply every other independence of the DAG; kind="local" of implied_independencies lists
    the same statements one pair at a time, for pairwise tests. DAGs without latent or selected
    nodes or <-> edges (the statements would involve unmeasured variables)."""
    adm = admg(g)
    if adm.latent or adm.selected or any(adm.spouses[n] for n in adm.nodes):
        raise QueryError("The basis set needs a DAG without latent or selected nodes or <-> "
                         "edges.", hint="Use implied_independencies (kind='minimal'), which "
                         "handles latent confounding.")
    out = []
    for v in adm.sorted(adm.nodes):
        others = set(adm.nodes) - descendants(adm, [v]) - adm.parents[v]
        if others:
            out.append(BasisStatement(v, tuple(adm.sorted(others)),
                                      tuple(adm.sorted(adm.parents[v]))))
    return out


def implied_independencies(g: CausalGraph, kind: str = "minimal", *,
                           limit: int = DEFAULT_LIMIT) -> Listing:
    """The conditional independencies `g` implies among measured variables (see module doc).

    kind="minimal" (default, as DAGitty): one line per missing edge and minimal separating set.
    kind="local": v ⊥ w | parents(v) for each non-descendant w of v that is not a parent.
    kind="all_pairs": every pair of measured nodes with every set of other measured nodes that
    d-separates them (DAGitty's type "all.pairs": each set is tried, so this is for small graphs
    only; refused past MAX_ALL_PAIRS_QUERIES separation queries).
    """
    adm = admg(g)
    out = Listing()
    if kind == "all_pairs":
        return _all_pairs(adm, limit)
    if kind == "local":
        if adm.latent or adm.selected or any(adm.spouses[n] for n in adm.nodes):
            raise QueryError("The local Markov list needs a DAG without latent or selected nodes "
                             "or ↔ edges.",
                             hint="Use kind='minimal', which handles latent confounding.")
        for v in adm.sorted(adm.nodes):
            below = descendants(adm, [v])
            for w in adm.sorted(set(adm.nodes) - below - adm.parents[v]):
                out.append(Independence(v, w, frozenset(adm.parents[v])))
                if len(out) >= limit:
                    out.truncated = True
                    out.note = f"Only the first {limit:,} implications are listed."
                    return out
        return out
    if kind != "minimal":
        raise QueryError(f"Unknown kind of implications '{kind}'.",
                         hint="Use 'minimal', 'local' or 'all_pairs'.")
    # selected nodes are conditioned on in every implication (the data are a selected sample)
    sel = adm.selected
    if sel:
        out.note = (f"{fmt_set(sel)} is marked selected: every independence below holds "
                    "given it as well (the data are a selected sample).")
    obs = [n for n in adm.observed if n not in sel]
    for i, a in enumerate(obs):
        for b in obs[i + 1:]:
            if adm.adjacent(a, b):
                continue
            adj = separator_graph(adm, [a], [b], set(obs) - {a, b}, sel)
            if adj is None:
                continue
            seps, cut = minimal_separators(adj, limit - len(out))
            out.extend(Independence(a, b, frozenset(s)) for s in seps)
            if cut or len(out) >= limit:
                out.truncated = True
                out.note = f"Only the first {limit:,} implications are listed; there are more."
                return out
    return out


def _all_pairs(adm, limit: int) -> Listing:
    """Every (pair, separating set) among measured, unselected nodes, by trying each set."""
    sel = adm.selected
    obs = [n for n in adm.observed if n not in sel]
    queries = len(obs) * (len(obs) - 1) // 2 * 2 ** max(len(obs) - 2, 0)
    if queries > MAX_ALL_PAIRS_QUERIES:
        raise QueryError(f"Listing every separating set tries {queries:,} sets here (the limit "
                         f"is {MAX_ALL_PAIRS_QUERIES:,}): the graph is too large for that.",
                         hint="Use kind='minimal': one line per missing edge and minimal set.")
    out = Listing()
    if sel:
        out.note = (f"{fmt_set(sel)} is marked selected: every independence below holds "
                    "given it as well (the data are a selected sample).")
    for i, a in enumerate(obs):
        for b in obs[i + 1:]:
            rest = [n for n in obs if n not in (a, b)]
            for k in range(len(rest) + 1):
                for z in combinations(rest, k):
                    if m_separated(adm, [a], [b], set(z) | sel):
                        out.append(Independence(a, b, frozenset(z)))
                        if len(out) >= limit:
                            out.truncated = True
                            out.note = f"Only the first {limit:,} implications are listed."
                            return out
    return out


# ---- tests on data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImplicationTest:
    """One implied independence tested on the data."""

    independence: Independence
    test: str                 # "G-test", "chi-square", "Fisher z", "F-test (linear regression)"
    statistic: float
    dof: float
    p_value: float
    rejected: bool            # p_value < alpha: the data contradict this independence
    n: int                    # rows used (rows with a missing value in these columns dropped)
    p_holm: float = float("nan")   # Holm-adjusted p-value over all tests in the report
    effect: float | None = None    # partial correlation (Fisher z) when available
    note: str = ""

    @property
    def pair(self) -> tuple[str, str]:
        return self.independence.pair


@dataclass(frozen=True)
class ImplicationReport:
    """All tests plus the overall verdict; iterating gives the ImplicationTest results."""

    results: tuple[ImplicationTest, ...]
    alpha: float
    verdict: str
    skipped: tuple[tuple[Independence, str], ...] = ()
    notes: tuple[str, ...] = ()
    truncated: bool = False
    consistent: bool = True   # no implication rejected after the Holm correction

    def __iter__(self):
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, i):
        return self.results[i]

    @property
    def n_rejected(self) -> int:
        return sum(r.rejected for r in self.results)

    @property
    def violated(self) -> list[ImplicationTest]:
        """Tests still rejected after the Holm correction for testing many implications."""
        return [r for r in self.results if r.p_holm < self.alpha]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "independence": r.independence.text, "test": r.test, "statistic": r.statistic,
            "dof": r.dof, "p_value": r.p_value, "p_holm": r.p_holm, "rejected": r.rejected,
            "n": r.n, "effect": r.effect, "note": r.note} for r in self.results])


@dataclass
class _Column:
    discrete: bool
    codes: np.ndarray = field(repr=False)        # int codes (-1 missing) or floats (nan missing)
    levels: int = 0


def _column_kind(s: pd.Series, declared: str | None) -> str | None:
    """'discrete', 'continuous', or None (not testable: ids, text, dates, constants)."""
    if declared:
        d = declared.lower()
        if d in DISCRETE_TYPES:
            return "discrete"
        if d in CONTINUOUS_TYPES:
            return "continuous" if pd.api.types.is_numeric_dtype(s) else "discrete"
        if d in ("id", "text", "datetime", "constant"):
            return None
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        return "discrete"
    return "discrete" if s.nunique(dropna=True) <= AUTO_DISCRETE_MAX_LEVELS else "continuous"


def _prepare(df: pd.DataFrame, names: Iterable[str],
             types: Mapping[str, str] | None) -> tuple[dict[str, _Column], dict[str, str]]:
    cols, why = {}, {}
    for n in names:
        if n not in df.columns:
            why[n] = f"the data have no column '{n}'"
            continue
        s = df[n]
        kind = _column_kind(s, (types or {}).get(n))
        if kind is None:
            why[n] = f"'{n}' is not a measurement that can be tested (id, text, date or constant)"
        elif kind == "discrete":
            codes, uniques = pd.factorize(s, sort=True)
            cols[n] = _Column(True, codes.astype(np.int64), len(uniques))
        else:
            cols[n] = _Column(False, pd.to_numeric(s, errors="coerce").to_numpy(dtype=float))
    return cols, why


def _valid(col: _Column) -> np.ndarray:
    return col.codes >= 0 if col.discrete else np.isfinite(col.codes)


def _bins(values: np.ndarray, n: int) -> tuple[np.ndarray, int]:
    """Quantile bins (2–4 depending on rows) as integer codes."""
    k = 4 if n >= 400 else 3 if n >= 150 else 2
    edges = np.unique(np.quantile(values, np.linspace(0, 1, k + 1)[1:-1]))
    codes = np.searchsorted(edges, values, side="right")
    return codes.astype(np.int64), len(edges) + 1


def _contingency_test(a: np.ndarray, ka: int, b: np.ndarray, kb: int, strata: list[tuple],
                      pearson: bool) -> tuple[float, float, str]:
    """G (or chi-square) statistic summed over strata; dof counts only levels seen per stratum."""

    s = np.zeros(len(a), dtype=np.int64)
    for codes, k in strata:
        s = s * k + codes
    _, s = np.unique(s, return_inverse=True)
    ns = int(s.max()) + 1 if len(s) else 0
    counts = np.bincount((s * ka + a) * kb + b, minlength=ns * ka * kb).reshape(ns, ka, kb)
    counts = counts.astype(float)
    rows = counts.sum(axis=2, keepdims=True)
    cols_ = counts.sum(axis=1, keepdims=True)
    tot = counts.sum(axis=(1, 2), keepdims=True)
    expected = rows * cols_ / np.where(tot == 0, 1, tot)
    with np.errstate(divide="ignore", invalid="ignore"):
        if pearson:
            terms = np.where(expected > 0, (counts - expected) ** 2 / expected, 0.0)
        else:
            terms = np.where(counts > 0, counts * np.log(counts / expected), 0.0)
    stat = float(terms.sum()) * (1.0 if pearson else 2.0)
    r_seen = (rows[:, :, 0] > 0).sum(axis=1)
    c_seen = (cols_[:, 0, :] > 0).sum(axis=1)
    dof = float(np.clip((r_seen - 1) * (c_seen - 1), 0, None).sum())
    note = ""
    cells = ns * ka * kb
    if cells and len(a) / cells < MIN_EXPECTED_PER_CELL:
        note = (f"few rows per cell ({len(a) / cells:.1f} on average): the test has little "
                "power here, so a high p-value is weak evidence")
    if dof == 0:
        return stat, 0.0, "no information: within every stratum one of the two has a single value"
    return stat, dof, note or ""


def _p_chi2(stat: float, dof: float) -> float:
    from scipy.stats import chi2
    return float(chi2.sf(stat, dof)) if dof > 0 else 1.0


def _fisher_z(x: np.ndarray) -> tuple[float, float, float, str]:
    """Fisher z for the partial correlation of columns 0 and 1 given the others."""

    n, k = x.shape
    dof = n - (k - 2) - 3
    if dof <= 0:
        return float("nan"), float(dof), float("nan"), "too few rows for this many variables"
    sd = x.std(axis=0)
    if np.any(sd == 0):
        return float("nan"), float(dof), float("nan"), "a variable is constant in these rows"
    corr = np.corrcoef(x, rowvar=False)
    prec = np.linalg.pinv(corr)
    r = float(-prec[0, 1] / np.sqrt(prec[0, 0] * prec[1, 1]))
    r = max(min(r, 0.9999999), -0.9999999)
    z = 0.5 * np.log((1 + r) / (1 - r)) * np.sqrt(dof)
    return float(z), float(dof), r, ""


def _design(cols: list[_Column], rows: np.ndarray) -> np.ndarray:
    parts = [np.ones((int(rows.sum()), 1))]
    for c in cols:
        v = c.codes[rows]
        if c.discrete:
            levels = np.unique(v)
            parts.append((v[:, None] == levels[None, 1:]).astype(float))
        else:
            sd = v.std()
            parts.append(((v - v.mean()) / (sd if sd > 0 else 1.0))[:, None])
    return np.hstack(parts)


def _f_test(y: np.ndarray, base: np.ndarray, extra: np.ndarray) -> tuple[float, float, float, str]:
    from scipy.stats import f as f_dist

    full = np.hstack([base, extra])
    r0, r1 = np.linalg.matrix_rank(base), np.linalg.matrix_rank(full)
    df1, df2 = r1 - r0, len(y) - r1
    if df1 <= 0 or df2 <= 0:
        return float("nan"), float(df1), float("nan"), "too few rows or a redundant variable"
    rss0 = float(np.sum((y - base @ np.linalg.lstsq(base, y, rcond=None)[0]) ** 2))
    rss1 = float(np.sum((y - full @ np.linalg.lstsq(full, y, rcond=None)[0]) ** 2))
    if rss1 <= 0:
        return float("inf"), float(df1), 0.0, "the response is predicted exactly"
    stat = ((rss0 - rss1) / df1) / (rss1 / df2)
    return float(stat), float(df1), float(f_dist.sf(stat, df1, df2)), ""


def _test_one(ind: Independence, cols: dict[str, _Column], discrete_test: str
              ) -> tuple[str, float, float, float, int, float | None, str]:
    names = [ind.a, ind.b, *sorted(ind.given)]
    rows = np.ones(len(cols[ind.a].codes), dtype=bool)
    for n in names:
        rows &= _valid(cols[n])
    n_rows = int(rows.sum())
    if n_rows < 5:
        return "none", float("nan"), 0.0, float("nan"), n_rows, None, "fewer than 5 complete rows"
    ca, cb = cols[ind.a], cols[ind.b]
    cz = [cols[n] for n in sorted(ind.given)]
    if all(c.discrete for c in (ca, cb, *cz)) or (ca.discrete and cb.discrete):
        note = ""
        strata = []
        for c in cz:
            if c.discrete:
                strata.append((c.codes[rows], c.levels))
            else:
                strata.append(_bins(c.codes[rows], n_rows))
                note = "continuous conditioning variables cut into quantile bins"
        pearson = discrete_test == "chi2"
        stat, dof, extra = _contingency_test(ca.codes[rows], ca.levels, cb.codes[rows],
                                             cb.levels, strata, pearson)
        name = "chi-square" if pearson else "G-test"
        return (name, stat, dof, _p_chi2(stat, dof), n_rows, None,
                "; ".join(t for t in (note, extra) if t))
    if not any(c.discrete for c in (ca, cb, *cz)):
        x = np.column_stack([c.codes[rows] for c in (ca, cb, *cz)])
        z, dof, r, note = _fisher_z(x)
        from scipy.stats import norm
        p = float(2 * norm.sf(abs(z))) if np.isfinite(z) else float("nan")
        return "Fisher z", z, dof, p, n_rows, (r if np.isfinite(r) else None), note
    resp, other = (ca, cb) if not ca.discrete else (cb, ca)
    base = _design(cz, rows)
    extra = _design([other], rows)[:, 1:]
    stat, dof, p, note = _f_test(resp.codes[rows], base, extra)
    return "F-test (linear regression)", stat, dof, p, n_rows, None, note


def _holm(p: np.ndarray) -> np.ndarray:
    m = len(p)
    order = np.argsort(p)
    adj = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adj[i] = running
    return adj


def test_implications(g: CausalGraph, df: pd.DataFrame, alpha: float = 0.05, *,
                      types: Mapping[str, str] | None = None, kind: str = "minimal",
                      discrete_test: str = "g", limit: int = DEFAULT_LIMIT,
                      progress: Callable[[int, int], None] | None = None) -> ImplicationReport:
    """Test every implied independence of `g` on `df` and give an overall verdict.

    `types` maps column → variable type (as app.data.infer_types gives: binary, categorical,
    ordinal → discrete; continuous → continuous); without it a numeric column with more than
    10 distinct values is continuous. `discrete_test` is "g" (G-test) or "chi2" (Pearson).
    `progress(i, total)` is called after each test and may raise Cancelled to stop.
    """
    if not 0 < alpha < 1:
        raise QueryError(f"The significance level must be between 0 and 1, not {alpha}.")
    if discrete_test not in ("g", "chi2"):
        raise QueryError(f"Unknown discrete test '{discrete_test}'.", hint="Use 'g' or 'chi2'.")
    if not isinstance(df, pd.DataFrame) or df.empty:
        raise DataError("There are no data rows to test the graph against.")
    implied = implied_independencies(g, kind, limit=limit)
    needed = {n for ind in implied for n in (ind.a, ind.b, *ind.given)}
    cols, why = _prepare(df, needed, types)
    results: list[tuple] = []
    skipped: list[tuple[Independence, str]] = []
    for i, ind in enumerate(implied):
        bad = [why[n] for n in (ind.a, ind.b, *sorted(ind.given)) if n in why]
        if bad:
            skipped.append((ind, bad[0]))
        else:
            out = _test_one(ind, cols, discrete_test)
            if np.isfinite(out[3]):
                results.append((ind, *out))
            else:
                skipped.append((ind, out[6] or "the test could not be computed"))
        if progress is not None:
            try:
                progress(i + 1, len(implied))
            except Cancelled:
                raise
    p = np.array([r[4] for r in results], dtype=float)
    holm = _holm(p) if len(p) else p
    tests = tuple(
        ImplicationTest(ind, name, float(stat), float(dof), float(pv), bool(pv < alpha), n,
                        float(ph), eff, note)
        for (ind, name, stat, dof, pv, n, eff, note), ph in zip(results, holm))
    notes = []
    if implied.truncated:
        notes.append(implied.note)
    if any(t.test == "F-test (linear regression)" for t in tests):
        notes.append("Mixed discrete/continuous pairs use a linear-regression F-test: it detects "
                     "linear dependence (in the continuous variable) only.")
    if any("quantile bins" in t.note for t in tests):
        notes.append("Continuous conditioning variables were cut into quantile bins for the "
                     "G-test; some dependence can remain inside a bin.")
    verdict, consistent = _verdict(tests, alpha, len(implied), skipped)
    return ImplicationReport(tests, alpha, verdict, tuple(skipped), tuple(notes),
                             implied.truncated, consistent)


test_implications.__test__ = False  # a library function, not a pytest test


def ci_test(df: pd.DataFrame, a: str, b: str, given: str | Iterable[str] = (),
            alpha: float = 0.05, *, types: Mapping[str, str] | None = None,
            discrete_test: str = "g") -> ImplicationTest:
    """Test one independence a ⊥ b | given on `df` (DAGitty's ciTest), with the test
    test_implications would choose for these variable types (see module)."""
    if not 0 < alpha < 1:
        raise QueryError(f"The significance level must be between 0 and 1, not {alpha}.")
    if discrete_test not in ("g", "chi2"):
        raise QueryError(f"Unknown discrete test '{discrete_test}'.", hint="Use 'g' or 'chi2'.")
    if not isinstance(df, pd.DataFrame) or df.empty:
        raise DataError("There are no data rows to test.")
    z = [given] if isinstance(given, str) else list(given)
    names = [a, b, *z]
    if len(set(names)) != len(names):
        raise QueryError("The two variables and the conditioning set must not overlap.",
                         hint="Name each variable once.")
    ind = Independence(a, b, frozenset(z))
    cols, why = _prepare(df, names, types)
    if why:
        raise DataError(f"Cannot test {ind.text}: {next(iter(why.values()))}.")
    name, stat, dof, p, n, effect, note = _test_one(ind, cols, discrete_test)
    if not np.isfinite(p):
        raise DataError(f"Cannot test {ind.text}: {note or 'the test could not be computed'}.")
    return ImplicationTest(ind, name, float(stat), float(dof), float(p), bool(p < alpha), n,
                           float(p), effect, note)


def _verdict(tests: tuple[ImplicationTest, ...], alpha: float, total: int,
             skipped: list) -> tuple[str, bool]:
    m = len(tests)
    if total == 0:
        return ("The graph implies no testable independence (every pair of measured variables "
                "is joined by an edge or a latent path), so the data cannot contradict it this "
                "way."), True
    if m == 0:
        return ("None of the implied independencies could be tested on these data "
                f"({len(skipped)} skipped: see the reasons)."), True
    k = sum(t.rejected for t in tests)
    bad = [t for t in tests if t.p_holm < alpha]
    pct = f"{alpha:.0%}" if alpha * 100 == int(alpha * 100) else f"{alpha:g}"
    if k == 0:
        return (f"The data agree with the graph: none of the {m} implied independencies is "
                f"rejected at the {pct} level."), True
    chance = alpha * m
    if not bad:
        return (f"{k} of {m} implied independencies are rejected at the {pct} level, but about "
                f"{chance:.1f} would be rejected by chance alone even if the graph were right; "
                "after correcting for testing many at once (Holm) none remains. No clear "
                "evidence against the graph."), True
    worst = ", ".join(t.independence.text for t in sorted(bad, key=lambda t: t.p_value)[:3])
    return (f"The data contradict the graph: {len(bad)} of {m} implied independencies are "
            f"clearly violated even after correcting for testing many at once (Holm), e.g. "
            f"{worst}. The graph probably misses an edge or a common cause between those "
            "variables."), False


__all__ = ["Independence", "ImplicationTest", "ImplicationReport", "implied_independencies",
           "test_implications"]
