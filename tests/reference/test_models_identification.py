"""do-queries with hidden common causes: identification (ID / IDC) from observed data.

Truth: models with explicit latent nodes, where P(y | do(x), z) is the brute-force sum over the
mutilated full model (Pearl 2009, eq. 3.10). Our answer sees only the observed distribution and
the graph with ↔; it must equal the truth when identifiable, and must refuse exactly when
pyAgrum's complete ID/IDC implementation finds a hedge. Also the front-door formula by hand on
the smoking sample (Pearl 2009, Causality §3.3.2, eq. 3.42).
"""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from app.graph import CausalGraph
from app.models import do_query, fit_model
from app.models.identify import Factor, NotIdentifiable, tian_parents
from tests.reference.test_models_brute_force import brute_force, joint


def _full_spec(seed: int, n_obs: int = 5):
    """Random binary DAG over observed nodes O0..On plus 1–3 latent roots with two children."""
    rng = np.random.default_rng(seed)
    obs = [f"O{i}" for i in range(n_obs)]
    edges = [(obs[i], obs[j]) for i in range(n_obs) for j in range(i + 1, n_obs)
             if rng.uniform() < 0.45]
    pairs = list(itertools.combinations(obs, 2))
    chosen = rng.choice(len(pairs), size=int(rng.integers(1, 4)), replace=False)
    latents = {f"L{k}": pairs[i] for k, i in enumerate(chosen)}
    parents = {v: [a for a, b in edges if b == v] for v in obs}
    for name, (a, b) in latents.items():
        parents[a].append(name)
        parents[b].append(name)
    spec = {}
    for name in latents:
        spec[name] = ([], [0, 1], rng.dirichlet([1, 1], size=1).T)
    for v in obs:
        ps = sorted(parents[v])
        spec[v] = (ps, [0, 1], rng.dirichlet([0.8, 0.8], size=2 ** len(ps)).T)
    admg = CausalGraph.from_edges(edges, nodes=obs, bidirected=list(latents.values()))
    return spec, admg, obs


def _observed_model(spec: dict, admg: CausalGraph, obs: list[str]):
    """The model our app would fit: Tian-factorised tables of the exact observed distribution."""
    p, names = joint(spec)
    full = Factor(tuple(names), p).keep(obs)
    tables = {}
    for v, parents in tian_parents(admg).items():
        num = full.keep([v, *parents])
        cond = num.divide(num.sum_out([v]))
        arr = np.transpose(cond.values, [cond.vars.index(u) for u in (v, *parents)])
        tables[v] = arr.reshape(2, -1)
    return fit_model(admg, cpts=tables, states={v: [0, 1] for v in obs})


def _pyagrum(admg, obs, y, do, evidence):
    """pyAgrum's verdict: (tensor or None, explanation)."""
    import pyagrum as gum
    import pyagrum.causal as csl

    bn = gum.BayesNet("observed")
    for v in obs:
        bn.add(gum.LabelizedVariable(v, v, ["0", "1"]))
    for a, b in sorted(admg.edges):
        bn.addArc(a, b)
    bn.generateCPTs()   # pyAgrum only decides identifiability here: its tables are random
    latents = [(f"H{i}", tuple(e)) for i, e in enumerate(sorted(admg.bidirected))]
    cm = csl.CausalModel(bn, latents, True)
    values = {k: str(v) for k, v in {**do, **evidence}.items()}
    _, tensor, explanation = csl.causalImpact(cm, on=y, doing=set(do), knowing=set(evidence),
                                              values=values)
    return tensor, explanation


def _cases(seed: int):
    spec, admg, obs = _full_spec(seed)
    rng = np.random.default_rng(seed + 1000)
    g = admg.to_networkx()
    out = []
    for x in obs:
        import networkx as nx

        below = sorted(nx.descendants(g, x))
        if not below:
            continue
        y = below[int(rng.integers(len(below)))]
        others = [v for v in obs if v not in (x, y)]
        evidence = {}
        if others and rng.uniform() < 0.5:
            evidence = {others[int(rng.integers(len(others)))]: int(rng.integers(2))}
        out.append((y, {x: int(rng.integers(2))}, evidence))
    return spec, admg, obs, out


# pyAgrum 3.3.1 answers some conditional queries by a shortcut, "no causal effect because X and
# Y are d-separated in G_X̄ given Z", which is invalid when X is an ancestor of Z (Rule 3 then
# needs G itself). Seed 1, P(O4 | do(O1), O3), is such a case: O1 → O3 → O4 with O1 ↔ O3 and
# O1 ↔ O4. By Rule 2 it equals P(O4 | do(O1, O3)), which has the hedge F' = {O1, O3, O4},
# F = {O4} (Shpitser & Pearl 2006, Theorem 4): not identifiable, and our code says so.
SHORTCUT = "d-separated after removing incoming edges"


@pytest.mark.parametrize("seed", range(12))
def test_identified_do_queries_equal_the_truth_of_the_full_model(seed):
    spec, admg, obs, cases = _cases(seed)
    model = _observed_model(spec, admg, obs)
    for y, do, evidence in cases:
        tensor, explanation = _pyagrum(admg, obs, y, do, evidence)
        try:
            ours = do_query(model, y, do, evidence).distribution.to_numpy()
        except NotIdentifiable:
            ours = None
        if ours is not None:
            truth = brute_force(spec, y, do, evidence)
            np.testing.assert_allclose(ours, truth, atol=1e-9,
                                       err_msg=f"seed {seed}: P({y} | do{do}, {evidence})")
        if not evidence or SHORTCUT not in explanation:
            assert (ours is None) == (tensor is None), (seed, y, do, evidence, explanation)


