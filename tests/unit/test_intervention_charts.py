"""Intervene and Counterfactual charts: legends stay whole in a narrow column (QA round 3)."""
import pandas as pd

from app.charts.interventions import sweep_chart


def _legends(spec: dict) -> list[dict]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("legend"), dict):
                found.append(node["legend"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(spec)
    return found


def test_sweep_legend_lists_one_entry_a_line():
    """At 1024 px the Intervene legends (e.g. 'P(health | hours_worked=44.2)' beside
    'P(health | do(hours_worked=44.2))') ran side by side past the column and the second was
    cut off; each entry now has its own line under the chart."""
    sweep = pd.DataFrame({"hours_worked": range(30, 40), "do": range(10), "see": range(10)})
    legends = _legends(sweep_chart(sweep, "hours_worked", "health", "mean of health").to_dict())
    assert legends and all(lg["direction"] == "vertical" and lg["orient"] == "bottom"
                           for lg in legends)


def test_linear_counterfactual_names_its_rows_in_the_legend_not_in_cut_axis_labels():
    from app.charts.interventions import factual_vs_counterfactual
    from app.graph import CausalGraph
    from app.models.results import LinearCounterfactual

    r = LinearCounterfactual(("health",), {"hours_worked": 45.0}, {"hours_worked": 41}, "additive",
                             "", (), (), CausalGraph(), {}, means={"health": 0.64},
                             stds={"health": 0.1}, factual_means={"health": 0.35})
    spec = factual_vs_counterfactual(r, "health").to_dict()
    # labels off, the axis kept: axis=None on one layer left Streamlit a chart 0 px tall
    axes = [layer["encoding"]["y"].get("axis") for layer in spec["layer"]
            if "title" in layer["encoding"]["y"]]
    assert axes and all(a is not None and a.get("labels") is False for a in axes)
    assert all(lg["direction"] == "vertical" for lg in _legends(spec))
