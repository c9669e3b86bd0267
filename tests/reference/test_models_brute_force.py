"""Independent references for the model tests: brute-force sums over the full joint, random
networks, and conversion to pyAgrum. The tests here check the references themselves by hand.
"""
from __future__ import annotations

import string

import numpy as np
import pandas as pd
import pytest

from app.graph import CausalGraph
from app.models import fit_model


# ---- a network "spec": var -> (parents, states, values[k, parent configs]) -----------------------
def spec_of(model) -> dict:
    """The CPTs of a fitted discrete model as plain arrays (parents in graph order)."""
    out = {}
    for v in model.variables:
        parents = model.graph.parents(v)
        out[v] = (parents, list(model.states[v]),
                  np.asarray(model.tables[v], dtype=float))
    return out


def random_spec(n: int = 15, seed: int = 0, max_parents: int = 3) -> dict:
    """A random DAG with random CPTs: mostly binary nodes, every fourth one ternary."""
    rng = np.random.default_rng(seed)
    names = [f"{string.ascii_uppercase[i % 26]}{i}" for i in range(n)]
    spec = {}
    for i, v in enumerate(names):
        k = 3 if i % 4 == 3 else 2
        candidates = names[:i]
        m = int(rng.integers(1, min(max_parents, len(candidates)) + 1)) if candidates else 0
        parents = sorted(rng.choice(candidates, size=m, replace=False).tolist()) if m else []
        q = int(np.prod([len(spec[p][1]) for p in parents])) if parents else 1
        values = rng.dirichlet(np.full(k, 0.7), size=q).T
        spec[v] = (parents, [f"s{j}" for j in range(k)], values)
    return spec


def model_of(spec: dict):
    graph = CausalGraph.from_edges([(p, v) for v, (ps, _, _) in spec.items() for p in ps],
                                   nodes=list(spec))
    states = {v: s for v, (_, s, _) in spec.items()}
    return fit_model(graph, cpts={v: vals for v, (_, _, vals) in spec.items()}, states=states)


def joint(spec: dict, do: dict | None = None) -> tuple[np.ndarray, list[str]]:
    """The full joint distribution (after replacing do-targets' CPTs by point masses)."""
    do = do or {}
    names = list(spec)
    letters = {v: string.ascii_letters[i] for i, v in enumerate(names)}
    operands, subs = [], []
    for v, (parents, states, values) in spec.items():
        k = len(states)
        if v in do:
            arr = np.zeros(k)
            arr[states.index(do[v])] = 1.0
            operands.append(arr)
            subs.append(letters[v])
            continue
        shape = [k] + [len(spec[p][1]) for p in parents]
        arr = values.reshape(shape)
        operands.append(arr)
        subs.append(letters[v] + "".join(letters[p] for p in parents))
    expr = ",".join(subs) + "->" + "".join(letters[v] for v in names)
    return np.einsum(expr, *operands, optimize="greedy"), names


def brute_force(spec: dict, target: str, do: dict | None = None,
                evidence: dict | None = None) -> np.ndarray:
    """P(target | do, evidence) by summing the full joint of the mutilated model."""
    p, names = joint(spec, do)
    index = [slice(None)] * len(names)
    for v, s in (evidence or {}).items():
        index[names.index(v)] = spec[v][1].index(s)
    sub = p[tuple(index)]
    kept = [n for n in names if n not in (evidence or {})]
    marg = sub.sum(axis=tuple(i for i, n in enumerate(kept) if n != target))
    return marg / marg.sum()


def to_pyagrum(spec: dict):
    """The same network in pyAgrum (labels are the states as text)."""
    import pyagrum as gum

    bn = gum.BayesNet("reference")
    for v, (_, states, _) in spec.items():
        bn.add(gum.LabelizedVariable(v, v, [str(s) for s in states]))
    for v, (parents, _, _) in spec.items():
        for p in parents:
            bn.addArc(p, v)
    for v, (parents, _, values) in spec.items():
        configs = pd.MultiIndex.from_product([spec[p][1] for p in parents]).tolist() if parents \
            else [()]
        for j, config in enumerate(configs):
            config = config if isinstance(config, tuple) else (config,)
            bn.cpt(v)[{p: str(s) for p, s in zip(parents, config)}] = values[:, j].tolist()
    return bn


# ---- checks of the references themselves ------------------------------------------------------
def two_node_spec() -> dict:
    return {"Z": ([], [0, 1], np.array([[0.3], [0.7]])),
            "X": (["Z"], [0, 1], np.array([[0.9, 0.2], [0.1, 0.8]])),
            "Y": (["X", "Z"], [0, 1], np.array([[0.8, 0.6, 0.5, 0.1], [0.2, 0.4, 0.5, 0.9]]))}


def test_brute_force_do_equals_hand_backdoor_sum():
    # P(Y=1 | do(X=1)) = sum_z P(z) P(Y=1 | X=1, z) = 0.3*0.5 + 0.7*0.9 = 0.78 (worked by hand)
    assert brute_force(two_node_spec(), "Y", do={"X": 1})[1] == pytest.approx(0.78)


def test_brute_force_conditioning_equals_hand_bayes_rule():
    # P(Y=1 | X=1) = sum_z P(z) P(X=1|z) P(Y=1|X=1,z) / P(X=1)
    #             = (0.3*0.1*0.5 + 0.7*0.8*0.9) / (0.3*0.1 + 0.7*0.8) = 0.519 / 0.59
    assert brute_force(two_node_spec(), "Y", evidence={"X": 1})[1] == pytest.approx(0.519 / 0.59)


def test_pyagrum_copy_has_the_same_joint_probability():
    import pyagrum as gum

    spec = two_node_spec()
    bn = to_pyagrum(spec)
    ie = gum.LazyPropagation(bn)
    ie.setEvidence({"X": "1"})
    ie.makeInference()
    assert ie.posterior("Y")[1] == pytest.approx(0.519 / 0.59)


def test_random_spec_is_a_valid_distribution():
    spec = random_spec(15, seed=3)
    p, _ = joint(spec)
    assert p.sum() == pytest.approx(1.0)
    assert sum(len(ps) > 0 for ps, _, _ in spec.values()) >= 10
