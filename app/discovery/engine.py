"""`discover`: check the data, choose (or explain) the method and test, run, bootstrap, and
return a DiscoveryResult that says what was done and why."""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from app import settings
from app.discovery.algorithms import CUT_NOTE, RunSpec, run
from app.discovery.bootstrap import bootstrap_edges, confidence_from
from app.discovery.knowledge import Knowledge
from app.discovery.prepare import (
    MAX_VARIABLES,
    PreparedData,
    continuous_values,
    discrete_codes,
    prepare,
)
from app.discovery.quiet import quiet
from app.discovery.result import DiscoveryResult
from app.errors import Cancelled, CausalCanvasError, DiscoveryError

METHODS: dict[str, str] = {
    "auto": "Auto", "pc": "PC", "ges": "GES", "hc": "Hill climbing", "fci": "FCI",
    "lingam": "DirectLiNGAM", "cdnod": "CD-NOD",
}
METHOD_HELP: dict[str, str] = {
    "auto": "Chooses by variable types and size, and says why.",
    "pc": "Constraint-based: removes edges between variables that test independent, then "
          "orients what the independences imply. Returns an equivalence class (CPDAG).",
    "ges": "Score-based: greedily adds then removes edges to maximise a score (BIC/BDeu) over "
           "equivalence classes. Returns a CPDAG.",
    "hc": "Score-based: greedy hill climbing over DAGs with BIC or BDeu; shown as the DAG's "
          "equivalence class (CPDAG).",
    "fci": "Like PC but allows unmeasured common causes: returns a PAG with circle marks "
           "(undecided ends) and ↔ (latent confounding).",
    "lingam": "For continuous data with non-Gaussian noise and linear effects: identifies a "
              "full DAG with effect sizes.",
    "cdnod": "For data from several domains or over time: uses the domain/time column to find "
             "changing mechanisms and to orient more edges.",
}
TESTS: dict[str, str] = {
    "auto": "Auto", "chisq": "Chi-square", "gsq": "G² (likelihood ratio)",
    "fisherz": "Fisher's z (partial correlation)", "kci": "KCI (kernel, nonlinear)",
}
SCORES = ("bic", "bdeu")
KCI_MAX_ROWS = settings.KCI_MAX_ROWS
AUTO_SCORE_LIMIT = 25   # above this many variables Auto prefers PC (speed)


