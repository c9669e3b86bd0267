"""A discrete causal Bayesian network as numpy tables: exact do-queries and counterfactuals.

Each variable has one table, states × parent combinations (parents in the model's order, first
parent varying slowest, states in the model's order), as counted by app.models.fit. do-queries
mutilate the tables (a do-target becomes parentless and uniform, its value entered as
evidence) and sum exactly over the ancestors (app.models.engine). This is exact, unlike pgmpy
1.1.2's CausalInference.query (upstream issue 3543), and no pgmpy object is built on the way:
pgmpy is used only to read and write BIF (`to_pgmpy`). With hidden common causes a do-query
goes through identification (app.models.identify). Counterfactuals run the same engine on a
twin network whose starred tables follow the stated assumption (app.models.twin).
"""
from __future__ import annotations

import threading
import warnings
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from app import settings
from app.errors import ModelError, QueryError
from app.graph import CausalGraph
from app.models.base import FittedModel, check_sample_size, content_key, listing
from app.models.cpt import MAX_CPT_CELLS, table_from_values, tabular_cpd, values_from_table
from app.models.engine import Engine
from app.models.results import DiscreteCounterfactual, DistributionResult, default_outcome_state
from app.models.twin import ASSUMPTIONS, coupling, fresh_name, twin_network

