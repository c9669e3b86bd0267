"""Answer checkers and exercise builders: every verdict comes from the engine (app.analysis,
app.models), so any correct answer is accepted — any valid adjustment set, not one stored string.

Lesson checker files, the exercise generator and classroom questions build their exercises with
the `*_exercise` functions below; each gives feedback for the usual wrong answers, hints, and a "show me"
that marks the answer on the graph.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from app.exercises.answers import NO_SET
from app.exercises.model import Exercise, Feedback, Reveal, format_number, set_text
from app.graph import CausalGraph

YES_INDEPENDENT = "Yes: independent (d-separated)"
NO_DEPENDENT = "No: dependent (d-connected)"
DEFAULT_ABS_TOL = 0.01
DEFAULT_REL_TOL = 0.005
# typed words (and the classroom's True/False) for the two independence options
INDEPENDENCE_WORDS = {True: YES_INDEPENDENT, "yes": YES_INDEPENDENT,
                      "independent": YES_INDEPENDENT, "d-separated": YES_INDEPENDENT,
                      False: NO_DEPENDENT, "no": NO_DEPENDENT, "dependent": NO_DEPENDENT,
                      "not independent": NO_DEPENDENT, "d-connected": NO_DEPENDENT}


# ---- generic checkers -----------------------------------------------------------------------
def choice_checker(correct: str | Iterable[str], feedback: Mapping[str, str] | None = None,
                   explanation: str = "") -> Callable[[Any], Feedback]:
    """Right when the chosen option is (one of) `correct`; `feedback` explains wrong options."""
    good = {correct} if isinstance(correct, str) else set(correct)
    feedback = dict(feedback or {})

    def check(answer: str) -> Feedback:
        if answer in good:
            return Feedback(True, explanation or "Correct.")
        return Feedback(False, feedback.get(answer, "Not this one. Look again, or ask for a hint."))
    return check


def tolerance(value: float, tol: float | None = None) -> float:
    """How far a typed answer may be from the exact value (rounding to 2 decimals passes)."""
    return tol if tol is not None else max(DEFAULT_ABS_TOL, DEFAULT_REL_TOL * abs(value))


def number_checker(value: float, *, tol: float | None = None,
                   wrong: Sequence[tuple[float, str]] = (), unit: str = "",
                   explanation: str = "") -> Callable[[Any], Feedback]:
    """Right within `tol` of `value`; `wrong` lists (value, message) for the usual mistakes.

    unit="probability" also accepts the same number written as a percentage (83.25 for 0.8325).
    Wrong values equal to the right one (e.g. a direct effect when it is the only path) are
    ignored, so a message never contradicts a correct answer.
    """
    value = float(value)
    eps = tolerance(value, tol)
    mistakes = [(float(v), msg) for v, msg in wrong
                if math.isfinite(float(v)) and abs(float(v) - value) > eps]

    def check(answer: float) -> Feedback:
        if abs(answer - value) <= eps:
            return Feedback(True, explanation or f"Correct: {format_number(value)}.")
        if unit == "probability" and abs(answer / 100.0 - value) <= eps:
            return Feedback(True, (explanation or f"Correct: {format_number(value)}.")
                            + " (Read as a percentage; probabilities are usually written "
                              "between 0 and 1.)")
        for v, msg in mistakes:
            if abs(answer - v) <= tolerance(v, tol):
                return Feedback(False, msg)
        if value != 0 and abs(answer + value) <= eps:
            return Feedback(False, "Right size, wrong sign: check the signs of the coefficients "
                                   "on the way (a negative times a negative is positive).")
        if abs(answer - value) <= 5 * eps:
            return Feedback(False, "Close, but not quite: check your arithmetic and give at "
                                   "least two decimals.")
        if unit == "probability" and not 0.0 <= answer <= 1.0 and not 0.0 <= answer / 100 <= 1.0:
            return Feedback(False, "A probability lies between 0 and 1.")
        return Feedback(False, "Not this number. Try again, or ask for a hint.")
    return check


# ---- graph checkers (app.analysis) ---------------------------------------------------------
def path_edge_styles(paths: Iterable) -> dict[tuple[str, str], str]:
    """Edges of listed paths styled open/blocked for show_graph (open wins on shared edges)."""
    styles: dict[tuple[str, str], str] = {}
    for p in paths:
        for e in p.edges:
            if p.open:
                styles[e] = "open_path"
            else:
                styles.setdefault(e, "blocked_path")
    return styles


def causal_edge_styles(graph: CausalGraph, x: str, y: str) -> dict[tuple[str, str], str]:
    """Edges on directed paths x → … → y, styled as causal paths."""
    from app.analysis import open_paths

    styles: dict[tuple[str, str], str] = {}
    for p in open_paths(graph, x, y):
        if p.causal:
            styles.update({e: "causal_path" for e in p.edges})
    return styles


def _given_text(given: Iterable[str]) -> str:
    return set_text(given, "nothing")


def adjustment_checker(graph: CausalGraph, x: str, y: str,
                       traps: Mapping[str, str] | None = None) -> Callable[[Any], Feedback]:
    """Any valid adjustment set is right (app.analysis.check_adjustment_set), or NO_SET when
    no set of measured variables works; the engine's reasons explain a wrong set. `traps`
    adds a lesson's own words when a set contains a tempting wrong variable."""
    from app.analysis import adjustment_sets, check_adjustment_set

    traps = dict(traps or {})
    minimal = [frozenset(s) for s in adjustment_sets(graph, x, y, "minimal")]

    def check(answer: frozenset[str]) -> Feedback:
        if NO_SET in answer:
            if len(answer) > 1:
                return Feedback(False, f"You chose “{NO_SET}” and also some variables: pick one "
                                       "or the other.")
            if minimal:
                return Feedback(False, "A valid set does exist here. Find every back-door path "
                                       f"into {x} and look for a measured variable that blocks it.")
            return Feedback(True, "Right: no set of measured variables blocks every back-door "
                                  "path (a hidden common cause stays open).")
        chk = check_adjustment_set(graph, x, y, sorted(answer))
        if chk.valid:
            msg = chk.message
            smaller = [m for m in minimal if m < answer]
            if smaller:
                msg += f" A smaller set also works: {set_text(smaller[0])}."
            others = [m for m in minimal if m != answer and m not in smaller]
            if others and not smaller:
                msg += " Other valid choices: " + ", ".join(set_text(m) for m in others[:3]) + "."
            return Feedback(True, msg)
        extra = tuple(traps[n] for n in sorted(answer) if n in traps)
        if not minimal:
            extra += ("Could any set work here? Look for a back-door path through a latent "
                      "variable.",)
        return Feedback(False, f"Adjusting for {set_text(answer, 'nothing')} does not identify "
                               f"the effect of {x} on {y}.", tuple(chk.reasons) + extra)
    return check


