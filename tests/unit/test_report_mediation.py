"""Mediation on the Report: with named mediators the report splits the effect into natural
direct and indirect parts, checked against a simulated linear SCM with known coefficients (NDE =
the direct path coefficient, NIE = the product of the path coefficients; Baron & Kenny 1986,
VanderWeele 2015, *Explanation in Causal Inference*, §2.4), and refuses a treatment-induced
mediator–outcome confounder with the reason (Avin, Shpitser & Pearl 2005)."""
import numpy as np
import pandas as pd
import pytest

from app.errors import DataError
from app.graph import CausalGraph
from app.io.dagitty import write_dagitty
from app.markup import as_shown
from app.report import ReportSettings, make_report, render_html, render_markdown
from app.report.__main__ import main

FAST = {"bootstrap": 0, "seed": 0, "refutation_simulations": 0, "add_learned": False}
# C confounds everything; T → M → Y with a = 0.8, b = 1.5; direct T → Y 0.5
G = CausalGraph.from_edges([("C", "T"), ("C", "M"), ("C", "Y"), ("T", "M"), ("M", "Y"),
                            ("T", "Y")])
NDE, NIE = 0.5, 0.8 * 1.5


def linear_scm(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    c = rng.normal(size=n)
    t = 0.7 * c + rng.normal(size=n)
    m = 0.8 * t + 0.6 * c + rng.normal(size=n)
    y = 0.5 * t + 1.5 * m - 1.0 * c + rng.normal(size=n)
    return pd.DataFrame({"C": c, "T": t, "M": m, "Y": y})


def induced_confounder(n=1500, seed=2):
    # T → L → M and L → Y: L confounds M → Y and is itself caused by T
    g = CausalGraph.from_edges([("T", "L"), ("L", "M"), ("L", "Y"), ("T", "M"), ("M", "Y"),
                                ("T", "Y")])
    rng = np.random.default_rng(seed)
    t = rng.normal(size=n)
    lv = t + rng.normal(size=n)
    m = t + lv + rng.normal(size=n)
    y = t + m + lv + rng.normal(size=n)
    return pd.DataFrame({"T": t, "L": lv, "M": m, "Y": y}), g


@pytest.fixture(scope="module")
def mediated():
    return make_report(linear_scm(), "T", "Y", graph=G, mediators=["M"], **FAST)


def test_linear_scm_gives_the_path_coefficients_within_the_intervals(mediated):
    m = mediated.mediation
    assert m is not None and mediated.mediation_check.ok
    assert m.covariates == ("C",)
    assert m.nde_ci[0] < NDE < m.nde_ci[1]
    assert m.nie_ci[0] < NIE < m.nie_ci[1]
    assert m.total_ci[0] < NDE + NIE < m.total_ci[1]
    assert m.share_mediated == pytest.approx(NIE / (NDE + NIE), abs=0.03)
    # the total of the split agrees with the report's own primary estimate of the whole effect
    assert mediated.primary.value == pytest.approx(m.total, abs=0.05)


def test_the_section_is_in_both_renderings_with_the_numbers(mediated):
    from app.numbers import fmt

    text, html = as_shown(render_markdown(mediated)), render_html(mediated)
    m = mediated.mediation
    assert "## 7. Direct and indirect effects" in text
    assert "## 8. Refutation" in text and "## 12. Reproducibility" in text
    for value in (m.nde, m.nie, m.total):
        assert fmt(value) in text and fmt(value) in html
    assert "Natural indirect effect (NIE)" in text and 'id="mediation"' in html
    assert "Direct and indirect effects</title>" in html          # the split chart (SVG)
    assert "--mediator M" in text                                  # how to run it again
    assert "**Direct and indirect.**" in text                     # one line in the summary


def test_without_mediators_there_is_no_section():
    r = make_report(linear_scm(1000), "T", "Y", graph=G, **FAST)
    assert r.mediation is None and r.mediation_note == ""
    assert "Direct and indirect" not in render_markdown(r)
    assert "## 7. Refutation" in render_markdown(r)


def test_a_treatment_induced_confounder_is_refused_with_the_reason():
    df, g = induced_confounder()
    r = make_report(df, "T", "Y", graph=g, mediators=["M"], **FAST)
    assert r.mediation is None and not r.mediation_check.ok
    assert "'L' is affected by T" in r.mediation_note
    assert "treatment-induced mediator–outcome confounder" in r.mediation_note
    text = as_shown(render_markdown(r))
    assert "**Not split.**" in text and "treatment-induced mediator–outcome confounder" in text
    assert "treatment-induced mediator–outcome confounder" in render_html(r)
    assert r.primary is not None          # the rest of the report is unaffected


@pytest.mark.parametrize(("mediators", "message"), [
    (["Q"], "There is no mediator column 'Q'"),
    (["Y"], "'Y' cannot be a mediator"),
])
def test_a_bad_mediator_is_a_clear_message(mediators, message):
    with pytest.raises(DataError) as err:
        make_report(linear_scm(200), "T", "Y", graph=G, mediators=mediators, **FAST)
    assert message in err.value.user_message()


def test_settings_object_and_keywords_give_the_same_report():
    df = linear_scm(600)
    settings = ReportSettings.build("T", "Y", mediators="M", **FAST)
    assert settings.mediators == ("M",)
    a = make_report(df, settings=settings, graph=G)
    b = make_report(df, "T", "Y", graph=G, mediators=("M",), **FAST)
    assert render_markdown(a) == render_markdown(b)
    with pytest.raises(TypeError, match="unexpected keyword argument 'bootstraps'"):
        make_report(df, "T", "Y", bootstraps=3)


def test_the_command_line_takes_mediators(tmp_path, capsys):
    data, graph, md = tmp_path / "scm.csv", tmp_path / "g.dagitty", tmp_path / "r.md"
    linear_scm(800).to_csv(data, index=False)
    graph.write_text(write_dagitty(G), encoding="utf-8")
    code = main([str(data), "-t", "T", "-y", "Y", "--graph", str(graph), "--mediator", "M",
                 "--bootstrap", "0", "--refutations", "0", "--keep-my-graph", "-q",
                 "--html", str(tmp_path / "r.html"), "--md", str(md)])
    assert code == 0, capsys.readouterr().err
    assert "Natural direct effect (NDE)" in as_shown(md.read_text(encoding="utf-8"))


def test_the_proportion_mediated_has_its_interval_in_the_report(mediated):
    m = mediated.mediation
    assert m.share_ci[0] < NIE / (NDE + NIE) < m.share_ci[1]
    text = as_shown(render_markdown(mediated))
    row = next(line for line in text.splitlines() if line.startswith("| Proportion mediated"))
    assert f"{m.share_ci[0]:.0%} to {m.share_ci[1]:.0%}" in row and "| – |" not in row
