"""Classroom questions: an exercise posed on the teacher's current graph, its answer key, and
the check of a student's answer.

Pure logic, no database and no Streamlit: ``app.store.classes`` persists what this module
decides, and ``app/ui/views/classroom`` shows it. Graph questions are checked by ``app.analysis``
(the engine behind the Analyse page and the lessons), so a student's answer gets the same
verdict and the same reasons everywhere.

A question is an exercise (app.exercises) posed on the graph: `Question.exercise` builds it
with the same builders as Learn and Practice, and `check_answer` reads the answer with the same
normaliser, so '3/4', '−0.5', '= 1.9', '{A, B}' or 'none' get the same verdict everywhere.

Kinds:
- ``adjustment_set``: pick variables to adjust for, to estimate the effect of X on Y. Correct
  when the set meets the adjustment criterion (Shpitser et al. 2010; van der Zander et al. 2014,
  as DAGitty): every back-door set is correct too. "No valid set exists" is an answer.
- ``independence``: is X ⫫ Y | Z (d-separated; a bidirected edge is a latent common cause)?
- ``effect_sign``: does increasing X raise, lower or not change Y? (the teacher gives the sign;
  with no directed path from X to Y it must be "no effect").
- ``do_query`` / ``counterfactual``: a number (the teacher's value, e.g. from the Intervene or
  Counterfactual page), correct within a tolerance.
"""
from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import networkx as nx

from app.errors import ClassroomError
from app.exercises import checkers
from app.exercises.answers import NO_SET, AnswerFormatError, normalise_answer
from app.exercises.model import Exercise
from app.graph import CausalGraph

KINDS: dict[str, str] = {
    "adjustment_set": "Choose an adjustment set",
    "independence": "Is X independent of Y given Z?",
    "effect_sign": "Sign of a causal effect",
    "do_query": "Value of an interventional quantity (do-query)",
    "counterfactual": "Value of a counterfactual",
}
SIGNS: dict[str, str] = {"+": "increases (+)", "-": "decreases (−)", "0": "no effect (0)"}
SIGN_WORDS = {"plus": "+", "minus": "-", "increases": "+", "decreases": "-", "no effect": "0",
              "none": "0", "zero": "0"}
MAX_NOTE = 500
MAX_TEXT_VALUE = 60


# ---- graph checks (app.analysis) ---------------------------------------------------------------
def _observed(g: CausalGraph) -> list[str]:
    return [n for n in g.nodes if "latent" not in g.roles.get(n, ())]


def _fmt_set(nodes: Iterable[str]) -> str:
    items = sorted(nodes)
    return "{" + ", ".join(items) + "}" if items else "∅ (adjust for nothing)"


def _minimal_sets(g: CausalGraph, x: str, y: str, limit: int = 10) -> list[frozenset]:
    """Minimal valid adjustment sets, smallest first; [] when no set of measured variables works."""
    from app.analysis import adjustment_sets

    return [frozenset(s) for s in adjustment_sets(g, x, y, "minimal", limit=limit)]


def _independent(g: CausalGraph, x: str, y: str, given: list[str]) -> tuple[bool, str | None]:
    """(d-separated?, one open path as text when not)."""
    from app.analysis import d_separated, open_paths

    if d_separated(g, x, y, given):
        return True, None
    paths = open_paths(g, x, y, given, only_open=True, limit=1)
    return False, paths[0].text if paths else None


