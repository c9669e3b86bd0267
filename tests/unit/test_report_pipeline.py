"""The automatic report end to end: every section on three samples, no external reference,
byte-identical output for identical input (also across processes), clear messages for bad
input (API and command line), progress and cancel."""
from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from app.errors import Cancelled, DataError
from app.graph import CausalGraph
from app.report import make_report, render_html, render_markdown
from app.samples import load_sample

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = {"lalonde_nsw": ("treat", "re78"), "kidney_stones": ("treatment", "recovery"),
             "asia": ("smoke", "dysp")}
FAST = {"bootstrap": 5, "seed": 0, "refutation_simulations": 20}
SECTIONS = [("summary", "Summary"), ("data", "1. The data"), ("discovery", "2. Discovery"),
            ("graph", "3. The graph used"), ("implications", "4. Testable implications"),
            ("identification", "5. Identification"), ("estimation", "6. Estimation"),
            ("refutation", "7. Refutation"), ("sensitivity", "8. Sensitivity to hidden confounding"),
            ("what-if", "9. What would change the conclusion"), ("assumptions", "10. Assumptions"),
            ("reproduce", "11. Reproducibility")]


@functools.cache
def sample_report(name: str, use_graph: bool = True):
    """One report per sample and mode, shared by the tests of this session (fast settings)."""
    s = load_sample(name)
    t, y = QUESTIONS[name]
    return make_report(s.to_dataset(), t, y, graph=s.graph, use_graph=use_graph, **FAST)


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_sample_reports_contain_every_section_with_numbers(name):
    r = sample_report(name)
    html, md = render_html(r), render_markdown(r)
    for sid, title in SECTIONS:
        assert f'<section id="{sid}"><h2>{title}</h2>' in html, sid
        assert f"## {title.replace('.', '.')}" in md, title
    assert html.count("<svg") >= 4                   # learned graph, graph used, charts
    assert r.primary is not None and r.primary.has_ci
    assert len([e for e in r.estimates if e.ok]) >= 2, "at least two estimators ran"
    assert r.refutations and r.sensitivity is not None and r.checks
    assert r.discovery is not None and r.discovery.bootstrap == 5
    assert "Seed" in html and "0 (every random step" in html


def test_lalonde_report_says_what_it_chose_and_why():
    r = sample_report("lalonde_nsw")
    # randomised treatment: nothing must be adjusted for, so the efficient set (all pre-treatment
    # causes of re78) is the primary set and the empty set is a check
    assert r.minimal_sets == ((),)
    assert r.efficient_set == ("age", "black", "hisp", "educ", "marr", "nodegree", "re74", "re75")
    assert sorted(r.primary.adjustment_set) == sorted(r.efficient_set)
    assert {e.method for e in r.estimates if e.ok} == {"linear_regression", "ps_weighting", "ml"}
    rule = next(x for x in r.method_rules if x.name == "Variable types and sample size")
    assert rule.applied and r.discovery.method == "ges"
    assert any("measured last" in line for line in r.knowledge_summary)


def test_learned_graph_tries_every_orientation_at_the_treatment():
    r = sample_report("asia", use_graph=False)
    assert r.graph_source == "learned" and r.user_graph is not None
    # smoke – lung and smoke – bronc are undecided in Asia's equivalence class; lung and bronc
    # are not adjacent, so smoke has 3 allowed parent sets: {}, {lung}, {bronc}
    assert len(r.possible_effects) == 3
    used = [a for a in r.possible_effects if a.note.startswith("used")]
    assert len(used) == 1
    assert abs(used[0].value) == min(abs(a.value) for a in r.possible_effects)
    assert abs(used[0].value - r.primary.value) < 1e-12
    assert "Possible effects" in render_html(r)


def test_html_has_no_external_reference():
    for name in QUESTIONS:
        html = render_html(sample_report(name))
        assert not re.search(r"https?://", html)
        assert not re.search(r"<script|<link|<img|<iframe|@import|url\(", html, re.I)
        for target in re.findall(r'(?:href|src)="([^"]*)"', html):
            assert target.startswith("#"), target     # only links inside the page


def test_same_inputs_give_byte_identical_reports():
    r1 = sample_report("kidney_stones")
    s = load_sample("kidney_stones")
    r2 = make_report(s.to_dataset(), "treatment", "recovery", graph=s.graph, **FAST)
    assert render_html(r1) == render_html(r2)
    assert render_markdown(r1) == render_markdown(r2)


