"""Exercise generator: random linear SCMs with nonsense variable names (so prior knowledge
cannot help) and questions on all three rungs of the ladder of causation.

association: is A ⫫ B | Z? which paths are open given Z?  (app.analysis)
intervention: total effect (sum over directed paths of coefficient products), the effect along
one path, E[Y | do(X = x)], a valid adjustment set  (app.models, app.analysis)
counterfactual: what Y would have been for one fully observed unit had X been x'  (app.models)

Difficulty 1 is a three-variable chain, fork or collider; 5 is an eight-variable dense graph.
The same seed always gives the same exercise; every answer is computed by the engine when the
exercise is made, and checked by the engine when answered.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import networkx as nx
import numpy as np

from app.errors import LessonError
from app.exercises import checkers
from app.exercises.model import Exercise, Reveal, format_number
from app.graph import CausalGraph

RUNG_KINDS: dict[str, tuple[str, ...]] = {
    "association": ("independence", "open_paths"),
    "intervention": ("total_effect", "path_effect", "do_mean", "adjustment"),
    "counterfactual": ("counterfactual",),
}
KIND_RUNG = {k: r for r, ks in RUNG_KINDS.items() for k in ks}
KIND_LABELS = {
    "independence": "Independence (d-separation)", "open_paths": "Open paths",
    "total_effect": "Total effect along paths", "path_effect": "Effect along one path",
    "do_mean": "Mean under an intervention", "adjustment": "Adjustment set",
    "counterfactual": "Unit counterfactual",
}


@dataclass(frozen=True)
class Level:
    nodes: int
    edge_p: float
    coefficients: tuple[float, ...]
    intercepts: tuple[float, ...]
    max_given: int


LEVELS: dict[int, Level] = {
    1: Level(3, 0.0, (1, 2, 3, -1), (0,), 1),
    2: Level(4, 0.5, (0.5, 1, 2, -1, 3), (0,), 1),
    3: Level(5, 0.45, (0.5, 1, 1.5, 2, -1, -0.5), (0, 0, 1, 2, -1), 2),
    4: Level(6, 0.45, (0.5, 1, 1.5, 2, 3, -1, -0.5, -2), (0, 1, 2, -1), 2),
    5: Level(8, 0.45, (0.5, 1, 1.5, 2, 3, -1, -0.5, -2), (0, 1, 2, -1, 3), 3),
}
MAX_TRIES = 60
NEEDS_LEVEL = {"path_effect": 2, "adjustment": 2}   # a 3-variable chain/fork/collider has neither
MAX_LISTED_PATHS = 8

_ONSETS = ("bl", "br", "dr", "fl", "gl", "gr", "kl", "kr", "pl", "pr", "sk", "sl", "sn", "sp",
           "st", "tr", "v", "z", "m", "p", "t", "w", "qu", "th", "n", "b", "d", "g", "h", "r")
_VOWELS = ("a", "e", "i", "o", "u", "oo", "ee", "ai", "ou", "y")
_CODAS = ("b", "d", "f", "m", "n", "p", "x", "z", "mp", "nt", "rk", "sp", "zz", "rl", "ff",
          "sk", "lt", "nd", "mble", "ndle")
_BLOCKED = {"dick", "nob", "bum", "turd", "prat", "twat", "trump", "damn", "spaz", "dyke",
            "homo", "gook", "wop", "tit", "wank", "pimp", "pomp"}


def nonsense_names(rng: np.random.Generator, n: int) -> list[str]:
    """`n` distinct pronounceable made-up names (Blonk, Zeeff, Travind …)."""
    names: list[str] = []
    while len(names) < n:
        word = rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
        if rng.random() < 0.25:
            word += rng.choice(("a", "o", "i", "el", "ix"))
        name = word.capitalize()
        if word not in _BLOCKED and name not in names and len(name) <= 9:
            names.append(name)
    return names


def random_dag(rng: np.random.Generator, difficulty: int = 2) -> CausalGraph:
    """A connected random DAG for the difficulty: 1 = chain/fork/collider, up to 8 dense nodes."""
    level = _level(difficulty)
    names = nonsense_names(rng, level.nodes)
    if level.nodes == 3:
        a, b, c = names
        shape = rng.choice(("chain", "fork", "collider"))
        edges = {"chain": [(a, b), (b, c)], "fork": [(b, a), (b, c)],
                 "collider": [(a, b), (c, b)]}[shape]
        return CausalGraph.from_edges(edges, nodes=names, positions=_row(names))
    n = level.nodes
    edges = [(names[i], names[j]) for i, j in combinations(range(n), 2) if rng.random() < level.edge_p]
    und = nx.Graph()
    und.add_nodes_from(names)
    und.add_edges_from(edges)
    parts = sorted((sorted(c, key=names.index) for c in nx.connected_components(und)),
                   key=lambda c: names.index(c[0]))
    for left, right in zip(parts, parts[1:]):
        a = left[int(rng.integers(len(left)))]
        b = right[int(rng.integers(len(right)))]
        edges.append((a, b) if names.index(a) < names.index(b) else (b, a))
    shown = list(names)
    rng.shuffle(shown)   # the listing order does not give the causal order away
    return CausalGraph.from_edges(edges, nodes=shown, positions=_circle(names))


def _row(names: Sequence[str]) -> dict[str, tuple[float, float]]:
    return {n: (220.0 * i, 0.0) for i, n in enumerate(names)}


def _circle(names: Sequence[str]) -> dict[str, tuple[float, float]]:
    """Nodes on a circle in causal order: no arrow passes behind a node or hides another's label."""
    r = 90.0 + 35.0 * len(names)
    step = 2 * np.pi / len(names)
    return {n: (round(r * np.sin(i * step), 1), round(-r * np.cos(i * step), 1))
            for i, n in enumerate(names)}