def paths_checker(graph: CausalGraph, x: str, y: str, given: Iterable[str] = ()
                  ) -> Callable[[Any], Feedback]:
    """Right when exactly the open paths (app.analysis.open_paths) are chosen."""
    from app.analysis import open_paths

    given = sorted(given)
    paths = list(open_paths(graph, x, y, given))
    open_set = frozenset(p.text for p in paths if p.open)
    by_text = {p.text: p for p in paths}

    def check(answer: frozenset[str]) -> Feedback:
        if answer == open_set:
            n = len(open_set)
            return Feedback(True, f"Correct: {n} of the {len(paths)} paths "
                                  f"{'is' if n == 1 else 'are'} open given "
                                  f"{_given_text(given)}." if n else
                            f"Correct: every path is blocked given {_given_text(given)}, so "
                            f"{x} and {y} are d-separated.")
        wrongly_open = [t for t in answer if t not in open_set]
        missed = [t for t in open_set if t not in answer]
        parts = []
        if wrongly_open:
            parts.append(f"{len(wrongly_open)} path{'s' if len(wrongly_open) > 1 else ''} you "
                         "marked as open " + ("are" if len(wrongly_open) > 1 else "is") + " blocked")
        if missed:
            parts.append(f"{len(missed)} open path{'s' if len(missed) > 1 else ''} "
                         + ("are" if len(missed) > 1 else "is") + " not marked")
        first = sorted(wrongly_open or missed, key=lambda t: (len(t), t))[0]
        p = by_text[first]
        return Feedback(False, "Not quite: " + " and ".join(parts) + ".",
                        (f"For example {p.text}: {p.explanation()}",))
    return check


