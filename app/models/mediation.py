"""Direct and indirect effects, exact, in a fitted model (Pearl's mediation formula).

For a treatment change x0 → x1, an outcome Y and mediators M (Pearl 2001, "Direct and indirect
effects"; Pearl 2012, "The mediation formula"), with W a set of pre-treatment covariates that
blocks every back-door path between M and Y once X is set:
  NDE = Σ_w P(w) Σ_m [E(Y | do(x1, m), w) − E(Y | do(x0, m), w)] · P(m | do(x0), w)
  NIE = Σ_w P(w) Σ_m E(Y | do(x0, m), w) · [P(m | do(x1), w) − P(m | do(x0), w)]
  CDE(m) = E(Y | do(x1, m)) − E(Y | do(x0, m))
W is empty when nothing confounds the mediators and the outcome (the formula without w).
The total effect TE = E(Y | do(x1)) − E(Y | do(x0)) always equals NDE − NIE_r, where NIE_r is
the indirect effect of the reverse change x1 → x0; TE = NDE + NIE only without
treatment–mediator interaction (the difference is reported as the interaction).

Discrete models: every term is an exact do-query of the fitted network (app.models.inference),
and "E(Y)" is the probability of the chosen outcome event, as on the Intervene page. Linear
models: E(Y | do(x, m)) is linear in m, so the sums collapse to the mediators' means; the
result is the product of coefficients along the paths through M (the Estimate page's
estimator), with NDE = CDE.

Identification on the graph is app.estimation.mediation.check_mediation (one home): a
treatment-induced mediator–outcome confounder or an open hidden confounding is refused with
its reason.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from app.errors import ModelError
from app.graph import CausalGraph
from app.models.base import FittedModel
from app.models.discrete import DiscreteModel

MAX_MEDIATOR_CELLS = 1024     # mediator value combinations summed over (two do-queries each, ~1 s)
MAX_COVARIATE_SUBSETS = 4096  # candidate covariate sets tried when choosing W


@dataclass(frozen=True)
class ModelMediation:
    """Natural direct/indirect and controlled direct effects of one treatment change, exact."""

    treatment: str
    outcome: str
    mediators: tuple[str, ...]
    treated: object
    control: object
    outcome_state: object | None       # the outcome event (discrete); None for a linear model
    covariates: tuple[str, ...]        # W of the formula (pre-treatment, conditioned on)
    total: float                       # E(Y | do(x1)) − E(Y | do(x0))
    nde: float
    nie: float
    nie_reverse: float                 # indirect effect of x1 → x0, so total = nde − nie_reverse
    cde: float                         # at the mediator values `cde_at`
    cde_at: Mapping[str, object]
    cde_table: pd.DataFrame            # one row per mediator combination: values, CDE
    method: str

    @property
    def interaction(self) -> float:
        """TE − NDE − NIE: zero without treatment–mediator interaction."""
        return self.total - self.nde - self.nie

    @property
    def additive(self) -> bool:
        return abs(self.interaction) <= 1e-9 * max(1.0, abs(self.total))

    @property
    def share_mediated(self) -> float | None:
        """NIE / TE (None when the total effect is ~0)."""
        return self.nie / self.total if abs(self.total) > 1e-12 else None

    def fmt(self, value: float) -> str:
        """A value in the result's unit: percentage points for an event, else the number."""
        if self.outcome_state is not None:
            return f"{100 * value:+.1f} points"
        return f"{value:+.4g}"

    def sentences(self) -> dict[str, str]:
        """One plain sentence per effect (plain text: callers escape names)."""
        t, y, via = self.treatment, self.outcome, ", ".join(self.mediators)
        what = (f"the chance that {y} = {self.outcome_state}" if self.outcome_state is not None
                else f"the average of {y}")
        change = f"changing {t} from {self.control} to {self.treated}"
        m_at = ", ".join(f"{m} = {_show(v)}" for m, v in self.cde_at.items())
        out = {
            "total": f"Total effect: {change} changes {what} by {self.fmt(self.total)}.",
            "nde": (f"Natural direct effect: {change} while {via} keep{'s' if len(self.mediators) == 1 else ''} "
                    f"the value{'s' if len(self.mediators) > 1 else ''} each unit would have "
                    f"under {t} = {self.control} changes {what} by {self.fmt(self.nde)}."),
            "nie": (f"Natural indirect effect: keeping {t} = {self.control} but moving {via} to "
                    f"what {t} = {self.treated} would make of {'it' if len(self.mediators) == 1 else 'them'} "
                    f"changes {what} by {self.fmt(self.nie)}."),
            "cde": (f"Controlled direct effect: with {m_at} fixed for everyone, {change} "
                    f"changes {what} by {self.fmt(self.cde)}."),
        }
        if self.additive:
            out["identity"] = ("Here the total effect is the sum of the natural direct and "
                               "indirect effects (no treatment–mediator interaction).")
        else:
            out["identity"] = (f"The direct and indirect effects do not add up to the total "
                               f"(interaction {self.fmt(self.interaction)}); what always holds is "
                               "total = direct effect minus the indirect effect of the reverse change "
                               f"({self.control} instead of {self.treated}), which is "
                               f"{self.fmt(self.nie_reverse)} here.")
        return out


