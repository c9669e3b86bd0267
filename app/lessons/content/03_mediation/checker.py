"""Lesson 3: a linear SCM with known coefficients (app.models.LinearSCM); regressions on data
simulated from it; then a yes/no version whose natural direct and indirect effects come from
Pearl's mediation formula in the model (app.models.model_mediation)."""
import functools

from app.lessons.checkers import Reveal, adjustment_exercise, choice_exercise, number_exercise

COEF = {"training": {"motivation": 1.0}, "skill": {"training": 2.0},
        "output": {"skill": 1.5, "training": 0.5, "motivation": 2.0}}
TOTAL, DIRECT, NOTHING = "The total effect", "The direct effect", "Nothing meaningful (biased)"
# The yes/no version: the worked example of Pearl, Glymour & Jewell (2016), Primer §4.5.2
# (Tables 4.6-4.7), told as training -> skill -> promoted. P(skill = yes | training) and
# P(promoted = yes | skill, training).
P_SKILL = {"no": 0.4, "yes": 0.75}
P_PROMOTED = {("no", "no"): 0.2, ("no", "yes"): 0.4, ("yes", "no"): 0.3, ("yes", "yes"): 0.8}
YES_NO = ["no", "yes"]


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


@functools.lru_cache(maxsize=1)
def binary_model():
    """training -> skill -> promoted, training -> promoted, each yes/no (training randomised)."""
    import numpy as np

    from app.graph import CausalGraph
    from app.models import fit_model

    g = CausalGraph.from_edges([("training", "skill"), ("skill", "promoted"),
                                ("training", "promoted")],
                               roles={"training": {"exposure"}, "promoted": {"outcome"}})
    skill = [P_SKILL[t] for t in YES_NO]
    promoted = [P_PROMOTED[(s, t)] for s in YES_NO for t in YES_NO]   # parents (skill, training)
    cpts = {"training": np.array([[0.5], [0.5]]),
            "skill": np.array([[1 - p for p in skill], skill]),
            "promoted": np.array([[1 - p for p in promoted], promoted])}
    return fit_model(g, cpts=cpts, states={v: YES_NO for v in g.nodes})


@functools.lru_cache(maxsize=1)
def binary_split():
    """Natural direct/indirect effects of training (no -> yes) on promotion, through skill."""
    from app.models import model_mediation

    return model_mediation(binary_model(), "training", "promoted", ["skill"], "yes", "no",
                           cde_at={"skill": "no"})


@functools.lru_cache(maxsize=2)
def facts(ctx):
    from app.models import model_from_scm, model_mediation

    s = scm()
    model = model_from_scm(s, ctx.graph)
    df = s.sample(5000, seed=3)
    split = model_mediation(model, "training", "output", ["skill"], 1, 0)   # one more hour
    b = binary_split()
    cde_yes = float(b.cde_table.set_index("skill").loc["yes", "CDE"])
    return {"a": COEF["skill"]["training"], "b": COEF["output"]["skill"],
            "c": COEF["output"]["training"], "total": split.total,
            "indirect": split.nie, "direct": split.cde,
            "n": len(df), "reg_none": _slope(df, []), "reg_C": _slope(df, ["motivation"]),
            "reg_M": _slope(df, ["skill"]), "reg_CM": _slope(df, ["motivation", "skill"]),
            "bin_total": b.total, "bin_nde": b.nde, "bin_nie": b.nie, "bin_cde_no": b.cde,
            "bin_cde_yes": cde_yes, "bin_sum": b.nde + b.nie, "bin_interaction": b.interaction,
            "bin_nie_reverse": b.nie_reverse, "bin_explained": b.nie / b.total,
            "bin_owed": 1 - b.nde / b.total,
            "p_skill_no": P_SKILL["no"], "p_skill_yes": P_SKILL["yes"]}


def edge_labels(ctx):
    return {(p, v): f"{c:g}" for v, ps in COEF.items() for p, c in ps.items()}


def exhibits(ctx):
    import pandas as pd

    f = facts(ctx)
    eq = "\n".join(f"- `{e}`" for e in scm().equations())
    table = pd.DataFrame({"regression of output on": [
        "training", "training + motivation", "training + skill", "training + motivation + skill"],
        "coefficient of training": [round(f[k], 3) for k in ("reg_none", "reg_C", "reg_M", "reg_CM")]})
    rates = pd.DataFrame([{"training": t, "skill": sk, "P(promoted = yes)": P_PROMOTED[(sk, t)]}
                          for t in YES_NO for sk in YES_NO])
    skill = pd.DataFrame([{"training": t, "P(skill = yes)": P_SKILL[t]} for t in YES_NO])
    return {"equations": eq, "regressions": table, "binary_skill": skill,
            "binary_promoted": rates, "binary_split": _split_chart()}


def _split_chart():
    from app.charts.estimation import mediation_chart

    return mediation_chart(binary_split(), width=420)


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
        number_exercise(
            "natural_direct", "In the yes/no version, by how much does the chance of promotion "
                              "rise if an employee is trained but their **skill** stays what it "
                              "would have been **without** training (the natural direct effect)?",
            f["bin_nde"], unit="probability",
            wrong=[(f["bin_total"], "That is the total effect: it lets skill change too."),
                   (f["bin_cde_no"], "That holds skill at 'no' for **everyone** (a controlled "
                                     "direct effect). Each employee keeps *their own* untrained "
                                     "skill: 60% of them 'no', 40% 'yes'."),
                   (f["bin_cde_yes"], "That holds skill at 'yes' for everyone (a controlled "
                                      "direct effect)."),
                   (f["bin_total"] - f["bin_nie"], "Total minus indirect works only when the "
                                                   "parts add up; here they do not.")],
            reveal=Reveal(
                f"Average the direct effect at each skill level over the skill untrained employees "
                f"would have: ({P_PROMOTED[('no', 'yes')]:g} − {P_PROMOTED[('no', 'no')]:g}) × "
                f"{1 - P_SKILL['no']:g} + ({P_PROMOTED[('yes', 'yes')]:g} − "
                f"{P_PROMOTED[('yes', 'no')]:g}) × {P_SKILL['no']:g} = **{f['bin_nde']:.2f}** "
                "(Pearl's mediation formula).",
                edge_styles={("training", "promoted"): "causal_path"}),
            graph=binary_model().graph,
            hints=("Fix skill at each of its values in turn: how much does training add there?",
                   "Weight those two differences by how often untrained employees have each "
                   "skill level.")),
    ]