def random_scm(rng: np.random.Generator, graph: CausalGraph, difficulty: int = 2):
    """Linear equations on `graph` with simple coefficients (and constants from level 3 on)."""
    from app.models import LinearSCM

    level = _level(difficulty)
    order = graph.topological_order()
    parents = {v: graph.parents(v) for v in order}
    coefficients = {v: {p: float(rng.choice(level.coefficients)) for p in ps}
                    for v, ps in parents.items()}
    intercepts = {v: float(rng.choice(level.intercepts)) for v in order}
    return LinearSCM.from_equations(parents, coefficients, intercepts,
                                    {v: 1.0 for v in order}, order=order)


def coefficient_labels(scm) -> dict[tuple[str, str], str]:
    return {(p, v): format_number(scm.coefficients[v][p]) for v in scm.variables
            for p in scm.parents[v]}


def _level(difficulty: int) -> Level:
    if difficulty not in LEVELS:
        raise LessonError(f"Difficulty must be 1 to {max(LEVELS)}, not {difficulty}.")
    return LEVELS[difficulty]


def _directed_paths(graph: CausalGraph | nx.DiGraph, x: str, y: str) -> list[list[str]]:
    nxg = graph.to_networkx() if isinstance(graph, CausalGraph) else graph
    if not nx.has_path(nxg, x, y):
        return []
    return sorted(nx.all_simple_paths(nxg, x, y), key=lambda p: (len(p), p))


def _pairs(rng: np.random.Generator, graph: CausalGraph) -> list[tuple[str, str]]:
    pairs = [(a, b) for a in graph.nodes for b in graph.nodes if a != b]
    order = rng.permutation(len(pairs))
    return [pairs[i] for i in order]


def _subsets(rng: np.random.Generator, items: Sequence[str], max_size: int) -> list[tuple[str, ...]]:
    out = [c for k in range(0, min(max_size, len(items)) + 1) for c in combinations(sorted(items), k)]
    order = rng.permutation(len(out))
    return [out[i] for i in order]


def _equations(scm) -> str:
    return "\n".join(f"- `{scm.equation(v)}`" for v in scm.variables)


def _path_text(path: Sequence[str]) -> str:
    return " → ".join(path)


# ---- association ------------------------------------------------------------------------------
def independence_question(rng: np.random.Generator, graph: CausalGraph, difficulty: int = 2,
                          id: str = "independence") -> Exercise | None:
    """Is A ⫫ B | Z for a non-adjacent pair? Half the time the answer is yes, where possible."""
    from app.analysis import d_separated

    level = _level(difficulty)
    want = bool(rng.random() < 0.5)
    fallback = None
    for a, b in _pairs(rng, graph):
        if a > b or graph.has_edge(a, b) or graph.has_edge(b, a):
            continue
        others = [n for n in graph.nodes if n not in (a, b)]
        for z in _subsets(rng, others, level.max_given):
            if d_separated(graph, a, b, z) == want:
                return _independence(graph, a, b, z, id)
            fallback = fallback or (a, b, z)
    return _independence(graph, *fallback, id) if fallback else None


