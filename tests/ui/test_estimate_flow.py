"""Estimate page, 'Where the effect flows' (AppTest, issue 20 item 2): beside the regression
estimate, the total effect of the treatment on the outcome split by directed path in a linear SCM
fitted on the data (Wright 1934, "The method of path coefficients"; Pearl 2013, "Linear Models:
A Useful 'Microscope' for Causal Analysis", §2: the total effect is the sum over directed paths
of the products of the coefficients), and for categorical data the reason instead.

Reference: on data simulated from a known linear SCM (Z → X, Z → Y, X → M → Y, X → Y; true total
effect 0.5 + 1.5 · 2 = 3.5), the page's sum of path effects lies inside the 95% interval of the
regression-adjusted estimate (back-door adjustment for Z; Pearl 2009, Causality, §3.3), and both
cover the truth."""
from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

from app.graph import CausalGraph
from app.workspace import encode_share
from tests.ui.conftest import assert_no_exception, open_page, shown

PAGE = "pages/estimate.py"
TRUE_TOTAL = 0.5 + 1.5 * 2.0
SIM = (CausalGraph.from_edges([("Z", "X"), ("Z", "Y"), ("X", "M"), ("M", "Y"), ("X", "Y")])
       .set_role("X", "exposure").set_role("Y", "outcome"))


def simulated_csv(n: int = 2000, seed: int = 1) -> bytes:
    r = np.random.default_rng(seed)
    z = r.normal(0, 1, n)
    x = 0.8 * z + r.normal(0, 1, n)
    m = 1.5 * x + r.normal(0, 1, n)
    y = 0.5 * x + 2.0 * m + 1.0 * z + r.normal(0, 1, n)
    return pd.DataFrame({"Z": z, "X": x, "M": m, "Y": y}).to_csv(index=False).encode()


def _body(at) -> str:
    heads = [h.value for h in at.subheader]
    assert "Where the effect flows" in heads, heads
    return " ".join(shown(m.value) for m in at.markdown)


def test_simulated_linear_scm_path_sum_lies_in_the_regression_interval(upload):
    at = open_page("pages/data.py", sample="kidney_stones", query={"g": encode_share(SIM)})
    upload(simulated_csv(), "sim.csv")
    at.run()
    at.switch_page(PAGE).run(timeout=300)
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    body = _body(at)
    paths = [float(v) for v in re.findall(r"\*\*([-+0-9.e]+)\*\* (?:directly|through)", body)]
    assert len(paths) == 2                                     # X → Y and X → M → Y
    total = float(re.search(r"changes \S+ by \*\*([-+0-9.e]+)\*\* in total", body).group(1))
    assert abs(sum(paths) - total) < 1e-3 * sum(map(abs, paths))
    summed = float(re.search(r"add up to \*\*([-+0-9.e]+)\*\* for one unit", body).group(1))
    assert summed == total
    # the regression-adjusted total effect and its 95% CI, by statsmodels on the same rows
    import statsmodels.api as sm

    df = pd.read_csv(io.BytesIO(simulated_csv()))
    fit = sm.OLS(df["Y"], sm.add_constant(df[["X", "Z"]])).fit()
    lo, hi = fit.conf_int().loc["X"]
    assert lo <= summed <= hi                                  # the page's sum, inside the CI
    assert lo <= TRUE_TOTAL <= hi and abs(summed - TRUE_TOTAL) < 0.1
    assert "the sum lies inside the interval" in body


def test_binary_treatment_on_lalonde_is_split_beside_the_estimate():
    at = open_page(PAGE, sample="lalonde_nsw", timeout=300)
    assert_no_exception(at)
    body = _body(at)
    assert "add up to" in body and "treat" in body
    box = next(s for s in at.selectbox if str(s.key).startswith("flow_path:est:"))
    assert box.options == ["treat → re78"]


def test_categorical_treatment_gets_the_reason_and_the_way_to_intervene():
    at = open_page(PAGE, sample="kidney_stones", timeout=300)
    assert_no_exception(at)
    _body(at)
    said = " ".join(shown(i.value) for i in at.info)
    assert "treatment holds categories, not numbers" in said and "Intervene" in said
