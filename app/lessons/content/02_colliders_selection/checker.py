"""Lesson 2: correlations computed from the collider_selection sample; verdicts from app.analysis."""
import functools

from app.lessons.checkers import adjustment_exercise, choice_exercise, independence_exercise

POS = "They will look positively related"
NONE = "They will look unrelated, as in the whole population"
NEG = "They will look negatively related"


@functools.lru_cache(maxsize=4)
def facts(ctx):
    df = ctx.data
    adm = df[df.admitted == 1]
    return {"n": len(df), "n_admitted": len(adm), "share_admitted": float(df.admitted.mean()),
            "r_all": float(df.talent.corr(df.study)),
            "r_admitted": float(adm.talent.corr(adm.study)),
            "r_rejected": float(df[df.admitted == 0].talent.corr(df[df.admitted == 0].study))}


def exhibits(ctx):
    import altair as alt

    df = ctx.data.sample(1500, random_state=1)
    df = df.assign(group=df.admitted.map({1: "admitted", 0: "not admitted"}))
    chart = alt.Chart(df).mark_circle(size=18, opacity=0.6).encode(
        x=alt.X("talent:Q", title="talent"), y=alt.Y("study:Q", title="study effort"),
        color=alt.Color("group:N", title="", scale=alt.Scale(domain=["admitted", "not admitted"],
                                                               range=["#dc2626", "#9ca3af"])),
    ).properties(height=320)
    return {"scatter": chart}


def exercises(ctx):
    f = facts(ctx)
    truth = NEG if f["r_admitted"] < -0.1 else POS if f["r_admitted"] > 0.1 else NONE
    g = ctx.graph
    return [
        choice_exercise(
            "predict", "Among **admitted** students only, how will talent and study effort "
                       "look?", [POS, NONE, NEG], truth, predict=True,
            explanation="Right: see the picture below.",
            feedback={POS: "Most people guess 'unrelated' or 'positive'. The picture below shows "
                           "what selection does.",
                      NONE: "That is the natural guess: they are unrelated in the population. "
                            "The picture below shows what selecting admitted students does."}),
        independence_exercise(
            "marginal", g, "talent", "study", [],
            hints=("There is one path: talent → admitted ← study. What is admitted on it?",)),
        independence_exercise(
            "conditional", g, "talent", "study", ["admitted"],
            hints=("A collider blocks a path, unless it (or a descendant) is conditioned on.",)),
        adjustment_exercise(
            "adjust", g, "talent", "study",
            prompt="To estimate the causal effect of **talent** on **study** effort, which "
                   "variables should the researcher adjust for?",
            traps={"admitted": "admitted is a collider: controlling for it manufactures the "
                               f"negative relation (r = {f['r_admitted']:.2f}) seen among "
                               "admitted students."},
            hints=("Is there any back-door path from talent to study?",)),
    ]