def _independence(graph, a, b, z, id):
    return checkers.independence_exercise(
        id, graph, a, b, z, topic="independence",
        hints=("List every path between the two variables, ignoring arrow directions.",
               "A path is blocked by a non-collider that is conditioned on, or by a collider "
               "(→ C ←) when neither C nor any descendant of C is conditioned on.",
               "They are independent only when every path is blocked."))


def open_paths_question(rng: np.random.Generator, graph: CausalGraph, difficulty: int = 2,
                        id: str = "open_paths") -> Exercise | None:
    """Which paths between A and B are open given Z? (2 to 8 paths, preferably mixed)."""
    from app.analysis import open_paths

    level = _level(difficulty)
    fewest = 1 if len(graph.nodes) <= 3 else 2   # a 3-variable graph has one path per pair
    fallback = None

    def adjacent(pair: tuple[str, str]) -> bool:
        return graph.has_edge(*pair) or graph.has_edge(pair[1], pair[0])

    # non-adjacent pairs first: a direct arrow is always an open path, which makes it easy
    for a, b in sorted(_pairs(rng, graph), key=adjacent):
        if a > b or (fewest == 1 and adjacent((a, b))):
            continue
        # how many paths a pair has does not depend on Z: count them once
        n_paths = len(open_paths(graph, a, b, limit=MAX_LISTED_PATHS + 1))
        if not fewest <= n_paths <= MAX_LISTED_PATHS:
            continue
        others = [n for n in graph.nodes if n not in (a, b)]
        for z in _subsets(rng, others, level.max_given)[:6]:
            paths = open_paths(graph, a, b, z)
            n_open = sum(p.open for p in paths)
            if 0 < n_open < len(paths) or fewest == 1:
                return _open_paths(graph, a, b, z, id)
            fallback = fallback or (a, b, z)
    return _open_paths(graph, *fallback, id) if fallback else None


def _open_paths(graph, a, b, z, id):
    return checkers.paths_exercise(
        id, graph, a, b, z, topic="paths",
        hints=("Walk along each path and look at every variable in the middle of it.",
               "In the middle of a path, a chain (→ M →) or fork (← F →) passes unless it is "
               "conditioned on; a collider (→ C ←) blocks unless C or a descendant of C is "
               "conditioned on.",))


# ---- intervention -------------------------------------------------------------------------------
_LINEAR_INTRO = ("The numbers on the arrows are the coefficients of a linear model: each "
                 "variable is its parents times these numbers, plus a constant and its own "
                 "independent noise (mean 0).")


def _effect_pairs(rng, graph, prefer_many: bool) -> list[tuple[str, str, list[list[str]]]]:
    out = []
    nxg = graph.to_networkx()
    for x, y in _pairs(rng, graph):
        paths = _directed_paths(nxg, x, y)
        if paths:
            out.append((x, y, paths))
    if prefer_many:
        out.sort(key=lambda t: len(t[2]) < 2)   # stable: several paths first, random otherwise
    return out


def _path_lines(scm, paths: list[list[str]]) -> list[tuple[str, float]]:
    lines = []
    for p in paths:
        coefs = [scm.coefficients[b][a] for a, b in zip(p, p[1:])]
        lines.append((" × ".join(format_number(c) for c in coefs), float(np.prod(coefs))))
    return lines


