"""Identification with DoWhy: which estimand (back-door, front-door, IV) the graph allows.

DoWhy's `identify_effect` is the reference here on purpose: it is independent of our own
`app.analysis`, so the two can be checked against each other.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import networkx as nx

from app.errors import EstimationError
from app.estimation._engine import LATENT_PREFIX, dowhy, observed_nodes, quiet, to_dowhy_graph
from app.graph import CausalGraph

KINDS = ("backdoor", "frontdoor", "iv")
KIND_LABELS = {"backdoor": "Back-door adjustment", "frontdoor": "Front-door adjustment",
               "iv": "Instrumental variable"}


@dataclass(frozen=True)
class Estimand:
    """What the graph says can be estimated, and how (one entry per identification strategy)."""

    treatment: str
    outcome: str
    backdoor: tuple[str, ...] | None        # the adjustment set, None if back-door fails
    frontdoor: tuple[str, ...] | None       # mediators for the front-door formula
    instruments: tuple[str, ...]            # observed instruments (may be empty)
    unobserved: tuple[str, ...]             # graph nodes without data (or marked latent)
    adjustment_source: str                  # "graph roles" or "DoWhy (minimal set)"
    notes: tuple[str, ...] = ()
    iv_given: tuple[str, ...] = ()          # conditional instruments: valid given these (W)
    assumptions: dict = field(default_factory=dict, compare=False)
    dowhy_text: dict = field(default_factory=dict, compare=False)
    dowhy_estimand: object = field(default=None, repr=False, compare=False)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The identification strategies that work, in order of preference."""
        out = []
        if self.backdoor is not None:
            out.append("backdoor")
        if self.frontdoor:
            out.append("frontdoor")
        if self.instruments:
            out.append("iv")
        return tuple(out)

    @property
    def identified(self) -> bool:
        return bool(self.kinds)

    def latex(self, kind: str) -> str:
        return estimand_latex(kind, self)

    def text(self, kind: str) -> str:
        return estimand_text(kind, self)

    def dowhy_for(self, kind: str):
        """A fresh copy of DoWhy's estimand set up for `kind` (estimators mutate it)."""
        ie = copy.deepcopy(self.dowhy_estimand)
        # DoWhy 0.14's IdentifiedEstimand.__deepcopy__ forgets these (front-door stages need them)
        for attr in ("mediation_first_stage_confounders", "mediation_second_stage_confounders"):
            setattr(ie, attr, copy.deepcopy(getattr(self.dowhy_estimand, attr, None)))
        ie.set_identifier_method(kind)
        if kind == "backdoor":
            ie.set_backdoor_variables(list(self.backdoor or ()), "backdoor")
        if kind == "iv":
            ie.instrumental_variables = list(self.instruments)
        return ie

    def __str__(self) -> str:
        lines = [f"Effect of {self.treatment} on {self.outcome}"]
        for k in self.kinds:
            lines.append(f"  {KIND_LABELS[k]}: {self.text(k)}")
        if not self.kinds:
            lines.append("  not identifiable from this graph")
        return "\n".join(lines)