def test_command_line_report_equals_the_api_report_in_another_process(tmp_path):
    out, md = tmp_path / "k.html", tmp_path / "k.md"
    env = {**os.environ, "PYTHONHASHSEED": "4321", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "app.report", "kidney_stones", "--treatment", "treatment",
         "--outcome", "recovery", "--graph", "sample", "--bootstrap", "5", "--refutations",
         "20", "--html", str(out), "--md", str(md), "--quiet"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "Report:" in proc.stdout
    r = sample_report("kidney_stones")
    assert out.read_text(encoding="utf-8") == render_html(r)
    assert md.read_text(encoding="utf-8") == render_markdown(r)


def _table(n: int = 120, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    t = (z + rng.normal(size=n) > 0).astype(int)
    return pd.DataFrame({"z": z, "t": t, "y": 2 * t + z + rng.normal(size=n)})


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"treatment": "dose", "outcome": "y"}, "There is no treatment column 'dose'"),
    ({"treatment": "t", "outcome": "Y"}, "Did you mean 'y'?"),
    ({"treatment": "t", "outcome": "t"}, "cannot be both the treatment and the outcome"),
    ({"treatment": "one", "outcome": "y"}, "The treatment 'one' has only one value"),
    ({"treatment": "t", "outcome": "y", "bootstrap": -1}, "bootstrap resamples"),
    ({"treatment": "t", "outcome": "y", "method": "magic"}, "Unknown discovery method"),
])
def test_bad_input_gives_a_clear_message(kwargs, message):
    df = _table().assign(one=1)
    with pytest.raises(DataError) as err:
        make_report(df, **kwargs)
    assert message in err.value.user_message()


def test_too_few_rows_and_graph_without_the_treatment_are_refused():
    with pytest.raises(DataError, match="only 12 rows; .* at least 30"):
        make_report(_table(12), "t", "y")
    g = CausalGraph.from_edges([("z", "y")])
    with pytest.raises(DataError, match="Your graph has no node 't'"):
        make_report(_table(), "t", "y", graph=g)


def _cli(tmp_path, *args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "app.report", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)


def test_command_line_bad_input_exits_2_with_a_message_not_a_traceback(tmp_path):
    data = tmp_path / "d.csv"
    _table().assign(one=1).to_csv(data, index=False)
    for args, message in [
        ((str(data), "-t", "nope", "-y", "y"), "There is no treatment column 'nope'"),
        ((str(data), "-t", "one", "-y", "y"), "has only one value"),
        ((str(tmp_path / "missing.csv"), "-t", "t", "-y", "y"), "Cannot open"),
        ((str(data), "-t", "t", "-y", "y", "--graph", str(tmp_path / "g.txt")),
         "Cannot read the graph file"),
    ]:
        proc = _cli(tmp_path, *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "\nerror: " in "\n" + proc.stderr and message in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
    proc = _cli(tmp_path, str(data), "-t", "t")           # argparse: outcome missing
    assert proc.returncode == 2 and "--outcome" in proc.stderr and "Traceback" not in proc.stderr


def test_progress_rises_to_the_end_and_cancel_stops_cleanly():
    seen: list[tuple[float, str]] = []
    r = make_report(_table(), "t", "y", bootstrap=0, refutation_simulations=0,
                    progress=lambda f, text: seen.append((f, text)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] > 0.9
    assert any(text.startswith("Learning the graph") for _, text in seen)
    assert r.primary is not None
    with pytest.raises(Cancelled):
        make_report(_table(), "t", "y", bootstrap=0, cancel=lambda: True)
    calls = {"n": 0}

    def later() -> bool:        # cancel once the analysis is under way (after discovery)
        calls["n"] += 1
        return calls["n"] > 4

    with pytest.raises(Cancelled):
        make_report(_table(), "t", "y", bootstrap=0, refutation_simulations=0, cancel=later)


def test_names_from_the_data_are_escaped_in_html_and_markdown():
    df = _table().rename(columns={"z": "<img src=x onerror=alert(1)>", "t": "t|*x*", "y": "y"})
    r = make_report(df, "t|*x*", "y", bootstrap=0, refutation_simulations=0)
    html, md = render_html(r), render_markdown(r)
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    prose = re.sub(r"```.*?```", "", md, flags=re.S)      # code blocks show text verbatim
    assert not re.search(r"(?<!\\)<", prose), "every < outside code is escaped"
    assert r"t\|\*x\*" in md
