"""Every number a lesson quotes, against its textbook source or an independent computation
(hand arithmetic, pandas counts, numpy least squares, networkx paths)."""
from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from app import load_sample
from app.exercises.generator import generate
from app.lessons import build_lesson


def facts(slug: str) -> dict:
    return build_lesson(slug).facts


def text(slug: str) -> str:
    run = build_lesson(slug)
    return "\n".join([run.intro, *run.sections.values(), *run.after.values()])


def ols(y: np.ndarray, *xs: np.ndarray) -> np.ndarray:
    """Least squares with an intercept, by numpy (independent of app.models)."""
    design = np.column_stack([np.ones(len(y)), *xs])
    return np.linalg.lstsq(design, y, rcond=None)[0]


# ---- 1. Kidney stones: Charig et al. (1986), BMJ 292: 879-882 ------------------------------------
def test_lesson_1_naive_rates_are_charigs_78_and_83_percent():
    f = facts("01_confounding_simpson")
    assert f["naive_A"] == pytest.approx(273 / 350)          # 0.78
    assert f["naive_B"] == pytest.approx(289 / 350)          # 0.8257, quoted as 0.83
    assert f"{f['naive_A']:.2f}" == "0.78" and f"{f['naive_B']:.2f}" == "0.83"
    for key, (r, n) in {"A_small": (81, 87), "A_large": (192, 263), "B_small": (234, 270),
                        "B_large": (55, 80)}.items():
        assert f[key] == pytest.approx(r / n)


def test_lesson_1_adjusted_rates_are_0_8325_and_0_7789():
    # Back-door formula by hand: P(small) = 357/700, P(large) = 343/700.
    # A: (81/87)(357/700) + (192/263)(343/700) = 0.83255; B: (234/270)(357/700) + (55/80)(343/700)
    # = 0.77888 (Pearl, Glymour & Jewell 2016, Primer §3.2: 0.832 and 0.7789).
    f = facts("01_confounding_simpson")
    hand_a = 81 / 87 * 357 / 700 + 192 / 263 * 343 / 700
    hand_b = 234 / 270 * 357 / 700 + 55 / 80 * 343 / 700
    assert f["do_A"] == pytest.approx(hand_a, abs=1e-12) and f"{f['do_A']:.4f}" == "0.8325"
    assert f["do_B"] == pytest.approx(hand_b, abs=1e-12) and f"{f['do_B']:.4f}" == "0.7789"


def test_lesson_1_text_quotes_the_numbers():
    t = text("01_confounding_simpson")
    for quoted in ("**0.78**", "**0.83**", "0.8325", "**0.7789**", "0.93 vs 0.87", "0.73 vs 0.69"):
        assert quoted in t


# ---- 2. Admissions: sample_data/collider_selection/README.md (0.01 overall, -0.55 admitted) -------
def test_lesson_2_correlations_match_numpy_and_the_sample_readme():
    f = facts("02_colliders_selection")
    df = load_sample("collider_selection").data
    adm = df[df.admitted == 1]
    assert f["r_all"] == pytest.approx(np.corrcoef(df.talent, df.study)[0, 1], abs=1e-12)
    assert f["r_admitted"] == pytest.approx(np.corrcoef(adm.talent, adm.study)[0, 1], abs=1e-12)
    assert round(f["r_all"], 2) == 0.01 and round(f["r_admitted"], 2) == -0.55
    assert "**0.01**" in text("02_colliders_selection") and "**-0.55**" in text("02_colliders_selection")


# ---- 3. Mediation: known linear SCM --------------------------------------------------------------
def test_lesson_3_total_and_direct_effects_by_hand():
    f = facts("03_mediation")
    assert f["total"] == pytest.approx(2.0 * 1.5 + 0.5)      # multiply along, add across paths
    assert f["direct"] == pytest.approx(0.5) and f["indirect"] == pytest.approx(3.0)