def independence_checker(graph: CausalGraph, x: str, y: str, given: Iterable[str] = ()
                         ) -> Callable[[Any], Feedback]:
    """Right when the yes/no matches d-separation (app.analysis.d_separated)."""
    from app.analysis import d_separated, open_paths

    given = sorted(given)
    separated = d_separated(graph, x, y, given)

    def check(answer: str) -> Feedback:
        said_yes = answer == YES_INDEPENDENT
        if said_yes == separated:
            how = ("every path between them is blocked" if separated
                   else "at least one path between them is open")
            return Feedback(True, f"Correct: given {_given_text(given)}, {how}.")
        if separated:
            paths = open_paths(graph, x, y, given)
            example = paths[0] if paths else None
            return Feedback(False, "Every path between them is blocked.",
                            (f"For example {example.text}: {example.explanation()}",)
                            if example else ())
        p = open_paths(graph, x, y, given, only_open=True, limit=1)[0]
        return Feedback(False, "A path between them is still open.",
                        (f"{p.text}: {p.explanation()}",))
    return check


def instrument_checker(graph: CausalGraph, x: str, y: str) -> Callable[[Any], Feedback]:
    """Right when the chosen variable is an instrument for x → y (app.analysis.instruments)."""
    from app.analysis import ROLE_LABELS, instruments, node_roles

    ivs = {iv.node: iv for iv in instruments(graph, x, y)}
    roles = node_roles(graph, x, y)

    def check(answer: str) -> Feedback:
        if answer in ivs:
            iv = ivs[answer]
            if iv.conditional:
                return Feedback(True, f"Yes, once you adjust for {set_text(iv.given)}: then "
                                      f"{answer} moves {x} and reaches {y} only through {x}.")
            return Feedback(True, f"Yes: {answer} moves {x}, reaches {y} only through {x}, and "
                                  f"shares no cause with {y}.")
        why = [ROLE_LABELS[r] for r in roles.get(answer, ())
               if r in ("confounder", "mediator", "collider", "descendant_exposure")]
        reasons = tuple(f"{answer} is a {w}." for w in why)
        return Feedback(False, f"{answer} is not an instrument for {x} → {y}: an instrument must "
                               f"move {x} and have no other route to {y}.", reasons)
    return check


def is_frontdoor_set(graph: CausalGraph, x: str, y: str, z: Iterable[str]) -> tuple[bool, list[str]]:
    """Pearl's front-door criterion (Causality 2009, Def. 3.3.3) for the set z, with reasons.

    (i) z intercepts every directed path x → … → y; (ii) no back-door path from x to z is
    open; (iii) every back-door path from z to y is blocked by x. Paths come from
    app.analysis.open_paths, so the verdict is the engine's.
    """
    from app.analysis import open_paths

    z = sorted(set(z))
    reasons: list[str] = []
    if not z:
        return False, ["A front-door set needs at least one variable on the causal path."]
    if not any(p.causal for p in open_paths(graph, x, y, only_open=True)):
        return False, [f"There is no causal path from {x} to {y}, so there is no mediator to "
                       "go through."]
    hidden = [n for n in z if "latent" in graph.roles.get(n, ())]
    reasons += [f"{n} is latent (not measured), so it cannot be used." for n in hidden]
    causal = [p for p in open_paths(graph, x, y, z, only_open=True) if p.causal]
    if causal:
        reasons.append(f"The causal path {causal[0].text} avoids the set: the set must "
                       f"intercept every directed path from {x} to {y}.")
    for m in z:
        p = next((p for p in open_paths(graph, x, m, only_open=True) if p.backdoor), None)
        if p is not None:
            reasons.append(f"The back-door path {p.text} from {x} to {m} is open: {x}'s effect "
                           f"on {m} is confounded.")
        q = next((q for q in open_paths(graph, m, y, [x], only_open=True) if q.backdoor), None)
        if q is not None:
            reasons.append(f"The back-door path {q.text} from {m} to {y} stays open even "
                           f"given {x}.")
    return not reasons, reasons


def frontdoor_checker(graph: CausalGraph, x: str, y: str) -> Callable[[Any], Feedback]:
    """Any set meeting the front-door criterion is right (see is_frontdoor_set)."""
    def check(answer: frozenset[str]) -> Feedback:
        ok, reasons = is_frontdoor_set(graph, x, y, answer)
        if ok:
            return Feedback(True, f"Yes: {set_text(answer)} meets the front-door criterion for "
                                  f"the effect of {x} on {y}.")
        return Feedback(False, f"{set_text(answer, 'The empty set')} is not a front-door set.",
                        tuple(reasons))
    return check


