"""Lesson 9: which experiment next? A random equivalence class (CPDAG) with nonsense names; the
answers come from the Discover page's engine (app.discovery.experiments.plan_experiments, tested
against brute force over the class members in tests/unit/test_experiments.py)."""
from functools import lru_cache

import numpy as np
import pandas as pd

from app.discovery.experiments import plan_experiments
from app.discovery.pdag import cpdag_of_dag
from app.errors import LessonError
from app.exercises.generator import random_dag
from app.graph import CausalGraph
from app.lessons.checkers import Reveal, choice_exercise, number_exercise

TRIES = 60


@lru_cache(maxsize=32)
def _setup(seed: int, difficulty: int):
    """A class with enough undecided edges (2 to 4, rising with the difficulty) where the choice
    matters (not every variable orients as many edges in the worst case), and its ranking."""
    rng = np.random.default_rng([int(seed), difficulty, 9])
    for _ in range(TRIES):
        dag = random_dag(rng, max(2, difficulty))
        pdag = cpdag_of_dag(dag.nodes, dag.edges)
        if len(pdag.undirected) < max(2, min(difficulty, 4)):   # larger classes when harder
            continue
        plan = plan_experiments(pdag)
        if len(plan.scores) < 2 or len({s.worst for s in plan.scores}) < 2:
            continue
        graph = CausalGraph(nodes=dag.nodes, edges=frozenset(pdag.directed),
                            undirected=frozenset(tuple(sorted(p)) for p in pdag.undirected),
                            kind="pdag", positions=dag.positions)
        return graph, plan
    raise LessonError(f"Could not make an experiment question at difficulty {difficulty}.",
                      hint="Press 'New exercise' again, or change the difficulty.")


def _counted(plan):
    """The variable the counting exercise asks about: the lowest-ranked one (never the best,
    so the second exercise does not give the first one's answer away)."""
    top = plan.best.worst
    return min((s for s in plan.scores if s.worst < top), key=lambda s: (s.worst, s.target))


def graph(ctx):
    return _setup(ctx.seed, ctx.difficulty)[0]


def facts(ctx):
    g, plan = _setup(ctx.seed, ctx.difficulty)
    best = plan.best
    return {"n_undecided": len(plan.undecided), "members": plan.members or 0,
            "best": best.target, "best_worst": best.worst,
            "best_expected": best.expected if best.expected is not None else float(best.worst),
            "counted": _counted(plan).target, "counted_worst": _counted(plan).worst}


def exhibits(ctx):
    _, plan = _setup(ctx.seed, ctx.difficulty)
    table = pd.DataFrame([{"intervene on": s.target, "at least": s.worst,
                           "on average": round(s.expected, 2) if s.expected is not None else None,
                           "at most": s.best} for s in plan.scores])
    return {"ranking": table}


def exercises(ctx):
    g, plan = _setup(ctx.seed, ctx.difficulty)
    n = len(plan.undecided)
    top = plan.best.worst
    scores = {s.target: s for s in plan.scores}
    correct = sorted(t for t, s in scores.items() if s.worst == top)
    best = plan.best
    styles = {e: "will_orient" for e in best.always}
    styles.update({e: "may_orient" for e in best.sometimes})
    feedback = {
        t: (f"Intervening on {t} orients at least {s.worst} of the {n} undecided edges; "
            f"{best.target} orients at least {top}. Count the edges at the variable, then "
            "the ones Meek's rules orient after them.")
        for t, s in scores.items() if s.worst < top}
    why = (f"In the worst case {best.target} orients {top} of the {n} undecided edges"
           + (f" ({', '.join(correct)} tie)" if len(correct) > 1 else "") + ". "
           + plan.sentence(best))
    pick = choice_exercise(
        "pick", f"You can run **one** experiment: set one variable yourself. Which one orients "
        f"the most of the {n} undecided edges (—) **whatever the true graph is**?",
        sorted(scores), correct, feedback=feedback, explanation=why,
        hints=("An experiment on a variable reveals the direction of every edge touching it.",
               "Then look for new arrows: an arrow into a variable with an undecided edge to "
               "a non-neighbour of the arrow's tail must point on (no new collider).",
               "Compare the worst case: the true graph may be the one where the fewest edges "
               "follow."),
        reveal=Reveal(why, highlight_nodes=(best.target,), node_styles={best.target: "intervened"},
                      edge_styles=styles))
    other = _counted(plan)
    other_styles = {e: "will_orient" for e in other.always}
    other_styles.update({e: "may_orient" for e in other.sometimes})
    count = number_exercise(
        "worst", f"Now count for another choice. Intervening on **{other.target}**: how many of "
        f"the {n} undecided edges does it orient at least, whichever graph of the class is the "
        "true one?", other.worst, tol=0,
        wrong=[(float(other.best), "That is the best case: for some graphs of the class fewer "
                "edges follow.")] if other.best != other.worst else [],
        explanation=plan.sentence(other),
        hints=("Try each possible set of parents of the variable among its undecided "
               "neighbours (they must all be adjacent to one another).",),
        reveal=Reveal(plan.sentence(other), highlight_nodes=(other.target,),
                      node_styles={other.target: "intervened"}, edge_styles=other_styles))
    return [pick, count]