_CACHE_SIZE = 256
_engines: OrderedDict[tuple, object] = OrderedDict()
_JOINTS_KEPT = 4            # joint tables (identification) can be megabytes: keep only a few
_joints: OrderedDict[str, object] = OrderedDict()
_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every cached mutilated model (for tests and benchmarks)."""
    with _lock:
        _engines.clear()
        _joints.clear()


@dataclass(frozen=True, eq=False, repr=False)
class DiscreteModel(FittedModel):
    """A discrete network: `structure` (parents of each variable) and `tables` (module doc)."""

    kind: ClassVar[str] = "discrete"
    assumptions: ClassVar[Mapping[str, str]] = ASSUMPTIONS
    structure: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    tables: Mapping[str, np.ndarray] = field(default_factory=dict)

    def _size(self) -> str:
        return f"{sum(len(s) for s in self.states.values())} states"

    @property
    def tables_editable(self) -> bool:
        return not self.confounded

    # ---- reading ------------------------------------------------------------------------------
    def parents(self, v: str) -> list[str]:
        return list(self.structure[v])

    def factor(self, v: str) -> np.ndarray:
        """The table of `v` with one axis per name: (v, *parents)."""
        return self.tables[v].reshape([len(self.states[n]) for n in (v, *self.structure[v])])

    def cpt(self, v: str) -> pd.DataFrame:
        """The CPT of `v` as a table (parents' values, then P(v=state) columns)."""
        return table_from_values(v, self.parents(v), self.states, self.tables[v])

    def describe(self) -> pd.DataFrame:
        return pd.DataFrame([{"variable": v, "parents": ", ".join(self.parents(v)) or "—",
                              "states": ", ".join(map(str, self.states[v]))}
                             for v in self.variables])

    def resolve(self, v: str, value: object) -> object:
        states = self.states[v]
        for s in states:
            if s == value and type(s) is type(value):
                return s
        for s in states:
            if str(s) == str(value) or (isinstance(value, float) and value.is_integer()
                                         and str(s) == str(int(value))):
                return s
        raise QueryError(f"'{value}' is not a value of '{v}'.",
                         hint=f"'{v}' takes the values: " + listing(list(states)) + ".")

    def event(self, target: str, outcome_state: object | None = None) -> object:
        return (default_outcome_state(self.states[target]) if outcome_state is None
                else self.resolve(target, outcome_state))

    def suggest_values(self, treatment: str) -> tuple[object, object]:
        states = list(self.states[treatment])
        treated = default_outcome_state(states)
        control = next((s for s in states if s != treated), treated)
        return treated, control

    def sweep_values(self, treatment: str) -> list:
        return list(self.states[treatment])

    def _codes(self, values: Mapping[str, object]) -> dict[str, int]:
        return {v: self.states[v].index(x) for v, x in values.items()}

    # ---- exact inference ----------------------------------------------------------------------
    def engine(self, do_vars: frozenset[str]) -> Engine:
        """The cached engine of the tables mutilated for these do-targets."""
        key = (self.key, do_vars)
        with _lock:
            hit = _engines.get(key)
            if hit is not None:
                _engines.move_to_end(key)
                return hit
        factors = {}
        for v in self.variables:
            k = len(self.states[v])
            factors[v] = (((v,), np.full(k, 1.0 / k)) if v in do_vars else
                          ((v, *self.structure[v]), self.factor(v)))
        engine = Engine(factors, self.variables)
        with _lock:
            _engines[key] = engine
            while len(_engines) > _CACHE_SIZE:
                _engines.popitem(last=False)
        return engine

    def joint(self):
        """The joint table of all variables (identification needs it; only small models)."""
        from app.models.identify import joint_factor

        with _lock:
            hit = _joints.get(self.key)
        if hit is None:
            hit = joint_factor({v: ((v, *self.structure[v]), self.factor(v))
                                for v in self.variables}, self.states)
            with _lock:
                _joints[self.key] = hit
                while len(_joints) > _JOINTS_KEPT:
                    _joints.popitem(last=False)
        return hit

    def query(self, targets: list[str], do: dict, evidence: dict) -> DistributionResult:
        if do and self.confounded:
            return self._identified_query(targets, do, evidence)
        values = self.engine(frozenset(do)).query(targets, self._codes({**do, **evidence}))
        if not np.all(np.isfinite(values)) or values.sum() <= 0:
            raise _impossible(do, evidence)
        method = ("truncated factorisation: the network with the arrows into "
                  + ", ".join(do) + " cut, then exact summation over the ancestors") if do else \
            "exact summation over the ancestors of the question"
        return self._result(targets, do, evidence, values / values.sum(), method)

    def _identified_query(self, targets: list[str], do: dict, evidence: dict
                          ) -> DistributionResult:
        from app.models.identify import identify

        key = (self.key, "id", tuple(targets), frozenset(do), frozenset(evidence))
        with _lock:
            factor = _engines.get(key)
        if factor is None:
            factor = identify(self.joint(), self.graph, targets, list(do), list(evidence))
            with _lock:
                _engines[key] = factor
                while len(_engines) > _CACHE_SIZE:
                    _engines.popitem(last=False)
        assignment = {v: c for v, c in self._codes({**do, **evidence}).items()
                      if v in factor.vars}
        sliced = factor.take(assignment)
        values = np.moveaxis(sliced.values, [sliced.vars.index(t) for t in targets],
                             list(range(len(targets))))
        if values.ndim != len(targets) or not np.all(np.isfinite(values)) or values.sum() <= 0:
            raise _impossible(do, evidence, identified=True)
        return self._result(targets, do, evidence, values / values.sum(),
                            "identified from the observed distribution (ID algorithm, Shpitser "
                            "& Pearl 2006), because the graph has hidden common causes")

    def _result(self, targets: list[str], do: dict, evidence: dict, values: np.ndarray,
                method: str) -> DistributionResult:
        names = {t: list(self.states[t]) for t in targets}
        dists = {}
        for i, t in enumerate(targets):
            marg = values.sum(axis=tuple(j for j in range(len(targets)) if j != i))
            dists[t] = pd.Series(marg, index=pd.Index(names[t], name=t, dtype=object),
                                 name="probability")
        joint = None
        if len(targets) > 1:
            index = pd.MultiIndex.from_product([names[t] for t in targets], names=targets)
            joint = pd.Series(values.ravel(), index=index, name="probability")
        return DistributionResult(tuple(targets), do, evidence, method, distributions=dists,
                                  joint=joint)

    # ---- counterfactuals ----------------------------------------------------------------------
    def _twin_factor(self, v: str, star: Mapping[str, str], do: Mapping[str, object],
                     assumption: str) -> tuple[tuple[str, ...], np.ndarray]:
        """The table of v* given v, v's factual parents and the starred copies of changed
        parents, as ((v*, v, *parents, *copies), array)."""
        states = self.states
        parents = self.parents(v)
        f = self.tables[v]
        k = len(states[v])
        copies = [p for p in parents if p in star and p not in do]
        cards_f = [len(states[p]) for p in parents]
        cards_c = [len(states[p]) for p in copies]
        cells = k * k * int(np.prod(cards_f + cards_c, dtype=float))
        if cells > MAX_CPT_CELLS:
            raise ModelError(f"The twin network needs a table of {cells:,} numbers for '{v}'; "
                             f"the limit is {MAX_CPT_CELLS:,}.",
                             hint="Intervene closer to the target, or simplify the graph.")
        grid = np.indices(cards_f + cards_c).reshape(len(cards_f) + len(cards_c), -1)
        n = grid.shape[1]
        fact_idx = np.zeros(n, dtype=np.int64)
        cf_idx = np.zeros(n, dtype=np.int64)
        same = np.ones(n, dtype=bool)
        for j, p in enumerate(parents):
            a = grid[j]
            if p in do:
                b = np.full(n, list(states[p]).index(do[p]))
            elif p in star:
                b = grid[len(cards_f) + copies.index(p)]
            else:
                b = a
            fact_idx = fact_idx * cards_f[j] + a
            cf_idx = cf_idx * cards_f[j] + b
            same &= a == b
        cond = coupling(f[:, fact_idx], f[:, cf_idx], same, assumption)   # (t, s, N)
        return ((star[v], v, *parents, *(star[p] for p in copies)),
                cond.reshape([k, k, *cards_f, *cards_c]))

    def counterfactual(self, targets: list[str], factual: dict, do: dict,
                       assumption: str) -> DiscreteCounterfactual:
        graph = self.graph
        twin, star = twin_network(graph, do)
        taken = set(graph.nodes)
        internal = {v: fresh_name(f"__cf__{v}", taken) for v in star}
        factors = {v: ((v, *self.structure[v]), self.factor(v)) for v in self.variables}
        order = list(self.variables)
        for v in graph.topological_order():
            if v in star and v not in do:
                factors[internal[v]] = self._twin_factor(v, internal, do, assumption)
                order.append(internal[v])
        probability = self._evidence_probability(factual)
        if probability <= 0:
            seen = ", ".join(f"{k}={v}" for k, v in factual.items())
            raise QueryError(f"The observed facts ({seen}) are impossible under this model.",
                             hint="Check the values: the model gives them probability zero.")
        engine = Engine(factors, order)
        codes = self._codes(factual)
        dists, fact = {}, {}
        for t in targets:
            if t in factual and t not in star:
                dists[t] = self._point(t, factual[t])
            else:
                dists[t] = self._series(t, engine.query([internal.get(t, t)], codes))
            fact[t] = (self._point(t, factual[t]) if t in factual else
                       self._series(t, engine.query([t], codes)))
        unchanged = tuple(v for v in graph.nodes if v not in star)
        steps = self._steps(targets, factual, do, dists, probability, unchanged)
        return DiscreteCounterfactual(
            targets=tuple(targets), factual=factual, do=do, assumption=assumption,
            assumption_text=ASSUMPTIONS[assumption], steps=steps, unchanged=unchanged,
            twin=twin, twin_names=star, distributions=dists, factual_distributions=fact,
            evidence_probability=probability)

    def _evidence_probability(self, factual: dict) -> float:
        """P(factual) in the model (exact, without building a joint table)."""
        if not factual:
            return 1.0
        return float(self.engine(frozenset()).query((), self._codes(factual)))

    def _series(self, t: str, values: np.ndarray) -> pd.Series:
        values = np.asarray(values, dtype=float)
        return pd.Series(values / values.sum(), index=pd.Index(list(self.states[t]), name=t,
                                                               dtype=object), name="probability")

    def _point(self, t: str, state: object) -> pd.Series:
        return self._series(t, np.array([1.0 if s == state else 0.0 for s in self.states[t]]))

    def _steps(self, targets, factual, do, dists, probability, unchanged) -> tuple[str, ...]:
        seen = ", ".join(f"{k}={v}" for k, v in factual.items()) or "nothing"
        act = ", ".join(f"{k}={v}" for k, v in do.items())
        cut = sorted({p for x in do for p in self.graph.parents(x)})
        steps = [
            f"Abduction: what was observed ({seen}) has probability {probability:.4g} under the "
            "model. Keep only the hidden circumstances (each variable's noise) that agree with it.",
            f"Action: in a copy of the model — the counterfactual world — set {act}"
            + (f", cutting the arrows from {', '.join(cut)}" if cut else "") + ".",
            "Prediction: push the same hidden circumstances through the copy"
            + (f"; {', '.join(unchanged)} are not downstream of the action and keep their "
               "factual values" if unchanged else "") + ".",
        ]
        for t in targets:
            steps.append(f"Result: P({t}* = s) = " + ", ".join(f"{s}: {p:.4f}"
                                                              for s, p in dists[t].items()) + ".")
        return tuple(steps)

    # ---- sampling -----------------------------------------------------------------------------
    def sample(self, n: int, seed: int = 0, do: Mapping[str, object] | None = None
               ) -> pd.DataFrame:
        """Forward sampling in topological order; do-targets are held at their values."""
        n = check_sample_size(n, settings.MAX_ROWS)
        do = {v: self.resolve(v, x) for v, x in (do or {}).items()}
        if do and self.confounded:
            raise QueryError("With hidden common causes the tables describe observations, not "
                             "mechanisms, so units cannot be drawn after an intervention.")
        rng = np.random.default_rng(seed)
        codes: dict[str, np.ndarray] = {}
        for v in self.variables:
            if v in do:
                codes[v] = np.full(n, self.states[v].index(do[v]), dtype=np.int64)
                continue
            config = np.zeros(n, dtype=np.int64)
            for p in self.structure[v]:
                config = config * len(self.states[p]) + codes[p]
            cdf = np.cumsum(self.tables[v], axis=0)[:, config]        # (k, n)
            codes[v] = np.minimum((rng.random(n) > cdf).sum(axis=0), len(self.states[v]) - 1)
        return pd.DataFrame({v: pd.Categorical.from_codes(codes[v], categories=list(
            self.states[v])) for v in self.variables})

    # ---- changing -----------------------------------------------------------------------------
    def with_cpt(self, variable: str, table: pd.DataFrame) -> DiscreteModel:
        """A copy with the table of `variable` replaced by an edited table (validated)."""
        if self.confounded:
            raise ModelError("With hidden common causes the tables describe observations, not "
                             "mechanisms, so they cannot be edited.",
                             hint="Write the hidden cause as an explicit node to build a full "
                                  "model.")
        if variable not in self.variables:
            raise ModelError(f"There is no variable '{variable}' in the model.",
                             hint="Variables: " + ", ".join(self.variables) + ".")
        values = dict(self.tables)
        values[variable] = values_from_table(variable, self.parents(variable), self.states, table)
        notes = [n for n in self.notes if "edited by hand" not in n]
        notes.append("Some probability tables were edited by hand.")
        return discrete_model(self.graph, self.structure, list(self.variables), self.states,
                              values, notes, self.source, n_rows=self.n_rows,
                              discretised=self.discretised)

    def to_pgmpy(self):
        """The model as a pgmpy DiscreteBayesianNetwork (for BIF export and parity tests)."""
        from pgmpy.models import DiscreteBayesianNetwork

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            net = DiscreteBayesianNetwork(sorted((p, v) for v in self.variables
                                                 for p in self.structure[v]))
            net.add_nodes_from(self.variables)
            net.add_cpds(*(tabular_cpd(v, self.parents(v), self.states, self.tables[v])
                           for v in self.variables))
        return net


def discrete_model(graph: CausalGraph, structure: Mapping[str, Sequence[str]], order: list[str],
                   states: Mapping[str, tuple], values: Mapping[str, np.ndarray],
                   notes: list[str], source: str, n_rows: int = 0,
                   discretised: Mapping | None = None) -> DiscreteModel:
    """A DiscreteModel from tables (states × parent combinations), with its content key."""
    structure = {v: tuple(structure[v]) for v in order}
    tables = {v: np.asarray(values[v], dtype=float).reshape(len(states[v]), -1) for v in order}
    parts = [repr((v, states[v], list(structure[v]))).encode() + tables[v].tobytes()
             for v in order]
    return DiscreteModel(
        graph=graph, variables=tuple(order), states={v: tuple(states[v]) for v in order},
        notes=tuple(notes), key=content_key("discrete", graph, parts), source=source,
        n_rows=n_rows, discretised=dict(discretised or {}), structure=structure, tables=tables)


def _impossible(do: dict, evidence: dict, identified: bool = False) -> QueryError:
    seen = ", ".join(f"{k}={v}" for k, v in evidence.items())
    if identified and not evidence:
        return QueryError(
            "This intervention value (" + ", ".join(f"{k}={v}" for k, v in do.items())
            + ") never occurs together with the values the identification formula needs, so "
            "the data cannot say what it does.",
            hint="Use the Bayesian estimator (it gives unseen combinations a small probability) "
                 "or choose another value.")
    return QueryError(
        f"The evidence ({seen}) is impossible under this model"
        + (" after the intervention" if do else "") + ": it has probability zero.",
        hint="Conditioning on an impossible event has no answer. Choose other values (the "
             "Bayesian estimator gives unseen combinations a small probability).")
