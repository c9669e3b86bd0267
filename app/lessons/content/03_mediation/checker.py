"""Lesson 3: a linear SCM with known coefficients (app.models.LinearSCM); regressions on data
simulated from it."""
import functools

from app.lessons.checkers import Reveal, adjustment_exercise, choice_exercise, number_exercise

COEF = {"training": {"motivation": 1.0}, "skill": {"training": 2.0},
        "output": {"skill": 1.5, "training": 0.5, "motivation": 2.0}}
TOTAL, DIRECT, NOTHING = "The total effect", "The direct effect", "Nothing meaningful (biased)"


@functools.lru_cache(maxsize=2)
def scm():
    from app.models import LinearSCM

    parents = {"motivation": [], "training": ["motivation"], "skill": ["training"],
               "output": ["skill", "training", "motivation"]}
    return LinearSCM.from_equations(parents, {v: COEF.get(v, {}) for v in parents},
                                    order=list(parents))


def _slope(df, covariates):
    """Least-squares coefficient of training in output ~ training + covariates (app.models)."""
    from app.models import LinearSCM

    order = ["training", *covariates, "output"]
    fit = LinearSCM.fit({"output": ["training", *covariates]}, order, df)
    return fit.coefficients["output"]["training"]


@functools.lru_cache(maxsize=2)
def facts(ctx):
    from app.models import do_query, model_from_scm

    s = scm()
    model = model_from_scm(s, ctx.graph)
    df = s.sample(5000, seed=3)
    cde = (do_query(model, "output", {"training": 1, "skill": 0}).mean()
           - do_query(model, "output", {"training": 0, "skill": 0}).mean())
    return {"a": COEF["skill"]["training"], "b": COEF["output"]["skill"],
            "c": COEF["output"]["training"], "total": s.total_effect("training", "output"),
            "indirect": COEF["skill"]["training"] * COEF["output"]["skill"], "direct": cde,
            "n": len(df), "reg_none": _slope(df, []), "reg_C": _slope(df, ["motivation"]),
            "reg_M": _slope(df, ["skill"]), "reg_CM": _slope(df, ["motivation", "skill"])}


def edge_labels(ctx):
    return {(p, v): f"{c:g}" for v, ps in COEF.items() for p, c in ps.items()}


def exhibits(ctx):
    import pandas as pd

    f = facts(ctx)
    eq = "\n".join(f"- `{e}`" for e in scm().equations())
    table = pd.DataFrame({"regression of output on": [
        "training", "training + motivation", "training + skill", "training + motivation + skill"],
        "coefficient of training": [round(f[k], 3) for k in ("reg_none", "reg_C", "reg_M", "reg_CM")]})
    return {"equations": eq, "regressions": table}


def exercises(ctx):
    f = facts(ctx)
    g = ctx.graph
    closest = min((abs(f["reg_CM"] - f["total"]), TOTAL), (abs(f["reg_CM"] - f["direct"]), DIRECT))[1]
    return [
        number_exercise(
            "total", "By how much does **output** change, on average, if we intervene to add "
                     "one hour of **training**?", f["total"],
            wrong=[(f["c"], "That is only the direct arrow training → output. Training also "
                            "works through skill."),
                   (f["indirect"], "That is only the path through skill; add the direct arrow."),
                   (f["a"] + f["b"] + f["c"], "Along a path the coefficients multiply: one hour "
                                              "adds 2 to skill, and each unit of skill adds 1.5."),
                   (f["reg_none"], "That is the naive regression slope, which mixes in "
                                   "motivation (a confounder).")],
            reveal=Reveal(f"{f['a']:g} × {f['b']:g} + {f['c']:g} = **{f['total']:g}**",
                          edge_styles={("training", "skill"): "causal_path",
                                       ("skill", "output"): "causal_path",
                                       ("training", "output"): "causal_path"}),
            hints=("Follow every directed path from training to output.",
                   "Multiply along a path; add the paths.")),
        number_exercise(
            "direct", "Holding **skill** fixed by intervention, by how much does output change "
                      "when we add one hour of training?", f["direct"],
            wrong=[(f["total"], "That is the total effect; with skill held fixed, the path "
                                "through skill carries nothing."),
                   (f["indirect"], "That is the part that goes *through* skill.")],
            reveal=Reveal(f"Only training → output remains: **{f['direct']:g}** (computed as "
                          "E[output | do(training=1, skill=0)] − E[output | do(training=0, "
                          "skill=0)]).", edge_styles={("training", "skill"): "cut",
                                                       ("training", "output"): "causal_path"},
                          node_styles={"skill": "intervened"}),
            hints=("With skill fixed, which arrows from training can still change output?",)),
        adjustment_exercise(
            "adjust", g, "training", "output",
            prompt="To estimate the **total** effect of training on output from such data, which "
                   "variables should you adjust for?",
            traps={"skill": "skill is a mediator: adjusting for it removes the part of the "
                            f"effect that flows through skill (you would get about "
                            f"{f['reg_CM']:.2f}, not {f['total']:g})."},
            hints=("Block the back-door path, but leave every causal path open.",)),
        choice_exercise(
            "meaning", "The regression of output on training, motivation **and skill** gives "
                       f"{f['reg_CM']:.2f}. What does that number estimate?",
            [TOTAL, DIRECT, NOTHING], closest,
            explanation="Right: with the mediator in the regression (and no confounder of skill "
                        "and output), the coefficient of training is its direct effect.",
            feedback={TOTAL: f"The total effect is {f['total']:g}; holding skill fixed removes "
                             "the path through skill.",
                      NOTHING: "In this graph nothing confounds skill and output, so the number "
                               "does mean something: the direct effect."}),
    ]
