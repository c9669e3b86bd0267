"""Lesson 5: any valid adjustment set is accepted (app.analysis.check_adjustment_set); the
M-bias estimates are least-squares fits (app.models.LinearSCM.fit) on the m_bias sample."""
import functools

from app.lessons.checkers import adjustment_exercise, choice_exercise

M_BIAS_TRUTH = 1.0   # sample_data/m_bias/README.md: Y = 1.0·X + 1.5·U2 + e


def _mbias():
    from app.samples import load_sample

    return load_sample("m_bias")


def _slope(df, covariates):
    from app.models import LinearSCM

    fit = LinearSCM.fit({"Y": ["X", *covariates]}, ["X", *covariates, "Y"], df)
    return fit.coefficients["Y"]["X"]


@functools.lru_cache(maxsize=2)
def facts(ctx):
    df = _mbias().data
    return {"n": len(df), "truth": M_BIAS_TRUTH, "slope_none": _slope(df, []),
            "slope_M": _slope(df, ["M"])}


def _options(f):
    return (f"Y on X alone: {f['slope_none']:.2f}", f"Y on X and M: {f['slope_M']:.2f}")


def exhibits(ctx):
    import pandas as pd

    f = facts(ctx)
    table = pd.DataFrame({"regression": ["Y on X", "Y on X and M"],
                          "coefficient of X": [round(f["slope_none"], 3), round(f["slope_M"], 3)]})
    return {"estimates": table}


def exercises(ctx):
    from app.analysis import check_adjustment_set

    f = facts(ctx)
    mg = _mbias().graph
    none_opt, m_opt = _options(f)
    valid_none = check_adjustment_set(mg, "X", "Y", []).valid
    return [
        adjustment_exercise(
            "classic", ctx.graph, "X", "Y",
            hints=("There are two back-door paths into X: one through Z3 directly, one through "
                   "Z1, Z3 and Z2.",
                   "Is Z3 a collider on one of them? Conditioning on a collider opens that "
                   "path.")),
        adjustment_exercise(
            "mbias", mg, "X", "Y",
            prompt="In the M-bias graph, which variables should you adjust for to estimate the "
                   "effect of **X** on **Y**?",
            traps={"M": "This is the M-bias trap: M comes before X and is associated with both, "
                        "yet it is a collider of the hidden U1 and U2. Adjusting for it opens "
                        "X ← U1 → M ← U2 → Y."},
            hints=("Does X have any open back-door path when nothing is adjusted for?",
                   "On X ← U1 → M ← U2 → Y, what kind of node is M?")),
        choice_exercise(
            "estimate", "Which estimate should you report?", [none_opt, m_opt],
            none_opt if valid_none else m_opt,
            explanation=f"Right: nothing needs adjusting here, and {f['slope_none']:.2f} is "
                        f"close to the true {f['truth']:g}.",
            feedback={m_opt: "Adjusting for M opens a biasing path through the hidden U1 and "
                             "U2: this estimate is biased."}),
    ]
