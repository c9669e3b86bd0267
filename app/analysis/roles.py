"""The part each variable plays in the question "effect of X on Y" (for colouring and advice)."""
from __future__ import annotations

from collections.abc import Iterable

from app.analysis._core import ancestors, descendants, proper_causal_nodes
from app.analysis.adjustment import _effect_query, instruments
from app.graph import CausalGraph

# role key -> plain-language meaning (shown in the legend / table)
ROLE_LABELS: dict[str, str] = {
    "exposure": "exposure (the cause you ask about)",
    "outcome": "outcome",
    "confounder": "confounder: a common cause of exposure and outcome (adjust for it, or for "
                  "something that blocks its path)",
    "mediator": "mediator: on a causal path from exposure to outcome (part of the effect — do "
                "not adjust for it)",
    "collider": "collider: receives arrows from the exposure's side and the outcome's side "
                "(adjusting for it, or for a descendant, opens a biasing path)",
    "ancestor_exposure": "ancestor of the exposure",
    "ancestor_outcome": "ancestor of the outcome",
    "descendant_exposure": "descendant of the exposure: affected by it, must not be adjusted "
                           "for when it lies on or below a causal path",
    "forbidden": "must not be adjusted for (on or below a causal path from exposure to outcome)",
    "instrument": "instrument: moves the exposure and reaches the outcome only through it",
    "conditional_instrument": "conditional instrument: an instrument once other variables are "
                              "adjusted for",
    "latent": "latent: not measured",
}


def node_roles(g: CausalGraph, x: str | Iterable[str], y: str | Iterable[str]
               ) -> dict[str, list[str]]:
    """Every node → its roles for the effect of X on Y (keys of ROLE_LABELS, in that order).

    confounder: an ancestor of X and of Y where the path to Y avoids X (an ancestor of Y in the
    graph with X's outgoing edges removed); mediator: on a proper causal path X → … → Y;
    collider: arrowheads from two different neighbours, one X or an ancestor of X, the other Y
    or an ancestor of Y not through X (a common effect of the two sides); forbidden: a descendant of a
    causal-path node (the generalized adjustment criterion's forbidden set).
    """
    adm, xs, ys = _effect_query(g, x, y, what="Naming the roles of nodes", selection=True)
    an_x = ancestors(adm, xs)
    an_y = ancestors(adm, ys)
    no_out_x = adm.without_edges((a, c) for a in xs for c in adm.children[a])
    an_y_not_via_x = ancestors(no_out_x, ys)
    pcp = proper_causal_nodes(adm, xs, ys)
    forbidden = descendants(adm, pcp)
    de_x = descendants(adm, xs)
    ivs: dict[str, bool] = {}
    if len(xs) == 1 and len(ys) == 1 and not adm.selected - xs - ys:   # no IVs under selection
        for iv in instruments(g, next(iter(xs)), next(iter(ys))):
            ivs[iv.node] = iv.conditional
    out: dict[str, list[str]] = {}
    for n in adm.nodes:
        roles: set[str] = set()
        if n in xs:
            roles.add("exposure")
        if n in ys:
            roles.add("outcome")
        if n not in xs | ys:
            if n in an_x and n in an_y_not_via_x:
                roles.add("confounder")
            if n in pcp:
                roles.add("mediator")
            heads = list(adm.parents[n]) + list(adm.spouses[n])
            if any(p != q and p in an_x and q in an_y_not_via_x for p in heads for q in heads):
                roles.add("collider")
            if n in an_x:
                roles.add("ancestor_exposure")
            if n in an_y:
                roles.add("ancestor_outcome")
            if n in de_x:
                roles.add("descendant_exposure")
            if n in forbidden:
                roles.add("forbidden")
            if n in ivs:
                roles.add("conditional_instrument" if ivs[n] else "instrument")
        if n in adm.latent:
            roles.add("latent")
        out[n] = [r for r in ROLE_LABELS if r in roles]
    return out


__all__ = ["ROLE_LABELS", "node_roles"]