def _show(v: object) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def default_mediators(graph: CausalGraph, treatment: str, outcome: str) -> list[str]:
    """The nodes on directed paths from the treatment to the outcome (the default choice)."""
    if treatment not in graph.nodes or outcome not in graph.nodes:
        return []
    between = graph.descendants(treatment) & graph.ancestors(outcome)
    return [v for v in graph.topological_order() if v in between and v not in graph.latents]


def _without(graph: CausalGraph, edges: Iterable[tuple[str, str]]) -> CausalGraph:
    g = graph
    for e in edges:
        if e in g.edges:
            g = g.remove_edge(*e)
    return g


def formula_covariates(graph: CausalGraph, treatment: str, outcome: str,
                       mediators: tuple[str, ...], candidates: tuple[str, ...]
                       ) -> tuple[str, ...] | None:
    """The smallest W among `candidates` (the covariates that passed the identification check)
    that is free of the treatment's descendants and blocks every back-door path between the
    mediators and the outcome once the treatment is set: M ⊥ Y | W, X in the graph without the
    arrows into X and out of M (Pearl 2001, Theorem 1's W; fewer variables, smaller sums).
    None when no such set exists."""
    from app.analysis import d_separated

    cut = _without(graph, [(a, b) for a, b in graph.edges
                           if b == treatment or a in mediators])
    pool = tuple(c for c in candidates if c not in graph.descendants(treatment))
    tried = 0
    for k in range(len(pool) + 1):
        for w in itertools.combinations(pool, k):
            tried += 1
            if tried > MAX_COVARIATE_SUBSETS:
                w = pool
            if d_separated(cut, list(mediators), outcome, [*w, treatment]):
                return tuple(w)
            if tried > MAX_COVARIATE_SUBSETS:
                return None
    return None


def _table(result, names: list[str]) -> dict[tuple, float]:
    """A discrete QueryResult as {states of `names` (in order): probability}."""
    if len(names) == 1:
        return {(s,): float(p) for s, p in result.distributions[names[0]].items()}
    joint = result.joint.reorder_levels(names) if list(result.joint.index.names) != names \
        else result.joint
    return {tuple(k): float(p) for k, p in joint.items()}


def _discrete(model: FittedModel, t: str, y: str, ms: tuple[str, ...], x1, x0, event,
              w: tuple[str, ...], cde_at: Mapping[str, object] | None):
    from app.models.inference import do_query

    states = [list(model.states[m]) for m in ms]
    cells = list(itertools.product(*states))
    if len(cells) > MAX_MEDIATOR_CELLS:
        raise ModelError(f"The mediators {', '.join(ms)} take {len(cells):,} value combinations; "
                         f"the exact formula sums over at most {MAX_MEDIATOR_CELLS:,}.",
                         hint="Choose fewer mediators, or mediators with fewer values.")
    names = [*ms, *w]
    p_mw = {x: _table(do_query(model, names, {t: x}), names) for x in (x0, x1)}
    # e_y[x][m][w] = E(1{Y = event} | do(x, m), w); p_w[x][m][w] = P(w | do(x, m))
    e_y: dict = {x0: {}, x1: {}}
    for x in (x0, x1):
        for m in cells:
            r = do_query(model, [y, *w], {t: x, **dict(zip(ms, m))})
            joint = _table(r, [y, *w])
            by_w: dict[tuple, list[float]] = {}
            for (ys, *ws), p in joint.items():
                acc = by_w.setdefault(tuple(ws), [0.0, 0.0])
                acc[1] += p
                if ys == event:
                    acc[0] += p
            e_y[x][m] = {ws: (a / b if b > 0 else 0.0) for ws, (a, b) in by_w.items()}
            e_y[x][m][None] = sum(a for a, _ in by_w.values())     # marginal over w

    def e(x, key: tuple) -> float:
        m, ws = key[:len(ms)], key[len(ms):]
        return e_y[x][m].get(ws, 0.0)

    keys = set(p_mw[x0]) | set(p_mw[x1])
    nde = sum(p_mw[x0].get(k, 0.0) * (e(x1, k) - e(x0, k)) for k in keys)
    nie = sum(e(x0, k) * (p_mw[x1].get(k, 0.0) - p_mw[x0].get(k, 0.0)) for k in keys)
    nie_r = sum(e(x1, k) * (p_mw[x0].get(k, 0.0) - p_mw[x1].get(k, 0.0)) for k in keys)
    do_y = {x: do_query(model, y, {t: x}).probability(y, event) for x in (x0, x1)}
    rows = [{**dict(zip(ms, m)), "CDE": e_y[x1][m][None] - e_y[x0][m][None]} for m in cells]
    table = pd.DataFrame(rows)
    if cde_at is None:     # the mediators' most likely values without the treatment change
        marg: dict[tuple, float] = {}
        for k, p in p_mw[x0].items():
            marg[k[:len(ms)]] = marg.get(k[:len(ms)], 0.0) + p
        at = max(cells, key=lambda m: marg.get(m, 0.0))
    else:
        at = tuple(cde_at[m] for m in ms)
    cde = e_y[x1][at][None] - e_y[x0][at][None]
    return (do_y[x1] - do_y[x0], nde, nie, nie_r, cde, dict(zip(ms, at)), table)