def total_effect_question(rng, graph, scm, difficulty: int = 2, id: str = "total_effect"
                          ) -> Exercise | None:
    """The total effect of X on Y: the sum over directed paths of coefficient products."""
    pairs = _effect_pairs(rng, graph, prefer_many=difficulty >= 3)
    if not pairs:
        return None
    x, y, paths = pairs[0]
    value = scm.total_effect(x, y)
    lines = _path_lines(scm, paths)
    wrong = []
    if graph.has_edge(x, y) and len(paths) > 1:
        wrong.append((scm.coefficients[y][x], f"That is only the direct arrow {x} → {y}. The "
                      f"effect also travels along the other directed paths from {x} to {y}: add "
                      "their contributions."))
    for p, (_, v) in zip(paths, lines):
        if len(paths) > 1:
            wrong.append((v, f"That is the effect along one path ({_path_text(p)}) only; add "
                             "every directed path."))
    coef_sum = sum(scm.coefficients[b][a] for p in paths for a, b in zip(p, p[1:]))
    wrong.append((coef_sum, "Along one path the effects multiply (not add): a change of 1 in the "
                            "first variable is multiplied by each coefficient in turn."))
    reveal = Reveal("\n".join([f"Directed paths from {x} to {y}:"]
                              + [f"- {_path_text(p)}: {t} = {format_number(v)}"
                                 for p, (t, v) in zip(paths, lines)]
                              + [f"\nTotal effect = sum = **{format_number(value)}** "
                                 "(computed by app.models: `LinearSCM.total_effect`)."]),
                    edge_styles=checkers.causal_edge_styles(graph, x, y))
    prompt = (f"{_LINEAR_INTRO}\n\nIf we **intervene** to raise **{x}** by 1, by how much does "
              f"**{y}** change on average (the total causal effect of {x} on {y})?")
    return checkers.number_exercise(
        id, prompt, value, wrong=wrong, reveal=reveal, graph=graph, edge_labels=coefficient_labels(scm),
        rung="intervention", topic="composition", params={"x": x, "y": y},
        hints=("Find every directed path from the cause to the effect (follow the arrows).",
               "Along a path multiply the coefficients; across paths add the results."))


def path_effect_question(rng, graph, scm, difficulty: int = 2, id: str = "path_effect"
                         ) -> Exercise | None:
    """The part of X's effect on Y carried by one directed path (the product along it)."""
    from app.models import LinearSCM

    pairs = [t for t in _effect_pairs(rng, graph, prefer_many=True) if len(t[2]) >= 2]
    if not pairs:
        return None
    x, y, paths = pairs[0]
    path = paths[int(rng.integers(len(paths)))]
    on_path = set(zip(path, path[1:]))
    # the path's contribution is the total effect in the model where every other arrow is cut
    only = LinearSCM.from_equations(
        {v: [p for p in scm.parents[v] if (p, v) in on_path] for v in scm.variables},
        {v: {p: scm.coefficients[v][p] for p in scm.parents[v] if (p, v) in on_path}
         for v in scm.variables}, order=list(scm.variables))
    value = only.total_effect(x, y)
    wrong = [(scm.total_effect(x, y), "That is the total effect over every directed path; the "
                                      "question asks about this one path only."),
             (sum(scm.coefficients[b][a] for a, b in on_path),
              "Along a path the coefficients multiply, they do not add.")]
    reveal = Reveal(f"Along {_path_text(path)}: "
                    + " × ".join(format_number(scm.coefficients[b][a]) for a, b in zip(path, path[1:]))
                    + f" = **{format_number(value)}**.",
                    edge_styles={e: "causal_path" for e in on_path})
    prompt = (f"{_LINEAR_INTRO}\n\nHow much of the effect of **{x}** on **{y}** travels along the "
              f"path **{_path_text(path)}** alone (per unit increase of {x})?")
    return checkers.number_exercise(
        id, prompt, value, wrong=wrong, reveal=reveal, graph=graph,
        edge_labels=coefficient_labels(scm), rung="intervention", topic="composition",
        params={"x": x, "y": y, "path": tuple(path)},
        hints=("A change of 1 in the first variable is multiplied by each coefficient along the "
               "path in turn.",))


