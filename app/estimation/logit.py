"""An exact (unpenalised) logistic regression for propensity scores, shared by the
estimators, the overlap diagnostics and mediation."""
from __future__ import annotations

import math

import numpy as np

from app.errors import EstimationError


class NewtonLogit:
    """Unpenalised logistic regression by Newton–Raphson, with a clear error on separation.

    sklearn's default LogisticRegression is L2-penalised (C=1), which shrinks the propensity
    model in a scale-dependent way; the IPW sandwich needs the exact maximum-likelihood fit.
    """

    max_iter = 60
    eta_limit = 20.0   # |logit| beyond this means P(treated) < 2e-9 or > 1 - 2e-9

    def __init__(self, *, strict: bool = True) -> None:
        self.coef_: np.ndarray | None = None
        self.strict = strict          # False: keep the (diverging) fit, for overlap diagnostics

    @staticmethod
    def _design(x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if x.ndim == 1:
            x = x[:, None]
        return np.column_stack([np.ones(len(x)), x])

    def fit(self, x, t, start: np.ndarray | None = None) -> NewtonLogit:
        """Fit; `start` (coefficients, e.g. from the full sample for a bootstrap resample)
        saves most Newton steps."""
        xd = self._design(x)
        t = np.asarray(t, dtype=float).ravel()
        if start is not None:
            beta = np.array(start, dtype=float)
        else:
            beta = np.zeros(xd.shape[1])
            p0 = min(max(t.mean(), 1e-6), 1 - 1e-6)
            beta[0] = math.log(p0 / (1 - p0))
        ll_old = -np.inf
        for _ in range(self.max_iter):
            eta = np.clip(xd @ beta, -50, 50)
            p = 1 / (1 + np.exp(-eta))
            w = p * (1 - p)
            grad = xd.T @ (t - p)
            hess = (xd * w[:, None]).T @ xd
            step = np.linalg.lstsq(hess + 1e-10 * np.eye(len(beta)), grad, rcond=None)[0]
            ll = np.sum(t * eta - np.logaddexp(0, eta))
            beta = beta + step
            if abs(ll - ll_old) < 1e-10 * (1 + abs(ll)) and np.max(np.abs(step)) < 1e-7:
                break
            ll_old = ll
        eta = xd @ beta
        self.coef_ = beta
        if self.strict and (not np.all(np.isfinite(beta)) or np.max(np.abs(eta)) > self.eta_limit):
            side = "treated" if np.max(eta) > self.eta_limit else "untreated"
            raise EstimationError(
                "Perfect separation in the propensity model: for some rows the covariates predict "
                f"the treatment exactly (they are always {side}), so treated and untreated units "
                "cannot be compared there.",
                hint="There is no overlap for those units. Check the adjustment set, drop the rows "
                     "outside the common range, or use linear regression (which extrapolates).")
        return self

    def decision(self, x) -> np.ndarray:
        return self._design(x) @ self.coef_

    def predict_proba(self, x) -> np.ndarray:
        p = 1 / (1 + np.exp(-np.clip(self.decision(x), -50, 50)))
        return np.column_stack([1 - p, p])
