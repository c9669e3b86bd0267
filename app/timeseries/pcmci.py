"""PCMCI and PCMCI+ (Runge et al. 2019, 2020) through tigramite, behind one small function.

PCMCI first selects, for each variable, a few likely causes from its past (PC1 condition
selection), then tests each lagged link given both ends' selected causes (momentary conditional
independence, MCI): far fewer false links than regressing on everything when series are
autocorrelated. PCMCI+ also tests and, where the data allow, orients same-time links.
tigramite (GPL-3.0) is imported only here, inside the functions.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np

from app.errors import DiscoveryError
from app.timeseries.raw import RawGraph

TESTS = ("parcorr", "cmiknn", "gpdc")
TEST_TITLES = {
    "parcorr": "partial correlation (linear)",
    "cmiknn": "conditional mutual information, nearest neighbours (nonlinear, slow)",
    "gpdc": "Gaussian-process distance correlation (nonlinear, slow)",
}
# Nonparametric tests grow fast: about variables² × lags tests, each costing ~ steps (or
# more). Limits on steps × variables² × max_lag, measured on 2 shared cores: CMIknn with
# 400 steps, 2 variables, lag 1 (1,600) took ~45 s; 300 × 5² × 2 (15,000) over 10 minutes.
NONPARAMETRIC_LIMIT = {"cmiknn": 4_000, "gpdc": 4_000}
PC_ALPHA = 0.2   # tigramite's recommended liberal level for the PC1 condition-selection step


def valid_points(n_steps: int, max_lag: int) -> np.ndarray:
    """Time indices tigramite uses as targets (it keeps 2 × max_lag steps of history)."""
    return np.arange(2 * max_lag, n_steps)


def check_size(test: str, n_steps: int, n_variables: int, max_lag: int, runs: int = 1) -> None:
    """Refuse runs of a slow nonparametric test that would take many minutes."""
    limit = NONPARAMETRIC_LIMIT.get(test)
    if limit is None:
        return
    size = n_steps * n_variables ** 2 * max_lag * runs
    if size > limit:
        most = max(limit // (n_variables ** 2 * max_lag * runs), 1)
        extra = f" and {runs - 1} bootstrap resamples" if runs > 1 else ""
        raise DiscoveryError(
            f"The nonlinear test '{test}' is too slow for {n_steps} time steps with {n_variables} "
            f"variables and maximum lag {max_lag}{extra}; it is meant for small data.",
            hint=f"Use at most {most} time steps with these settings (e.g. the most recent "
                 f"ones), fewer variables, a smaller lag or fewer resamples — or the linear "
                 f"test 'parcorr'.")


def _make_test(test: str, seed: int):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if test == "parcorr":
            from tigramite.independence_tests.parcorr import ParCorr
            return ParCorr(significance="analytic")
        if test == "cmiknn":
            from tigramite.independence_tests.cmiknn import CMIknn
            return CMIknn(significance="shuffle_test", knn=0.1, shuffle_neighbors=5,
                          sig_samples=200, transform="ranks", seed=seed)
        if test == "gpdc":
            try:
                import dcor  # noqa: F401 - GPDC needs it; say so clearly if it is missing
                from tigramite.independence_tests.gpdc import GPDC
            except ImportError as err:
                raise DiscoveryError("The GPDC test needs the 'dcor' package, which is not "
                                     "installed.", hint="Use 'parcorr' or 'cmiknn'.") from err
            return GPDC(significance="analytic")
    raise DiscoveryError(f"Unknown test {test!r}.", hint="Use one of: " + ", ".join(TESTS) + ".")


def run_pcmci(values: np.ndarray, variables: Sequence[str], max_lag: int, alpha: float, *,
              method: str = "pcmci", test: str = "parcorr", points: np.ndarray | None = None,
              fdr: bool = False, seed: int = 0,
              tick: Callable[[], None] | None = None) -> RawGraph:
    """One PCMCI ("pcmci": lagged links) or PCMCI+ ("pcmci+": lagged and same-time) run.

    `points` are the target time indices to use (a block-bootstrap draw), default all.
    `tick` is called before every conditional-independence test (progress and Cancel).
    """
    from tigramite import data_processing as pp
    from tigramite.pcmci import PCMCI

    data = np.asarray(values, dtype=float)
    missing_flag = None
    if np.isnan(data).any():
        missing_flag = float(np.nanmax(np.abs(data))) * 10 + 999.0
        data = np.where(np.isnan(data), missing_flag, data)
    ci_test = _make_test(test, seed)
    fdr_method = "fdr_bh" if fdr else "none"
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            frame = pp.DataFrame(data, var_names=list(variables), missing_flag=missing_flag,
                                 reference_points=None if points is None else np.asarray(points))
            runner = PCMCI(dataframe=frame, cond_ind_test=ci_test, verbosity=0)
            if tick is not None:   # PCMCI holds its own copy of the test: wrap that one
                _wrap_run_test(runner.cond_ind_test, tick)
            if method == "pcmci":
                out = runner.run_pcmci(tau_min=1, tau_max=max_lag, pc_alpha=PC_ALPHA,
                                       alpha_level=alpha, fdr_method=fdr_method)
            elif method == "pcmci+":
                out = runner.run_pcmciplus(tau_min=0, tau_max=max_lag, pc_alpha=alpha,
                                           fdr_method=fdr_method)
            else:
                raise DiscoveryError(f"Unknown method {method!r}.",
                                     hint="Use 'pcmci', 'pcmci+' or 'granger'.")
    except (ValueError, np.linalg.LinAlgError) as err:
        raise DiscoveryError(f"{method.upper()} could not run on this data ({err}).",
                             hint="Check for duplicated or almost constant series, or lower "
                                  "the maximum lag.") from err
    marks = np.asarray(out["graph"], dtype=object)
    strengths = np.asarray(out["val_matrix"], dtype=float)
    p_values = np.asarray(out["p_matrix"], dtype=float)
    if method == "pcmci":
        marks[:, :, 0] = ""
        p_values[:, :, 0] = np.nan
        strengths[:, :, 0] = 0.0
    else:
        for i in range(len(variables)):
            p_values[i, i, 0] = np.nan
    return RawGraph(marks=marks, strengths=strengths, p_values=p_values)


def _wrap_run_test(ci_test, tick: Callable[[], None]) -> None:
    original = ci_test.run_test

    def run_test(*args, **kwargs):
        tick()
        return original(*args, **kwargs)

    ci_test.run_test = run_test