def discover(df: pd.DataFrame, method: str = "auto", *,
             variables: Sequence[str] | None = None,
             knowledge: Knowledge | None = None, alpha: float = 0.05, test: str = "auto",
             score: str = "bic", bootstrap: int = 0, seed: int = 0,
             domain_column: str | None = None,
             progress: Callable[[int, int], None] | None = None,
             cancel: Callable[[], bool] | None = None,
             max_rows: int | None = None,
             types: Mapping[str, str] | None = None,
             max_depth: int | None = settings.DISCOVERY_MAX_DEPTH,
             timeout: float | None = settings.DISCOVERY_TIMEOUT_S) -> DiscoveryResult:
    """Learn a causal graph from `df` (all columns, or `variables`).

    method: "auto", "pc", "ges", "hc", "fci", "lingam" or "cdnod" (needs `domain_column`).
    knowledge: required/forbidden edges and tiers, honoured by every method.
    test (constraint-based methods): "auto", "chisq", "gsq", "fisherz", "kci".
    score (GES, hill climbing): "bic" or "bdeu".
    bootstrap: number of resamples for edge confidence (0 = none); progress(done, total) is
    called as they finish.
    cancel (a "should stop" function): polled during the search (PC, FCI, CD-NOD, GES) and
    between resamples; when it returns True the run raises Cancelled and nothing changes.
    max_rows: use a random sample of at most this many rows (noted in the result).
    types: variable types chosen by the user (e.g. the Data page's), overriding inference.
    max_depth: largest conditioning set PC, FCI and CD-NOD test (None: no limit); a note says
    when it left tests undone. FCI's possible-D-SEP and discriminating paths are then also
    limited to settings.FCI_MAX_PATH_LENGTH edges.
    timeout: seconds for the whole run, bootstrap included (None: no limit); past it the
    run stops with a DiscoveryError. PC, FCI, CD-NOD and GES stop inside the search; hill
    climbing and LiNGAM (bounded by their variable limits) only between resamples.
    """
    start = time.perf_counter()
    method = str(method).lower()
    test = str(test).lower()
    score = str(score).lower()
    if method not in METHODS:
        raise DiscoveryError(f"Unknown method '{method}'.",
                             hint="Choose one of: " + ", ".join(METHODS) + ".")
    if test not in TESTS:
        raise DiscoveryError(f"Unknown test '{test}'.", hint="Choose one of: " + ", ".join(TESTS))
    if score not in SCORES:
        raise DiscoveryError(f"Unknown score '{score}'.", hint="Choose 'bic' or 'bdeu'.")
    if not (isinstance(alpha, int | float) and 0 < alpha < 1):
        raise DiscoveryError(f"The significance level must be between 0 and 1, not {alpha!r}.",
                             hint="0.05 or 0.01 are usual.")
    if not isinstance(bootstrap, int | np.integer) or not 0 <= bootstrap <= 1000:
        raise DiscoveryError("The number of bootstrap resamples must be a whole number from 0 "
                             "to 1000.")
    if max_depth is not None and (isinstance(max_depth, bool) or not isinstance(max_depth, int)
                                  or max_depth < 0):
        raise DiscoveryError("The conditioning-set limit must be a whole number from 0, or "
                             "None for no limit.")
    if timeout is not None and not (isinstance(timeout, int | float) and timeout > 0):
        raise DiscoveryError("The time limit must be a positive number of seconds, or None.")
    deadline = None if timeout is None else time.time() + float(timeout)
    knowledge = knowledge if knowledge is not None else Knowledge()
    if not isinstance(knowledge, Knowledge):
        raise DiscoveryError("Background knowledge must be an app.discovery.Knowledge value.")
    cancel = cancel or (lambda: False)
    if method == "cdnod" and domain_column is None:
        raise DiscoveryError("CD-NOD needs a domain or time-index column.",
                             hint="Pick the column that says which domain/period each row is from.")

    prep = prepare(df, variables, method if method != "auto" else "pc",
                   domain_column=domain_column, max_rows=max_rows, seed=seed, types=types)
    knowledge.check_nodes(prep.names)
    chosen, reason = choose_method(prep, method)
    limit = MAX_VARIABLES[chosen]
    if len(prep.names) > limit:
        raise DiscoveryError(f"{len(prep.names)} variables are too many for {METHODS[chosen]} "
                             f"(limit {limit}).", hint="Choose fewer variables.")
    spec, arrays, test_reason, notes = plan(prep, chosen, test, score, alpha, knowledge, seed)
    spec = replace(spec, depth=-1 if max_depth is None else max_depth,
                   max_path_length=-1 if max_depth is None else settings.FCI_MAX_PATH_LENGTH,
                   deadline=deadline)
    if cancel():
        raise Cancelled()
    try:
        with quiet():
            out = run(spec, arrays, should_stop=cancel)
    except DiscoveryError as err:
        if deadline is not None and time.time() > deadline:
            raise DiscoveryError(f"{METHODS[chosen]} was stopped at the {timeout:g} s time "
                                 f"limit before it finished ({len(prep.names)} variables).",
                                 hint=err.hint) from None
        raise
    except CausalCanvasError:
        raise
    except Exception as exc:  # a library failure on odd data: explain, never a traceback
        raise DiscoveryError(
            f"{METHODS[chosen]} failed on this data ({type(exc).__name__}: {exc}).",
            hint="Try another method or test, fewer variables, or more rows.") from exc

    confidence, done = {}, 0
    if bootstrap:
        if progress:
            progress(0, bootstrap)
        def stop_resamples() -> bool:
            return cancel() or (deadline is not None and time.time() > deadline)

        try:
            lists = bootstrap_edges(spec, arrays, int(bootstrap), seed=seed, progress=progress,
                                    cancel=stop_resamples, notes=notes)
        except Cancelled:
            if cancel():
                raise
            raise DiscoveryError(f"The bootstrap was stopped at the {timeout:g} s time limit.",
                                 hint="Ask for fewer resamples, or run without a "
                                      "bootstrap.") from None
        confidence, done = confidence_from(lists)
        failed = len(lists) - done
        if failed:
            notes.append(f"{failed} of {bootstrap} resamples could not be analysed (e.g. a "
                         "variable was constant in the resample) and were left out.")
        notes.append(f"Confidence = share of {done} bootstrap resamples (rows drawn with "
                     "replacement) in which the algorithm found the edge.")
    return DiscoveryResult(
        nodes=out.nodes, edges=tuple(out.edges), graph_type=out.graph_type, method=chosen,
        method_name=METHODS[chosen], reason=reason, test=spec.test, test_reason=test_reason,
        score=spec.score if chosen in ("ges", "hc") else None,
        alpha=alpha if chosen in ("pc", "fci", "cdnod") else None,
        runtime=time.perf_counter() - start, n_rows=prep.n_rows,
        variable_kinds=dict(prep.kinds), knowledge_summary=knowledge.summary(),
        notes=tuple([*prep.notes, *notes, *out.notes]), bootstrap=done,
        confidence=confidence, weights=out.weights,
        max_depth=max_depth if chosen in ("pc", "fci", "cdnod") else None,
        search_cut=any(n.startswith(CUT_NOTE) for n in out.notes))