def test_some_random_cases_are_identified_and_some_are_not():
    identified = refused = 0
    for seed in range(12):
        spec, admg, obs, cases = _cases(seed)
        model = _observed_model(spec, admg, obs)
        for y, do, evidence in cases:
            try:
                do_query(model, y, do, evidence)
                identified += 1
            except NotIdentifiable:
                refused += 1
    assert identified >= 10 and refused >= 3


def test_pyagrum_shortcut_case_is_not_the_conditional_probability():
    # The shortcut would answer P(O4 | do(O1=0), O3=0) with P(O4 | O3=0); in the full model with
    # the latents written out they differ, so the shortcut is wrong and refusing is right.
    spec, admg, obs, cases = _cases(1)
    y, do, evidence = cases[1]
    assert (y, do, evidence) == ("O4", {"O1": 0}, {"O3": 0})
    truth = brute_force(spec, y, do, evidence)
    shortcut = brute_force(spec, y, {}, evidence)
    assert abs(truth[1] - shortcut[1]) > 1e-3
    with pytest.raises(NotIdentifiable):
        do_query(_observed_model(spec, admg, obs), y, do, evidence)


def test_napkin_graph_is_identified_and_equals_the_truth():
    # Napkin (Pearl & Mackenzie 2018; Shpitser & Pearl 2006): W → R → X → Y, W ↔ X, W ↔ Y.
    # P(y | do(x)) = Σ_w P(x, y | r, w) P(w) / Σ_w P(x | r, w) P(w): neither back- nor front-door.
    rng = np.random.default_rng(5)
    spec = {"L1": ([], [0, 1], np.array([[0.3], [0.7]])),
            "L2": ([], [0, 1], np.array([[0.6], [0.4]]))}
    for v, ps in [("W", ["L1", "L2"]), ("R", ["W"]), ("X", ["L1", "R"]), ("Y", ["L2", "X"])]:
        spec[v] = (ps, [0, 1], rng.dirichlet([1, 1], size=2 ** len(ps)).T)
    admg = CausalGraph.from_edges([("W", "R"), ("R", "X"), ("X", "Y")],
                                  bidirected=[("W", "X"), ("W", "Y")])
    model = _observed_model(spec, admg, ["W", "R", "X", "Y"])
    for x in (0, 1):
        truth = brute_force(spec, "Y", {"X": x})
        np.testing.assert_allclose(do_query(model, "Y", {"X": x}).distribution.to_numpy(),
                                   truth, atol=1e-10)
    # and the napkin formula by hand on the observed joint gives the same number
    p, names = joint(spec)
    obs = Factor(tuple(names), p).keep(["W", "R", "X", "Y"])
    arr = np.transpose(obs.values, [obs.vars.index(v) for v in "WRXY"])   # [w, r, x, y]
    pw = arr.sum(axis=(1, 2, 3))
    r, x = 0, 1
    num = sum(arr[w, r, x, 1] / arr[w, r].sum() * pw[w] for w in (0, 1))
    den = sum(arr[w, r, x, :].sum() / arr[w, r].sum() * pw[w] for w in (0, 1))
    assert do_query(model, "Y", {"X": x}).probability("Y", 1) == pytest.approx(num / den,
                                                                                 abs=1e-10)


def test_bow_graph_is_refused_with_a_plain_explanation():
    admg = CausalGraph.from_edges([("X", "Y")], bidirected=[("X", "Y")])
    df = pd.DataFrame({"X": [0, 1, 0, 1, 1], "Y": [0, 1, 1, 1, 0]})
    model = fit_model(admg, df)
    with pytest.raises(NotIdentifiable, match="not identifiable") as err:
        do_query(model, "Y", {"X": 1})
    assert "X" in err.value.message and err.value.hint


def test_smoking_sample_front_door_by_hand():
    from app.samples import load_sample

    sample = load_sample("smoking_tar_cancer")
    df = sample.data
    model = fit_model(sample.graph, df)
    # Front-door (Pearl 2009, eq. 3.42) with empirical frequencies:
    # P(c | do(s)) = Σ_t P(t | s) Σ_s' P(c | t, s') P(s')
    p_s = df["smoking"].value_counts(normalize=True)
    for s in (0, 1):
        fd = sum((df.loc[df.smoking == s, "tar"] == t).mean()
                 * sum(df.loc[(df.smoking == s2) & (df.tar == t), "cancer"].mean() * p_s[s2]
                       for s2 in (0, 1))
                 for t in (0, 1))
        ours = do_query(model, "cancer", {"smoking": s}).probability("cancer", 1)
        assert ours == pytest.approx(fd, abs=1e-12)
    # the sample's README truth: 0.4925 (do(s=1)) and 0.3575 (do(s=0)); 5,000 rows → ±0.03
    assert do_query(model, "cancer", {"smoking": 1}).probability("cancer", 1) == \
        pytest.approx(0.4925, abs=0.03)
    assert do_query(model, "cancer", {"smoking": 0}).probability("cancer", 1) == \
        pytest.approx(0.3575, abs=0.03)