def _linear(model: FittedModel, t: str, y: str, ms: tuple[str, ...], x1, x0,
            cde_at: Mapping[str, object] | None):
    from app.models.inference import do_query

    mean = {x: do_query(model, list(ms), {t: x}).means for x in (x0, x1)}

    def ey(x, m: Mapping[str, float]) -> float:
        return do_query(model, y, {t: x, **m}).mean(y)

    m0, m1 = dict(mean[x0]), dict(mean[x1])
    nde = ey(x1, m0) - ey(x0, m0)
    nie = ey(x0, m1) - ey(x0, m0)
    nie_r = ey(x1, m0) - ey(x1, m1)
    total = do_query(model, y, {t: x1}).mean(y) - do_query(model, y, {t: x0}).mean(y)
    at = {m: float(cde_at[m]) for m in ms} if cde_at is not None else m0
    cde = ey(x1, at) - ey(x0, at)
    table = pd.DataFrame([{**at, "CDE": cde}])
    return total, nde, nie, nie_r, cde, at, table


def model_mediation(model: FittedModel, treatment: str, outcome: str,
                    mediators: Iterable[str], treated: object, control: object, *,
                    outcome_state: object | None = None,
                    cde_at: Mapping[str, object] | None = None) -> ModelMediation:
    """NDE, NIE and CDE of `treatment` (control → treated) on `outcome` through `mediators` in
    a fitted model (module doc). Raises ModelError with the reason when the graph does not
    identify the natural effects."""
    from app.estimation.mediation import check_mediation
    from app.models.inference import _require_model, check_variable, resolve_state

    _require_model(model)
    t = check_variable(model, treatment, "treatment")
    y = check_variable(model, outcome, "outcome")
    ms = tuple(dict.fromkeys(check_variable(model, m, "mediator") for m in mediators))
    if t == y or t in ms or y in ms:
        raise ModelError("The treatment, the outcome and the mediators must be different "
                         "variables.")
    check = check_mediation(model.graph, t, y, ms, model.variables)
    if not check.ok:
        raise ModelError(f"Mediation: {check.reason}",
                         hint="Natural effects need the graph's conditions; the total effect "
                              "above is still valid.")
    x1, x0 = resolve_state(model, t, treated), resolve_state(model, t, control)
    if cde_at is not None:
        missing = [m for m in ms if m not in cde_at]
        if missing:
            raise ModelError(f"Give a value for {', '.join(missing)} for the controlled direct "
                             "effect.")
        cde_at = {m: resolve_state(model, m, cde_at[m]) for m in ms}
    if isinstance(model, DiscreteModel):      # sums over mediator values; linear: paths
        event = model.event(y, outcome_state)
        w = formula_covariates(model.graph, t, y, ms, check.covariates)
        if w is None:
            raise ModelError(f"Mediation: no set of variables measured before {t} blocks every "
                             f"back-door path between {', '.join(ms)} and {y}, so the mediation "
                             "formula has nothing to condition on.",
                             hint="Check the graph's arrows into the mediators and the outcome.")
        total, nde, nie, nie_r, cde, at, table = _discrete(model, t, y, ms, x1, x0, event, w,
                                                           cde_at)
        method = ("Pearl's mediation formula with exact do-queries of the fitted network"
                  + (f", within levels of {', '.join(w)} (they confound the mediators and the "
                     "outcome)" if w else ""))
    else:
        event, w = None, ()
        total, nde, nie, nie_r, cde, at, table = _linear(model, t, y, ms, x1, x0, cde_at)
        method = ("linear equations: the indirect effect is the product of the coefficients "
                  "along the paths through the mediators (Pearl's formula, exact when linear)")
    return ModelMediation(treatment=t, outcome=y, mediators=ms, treated=x1, control=x0,
                          outcome_state=event, covariates=w, total=float(total), nde=float(nde),
                          nie=float(nie), nie_reverse=float(nie_r), cde=float(cde), cde_at=at,
                          cde_table=table, method=method)


__all__ = ["ModelMediation", "default_mediators", "formula_covariates", "model_mediation"]