# ---- questions -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Question:
    """A question on a graph: its kind, parameters, the computed solution and the prompt text."""

    kind: str
    graph: CausalGraph
    params: Mapping[str, Any]
    solution: Mapping[str, Any]
    prompt: str

    def to_json(self) -> str:
        from app.io import write_graph

        return json.dumps({"kind": self.kind, "graph": json.loads(write_graph(self.graph, "json")),
                           "params": dict(self.params), "solution": dict(self.solution),
                           "prompt": self.prompt}, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Question:
        from app.io import parse_graph

        doc = json.loads(text)
        graph = parse_graph(json.dumps(doc["graph"]), "json")
        return cls(doc["kind"], graph, doc["params"], doc["solution"], doc["prompt"])

    @property
    def title(self) -> str:
        return KINDS[self.kind]

    @cached_property
    def exercise(self) -> Exercise:
        """The question as an exercise (app.exercises): its checker gives the verdict."""
        p, s, g = self.params, self.solution, self.graph
        if self.kind == "adjustment_set":
            return checkers.adjustment_exercise("classroom", g, p["exposure"], p["outcome"],
                                                prompt=self.prompt)
        if self.kind == "independence":
            return checkers.independence_exercise("classroom", g, p["x"], p["y"], p["given"],
                                                  prompt=self.prompt)
        if self.kind == "effect_sign":
            wrong = (f"There is no directed path from {p['exposure']} to {p['outcome']}."
                     if not s["has_path"] else f"The effect is {SIGNS[s['sign']]}.")
            return checkers.choice_exercise(
                "classroom", self.prompt, tuple(SIGNS), s["sign"], graph=g,
                feedback={o: wrong for o in SIGNS if o != s["sign"]}, aliases=SIGN_WORDS)
        unit = "probability" if p.get("target_value") is not None else ""
        return checkers.number_exercise("classroom", self.prompt, s["value"], graph=g,
                                        tol=s["tolerance"], unit=unit)

    def choices(self) -> list[str]:
        """What a student may pick: variables for an adjustment set, options for the others."""
        p = self.params
        if self.kind == "adjustment_set":
            return [n for n in _observed(self.graph) if n not in (p["exposure"], p["outcome"])]
        if self.kind == "independence":
            return ["independent", "not independent"]
        if self.kind == "effect_sign":
            return list(SIGNS)
        return []

    def solution_text(self) -> str:
        """The answer key in words, for the reveal."""
        s, p = self.solution, self.params
        if self.kind == "adjustment_set":
            if not s["exists"]:
                return ("No set of measured variables is valid: some back-door path stays open "
                        "whatever you adjust for (look for a latent confounder).")
            sets = " or ".join(_fmt_set(m) for m in s["minimal"])
            return (f"Minimal valid adjustment sets: {sets}. Any set that blocks every back-door "
                    f"path from {p['exposure']} to {p['outcome']} without adjusting for a "
                    f"variable {p['exposure']} affects is also correct.")
        if self.kind == "independence":
            verdict = "independent" if s["independent"] else "not independent"
            reason = ("every path between them is blocked" if s["independent"]
                      else f"the path {s['open_path'] or 'between them'} is open")
            return f"{p['x']} and {p['y']} are {verdict} given {_fmt_given(p['given'])}: {reason}."
        if self.kind == "effect_sign":
            return (f"Intervening to increase {p['exposure']} {SIGNS[s['sign']].split(' (')[0]}"
                    f" {p['outcome']}." if s["sign"] != "0" else
                    f"Changing {p['exposure']} does not change {p['outcome']}.")
        return f"{_fmt_number(s['value'])} (answers within ± {_fmt_number(s['tolerance'])} count)."


def _fmt_given(given: Iterable[str]) -> str:
    items = sorted(given)
    return "{" + ", ".join(items) + "}" if items else "nothing"


def _fmt_number(v: float) -> str:
    return f"{v:.6g}"


def _need_node(g: CausalGraph, params: Mapping[str, Any], key: str, what: str) -> str:
    name = params.get(key)
    if not isinstance(name, str) or name not in g.nodes:
        raise ClassroomError(f"Choose the {what} from the graph's variables.")
    return name


def _text_value(value: Any, what: str) -> str:
    text = str(value).strip() if value is not None else ""
    if not text or len(text) > MAX_TEXT_VALUE or any(unicodedata.category(c)[0] == "C"
                                                     for c in text):
        raise ClassroomError(f"The value for {what} must be short text "
                             f"(1–{MAX_TEXT_VALUE} characters).")
    return text


def _assignments(g: CausalGraph, raw: Any, what: str) -> dict[str, str]:
    if not isinstance(raw, Mapping) or not raw:
        raise ClassroomError(f"Give at least one variable and value for {what}.")
    out = {}
    for k, v in raw.items():
        if k not in g.nodes:
            raise ClassroomError(f"'{k}' in {what} is not a variable of the graph.")
        out[k] = _text_value(v, k)
    return out


def _number(raw: Any, what: str) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ClassroomError(f"The {what} must be a number.") from None
    if not math.isfinite(value):
        raise ClassroomError(f"The {what} must be a finite number.")
    return value


def make_question(kind: str, graph: CausalGraph, params: Mapping[str, Any]) -> Question:
    """Validate the parameters against the graph and compute the solution of a new question."""
    if kind not in KINDS:
        raise ClassroomError(f"Unknown kind of question '{kind}'.",
                             hint="Choose one of: " + ", ".join(KINDS.values()) + ".")
    if not isinstance(graph, CausalGraph) or len(graph.nodes) < 2:
        raise ClassroomError("A question needs a graph with at least two variables.",
                             hint="Draw or load a graph on the Graph page first.")
    note = str(params.get("note") or "").strip()
    if len(note) > MAX_NOTE:
        raise ClassroomError(f"The note to students is {len(note)} characters; the limit is "
                             f"{MAX_NOTE}.")
    p: dict[str, Any] = {"note": note} if note else {}
    if kind in ("adjustment_set", "effect_sign"):
        x = _need_node(graph, params, "exposure", "exposure (cause)")
        y = _need_node(graph, params, "outcome", "outcome (effect)")
        if x == y:
            raise ClassroomError("The exposure and the outcome must be different variables.")
        if {x, y} & set(graph.latents):
            raise ClassroomError("The exposure and the outcome must be measured (not latent).")
        p.update(exposure=x, outcome=y)
        if kind == "adjustment_set":
            minimal = _minimal_sets(graph, x, y)
            solution = {"exists": bool(minimal), "minimal": [sorted(m) for m in minimal]}
            prompt = (f"To estimate the causal effect of {x} on {y} from observational data, "
                      f"which variables should you adjust for?")
        else:
            sign = params.get("sign")
            if sign not in SIGNS:
                raise ClassroomError("Give the true sign of the effect: +, − or 0.")
            path = nx.has_path(graph.to_networkx(), x, y)
            if not path and sign != "0":
                raise ClassroomError(f"There is no directed path from {x} to {y}, so the effect "
                                     "can only be 0.", hint="Set the sign to 0 or pick other "
                                                            "variables.")
            solution = {"sign": sign, "has_path": path}
            prompt = f"If we intervene to increase {x}, what happens to {y}?"
    elif kind == "independence":
        x = _need_node(graph, params, "x", "first variable (X)")
        y = _need_node(graph, params, "y", "second variable (Y)")
        given = params.get("given") or []
        if x == y:
            raise ClassroomError("X and Y must be different variables.")
        if not isinstance(given, (list, tuple, set, frozenset)) or any(
                n not in graph.nodes for n in given):
            raise ClassroomError("The conditioning set Z must list variables of the graph.")
        given = sorted(set(given))
        if {x, y} & set(given):
            raise ClassroomError("Z must not contain X or Y.")
        independent, open_path = _independent(graph, x, y, given)
        solution = {"independent": independent, "open_path": open_path}
        p.update(x=x, y=y, given=given)
        prompt = f"Is {x} independent of {y} given {_fmt_given(given)} (d-separated)?"
    else:
        target = _need_node(graph, params, "target", "outcome variable")
        target_value = params.get("target_value")
        target_value = _text_value(target_value, target) if target_value not in (None, "") \
            else None
        do = _assignments(graph, params.get("do"), "the intervention")
        if target in do:
            raise ClassroomError("The outcome cannot also be the variable you intervene on.")
        value = _number(params.get("value"), "correct value")
        tolerance = _number(params.get("tolerance", 0.01), "tolerance")
        if tolerance < 0:
            raise ClassroomError("The tolerance cannot be negative.")
        quantity = (f"P({target} = {target_value}" if target_value is not None
                    else f"E[{target}")
        closing = ")" if target_value is not None else "]"
        do_text = ", ".join(f"{k} = {v}" for k, v in do.items())
        p.update(target=target, target_value=target_value, do=do)
        solution = {"value": value, "tolerance": tolerance}
        if kind == "do_query":
            prompt = f"What is {quantity} | do({do_text}){closing}?"
        else:
            factual = _assignments(graph, params.get("factual"), "what actually happened")
            p["factual"] = factual
            seen = ", ".join(f"{k} = {v}" for k, v in factual.items())
            what = (f"the probability that {target} would have been {target_value}"
                    if target_value is not None else f"the expected value of {target}")
            prompt = (f"We observed {seen}. Had we set {do_text}, what is {what}?")
    return Question(kind, graph, p, solution, prompt)


def model_value(kind: str, params: Mapping[str, Any], model) -> float:
    """The correct value of a do-query or counterfactual question in a fitted model
    (app.models): P(target = value | ...) in a discrete model, the mean in a linear one.

    Lets a teacher fill in the answer key from the workspace's data instead of by hand.
    """
    from app.models import counterfactual, do_query
    from app.models.inference import resolve_state

    target, value = params.get("target"), params.get("target_value")
    do = dict(params.get("do") or {})
    if not target or not do:
        raise ClassroomError("Choose the outcome and the intervention first.")
    if kind == "do_query":
        result = do_query(model, target, do)
    elif kind == "counterfactual":
        factual = dict(params.get("factual") or {})
        if not factual:
            raise ClassroomError("Say what actually happened (the factual values) first.")
        result = counterfactual(model, target, factual, do)
    else:
        raise ClassroomError("Only do-query and counterfactual questions have a model value.")
    if model.kind != "discrete":
        return float(result.means[target])
    if value in (None, ""):
        raise ClassroomError(f"In a discrete model, ask for the probability of one value of "
                             f"{target} (e.g. {target} = {model.states[target][-1]}).")
    return float(result.distributions[target][resolve_state(model, target, value)])


# ---- answers -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Checked:
    """A normalised answer: what to store, how it shows in the distribution, and the verdict."""

    answer: Mapping[str, Any]
    label: str
    correct: bool
    feedback: str


def _decimals(tolerance: float) -> int:
    if tolerance <= 0:
        return 4
    return max(0, min(6, -math.floor(math.log10(tolerance))))


def _unstored(raw: Any) -> Any:
    """A stored answer ({"sign": "+"}, {"value": 0.4}, …) back as what a student sends."""
    if isinstance(raw, Mapping):
        for key in ("independent", "sign", "value"):
            if key in raw:
                return raw[key]
    return raw


def check_answer(question: Question, raw: Any) -> Checked:
    """Read a student's answer (app.exercises.answers) and check it with the question's
    exercise. `raw` is what the page sends (a list of variables or NO_SET, 'independent',
    a sign, a number), typed text, or a stored answer; ClassroomError when unreadable."""
    ex = question.exercise
    try:
        value = normalise_answer(ex, _unstored(raw))
    except AnswerFormatError as err:
        raise ClassroomError(str(err), hint="Check your answer's format and send it again.") \
            from None
    verdict = ex.check(value)
    feedback = "" if verdict.correct else " ".join([verdict.message, *verdict.reasons[:2]])
    kind = question.kind
    if kind == "adjustment_set":
        if value == {NO_SET}:
            return Checked({"none": True}, NO_SET, verdict.correct, feedback)
        return Checked({"set": sorted(value)}, _fmt_set(value), verdict.correct, feedback)
    if kind == "independence":
        independent = value == checkers.YES_INDEPENDENT
        return Checked({"independent": independent},
                       "independent" if independent else "not independent", verdict.correct,
                       feedback)
    if kind == "effect_sign":
        return Checked({"sign": value}, SIGNS[value], verdict.correct, feedback)
    tol, target = question.solution["tolerance"], question.solution["value"]
    shown = value / 100 if verdict.correct and abs(value - target) > tol else value  # read as %
    places = _decimals(tol)
    return Checked({"value": value}, f"{round(shown, places):.{places}f}", verdict.correct,
                   feedback)