def test_lesson_3_regressions_match_numpy_and_the_theory():
    from app.lessons.loader import load_lesson

    f = facts("03_mediation")
    df = load_lesson("03_mediation").module.scm().sample(5000, seed=3)
    t, m, c, y = (df[k].to_numpy() for k in ("training", "skill", "motivation", "output"))
    assert f["reg_none"] == pytest.approx(ols(y, t)[1], abs=1e-9)
    assert f["reg_C"] == pytest.approx(ols(y, t, c)[1], abs=1e-9)
    assert f["reg_CM"] == pytest.approx(ols(y, t, c, m)[1], abs=1e-9)
    # Large-sample values: naive 3.5 + Cov(T, C)·2 / Var(T) = 3.5 + 1·2/2 = 4.5; with C: 3.5;
    # with C and M: the direct effect 0.5 (sampling error ~ 0.03 at n = 5000).
    assert f["reg_none"] == pytest.approx(4.5, abs=0.1)
    assert f["reg_C"] == pytest.approx(3.5, abs=0.1)
    assert f["reg_CM"] == pytest.approx(0.5, abs=0.1)


def test_lesson_3_natural_effects_are_the_primers_0_32_and_0_035():
    # Pearl, Glymour & Jewell (2016), Primer §4.5.2, Tables 4.6-4.7, by hand:
    # NDE = (0.4 − 0.2)(1 − 0.4) + (0.8 − 0.3)(0.4) = 0.32; NIE = (0.75 − 0.4)(0.3 − 0.2) = 0.035;
    # TE = (0.8·0.75 + 0.4·0.25) − (0.3·0.4 + 0.2·0.6) = 0.46; NIE/TE = 7.6%, 1 − NDE/TE = 30.4%.
    f = facts("03_mediation")
    assert f["bin_nde"] == pytest.approx(0.32, abs=1e-12)
    assert f["bin_nie"] == pytest.approx(0.035, abs=1e-12)
    assert f["bin_total"] == pytest.approx(0.46, abs=1e-12)
    assert (f["bin_cde_no"], f["bin_cde_yes"]) == pytest.approx((0.2, 0.5), abs=1e-12)
    assert f["bin_nie_reverse"] == pytest.approx(0.32 - 0.46, abs=1e-12)
    t = text("03_mediation")
    for quoted in ("**0.32**", "**0.035**", "**0.46**", "7.6%", "30.4%", "0.105"):
        assert quoted in t


# ---- 5. M-bias: sample_data/m_bias/README.md (0.99 unadjusted, 0.61 adjusted for M) -------------
def test_lesson_5_m_bias_estimates_match_numpy_and_the_readme():
    f = facts("05_backdoor_adjustment")
    df = load_sample("m_bias").data
    x, m, y = (df[k].to_numpy() for k in ("X", "M", "Y"))
    assert f["slope_none"] == pytest.approx(ols(y, x)[1], abs=1e-9)
    assert f["slope_M"] == pytest.approx(ols(y, x, m)[1], abs=1e-9)
    assert round(f["slope_none"], 2) == 0.99 and round(f["slope_M"], 2) == 0.61
    # Greenland (2003)-style large-sample bias: 1 − (1.5·2.25)/(2·5.5 − 2.25) ≈ 0.614.
    assert f["slope_M"] == pytest.approx(1 - 1.5 * 2.25 / (2 * 5.5 - 2.25), abs=0.03)


def test_lesson_5_classic_graph_has_exactly_the_hand_derived_valid_sets():
    from app.analysis import adjustment_sets

    run = build_lesson("05_backdoor_adjustment")
    sets = {frozenset(s) for s in adjustment_sets(run.graph, "X", "Y", "all")}
    assert sets == {frozenset({"Z1", "Z3"}), frozenset({"Z2", "Z3"}), frozenset({"Z1", "Z2", "Z3"})}


# ---- 6. Front door: Pearl (2009) §3.3.2; simulation truth in the sample's README ------------------
def front_door_from_counts(df: pd.DataFrame, s: int) -> float:
    """Σ_t P(t | s) Σ_s' P(c=1 | t, s') P(s') with plain pandas frequencies."""
    p_s = df.smoking.value_counts(normalize=True)
    total = 0.0
    for t in (0, 1):
        p_t = (df[df.smoking == s].tar == t).mean()
        inner = sum(df[(df.tar == t) & (df.smoking == s2)].cancer.mean() * p_s[s2] for s2 in (0, 1))
        total += p_t * inner
    return total