# ---- choosing ----------------------------------------------------------------------------------
def choose_method(prep: PreparedData, method: str) -> tuple[str, str]:
    """The method to run and a sentence saying why (Auto explains its choice)."""
    n, p = prep.n_rows, len(prep.names)
    n_cont = sum(k == "continuous" for k in prep.kinds.values())
    latent = " If you suspect unmeasured common causes of two variables, choose FCI instead."
    if method != "auto":
        why = f"You chose {METHODS[method]}: {METHOD_HELP[method]}"
        if method == "lingam" and prep.all_continuous:
            share, _ = nongaussian_share(continuous_values(prep))
            if share < 0.5:
                why += (" Caution: the regression residuals look roughly Gaussian, where "
                        "LiNGAM's directions are unreliable.")
        return method, why
    if prep.domain is not None:
        return "cdnod", ("A domain/time column was given, so CD-NOD can use changes of the "
                         "causal mechanisms across it to find and orient edges." + latent)
    if prep.all_continuous:
        values = continuous_values(prep)
        share, _ = nongaussian_share(values)
        curved = nonlinear_pair(values, prep.names)
        if share >= 0.5 and curved is None and n >= 200 and p <= 40:
            return "lingam", (
                f"All {p} variables are continuous and {share:.0%} of them have clearly "
                "non-Gaussian regression residuals (normality test p < 0.001), with no strong "
                "curvature: a linear non-Gaussian model (DirectLiNGAM) can then orient every "
                "edge, not just an equivalence class." + latent)
        kind = "continuous" + (" and look roughly Gaussian" if share < 0.5 else "")
    elif prep.all_discrete:
        kind = "categorical"
    else:
        kind = f"a mix of categorical and continuous ({n_cont})"
        if p <= AUTO_SCORE_LIMIT:
            return "ges", (
                f"The {p} variables are {kind}: GES (a score-based search over equivalence "
                "classes) with the categorical BIC score is used, the continuous variables cut "
                "into equal-frequency bins. Hill climbing with a conditional-Gaussian score "
                "keeps them continuous but is much slower." + latent)
    if p <= AUTO_SCORE_LIMIT:
        return "ges", (
            f"All {p} variables are {kind} and there are at most {AUTO_SCORE_LIMIT}, so GES "
            "(a score-based search over equivalence classes, usually more accurate than PC on "
            "networks of this size) is used with the BIC score." + latent)
    return "pc", (f"There are {p} variables ({kind}), so PC (constraint-based, which scales "
                  "best) is used." + latent)


def plan(prep: PreparedData, method: str, test: str, score: str, alpha: float,
         knowledge: Knowledge, seed: int) -> tuple[RunSpec, dict, str, list[str]]:
    """Decide the test or score for `method`, build the arrays it needs, and explain."""
    notes: list[str] = []
    arrays: dict = {"domain": prep.domain}
    kw = dict(method=method, names=prep.names, knowledge=knowledge, alpha=alpha,
              domain_name=prep.domain_name, seed=seed)
    if method in ("pc", "fci", "cdnod"):
        test, why = choose_test(prep, test)
        if test in ("chisq", "gsq"):
            arrays["codes"], more = discrete_codes(prep)
            notes += more
        else:
            arrays["values"] = continuous_values(prep)
            if test == "fisherz" and not prep.all_continuous:
                notes.append("Fisher's z treats category codes as numbers; categorical "
                             "variables with more than two values may be misread.")
            if test == "kci" and prep.n_rows > KCI_MAX_ROWS:
                raise DiscoveryError(
                    f"KCI needs time growing with the cube of the rows; {prep.n_rows:,} rows "
                    f"is too many (limit {KCI_MAX_ROWS:,}).",
                    hint="Use Fisher's z, or limit the rows used.")
        if method == "cdnod" and test == "fisherz" and len(np.unique(prep.domain)) > 2:
            notes.append("With Fisher's z the domain index is treated as a number (a linear "
                         "trend across domains).")
        return RunSpec(test=test, **kw), arrays, why, notes
    if method == "lingam":
        cats = [v for v, k in prep.kinds.items() if k != "continuous"]
        if cats:
            raise DiscoveryError(
                "DirectLiNGAM needs continuous variables, but " + ", ".join(
                    f"'{c}'" for c in cats[:5]) + " " + ("is" if len(cats) == 1 else "are")
                + " categorical (the data mixes types).",
                hint="Leave those out, or use PC, GES or hill climbing, which handle them.")
        arrays["values"] = continuous_values(prep)
        return RunSpec(**kw), arrays, "", notes
    # score-based
    if method == "ges":
        if score == "bic" and prep.all_continuous:
            arrays["values"] = continuous_values(prep)
            return (RunSpec(score="bic-g", **kw), arrays,
                    "Score: linear-Gaussian BIC (all variables are continuous).", notes)
        arrays["codes"], more = discrete_codes(prep)
        notes += more
        why = ("Score: BDeu (Bayesian Dirichlet, equivalent sample size 1)" if score == "bdeu"
               else "Score: BIC for categorical variables (multinomial likelihood)")
        return RunSpec(score=score, **kw), arrays, why + ".", notes
    # hill climbing (pgmpy's search): text columns for pgmpy, codes/values for our scores
    frame = prep.frame
    if score == "bdeu" or prep.all_discrete:
        arrays["codes"], more = discrete_codes(prep)
        notes += more
        frame = pd.DataFrame({v: arrays["codes"][:, i].astype(str)
                              for i, v in enumerate(prep.names)})
        hc_score, why = (("bdeu", "Score: BDeu (equivalent sample size 10)") if score == "bdeu"
                         else ("bic-d", "Score: BIC for categorical variables (multinomial "
                                        "likelihood)"))
    elif prep.all_continuous:
        arrays["values"] = continuous_values(prep)
        hc_score, why = "bic-g", "Score: linear-Gaussian BIC (all variables are continuous)"
    else:
        hc_score, why = "bic-cg", ("Score: conditional-Gaussian BIC (categorical and continuous "
                                   "variables mixed; continuous ones are linear-Gaussian given "
                                   "their parents)")
    arrays["frame"] = frame
    return RunSpec(score=score, hc_score=hc_score, **kw), arrays, why + ".", notes