def do_mean_question(rng, graph, scm, difficulty: int = 2, id: str = "do_mean") -> Exercise | None:
    """E[Y | do(X = x)] in the linear model (constants included from level 3)."""
    from app.models import do_query, model_from_scm, observe_query

    pairs = _effect_pairs(rng, graph, prefer_many=difficulty >= 3)
    if not pairs:
        return None
    x, y, _ = pairs[0]
    v = float(rng.choice((-2, -1, 1, 2, 3)))
    model = model_from_scm(scm, graph)
    value = do_query(model, y, {x: v}).mean(y)
    plain = observe_query(model, y).mean(y)
    wrong = [(scm.total_effect(x, y) * v, "That leaves out the constants: the other causes of "
                                          f"{y} still contribute their average values."),
             (plain, f"That is the average of {y} without any intervention.")]
    prompt = (f"Each variable follows its equation (the noise terms U have mean 0):\n\n"
              f"{_equations(scm)}\n\nWhat is the average of **{y}** if we **set {x} = "
              f"{format_number(v)}** for everyone, i.e. E[{y} | do({x} = {format_number(v)})]?")
    reveal = Reveal(f"Cut the arrows into {x}, set it to {format_number(v)}, and push the "
                    f"averages down the equations: E[{y} | do({x} = {format_number(v)})] = "
                    f"**{format_number(value)}** (computed by app.models.do_query).",
                    edge_styles={**{(p, x): "cut" for p in graph.parents(x)},
                                 **checkers.causal_edge_styles(graph, x, y)},
                    node_styles={x: "intervened"})
    return checkers.number_exercise(
        id, prompt, value, wrong=wrong, reveal=reveal, graph=graph,
        edge_labels=coefficient_labels(scm), rung="intervention", topic="do",
        params={"x": x, "y": y, "value": v, "intercepts": dict(scm.intercepts)},
        hints=(f"Intervening cuts the arrows into {x}: its value is simply {format_number(v)}.",
               "Go down the causal order: the average of each variable is its constant plus its "
               "coefficients times its parents' averages."))


def adjustment_question(rng, graph, difficulty: int = 2, id: str = "adjustment"
                        ) -> Exercise | None:
    """A valid adjustment set for X → Y where adjusting for nothing is biased."""
    from app.analysis import check_adjustment_set

    nxg = graph.to_networkx()
    for x, y in _pairs(rng, graph):
        if not nx.has_path(nxg, x, y):
            continue
        g = graph
        others = [n for n in graph.nodes if n not in (x, y)]
        if difficulty >= 4 and others and rng.random() < 0.5:
            g = graph.set_role(others[int(rng.integers(len(others)))], "latent")
        if check_adjustment_set(g, x, y, ()).valid:
            continue
        return checkers.adjustment_exercise(
            id, g, x, y, rung="intervention", topic="adjustment",
            hints=(f"List the back-door paths: paths from {x} to {y} that start with an arrow "
                   f"into {x}.",
                   "Block each of them with a non-collider, without conditioning on a collider "
                   f"(or its descendant) and without touching anything {x} causes on the way "
                   f"to {y}.",
                   "Dashed nodes are latent: they cannot be adjusted for."))
    return None


# ---- counterfactual --------------------------------------------------------------------------
def counterfactual_question(rng, graph, scm, difficulty: int = 2, id: str = "counterfactual"
                            ) -> Exercise | None:
    """What would Y have been for this unit had X been x'? (abduction, action, prediction)."""
    from app.models import counterfactual, do_query, model_from_scm

    pairs = _effect_pairs(rng, graph, prefer_many=difficulty >= 3)
    if not pairs:
        return None
    x, y, _ = pairs[0]
    noise = rng.integers(-2, 3, size=len(scm.variables)).astype(float)
    values = scm.predict(noise[None, :], {})[0]
    factual = {v: float(values[i]) for i, v in enumerate(scm.variables)}
    new_x = factual[x] + float(rng.choice((-2, -1, 1, 2)))
    model = model_from_scm(scm, graph)
    value = counterfactual(model, y, factual, {x: new_x}).means[y]
    population = do_query(model, y, {x: new_x}).mean(y)
    delta = new_x - factual[x]
    wrong = [(factual[y], f"That is what {y} actually was. Changing {x} changes {y} through the "
                          f"paths from {x} to {y}."),
             (population, f"That is the population average E[{y} | do({x} = "
                          f"{format_number(new_x)})]. This unit's own noise terms (recovered "
                          "from its observed values) stay the same in the counterfactual world.")]
    if graph.has_edge(x, y):
        wrong.append((factual[y] + scm.coefficients[y][x] * delta,
                      "That counts only the direct arrow; the change also travels along the "
                      f"other paths from {x} to {y}."))
    table = ("| " + " | ".join(scm.variables) + " |\n|" + "---|" * len(scm.variables) + "\n| "
             + " | ".join(format_number(factual[v]) for v in scm.variables) + " |")
    prompt = (f"Each variable follows its equation:\n\n{_equations(scm)}\n\nFor one unit we "
              f"observed:\n\n{table}\n\nHad **{x}** been **{format_number(new_x)}** for this "
              f"unit (instead of {format_number(factual[x])}), what would **{y}** have been?")
    reveal = Reveal(f"Abduction: recover the unit's noise terms from its values. Action: set "
                    f"{x} = {format_number(new_x)}. Prediction: recompute the descendants. "
                    f"{y} changes by {format_number(scm.total_effect(x, y))} × "
                    f"{format_number(delta)}, so it would have been **{format_number(value)}** "
                    "(computed by app.models.counterfactual).",
                    edge_styles=checkers.causal_edge_styles(graph, x, y),
                    node_styles={x: "intervened"})
    return checkers.number_exercise(
        id, prompt, value, wrong=wrong, reveal=reveal, graph=graph,
        edge_labels=coefficient_labels(scm), rung="counterfactual", topic="counterfactual",
        params={"x": x, "y": y, "new_x": new_x, "factual": factual},
        hints=("Step 1 (abduction): from the observed values, work out each noise term U.",
               f"Step 2 (action): replace {x}'s equation by {x} = {format_number(new_x)}. "
               "Step 3 (prediction): recompute the variables below it with the same U's.",
               f"In a linear model the answer is the observed {y} plus the total effect of {x} "
               f"on {y} times the change in {x}."))


