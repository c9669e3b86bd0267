"""Lesson 8: the Primer's linear encouragement model; every number from app.models
(observe_query, do_query, counterfactual)."""
import functools

from app.lessons.checkers import Reveal, choice_exercise, number_exercise

A, B, C = 0.5, 0.7, 0.4     # Pearl, Glymour & Jewell (2016), Primer §4.2.3
JOE = {"encouragement": 0.5, "homework": 1.0, "score": 1.5}
LARGER, EQUAL, SMALLER = "Larger", "The same", "Smaller"


@functools.lru_cache(maxsize=2)
def _model(ctx):
    from app.models import LinearSCM, model_from_scm

    scm = LinearSCM.from_equations(
        {"encouragement": [], "homework": ["encouragement"], "score": ["encouragement", "homework"]},
        {"encouragement": {}, "homework": {"encouragement": A},
         "score": {"encouragement": B, "homework": C}},
        order=["encouragement", "homework", "score"])
    return model_from_scm(scm, ctx.graph)


@functools.lru_cache(maxsize=2)
def facts(ctx):
    from app.models import counterfactual, do_query, observe_query

    m = _model(ctx)
    cf = counterfactual(m, "score", JOE, {"homework": 2.0})
    noise = m.scm.abduct([[JOE[v] for v in m.scm.variables]])[0]
    u = dict(zip(m.scm.variables, noise))
    return {"a": A, "b": B, "c": C, "joe_x": JOE["encouragement"], "joe_h": JOE["homework"],
            "joe_y": JOE["score"], "do_2": do_query(m, "score", {"homework": 2.0}).mean(),
            "see_2": observe_query(m, "score", {"homework": 2.0}).mean(),
            "cf": cf.means["score"], "u_x": float(u["encouragement"]),
            "u_h": float(u["homework"]), "u_y": float(u["score"])}


def edge_labels(ctx):
    return {("encouragement", "homework"): f"{A:g}", ("encouragement", "score"): f"{B:g}",
            ("homework", "score"): f"{C:g}"}


def exhibits(ctx):
    return {"equations": "\n".join(f"- `{e}`" for e in _model(ctx).scm.equations())}


def exercises(ctx):
    f = facts(ctx)
    order = LARGER if f["see_2"] > f["do_2"] + 1e-9 else SMALLER if f["see_2"] < f["do_2"] - 1e-9 else EQUAL
    return [
        number_exercise(
            "doing", "What is the average score if every student is **made** to do 2 hours of "
                     "homework: **E[score | do(homework = 2)]**?", f["do_2"],
            wrong=[(f["see_2"], "That is E[score | homework = 2], seeing. Under intervention "
                                "homework tells you nothing about encouragement."),
                   (f["cf"], "That is Joe's counterfactual, for one student; the question asks "
                             "for the population average."),
                   (2 * (C + A * B), "You let homework change encouragement; arrows point from "
                                     "encouragement to homework, not back.")],
            reveal=Reveal(f"Cut encouragement → homework. E[score] = {B:g} × E[encouragement] + "
                          f"{C:g} × 2 = {B:g} × 0 + {C * 2:g} = **{f['do_2']:g}**.",
                          node_styles={"homework": "intervened"},
                          edge_styles={("encouragement", "homework"): "cut",
                                       ("homework", "score"): "causal_path"}),
            hints=("Intervening on homework cuts the arrow into it.",
                   "The average of encouragement stays 0; only the homework term changes.")),
        choice_exercise(
            "seeing", "Among students who **happen** to do 2 hours of homework, is the average "
                      "score **larger**, **the same** or **smaller** than under do(homework = 2)?",
            [LARGER, EQUAL, SMALLER], order,
            explanation=f"Right: E[score | homework = 2] = {f['see_2']:.2f} > {f['do_2']:g}.",
            feedback={EQUAL: "They would be the same only if nothing confounded homework and "
                             "score. Look at encouragement.",
                      SMALLER: "Think about who does a lot of homework: are they more or less "
                               "encouraged than average?"},
            reveal=Reveal(f"E[score | homework = 2] = {f['see_2']:.2f} (seeing) vs "
                          f"E[score | do(homework = 2)] = {f['do_2']:g} (doing). The open "
                          "back-door path homework ← encouragement → score adds association.",
                          edge_styles={("encouragement", "homework"): "open_path",
                                       ("encouragement", "score"): "open_path"})),
        number_exercise(
            "unit", "What would **Joe's** score have been, had he done 2 hours of homework?",
            f["cf"],
            wrong=[(f["do_2"], "That is the population average under the intervention. Joe's "
                               "own noise terms, recovered from what we saw, stay the same."),
                   (f["joe_y"], "That is Joe's actual score; the extra hour of homework changes "
                                "it."),
                   (f["joe_y"] + 2 * C, "Add only the *change* in homework (1 hour) times its "
                                        "effect, not 2 hours."),
                   (f["joe_y"] + C + A * B, "Homework does not change encouragement: the "
                                            "arrow goes the other way.")],
            reveal=Reveal(f"Abduction: U_score = {f['joe_y']:g} − {B:g}×{f['joe_x']:g} − "
                          f"{C:g}×{f['joe_h']:g} = {f['u_y']:g}. Prediction: {B:g}×"
                          f"{f['joe_x']:g} + {C:g}×2 + {f['u_y']:g} = **{f['cf']:g}**.",
                          node_styles={"homework": "intervened"},
                          edge_styles={("homework", "score"): "causal_path"}),
            hints=("Step 1: from Joe's observed values work out his noise term U_score.",
                   "Step 2: set homework = 2 and recompute score with the same U_score.")),
    ]