def test_lesson_6_front_door_numbers_match_the_formula_on_counts():
    f = facts("06_front_door")
    df = load_sample("smoking_tar_cancer").data
    assert f["do_1"] == pytest.approx(front_door_from_counts(df, 1), abs=1e-9)
    assert f["do_0"] == pytest.approx(front_door_from_counts(df, 0), abs=1e-9)
    assert f["see_1"] - f["see_0"] == pytest.approx(
        df[df.smoking == 1].cancer.mean() - df[df.smoking == 0].cancer.mean(), abs=1e-12)
    assert round(f["see_diff"], 3) == 0.485 and round(f["do_diff"], 3) == 0.116


def test_lesson_6_formula_on_the_true_model_gives_the_readme_truth():
    # README model: P(U=1) = 0.5; P(s=1|U) = 0.2, 0.8; P(t=1|s) = 0.05, 0.95;
    # P(c=1|t,U) = 0.05 + 0.15 t + 0.6 U. Exact probabilities, front-door formula by hand:
    p_u = {0: 0.5, 1: 0.5}
    p_s1_u = {0: 0.2, 1: 0.8}
    p_s = {1: sum(p_u[u] * p_s1_u[u] for u in p_u)}
    p_s[0] = 1 - p_s[1]
    p_u_s = {(u, s): p_u[u] * (p_s1_u[u] if s else 1 - p_s1_u[u]) / p_s[s] for u in (0, 1) for s in (0, 1)}
    p_t1_s = {0: 0.05, 1: 0.95}

    def p_c(t, s2):   # tar carries no information on U beyond smoking
        return sum((0.05 + 0.15 * t + 0.6 * u) * p_u_s[(u, s2)] for u in (0, 1))

    for s, truth in ((1, 0.4925), (0, 0.3575)):
        fd = sum((p_t1_s[s] if t else 1 - p_t1_s[s]) * sum(p_c(t, s2) * p_s[s2] for s2 in (0, 1))
                 for t in (0, 1))
        assert fd == pytest.approx(truth, abs=1e-12)
    f = facts("06_front_door")
    assert (f["truth_1"], f["truth_0"]) == (0.4925, 0.3575)
    # the 5,000-row estimate is within sampling error of the truth (binomial se ~ 0.01 each)
    assert abs(f["do_1"] - 0.4925) < 0.03 and abs(f["do_0"] - 0.3575) < 0.03


# ---- 7. Instruments: Card (1995) data from causaldata.close_college -------------------------------
def test_lesson_7_wald_is_the_ratio_of_mean_differences():
    f = facts("07_instruments")
    df = load_sample("college_proximity").data.dropna(
        subset=["nearc4", "educ", "lwage", "black", "exper", "married", "smsa", "south"])
    near, far = df[df.nearc4 == 1], df[df.nearc4 == 0]
    a = near.educ.mean() - far.educ.mean()
    b = near.lwage.mean() - far.lwage.mean()
    assert f["first"] == pytest.approx(a) and f["reduced"] == pytest.approx(b)
    assert f["wald"] == pytest.approx(b / a, abs=1e-9)
    assert f["ols"] == pytest.approx(ols(df.lwage.to_numpy(), df.educ.to_numpy())[1], abs=1e-9)
    assert round(f["ols"], 3) == 0.052 and round(f["wald"], 3) == 0.186


def test_lesson_7_covariate_iv_matches_a_hand_written_two_stage_least_squares():
    f = facts("07_instruments")
    cov = ["black", "exper", "married", "smsa", "south"]
    df = load_sample("college_proximity").data.dropna(subset=["nearc4", "educ", "lwage", *cov])
    w = df[cov].to_numpy(float)
    first = np.column_stack([np.ones(len(df)), df.nearc4, w])
    educ_hat = first @ np.linalg.lstsq(first, df.educ.to_numpy(float), rcond=None)[0]
    beta = ols(df.lwage.to_numpy(float), educ_hat, *w.T)
    assert f["iv_cov"] == pytest.approx(beta[1], abs=1e-9)
    assert round(f["iv_cov"], 3) == 0.124


# ---- 8. Seeing, doing, imagining: Primer §4.2.3-4.2.4 -------------------------------------------
def test_lesson_8_three_rungs_give_1_36_then_0_8_then_1_9():
    f = facts("08_seeing_doing_counterfactual")
    # do: cut encouragement → homework: 0.7·E[X] + 0.4·2 = 0.8.
    assert f["do_2"] == pytest.approx(0.8, abs=1e-12)
    # see: Var(H) = 0.25 + 1 = 1.25, Cov(H, Y) = 0.7·0.5 + 0.4·1.25 = 0.85 → 2·0.85/1.25 = 1.36.
    assert f["see_2"] == pytest.approx(1.36, abs=1e-12)
    # imagine (the Primer's answer for Joe): 0.7·0.5 + 0.4·2 + 0.75 = 1.90.
    assert f["cf"] == pytest.approx(1.90, abs=1e-12)
    assert (f["u_x"], f["u_h"], f["u_y"]) == pytest.approx((0.5, 0.75, 0.75))