# ---- exercise builders ------------------------------------------------------------------------
def choice_exercise(id: str, prompt: str, options: Sequence[str], correct: str | Iterable[str], *,
                    feedback: Mapping[str, str] | None = None, explanation: str = "",
                    reveal: Reveal | None = None, **kw) -> Exercise:
    """Pick one option; `feedback` maps wrong options to what to say."""
    answer = correct if isinstance(correct, str) else sorted(correct)[0]
    reveal = reveal or Reveal(explanation or f"The answer: {answer}.")
    return Exercise(id, prompt, "choice", choice_checker(correct, feedback, explanation), answer,
                    options=tuple(options), reveal=reveal, **kw)


def number_exercise(id: str, prompt: str, value: float, *, tol: float | None = None,
                    wrong: Sequence[tuple[float, str]] = (), unit: str = "",
                    explanation: str = "", reveal: Reveal | None = None, **kw) -> Exercise:
    """Type a number; right within the tolerance (two decimals pass by default)."""
    reveal = reveal or Reveal(explanation or f"The answer is {format_number(value)}.")
    return Exercise(id, prompt, "number",
                    number_checker(value, tol=tol, wrong=wrong, unit=unit, explanation=explanation),
                    float(value), reveal=reveal, **kw)


def adjustment_exercise(id: str, graph: CausalGraph, x: str, y: str, *, prompt: str | None = None,
                        traps: Mapping[str, str] | None = None, **kw) -> Exercise:
    """Choose an adjustment set for x → y; any valid set passes (NO_SET when none exists)."""
    from app.analysis import adjustment_sets, open_paths

    observed = [n for n in graph.nodes
                if n not in (x, y) and "latent" not in graph.roles.get(n, ())]
    minimal = [frozenset(s) for s in adjustment_sets(graph, x, y, "minimal")]
    answer = minimal[0] if minimal else frozenset({NO_SET})
    paths = list(open_paths(graph, x, y, sorted(answer - {NO_SET})))
    if minimal:
        text = ("Valid minimal adjustment sets: " + " or ".join(set_text(m) for m in minimal)
                + ". Any set that blocks every back-door path without touching a mediator or "
                  f"a descendant of {x} on a causal path is valid too.")
    else:
        text = ("No set of measured variables is valid: a back-door path through a latent "
                "variable stays open whatever you adjust for.")
    reveal = Reveal(text, highlight_nodes=tuple(sorted(answer - {NO_SET})),
                    edge_styles=path_edge_styles(paths))
    prompt = prompt or (f"Which variables would you adjust for to estimate the causal effect of "
                        f"**{x}** on **{y}**? Choose a set (leave it empty to adjust for nothing).")
    kw.setdefault("graph", graph)
    kw.setdefault("params", {"x": x, "y": y})
    return Exercise(id, prompt, "multi", adjustment_checker(graph, x, y, traps), answer,
                    options=(*observed, NO_SET), reveal=reveal,
                    empty_label="nothing (the empty set)", **kw)


def paths_exercise(id: str, graph: CausalGraph, x: str, y: str, given: Iterable[str] = (), *,
                   prompt: str | None = None, **kw) -> Exercise:
    """Mark which of the paths between x and y are open given `given` (none is an answer)."""
    from app.analysis import open_paths

    given = sorted(given)
    paths = list(open_paths(graph, x, y, given))
    answer = frozenset(p.text for p in paths if p.open)
    lines = [f"- `{p.text}`: **{p.status}**. {p.explanation()}" for p in paths]
    reveal = Reveal("\n".join(lines), node_styles={n: "blocking" for n in given},
                    edge_styles=path_edge_styles(paths))
    prompt = prompt or (f"Conditioning on {_given_text(given)}, which paths between **{x}** and "
                        f"**{y}** are **open**? Select every open path (select none if all are "
                        "blocked).")
    kw.setdefault("graph", graph)
    kw.setdefault("rung", "association")
    kw.setdefault("params", {"x": x, "y": y, "given": tuple(given)})
    return Exercise(id, prompt, "multi", paths_checker(graph, x, y, given), answer,
                    options=tuple(p.text for p in paths), reveal=reveal,
                    empty_label="no path is open", **kw)