def tex_name(name: str) -> str:
    """A variable name safe inside LaTeX \\text{...}."""
    repl = {"\\": r"\textbackslash{}", "_": r"\_", "&": r"\&", "%": r"\%", "$": r"\$",
            "#": r"\#", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\^{}"}
    return r"\text{" + "".join(repl.get(c, c) for c in name) + "}"


def estimand_latex(kind: str, est: Estimand) -> str:
    """The identification formula for `kind` in LaTeX (for st.latex)."""
    t, y = tex_name(est.treatment), tex_name(est.outcome)
    if kind == "backdoor":
        z = list(est.backdoor or ())
        if not z:
            return rf"E[{y} \mid do({t}=x)] = E[{y} \mid {t}=x]"
        zs = ", ".join(tex_name(v) for v in z)
        return (rf"E[{y} \mid do({t}=x)] = \sum_{{{zs}}} E[{y} \mid {t}=x, {zs}]\; P({zs})")
    if kind == "frontdoor":
        m = ", ".join(tex_name(v) for v in est.frontdoor or ())
        return (rf"P({y} \mid do({t}=x)) = \sum_{{{m}}} P({m} \mid {t}=x) "
                rf"\sum_{{x'}} P({y} \mid {m}, {t}=x')\, P({t}=x')")
    if kind == "iv":
        z = tex_name(est.instruments[0]) if len(est.instruments) == 1 else \
            r"(" + ", ".join(tex_name(v) for v in est.instruments) + ")"
        w = (r" \mid " + ", ".join(tex_name(v) for v in est.iv_given)) if est.iv_given else ""
        return (rf"\text{{effect}} = \frac{{\mathrm{{Cov}}({y}, {z}{w})}}"
                rf"{{\mathrm{{Cov}}({t}, {z}{w})}}"
                r"\quad\text{(Wald / two-stage least squares)}")
    raise EstimationError(f"Unknown estimand kind '{kind}'.")


def estimand_text(kind: str, est: Estimand) -> str:
    """One plain sentence saying what the formula does and what it assumes."""
    t, y = est.treatment, est.outcome
    if kind == "backdoor":
        z = list(est.backdoor or ())
        if not z:
            return (f"No adjustment is needed: no back-door path links {t} and {y}, so the plain "
                    f"comparison of {t} groups is causal (if the graph is right).")
        return (f"Compare {t} groups within levels of {', '.join(z)}, then average over how "
                f"{', '.join(z)} is distributed: this blocks every back-door path from {t} to {y}.")
    if kind == "frontdoor":
        m = ", ".join(est.frontdoor or ())
        return (f"Front-door: {t} affects {y} only through {m}; estimate the effect of {t} on {m} "
                f"and of {m} on {y} (adjusting for {t}), then chain them. Works even with a hidden "
                f"confounder of {t} and {y}.")
    if kind == "iv" and est.iv_given:
        z, w = ", ".join(est.instruments), ", ".join(est.iv_given)
        return (f"Instrument {z} given {{{w}}}: among units with the same {w}, {z} moves {t}, "
                f"reaches {y} only through {t}, and shares no cause with {y}. Both stages of the "
                f"estimate control for {w}. The effect is how much {y} changes per unit change in "
                f"{t} caused by {z}.")
    if kind == "iv":
        z = ", ".join(est.instruments)
        return (f"Instrument {z}: it moves {t}, reaches {y} only through {t}, and shares no cause "
                f"with {y}. The effect is how much {y} changes per unit change in {t} caused by {z} "
                "(for binary variables: the effect among those whose treatment the instrument changes).")
    raise EstimationError(f"Unknown estimand kind '{kind}'.")


def _descendants(g: nx.DiGraph, node: str) -> set[str]:
    return nx.descendants(g, node)


def identify_estimand(graph: CausalGraph, treatment: str, outcome: str, columns,
                      *, adjustment_set=None) -> Estimand:
    """Run DoWhy's identify_effect on `graph` with `columns` as the measured variables.

    `adjustment_set`: None uses the nodes marked "adjusted" on the graph when they form a valid
    back-door set, otherwise DoWhy's minimal set; a list forces that set (checked for validity).
    """
    dw = dowhy()
    from dowhy.causal_identifier import AutoIdentifier, BackdoorAdjustment, EstimandType
    from dowhy.graph import check_valid_backdoor_set

    for role, name in (("treatment", treatment), ("outcome", outcome)):
        if name not in graph.nodes:
            raise EstimationError(f"The {role} '{name}' is not a node of the graph.")
    g = to_dowhy_graph(graph)
    observed = observed_nodes(graph, columns)
    for role, name in (("treatment", treatment), ("outcome", outcome)):
        if name not in observed:
            raise EstimationError(f"The {role} '{name}' is not measured (no column in the data "
                                  "or marked latent).", hint="Estimation needs data on both.")
    unobserved = tuple(n for n in graph.nodes if n not in observed)
    if not nx.has_path(g, treatment, outcome):
        raise EstimationError(
            f"The graph has no directed path from {treatment} to {outcome}, so it says the effect "
            "is exactly zero; there is nothing to estimate.",
            hint=f"If you believe {treatment} affects {outcome}, add the arrow(s) to the graph.")
    with quiet():
        ident = AutoIdentifier(EstimandType.NONPARAMETRIC_ATE,
                               backdoor_adjustment=BackdoorAdjustment.BACKDOOR_DEFAULT)
        ie = ident.identify_effect(g, [treatment], [outcome], observed)
    del dw
    notes: list[str] = []
    backdoor = None
    source = "DoWhy (smallest valid set)"
    if ie.estimands.get("backdoor") is not None:
        backdoor = tuple(sorted(ie.get_backdoor_variables("backdoor") or ()))
    desc_t = _descendants(g, treatment)

    def valid(z) -> bool:
        if set(z) & desc_t or set(z) & {treatment, outcome} or not set(z) <= set(observed):
            return False
        with quiet():
            return bool(check_valid_backdoor_set(g, [treatment], [outcome], list(z))["is_dseparated"])

    marked = sorted(graph.adjusted - {treatment, outcome})
    if adjustment_set is not None:
        z = tuple(sorted(set(adjustment_set)))
        bad = [v for v in z if v not in graph.nodes]
        if bad:
            raise EstimationError(f"'{bad[0]}' in the adjustment set is not a node of the graph.")
        if not valid(z):
            raise EstimationError(
                f"{{{', '.join(z)}}} is not a valid adjustment set for {treatment} → {outcome}.",
                hint="It leaves a back-door path open, contains a descendant of the treatment, "
                     "or uses an unmeasured variable.")
        backdoor, source = z, "chosen by you"
    elif marked and backdoor is not None:
        if valid(marked):
            backdoor, source = tuple(marked), "marked on the graph"
        else:
            notes.append(f"The variables marked 'adjusted' on the graph ({', '.join(marked)}) do not "
                         f"form a valid adjustment set; DoWhy's set {{{', '.join(backdoor)}}} is used.")
    instruments = tuple(sorted(v for v in (ie.instrumental_variables or []) if v in observed
                               and not v.startswith(LATENT_PREFIX)))
    iv_given: tuple[str, ...] = ()
    if not instruments:
        instruments, iv_given = conditional_instruments(graph, treatment, outcome, observed)
        if instruments:
            notes.append(f"{', '.join(instruments)} is an instrument only given "
                         f"{{{', '.join(iv_given)}}} (a conditional instrument, as DAGitty defines "
                         "it); the IV estimate controls for them in both stages.")
    frontdoor = tuple(sorted(ie.frontdoor_variables or ())) or None
    if frontdoor and not set(frontdoor) <= set(observed):
        frontdoor = None
    assumptions, dowhy_text = {}, {}
    for k in KINDS:
        e = ie.estimands.get(k)
        if e is not None:
            assumptions[k] = {name: text.replace(LATENT_PREFIX, "U_") for name, text in
                              (e.get("assumptions") or {}).items()}
            dowhy_text[k] = str(e.get("estimand"))
    hidden = [f"{a} ↔ {b}" for a, b in sorted(graph.bidirected)]
    if hidden:
        notes.append("Hidden common causes in the graph: " + ", ".join(hidden) + ".")
    return Estimand(treatment=treatment, outcome=outcome, backdoor=backdoor, frontdoor=frontdoor,
                    instruments=instruments, unobserved=unobserved, adjustment_source=source,
                    notes=tuple(notes), assumptions=assumptions, dowhy_text=dowhy_text,
                    dowhy_estimand=ie, iv_given=iv_given)


def conditional_instruments(graph: CausalGraph, treatment: str, outcome: str,
                            observed) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Measured instruments valid given a measured set W (app.analysis, DAGitty's definition).

    Several instruments are used together only when they share the same W; the W shared by the
    most instruments wins (ties: the first in graph order). Returns (instruments, W).
    """
    from app.analysis import instruments as find_instruments
    from app.errors import QueryError

    obs = set(observed)
    try:
        found = find_instruments(graph, treatment, outcome)
    except QueryError:
        return (), ()
    groups: dict[frozenset, list[str]] = {}
    for inst in found:
        if inst.node in obs and inst.given <= obs and inst.given:
            groups.setdefault(inst.given, []).append(inst.node)
    if not groups:
        return (), ()
    given, nodes = max(groups.items(), key=lambda kv: len(kv[1]))
    return tuple(sorted(nodes)), tuple(sorted(given))


def not_identified_error(est: Estimand) -> EstimationError:
    """The message when no strategy works: say why and what would help."""
    t, y = est.treatment, est.outcome
    why = "every back-door path from it to the outcome goes through an unmeasured variable"
    if est.unobserved:
        why += f" ({', '.join(v for v in est.unobserved[:6])})"
    return EstimationError(
        f"The effect of {t} on {y} cannot be identified from this graph: {why}.",
        hint="Measure a confounder, or add a mediator that satisfies the front-door criterion, "
             "or an instrument. Check that the graph's latent variables and ↔ edges are right.")
