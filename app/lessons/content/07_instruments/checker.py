"""Lesson 7: instruments and adjustment from app.analysis; two-stage least squares from
app.estimation (imported lazily: the lesson still works, with a note, if it is missing)."""
import functools

import numpy as np

from app.lessons.checkers import Reveal, adjustment_exercise, instrument_exercise, number_exercise

COVARIATES = ["black", "exper", "married", "smsa", "south"]


def _tsls():
    try:
        from app.estimation.estimators import tsls
    except ImportError:
        return None
    return tsls


@functools.lru_cache(maxsize=2)
def facts(ctx):
    from app.models import LinearSCM

    df = ctx.data[["nearc4", "educ", "lwage", *COVARIATES]].dropna()
    near, far = df[df.nearc4 == 1], df[df.nearc4 == 0]
    first = float(near.educ.mean() - far.educ.mean())
    reduced = float(near.lwage.mean() - far.lwage.mean())
    ols = LinearSCM.fit({"lwage": ["educ"]}, ["educ", "lwage"], df).coefficients["lwage"]["educ"]
    f = {"n": len(df), "n_near": len(near), "n_far": len(far), "first": first, "reduced": reduced, "ols": ols,
         "educ_near": float(near.educ.mean()), "educ_far": float(far.educ.mean()),
         "lwage_near": float(near.lwage.mean()), "lwage_far": float(far.lwage.mean())}
    tsls = _tsls()
    y, x, z = (df[c].to_numpy(float) for c in ("lwage", "educ", "nearc4"))
    if tsls is not None:
        f["wald"] = tsls(y, x, z[:, None], np.empty((len(df), 0)))[0]
        f["iv_cov"], _, f["first_stage_f"] = tsls(y, x, z[:, None], df[COVARIATES].to_numpy(float))
        f["iv_cov_text"] = (f"With experience, race, marital status and region in both stages "
                            f"(app.estimation's two-stage least squares) the estimate is "
                            f"{f['iv_cov']:.3f}.")
    else:
        f["wald"] = reduced / first
        f["iv_cov_text"] = ("(The estimate with covariates needs app.estimation, which is not "
                            "available in this installation.)")
    f["wald_pct"] = 100 * f["wald"]
    return f


def exhibits(ctx):
    import pandas as pd

    f = facts(ctx)
    table = pd.DataFrame({
        "men": [f["n_far"], f["n_near"]],
        "mean educ (years)": [round(f["educ_far"], 4), round(f["educ_near"], 4)],
        "mean lwage": [round(f["lwage_far"], 4), round(f["lwage_near"], 4)]},
        index=pd.Index(["not near a college (0)", "near a college (1)"], name="nearc4"))
    return {"by_proximity": table}


def exercises(ctx):
    f = facts(ctx)
    g = ctx.graph
    return [
        instrument_exercise(
            "instrument", g, "educ", "lwage",
            hints=("An instrument has an arrow into educ and no other route to lwage.",
                   "black, south, … have arrows into lwage too.")),
        adjustment_exercise(
            "backdoor", g, "educ", "lwage",
            prompt="Which variables would you adjust for to estimate the effect of **educ** on "
                   "**lwage** by the back-door route? (Choose “No valid set exists” if none "
                   "works.)",
            hints=("Ability is not measured: the dashed educ ↔ lwage edge.",)),
        number_exercise(
            "wald", "From the table, compute the **Wald estimate** of the effect of one year of "
                    "schooling on log wage.", f["wald"], tol=0.01,
            wrong=[(f["reduced"], "That is b, the effect of living near a college on log wages. "
                                  "Divide by a, how much it moved schooling."),
                   (f["first"], "That is a, how much living near a college raised schooling."),
                   (f["first"] / f["reduced"], "Upside down: divide the wage difference by the "
                                               "schooling difference."),
                   (f["ols"], "That is the naive regression slope, biased by ability.")],
            reveal=Reveal(f"b / a = {f['reduced']:.4f} / {f['first']:.4f} = **{f['wald']:.4f}**",
                          highlight_nodes=("nearc4",),
                          edge_styles={("nearc4", "educ"): "causal_path",
                                       ("educ", "lwage"): "causal_path"}),
            hints=("a = difference in mean educ between the two rows; b = difference in mean "
                   "lwage.",)),
    ]