def drill(seed: int, difficulty: int = 2) -> tuple[CausalGraph, list[Exercise]]:
    """A d-separation drill: one random graph, "which paths are open?" and "independent?"."""
    _level(difficulty)
    rng = np.random.default_rng([int(seed), difficulty, 4])
    for _ in range(MAX_TRIES):
        graph = random_dag(rng, difficulty)
        paths = open_paths_question(rng, graph, difficulty, id="paths")
        indep = independence_question(rng, graph, difficulty, id="independent")
        if paths is not None and indep is not None:
            return graph, [paths, indep]
    raise LessonError(f"Could not make a d-separation drill at difficulty {difficulty}.",
                      hint="Press 'New exercise' again, or change the difficulty.")


# ---- the entry point ---------------------------------------------------------------------------
def generate(seed: int, difficulty: int = 2, rung: str | None = None,
             kind: str | None = None) -> Exercise:
    """One exercise for this seed: a random graph (and SCM) and a question on it.

    `rung` limits the question to "association", "intervention" or "counterfactual"; `kind`
    asks for one kind exactly (see KIND_LABELS). Same arguments, same exercise.
    """
    _level(difficulty)
    if rung is not None and rung not in RUNG_KINDS:
        raise LessonError(f"Unknown rung '{rung}'.", hint="Use: " + ", ".join(RUNG_KINDS) + ".")
    if kind is not None and kind not in KIND_RUNG:
        raise LessonError(f"Unknown kind of exercise '{kind}'.",
                          hint="Use: " + ", ".join(KIND_RUNG) + ".")
    rng = np.random.default_rng([int(seed), difficulty])
    kinds = (kind,) if kind else RUNG_KINDS[rung] if rung else tuple(KIND_RUNG)
    kinds = tuple(k for k in kinds if NEEDS_LEVEL.get(k, 1) <= difficulty) or kinds
    chosen = kinds[int(rng.integers(len(kinds)))]
    for _ in range(MAX_TRIES):
        graph = random_dag(rng, difficulty)
        scm = random_scm(rng, graph, difficulty)
        ex = _make(chosen, rng, graph, scm, difficulty)
        if ex is not None:
            return ex
    raise LessonError(f"Could not make a '{chosen}' exercise at difficulty {difficulty}.",
                      hint="Press 'New exercise' again, or change the difficulty.")


def _make(kind: str, rng, graph, scm, difficulty: int) -> Exercise | None:
    if kind == "independence":
        return independence_question(rng, graph, difficulty)
    if kind == "open_paths":
        return open_paths_question(rng, graph, difficulty)
    if kind == "adjustment":
        return adjustment_question(rng, graph, difficulty)
    return {"total_effect": total_effect_question, "path_effect": path_effect_question,
            "do_mean": do_mean_question,
            "counterfactual": counterfactual_question}[kind](rng, graph, scm, difficulty)


__all__ = ["KIND_LABELS", "KIND_RUNG", "LEVELS", "RUNG_KINDS", "adjustment_question",
           "coefficient_labels", "counterfactual_question", "do_mean_question", "drill", "generate",
           "independence_question", "nonsense_names", "open_paths_question",
           "path_effect_question", "random_dag", "random_scm", "total_effect_question"]