# ---- the generator: its answers against independent computations ------------------------------------
def arrows(ex) -> dict[tuple[str, str], float]:
    """The coefficients drawn on the arrows (what the student sees)."""
    return {e: float(v) for e, v in ex.edge_labels.items()}


def path_sum(coef: dict, x: str, y: str) -> float:
    """Σ over directed paths of Π coefficients, by networkx path enumeration."""
    g = nx.DiGraph(list(coef))
    if x not in g or y not in g:
        return 0.0
    return float(sum(np.prod([coef[e] for e in zip(p, p[1:])]) for p in nx.all_simple_paths(g, x, y)))


@pytest.mark.parametrize("seed", range(30))
def test_generated_total_effect_is_the_sum_over_paths_of_coefficient_products(seed):
    ex = generate(seed, 2 + seed % 4, kind="total_effect")
    assert ex.answer == pytest.approx(path_sum(arrows(ex), ex.params["x"], ex.params["y"]), abs=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_generated_path_effect_is_the_product_along_the_path(seed):
    ex = generate(seed, 2 + seed % 4, kind="path_effect")
    coef, path = arrows(ex), ex.params["path"]
    assert ex.answer == pytest.approx(np.prod([coef[e] for e in zip(path, path[1:])]), abs=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_generated_do_mean_propagates_the_means_by_hand(seed):
    # E[V | do(X = v)]: walk the causal order; each mean is its constant plus Σ coef · parent mean.
    ex = generate(seed, 1 + seed % 5, kind="do_mean")
    coef, p = arrows(ex), ex.params
    mean: dict[str, float] = {}
    for v in ex.graph.topological_order():
        mean[v] = p["value"] if v == p["x"] else p["intercepts"][v] + sum(
            c * mean[a] for (a, b), c in coef.items() if b == v)
    assert ex.answer == pytest.approx(mean[p["y"]], abs=1e-9)


@pytest.mark.parametrize("seed", range(20))
def test_generated_counterfactual_is_observed_plus_effect_times_change(seed):
    # Linear additive noise: Y* = y + (total effect of X on Y) · (x' − x) (Primer §4.2.4).
    ex = generate(seed, 1 + seed % 5, kind="counterfactual")
    p = ex.params
    te = path_sum(arrows(ex), p["x"], p["y"])
    expected = p["factual"][p["y"]] + te * (p["new_x"] - p["factual"][p["x"]])
    assert ex.answer == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("seed", range(30))
def test_generated_independence_agrees_with_networkx_d_separation(seed):
    from app.lessons.checkers import YES_INDEPENDENT

    ex = generate(seed, 1 + seed % 5, kind="independence")
    p = ex.params
    expected = nx.is_d_separator(ex.graph.to_networkx(), {p["x"]}, {p["y"]}, set(p["given"]))
    assert (ex.answer == YES_INDEPENDENT) == expected


def path_is_open(full: nx.DiGraph, nodes: list[str], given: set[str]) -> bool:
    """Pearl's two rules written out for one path (independent of app.analysis)."""
    for prev, v, nxt in zip(nodes, nodes[1:], nodes[2:]):
        collider = full.has_edge(prev, v) and full.has_edge(nxt, v)
        if collider and not ({v} | nx.descendants(full, v)) & given:
            return False
        if not collider and v in given:
            return False
    return True


def test_generated_paths_listing_covers_every_simple_path_and_each_status_is_right():
    for seed in range(30):
        ex = generate(seed, 1 + seed % 4, kind="open_paths")
        p = ex.params
        full = ex.graph.to_networkx()
        expected = {tuple(q) for q in nx.all_simple_paths(full.to_undirected(), p["x"], p["y"])}
        listed = {tuple(o.split(" ")[::2]): o for o in ex.options}
        assert set(listed) == expected
        for nodes, option in listed.items():
            assert (option in ex.answer) == path_is_open(full, list(nodes), set(p["given"]))