def choose_test(prep: PreparedData, test: str) -> tuple[str, str]:
    """The CI test for constraint-based methods and why."""
    if test != "auto":
        return test, f"You chose the {TESTS[test]} test."
    if prep.all_discrete:
        return "chisq", ("All variables are categorical: Pearson's chi-square test of "
                         "(conditional) independence on contingency tables.")
    if prep.all_continuous:
        values = continuous_values(prep)
        curved = nonlinear_pair(values, prep.names)
        if curved is not None and prep.n_rows < 500 and len(prep.names) <= 10:
            return "kci", (f"The data are continuous and {curved[0]} – {curved[1]} is clearly "
                           "curved, and there are few rows: the kernel test KCI detects "
                           "nonlinear dependence (slow, so only for small data).")
        why = ("All variables are continuous: Fisher's z test of partial correlation (assumes "
               "roughly linear relations).")
        if curved is not None:
            why += (f" {curved[0]} – {curved[1]} looks curved, but the data are too large for "
                    "the kernel test; consider transforming those variables.")
        return "fisherz", why
    return "chisq", ("Categorical and continuous variables are mixed: continuous ones are cut "
                     "into equal-frequency bins and the chi-square test is used.")


def nongaussian_share(values: np.ndarray) -> tuple[float, list[float]]:
    """Share of variables whose residual, regressed on all the others, fails a D'Agostino
    normality test at p < 0.001 (LiNGAM needs non-Gaussian noise)."""
    from scipy.stats import normaltest

    x = values[:5000]
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    # residual of each variable regressed on all others, all at once: X·P / diag(P) with P the
    # inverse covariance (the regression identity behind partial correlations)
    precision = np.linalg.pinv(np.cov(x, rowvar=False))
    resid = x @ precision / np.diag(precision)
    pvals = ([float(p) for p in normaltest(resid, axis=0).pvalue] if len(x) >= 20
             else [1.0] * x.shape[1])
    share = float(np.mean([p < 1e-3 for p in pvals])) if pvals else 0.0
    return share, pvals


def nonlinear_pair(values: np.ndarray, names: Sequence[str]) -> tuple[str, str] | None:
    """A pair whose relation a cubic explains much better than a straight line (R² gain > 0.1),
    or None. Checks the first 12 variables on at most 2,000 rows."""
    x = values[:2000, :12]
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    p = x.shape[1]
    for i in range(p):
        basis = np.column_stack([np.ones(len(x)), x[:, i], x[:, i] ** 2, x[:, i] ** 3])
        for j in range(p):
            if i == j:
                continue
            y = x[:, j]
            r2_lin = float(np.corrcoef(x[:, i], y)[0, 1] ** 2)
            coef, *_ = np.linalg.lstsq(basis, y, rcond=None)
            r2_poly = 1 - float(np.var(y - basis @ coef)) / float(np.var(y))
            if r2_poly - r2_lin > 0.1:
                return names[i], names[j]
    return None
