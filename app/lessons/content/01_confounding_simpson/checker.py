"""Lesson 1: the numbers come from app.models fitted to the Charig et al. (1986) counts."""
import functools

from app.lessons.checkers import Reveal, adjustment_exercise, choice_exercise, number_exercise

BOTH_B = "B does better for small stones and for large stones"
BOTH_A = "A does better for small stones and for large stones"
SPLIT = "Each treatment wins for one stone size"


def _model(ctx):
    from app.models import fit_model

    return fit_model(ctx.graph, ctx.data)


@functools.lru_cache(maxsize=4)
def facts(ctx):
    from app.models import do_query, observe_query

    m = _model(ctx)
    f = {"n_patients": len(ctx.data)}
    for t in ("A", "B"):
        f[f"naive_{t}"] = observe_query(m, "recovery", {"treatment": t}).probability("recovery", 1)
        f[f"do_{t}"] = do_query(m, "recovery", {"treatment": t}).probability("recovery", 1)
        for s in ("small", "large"):
            f[f"{t}_{s}"] = observe_query(m, "recovery", {"treatment": t, "stone_size": s}
                                          ).probability("recovery", 1)
    sizes = observe_query(m, "stone_size")
    f["p_small"] = sizes.probability("stone_size", "small")
    f["p_large"] = sizes.probability("stone_size", "large")
    f["do_diff"] = f["do_A"] - f["do_B"]
    f["do_diff_pts"] = 100 * f["do_diff"]
    return f


def exhibits(ctx):
    import pandas as pd

    df = ctx.data
    def row(d):
        return f"{int(d.recovery.sum())}/{len(d)} = {d.recovery.mean():.2f}"
    overall = pd.DataFrame({"recovered": [row(df[df.treatment == t]) for t in "AB"]},
                           index=pd.Index(["A", "B"], name="treatment"))
    by_size = pd.DataFrame(
        {s: [row(df[(df.treatment == t) & (df.stone_size == s)]) for t in "AB"]
         for s in ("small", "large")} | {"all": overall["recovered"].tolist()},
        index=pd.Index(["A", "B"], name="treatment"))
    return {"overall": overall, "by_size": by_size}


def exercises(ctx):
    f = facts(ctx)
    a_both = f["A_small"] > f["B_small"] and f["A_large"] > f["B_large"]
    b_both = f["A_small"] < f["B_small"] and f["A_large"] < f["B_large"]
    truth = BOTH_A if a_both else BOTH_B if b_both else SPLIT
    g = ctx.graph
    better = "A" if f["do_A"] > f["do_B"] else "B"
    return [
        choice_exercise(
            "predict", "Split by stone size, which treatment does better?",
            [BOTH_B, BOTH_A, SPLIT], truth, predict=True,
            explanation="Right — surprising, isn't it? The table is below.",
            feedback={BOTH_B: "That is what almost everyone predicts from the overall numbers. "
                              "The table below shows the opposite.",
                      SPLIT: "Not quite: the table below shows one treatment winning in both "
                             "groups."},
            hints=("Think about who got which treatment: were the two groups of patients "
                   "alike?",)),
        adjustment_exercise(
            "adjuster", g, "treatment", "recovery",
            prompt="To estimate the causal effect of **treatment** on **recovery**, which "
                   "variables must you adjust for?",
            hints=("Which arrows point *into* treatment? A path that starts with one of them "
                   "is a back-door path.",)),
        number_exercise(
            "adjusted", "Compute **P(recovery | do(treatment = A))**, the recovery rate if "
                        "*every* patient received A (a probability between 0 and 1).",
            f["do_A"], tol=0.005, unit="probability",
            wrong=[(f["naive_A"], "That is P(recovery | A), the rate among the patients who "
                                  "happened to get A — most of them had large stones."),
                   (f["A_small"], "That is the rate for small stones only: average it with the "
                                  "large-stone rate."),
                   (f["A_large"], "That is the rate for large stones only: average it with the "
                                  "small-stone rate."),
                   ((f["A_small"] + f["A_large"]) / 2,
                    "Close in spirit, but weight each stone size by how common it is, "
                    "P(small) and P(large), not half and half."),
                   (f["do_B"], "That is the answer for treatment B.")],
            reveal=Reveal(f"{f['A_small']:.4f} × {f['p_small']:.4f} + {f['A_large']:.4f} × "
                          f"{f['p_large']:.4f} = **{f['do_A']:.4f}**",
                          highlight_nodes=("stone_size",),
                          edge_styles={("stone_size", "treatment"): "cut"}),
            hints=("Use the rates of A within each stone size from the table.",
                   f"Weight them by P(small) = {f['p_small']:.4f} and P(large) = "
                   f"{f['p_large']:.4f}.")),
        choice_exercise(
            "decide", "A new patient arrives and we do not know the stone size yet. Which "
                      "treatment should the doctor recommend?",
            ["A", "B", "It makes no difference"], better,
            explanation=f"Right: under intervention A gives {f['do_A']:.4f} against "
                        f"{f['do_B']:.4f} for B, and A is better for either stone size.",
            feedback={"B": "B only looks better because it was given to easier cases. Compare "
                           "the adjusted numbers.",
                      "It makes no difference": "The adjusted rates differ by "
                                                f"{abs(f['do_diff_pts']):.1f} percentage "
                                                "points."}),
    ]