def independence_exercise(id: str, graph: CausalGraph, x: str, y: str, given: Iterable[str] = (),
                          *, prompt: str | None = None, **kw) -> Exercise:
    """Is x ⫫ y | given? Checked by d-separation."""
    from app.analysis import d_separated, open_paths

    given = sorted(given)
    separated = d_separated(graph, x, y, given)
    paths = list(open_paths(graph, x, y, given))
    lines = [f"- `{p.text}`: **{p.status}**. {p.explanation()}" for p in paths]
    verdict = "independent (d-separated)" if separated else "dependent (d-connected)"
    reveal = Reveal(f"{x} and {y} are {verdict} given {_given_text(given)}.\n\n" + "\n".join(lines),
                    node_styles={n: "blocking" for n in given},
                    edge_styles=path_edge_styles(paths))
    prompt = prompt or (f"Is **{x}** independent of **{y}** given {_given_text(given)} "
                        f"({x} ⫫ {y} | {', '.join(given) or '∅'})?")
    kw.setdefault("graph", graph)
    kw.setdefault("rung", "association")
    kw.setdefault("params", {"x": x, "y": y, "given": tuple(given)})
    kw.setdefault("aliases", INDEPENDENCE_WORDS)
    return Exercise(id, prompt, "choice", independence_checker(graph, x, y, given),
                    YES_INDEPENDENT if separated else NO_DEPENDENT,
                    options=(YES_INDEPENDENT, NO_DEPENDENT), reveal=reveal, **kw)


def instrument_exercise(id: str, graph: CausalGraph, x: str, y: str, *,
                        prompt: str | None = None, **kw) -> Exercise:
    """Pick a variable that can serve as an instrument for x → y."""
    from app.analysis import instruments

    ivs = instruments(graph, x, y)
    options = tuple(n for n in graph.nodes
                    if n not in (x, y) and "latent" not in graph.roles.get(n, ()))
    answer = ivs[0].node if ivs else options[0]
    reveal = Reveal("Instruments for " + f"{x} → {y}: " + (", ".join(map(str, ivs)) or "none")
                    + ".", highlight_nodes=tuple(iv.node for iv in ivs),
                    edge_styles=causal_edge_styles(graph, answer, y) if ivs else {})
    prompt = prompt or f"Which variable can serve as an **instrument** for the effect of {x} on {y}?"
    kw.setdefault("graph", graph)
    kw.setdefault("params", {"x": x, "y": y})
    return Exercise(id, prompt, "choice", instrument_checker(graph, x, y), answer,
                    options=options, reveal=reveal, **kw)


def frontdoor_exercise(id: str, graph: CausalGraph, x: str, y: str, *,
                       prompt: str | None = None, **kw) -> Exercise:
    """Choose a front-door set for x → y; any set meeting the criterion passes."""
    from app.analysis import frontdoor_sets

    sets = [frozenset(s) for s in frontdoor_sets(graph, x, y)]
    answer = sets[0] if sets else frozenset()
    options = tuple(n for n in graph.nodes
                    if n not in (x, y) and "latent" not in graph.roles.get(n, ()))
    reveal = Reveal("Minimal front-door sets: " + (" or ".join(set_text(s) for s in sets) or
                                                   "none") + ".",
                    highlight_nodes=tuple(sorted(answer)),
                    edge_styles=causal_edge_styles(graph, x, y))
    prompt = prompt or (f"Which variables form a **front-door** set for the effect of {x} on "
                        f"{y}?")
    kw.setdefault("graph", graph)
    kw.setdefault("params", {"x": x, "y": y})
    return Exercise(id, prompt, "multi", frontdoor_checker(graph, x, y), answer,
                    options=options, reveal=reveal, empty_label="nothing", **kw)


__all__ = [
    "NO_SET", "YES_INDEPENDENT", "NO_DEPENDENT", "INDEPENDENCE_WORDS", "tolerance", "choice_checker", "number_checker", "adjustment_checker",
    "paths_checker", "independence_checker", "instrument_checker", "frontdoor_checker",
    "is_frontdoor_set", "path_edge_styles", "causal_edge_styles", "choice_exercise",
    "number_exercise", "adjustment_exercise", "paths_exercise", "independence_exercise",
    "instrument_exercise", "frontdoor_exercise",
]
