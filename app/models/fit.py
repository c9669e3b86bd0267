"""Fit a causal model on a graph: a discrete network (DiscreteModel) or a linear SCM (LinearModel).

Discrete data gives conditional probability tables counted in numpy (maximum likelihood or
Bayesian with a BDeu/K2 prior); continuous data gives a linear additive-noise SCM; mixed data
is discretised with a visible note. A model can also come from a BIF file (read by pgmpy) or
from hand-written tables.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from app.errors import ModelError
from app.graph import KIND_NAMES, CausalGraph
from app.models.base import FittedModel, content_key
from app.models.cpt import check_cpt_size, table_from_values, values_from_table
from app.models.discrete import DiscreteModel, discrete_model
from app.models.linear import LinearModel
from app.models.options import KINDS, MAX_STATES, ModelOptions
from app.models.scm import LinearSCM

DISCRETE_MAX_LEVELS = 10  # whole-number columns with at most this many values are treated as discrete


# ---- helpers --------------------------------------------------------------------------------
def _structure(graph: CausalGraph, notes: list[str]) -> dict[str, list[str]]:
    """The parents each fitted table conditions on: the graph's, or Tian's when there are ↔."""
    if not graph.bidirected:
        return {v: graph.parents(v) for v in graph.nodes}
    from app.models.identify import tian_parents

    pairs = ", ".join(f"{a} ↔ {b}" for a, b in sorted(graph.bidirected))
    notes.append(f"Hidden common causes ({pairs}): the tables describe what is observed, and "
                 "do-queries are computed by identification from the observed distribution "
                 "(ID algorithm), when the graph allows it. Counterfactuals need a full model.")
    return tian_parents(graph)


def _project(graph: CausalGraph, observed: list[str], notes: list[str]) -> CausalGraph:
    hidden = [n for n in graph.nodes if n not in observed]
    if not hidden:
        return graph
    from app.models.identify import latent_projection

    projected = latent_projection(graph, observed)
    notes.append(f"{', '.join(hidden)} {'has' if len(hidden) == 1 else 'have'} no data: treated "
                 "as unmeasured, each a hidden common cause of its children.")
    return projected


def _python(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _states_of(series: pd.Series) -> tuple:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return tuple(_python(c) for c in series.cat.categories)
    values = pd.unique(series.dropna())
    try:
        values = sorted(values)
    except TypeError:
        values = sorted(values, key=str)
    return tuple(_python(v) for v in values)


def is_continuous(series: pd.Series) -> bool:
    """Numbers with many distinct values, or any non-whole numbers, count as continuous."""
    if isinstance(series.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(series):
        return False
    if not pd.api.types.is_numeric_dtype(series):
        return False
    values = series.dropna().to_numpy(dtype=float)
    if len(values) == 0:
        return False
    whole = bool(np.all(np.equal(np.mod(values, 1), 0)))
    return not whole or len(np.unique(values)) > DISCRETE_MAX_LEVELS


def discretise_column(series: pd.Series, bins: int = 3) -> tuple[pd.Series, tuple[float, ...]]:
    """Equal-frequency bins with ordered labels like "[0.0, 1.5)" (app.data.discretise)."""
    from app.data import discretise
    from app.errors import DataError

    try:
        return discretise(series, method="quantile", bins=bins)
    except DataError as err:
        raise ModelError(f"'{series.name}' cannot be discretised: {err.message}") from None


def _count_cpts(structure: Mapping[str, list[str]], order: list[str], df: pd.DataFrame,
                states: Mapping[str, tuple], estimator: str, prior: str,
                equivalent_sample_size: float, notes: list[str]) -> dict[str, np.ndarray]:
    codes = {}
    for v in order:
        cat = pd.Categorical(df[v], categories=list(states[v]))
        codes[v] = np.asarray(cat.codes, dtype=np.int64)
    values = {}
    for v in order:
        parents = structure[v]
        k = len(states[v])
        cards = [len(states[p]) for p in parents]
        q = math.prod(cards)
        flat = np.zeros(len(df), dtype=np.int64)
        for p, c in zip(parents, cards):
            flat = flat * c + codes[p]
        flat = flat * k + codes[v]
        counts = np.bincount(flat, minlength=q * k).reshape(q, k).astype(float)
        if estimator == "bayes":
            alpha = 1.0 if prior == "K2" else equivalent_sample_size / (q * k)
            counts = counts + alpha
        totals = counts.sum(axis=1, keepdims=True)
        empty = totals[:, 0] == 0
        probs = np.where(totals > 0, counts / np.where(totals > 0, totals, 1), 1.0 / k)
        if empty.any():
            notes.append(f"{int(empty.sum())} of {q} combinations of the parents of '{v}' never "
                         "occur in the data; their rows are uniform (edit them in the CPT editor, "
                         "or use the Bayesian estimator).")
        values[v] = probs.T.copy()
    return values


# ---- the public entry point ---------------------------------------------------------------
def fit_model(graph: CausalGraph, data: pd.DataFrame | None = None, *, kind: str = "auto",
              estimator: str = "mle", prior: str = "BDeu", equivalent_sample_size: float = 5,
              cpts: Mapping[str, Any] | None = None, states: Mapping[str, Any] | None = None,
              bins: int = 3, types: Mapping[str, str] | None = None) -> FittedModel:
    """Fit a model of `graph`: CPTs from discrete data, a linear SCM from continuous data.

    Without data, `cpts` (tables as in app.models.cpt, or pgmpy TabularCPDs, or a pgmpy
    network) define the model by hand. `estimator` is "mle" or "bayes" (prior "BDeu" with
    `equivalent_sample_size`, or "K2"). Mixed data is discretised into `bins` quantile bins.
    `types` (column → "continuous", "binary", ...; e.g. the Data page's choices) overrides the
    guess of which columns are continuous.
    """
    if not isinstance(graph, CausalGraph):
        raise ModelError("fit_model needs a CausalGraph (see app.parse_graph).")
    if not graph.is_dag:
        raise ModelError(f"A model is fitted to one causal DAG; this graph is a "
                         f"{KIND_NAMES[graph.kind]}, which stands for several.",
                         hint="Orient its undecided edges (or write it as `dag {…}`) first.")
    if kind not in KINDS:
        raise ModelError(f"Unknown model kind '{kind}'.", hint="Use one of: " + ", ".join(KINDS))
    if estimator not in ("mle", "bayes"):
        raise ModelError(f"Unknown estimator '{estimator}'.", hint="Use 'mle' or 'bayes'.")
    if prior not in ("BDeu", "K2"):
        raise ModelError(f"Unknown prior '{prior}'.", hint="Use 'BDeu' or 'K2'.")
    if not (equivalent_sample_size > 0):
        raise ModelError("The equivalent sample size must be a positive number.")
    if len(graph.nodes) == 0:
        raise ModelError("The graph is empty.", hint="Draw or load a causal graph first.")
    notes: list[str] = []
    if data is None:
        if cpts is None:
            raise ModelError("There is no data to fit the model to.",
                             hint="Load a dataset, or write the probability tables by hand in "
                                  "the CPT editor.")
        if kind == "linear":
            raise ModelError("A linear model needs data (or use LinearSCM.from_equations).")
        return _from_cpts(graph, cpts, states, notes)
    if not isinstance(data, pd.DataFrame):
        raise ModelError(f"The data must be a table (DataFrame), not {type(data).__name__}.")
    observed = [v for v in graph.nodes if v in data.columns]
    missing = [v for v in graph.nodes if v not in data.columns]
    unmarked = [v for v in missing if "latent" not in graph.roles.get(v, ())]
    if unmarked or len(observed) < 1:
        raise ModelError(
            f"The graph has node(s) with no column in the data: {', '.join(unmarked or missing)}.",
            hint="Rename the node to match a column, or mark it 'latent' (unmeasured) on the "
                 "Graph page if it is a hidden cause.")
    graph = _project(graph, observed, notes)
    order = graph.topological_order()
    df = data[order]
    n_missing = int(df.isna().any(axis=1).sum())
    if n_missing:
        df = df.dropna()
        notes.append(f"{n_missing:,} rows with missing values in the model's variables were left "
                     "out.")
    if len(df) == 0:
        raise ModelError("No complete rows are left to fit the model.",
                         hint="Every row has a missing value in some graph variable.")
    _refuse_infinities(df)
    if types:
        continuous = [v for v in order if types.get(v) == "continuous"
                      and pd.api.types.is_numeric_dtype(df[v])]
    else:
        continuous = [v for v in order if is_continuous(df[v])]
    if kind == "auto":
        kind = "linear" if len(continuous) == len(order) else "discrete"
        if kind == "linear" and graph.bidirected:
            kind = "discrete"
            notes.append("With hidden common causes only the discrete model can compute "
                         "do-queries (by identification), so the numbers are binned.")
    if kind == "linear":
        if graph.bidirected:
            raise ModelError("A linear model with hidden common causes (↔) is not supported.",
                             hint="Use the discrete model (continuous columns are binned), or "
                                  "measure the hidden cause.")
        return _fit_linear(graph, order, df, notes, continuous)
    return _fit_discrete(graph, order, df, notes, continuous, estimator, prior,
                         equivalent_sample_size, bins)


def _refuse_infinities(df: pd.DataFrame) -> None:
    """ModelError naming the columns that hold ±inf (least squares would fail or give NaN)."""
    counts = {}
    for v in df.columns:
        s = df[v]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            n = int(np.isinf(s.to_numpy(dtype=float)).sum())
            if n:
                counts[str(v)] = n
    if counts:
        listed = ", ".join(f"{v} ({n:,})" for v, n in list(counts.items())[:5])
        raise ModelError(f"Infinite values (inf or -inf) cannot be fitted; they are in: {listed}.",
                         hint="Remove those rows or replace the values on the Data page, then "
                              "fit again.")


def _fit_linear(graph, order, df, notes, continuous) -> LinearModel:
    bad = [v for v in order if not pd.api.types.is_numeric_dtype(df[v])
           and not pd.api.types.is_bool_dtype(df[v])]
    if bad:
        raise ModelError(f"A linear model needs numbers; {', '.join(bad)} "
                         f"{'is' if len(bad) == 1 else 'are'} categorical.",
                         hint="Choose the discrete model, or recode the categories as numbers.")
    numeric = df.astype(float)
    binary = [v for v in order if v not in continuous]
    if binary:
        notes.append(f"{', '.join(binary)} {'is' if len(binary) == 1 else 'are'} treated as "
                     "numbers in the linear equations (a linear probability model for yes/no "
                     "variables).")
    notes.append("Each variable is its parents' weighted sum plus independent noise (fitted by "
                 "least squares); distributions treat the noise as normal with the residual "
                 "standard deviation.")
    scm = LinearSCM.fit({v: graph.parents(v) for v in order}, order, numeric)
    parts = [numeric.to_numpy().tobytes()]
    levels = {v: tuple(float(x) for x in np.unique(numeric[v])) for v in binary}
    return LinearModel(graph=graph, variables=tuple(order), notes=tuple(notes),
                       key=content_key("linear", graph, parts), source="data (least squares)",
                       scm=scm, n_rows=len(df), states=levels)


def _fit_discrete(graph, order, df, notes, continuous, estimator, prior, ess, bins):
    df = df.copy()
    discretised = {}
    for v in continuous:
        df[v], edges = discretise_column(df[v], bins)
        discretised[v] = edges
    if continuous:
        notes.append(f"Discretised {', '.join(continuous)} into {bins} equal-frequency bins "
                     "because the model is discrete"
                     + ("." if graph.bidirected else " (choose the linear model to keep numbers)."))
    states = {}
    for v in order:
        states[v] = _states_of(df[v])
        if len(states[v]) > MAX_STATES:
            raise ModelError(f"'{v}' has {len(states[v])} different values; a discrete model "
                             f"allows at most {MAX_STATES}.",
                             hint="Is it an identifier? Remove it from the graph, or group its "
                                  "values.")
        if len(states[v]) < 2:
            notes.append(f"'{v}' takes a single value ({states[v][0]}) in the data: it cannot "
                         "vary in this model.")
    structure = _structure(graph, notes)
    for v in order:
        check_cpt_size(v, structure[v], states)
    values = _count_cpts(structure, order, df, states, estimator, prior, ess, notes)
    source = ("data (maximum likelihood)" if estimator == "mle" else
              f"data (Bayesian, {prior} prior" + (f", equivalent sample size {ess:g})"
                                                   if prior == "BDeu" else ")"))
    return discrete_model(graph, structure, order, states, values, notes, source,
                           n_rows=len(df), discretised=discretised)


def _from_cpts(graph: CausalGraph, cpts: Any, states: Mapping[str, Any] | None,
               notes: list[str]) -> DiscreteModel:
    """A discrete model from tables: a pgmpy network, TabularCPDs, or CPT tables."""
    order = graph.topological_order()
    structure = _structure(graph, notes)
    if hasattr(cpts, "get_cpds"):           # a pgmpy network (e.g. read from BIF)
        cpts = {str(c.variable): c for c in cpts.get_cpds()}
    if not isinstance(cpts, Mapping):
        raise ModelError("The tables must be given as a mapping: variable → table.")
    missing = [v for v in order if v not in cpts]
    if missing:
        raise ModelError(f"No probability table for: {', '.join(missing)}.",
                         hint="Every variable in the graph needs a table.")
    known: dict[str, tuple] = {v: tuple(s) for v, s in (states or {}).items()}
    for v in order:
        c = cpts[v]
        if hasattr(c, "state_names"):
            for n, s in c.state_names.items():
                known.setdefault(str(n), tuple(_python(x) for x in s))
            pgmpy_parents = [str(p) for p in c.variables[1:]]
            if sorted(pgmpy_parents) != sorted(structure[v]):
                raise ModelError(f"The table of '{v}' has parents {pgmpy_parents or 'none'}, but "
                                 f"the graph gives it {structure[v] or 'none'}.")
        elif isinstance(c, pd.DataFrame) and v not in known:
            prefix = f"P({v}="
            cols = [col for col in c.columns if str(col).startswith(prefix) and str(col).endswith(")")]
            if not cols:
                raise ModelError(f"The table for '{v}' has no P({v}=…) columns.")
            known[v] = tuple(_state_from_text(str(col)[len(prefix):-1]) for col in cols)
    absent = [v for v in order if v not in known]
    if absent:
        raise ModelError(f"The states of {', '.join(absent)} are unknown.",
                         hint="Pass states={variable: [values]}.")
    values = {}
    for v in order:
        parents = structure[v]
        check_cpt_size(v, parents, known)
        c = cpts[v]
        if hasattr(c, "state_names"):
            values[v] = _cpd_values_in_order(c, v, parents, known)
            table = table_from_values(v, parents, known, values[v])
            values[v] = values_from_table(v, parents, known, table)   # same checks as by hand
        elif isinstance(c, pd.DataFrame):
            values[v] = values_from_table(v, parents, known, c)
        else:
            try:
                arr = np.asarray(c, dtype=float)
            except (TypeError, ValueError):
                raise ModelError(f"The table for '{v}' is not a table of numbers.") from None
            need = len(known[v]) * math.prod(len(known[p]) for p in parents)
            if arr.size != need:
                raise ModelError(
                    f"The table for '{v}' has {arr.size} numbers; it needs {need}: "
                    f"{len(known[v])} states × {need // len(known[v])} combinations of "
                    f"{', '.join(parents) or 'no parents'} (parents in alphabetical order, "
                    "last one changing fastest).")
            table = table_from_values(v, parents, known, arr.reshape(len(known[v]), -1))
            values[v] = values_from_table(v, parents, known, table)
    return discrete_model(graph, structure, order, known, values, notes, "probability tables")


def _state_from_text(text: str) -> object:
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number


def _cpd_values_in_order(cpd, v: str, parents: list[str], states: Mapping[str, tuple]) -> np.ndarray:
    """The CPD's values as (states of v) × (parent combinations) in our parent and state order."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = cpd.copy()
        pg_states = {str(n): [_python(x) for x in s] for n, s in c.state_names.items()}
        arr = c.get_values().reshape([len(pg_states[v])] + [len(pg_states[p]) for p in
                                                            map(str, c.variables[1:])])
        axes = [str(p) for p in c.variables[1:]]
        arr = np.moveaxis(arr, [1 + axes.index(p) for p in parents], list(range(1, 1 + len(parents))))
        for axis, n in enumerate([v, *parents]):
            perm = [pg_states[n].index(s) for s in states[n]]
            arr = np.take(arr, perm, axis=axis)
    return arr.reshape(len(states[v]), -1)


def with_cpt(model: FittedModel, variable: str, table: pd.DataFrame) -> FittedModel:
    """A copy of a discrete model with one CPT replaced by an edited table (validated)."""
    return model.with_cpt(variable, table)


def model_from_bif(text: str, graph: CausalGraph | None = None) -> DiscreteModel:
    """A discrete model with the CPTs of a BIF file (the graph is read from the file)."""
    from app.io.bif import read_bif_model

    net = read_bif_model(text)
    g = CausalGraph.from_edges([(str(a), str(b)) for a, b in net.edges()],
                               nodes=[str(n) for n in net.nodes()])
    if graph is not None:
        if set(graph.nodes) != set(g.nodes) or graph.edges != g.edges:
            raise ModelError("The BIF file's network does not match the current graph.",
                             hint="Load the BIF's own graph, or fit the model to data.")
        g = graph
    return replace(fit_model(g, cpts=net), source="BIF file")


def model_from_scm(scm: LinearSCM, graph: CausalGraph | None = None) -> LinearModel:
    """Wrap known linear equations (a textbook model, a simulation truth) as a FittedModel."""
    edges = [(p, v) for v in scm.variables for p in scm.parents[v]]
    graph = graph or CausalGraph.from_edges(edges, nodes=list(scm.variables))
    if set(graph.nodes) != set(scm.variables) or set(graph.edges) != set(edges):
        raise ModelError("The equations do not match the graph (nodes or arrows differ).")
    parts = [repr(scm.equations()).encode(), repr(sorted(scm.noise_std.items())).encode()]
    return LinearModel(graph=graph, variables=tuple(graph.topological_order()),
                       notes=("Known equations (not fitted to data).",),
                       key=content_key("linear", graph, parts), source="equations", scm=scm)


def sample_bif_text(dataset_ref) -> str | None:
    """The published network (BIF text) of a bundled sample, when it has one."""
    if dataset_ref is None or getattr(dataset_ref, "kind", None) != "sample":
        return None
    from app.samples import load_sample

    path = load_sample(dataset_ref.name).bif_path
    return path.read_text(encoding="utf-8") if path else None


def build_model(graph: CausalGraph, data: pd.DataFrame | None, options: ModelOptions,
                edits: Mapping[str, pd.DataFrame] | None = None,
                types: Mapping[str, str] | None = None,
                bif_text: str | None = None) -> FittedModel:
    """Fit (or, without data, build uniform tables for) the graph, then apply edited tables.

    With options.tables == "bif" and a BIF text, the published tables are used instead.
    """
    if options.tables == "bif" and bif_text:
        model = model_from_bif(bif_text, graph)
        for v, table in (edits or {}).items():
            model = model.with_cpt(v, table)
        return model
    if data is None:
        states = {v: tuple(options.hand_states.get(v, (0, 1))) for v in graph.nodes}
        from app.models.cpt import uniform_table

        cpts = {v: (edits or {}).get(v) if v in (edits or {}) else
                uniform_table(v, graph.parents(v), states) for v in graph.nodes}
        model = fit_model(graph, cpts=cpts, states=states)
        return replace(model, source="hand-written tables",
                       notes=("Built by hand: every table starts uniform; edit them below.",))
    model = fit_model(graph, data, kind=options.kind, estimator=options.estimator,
                      prior=options.prior, equivalent_sample_size=options.equivalent_sample_size,
                      bins=options.bins, types=types)
    for v, table in (edits or {}).items():
        if v in model.variables and model.tables_editable:
            model = model.with_cpt(v, table)
    return model
