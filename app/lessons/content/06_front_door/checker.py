"""Lesson 6: back-door and front-door sets from app.analysis; probabilities from app.models
(a discrete model with the hidden confounder, answered by identification)."""
import functools

from app.lessons.checkers import Reveal, adjustment_exercise, frontdoor_exercise, number_exercise

# sample_data/smoking_tar_cancer/README.md: the simulation's true interventional risks
TRUTH = {1: 0.4925, 0: 0.3575}


@functools.lru_cache(maxsize=2)
def _model(ctx):
    from app.models import fit_model

    return fit_model(ctx.graph, ctx.data)


@functools.lru_cache(maxsize=2)
def facts(ctx):
    from app.models import do_query, observe_query

    m = _model(ctx)
    f = {"n": len(ctx.data), "truth_1": TRUTH[1], "truth_0": TRUTH[0],
         "truth_diff": round(TRUTH[1] - TRUTH[0], 4)}
    for s in (0, 1):
        f[f"see_{s}"] = observe_query(m, "cancer", {"smoking": s}).probability("cancer", 1)
        f[f"do_{s}"] = do_query(m, "cancer", {"smoking": s}).probability("cancer", 1)
        f[f"tar_given_{s}"] = observe_query(m, "tar", {"smoking": s}).probability("tar", 1)
        for t in (0, 1):
            f[f"c_t{t}_s{s}"] = observe_query(m, "cancer", {"tar": t, "smoking": s}
                                              ).probability("cancer", 1)
    f["p_smoke"] = observe_query(m, "smoking").probability("smoking", 1)
    f["do_diff"] = f["do_1"] - f["do_0"]
    f["see_diff"] = f["see_1"] - f["see_0"]
    return f


def exhibits(ctx):
    import pandas as pd

    f = facts(ctx)
    observed = pd.DataFrame({"P(cancer = 1 | smoking)": [round(f["see_0"], 4), round(f["see_1"], 4)]},
                            index=pd.Index(["non-smokers (0)", "smokers (1)"], name="smoking"))
    pieces = pd.DataFrame({
        "quantity": ["P(smoking = 1)", "P(tar = 1 | smoking = 1)", "P(tar = 1 | smoking = 0)"]
        + [f"P(cancer = 1 | tar = {t}, smoking = {s})" for t in (0, 1) for s in (0, 1)],
        "value": [round(v, 4) for v in [f["p_smoke"], f["tar_given_1"], f["tar_given_0"]]
                  + [f[f"c_t{t}_s{s}"] for t in (0, 1) for s in (0, 1)]]})
    return {"observed": observed, "pieces": pieces}


def exercises(ctx):
    f = facts(ctx)
    g = ctx.graph
    ps = f["p_smoke"]
    inner = {t: f[f"c_t{t}_s0"] * (1 - ps) + f[f"c_t{t}_s1"] * ps for t in (0, 1)}
    working = (f"Σ_s' P(cancer | t, s') P(s'): tar = 1 → {inner[1]:.4f}, tar = 0 → "
               f"{inner[0]:.4f}. Then {f['tar_given_1']:.4f} × {inner[1]:.4f} + "
               f"{1 - f['tar_given_1']:.4f} × {inner[0]:.4f} = **{f['do_1']:.4f}**.")
    return [
        adjustment_exercise(
            "backdoor", g, "smoking", "cancer",
            prompt="Which variables would you adjust for to estimate the effect of **smoking** "
                   "on **cancer** by the back-door route? (Choose “No valid set exists” if none "
                   "works.)",
            traps={"tar": "tar is a mediator: adjusting for it removes the very effect you want."},
            hints=("The dashed edge smoking ↔ cancer is a hidden common cause. Can any measured "
                   "variable block it?",)),
        frontdoor_exercise(
            "frontdoor", g, "smoking", "cancer",
            hints=("A front-door set lies on the causal path from smoking to cancer.",)),
        number_exercise(
            "effect", "Using the table, compute **P(cancer = 1 | do(smoking = 1))** with the "
                      "front-door formula.", f["do_1"], tol=0.01, unit="probability",
            wrong=[(f["see_1"], "That is P(cancer | smoking = 1): seeing, not doing. Smokers "
                                "differ from non-smokers in their genotype."),
                   (f["do_0"], "That is the answer for smoking = 0."),
                   (f["tar_given_1"] * inner[0] + (1 - f["tar_given_1"]) * inner[1],
                    "The tar weights are swapped: P(tar = 1 | smoking = 1) goes with the "
                    "inner sum for tar = 1.")],
            reveal=Reveal(working, highlight_nodes=("tar",),
                          edge_styles={("smoking", "tar"): "causal_path",
                                       ("tar", "cancer"): "causal_path"}),
            hints=("Inner sum first: for each tar value t, average P(cancer | t, s') over s' "
                   "with weights P(s').",
                   "Then average those over tar with weights P(tar | smoking = 1).")),
    ]
