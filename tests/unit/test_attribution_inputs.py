"""app.attribution: every bad input is a CausalCanvasError with a message; progress and Cancel."""
import math

import numpy as np
import pandas as pd
import pytest

from app.attribution import (
    anomaly_attribution,
    distribution_change,
    split_by_rows,
    split_by_value,
    upstream,
)
from app.errors import Cancelled, CausalCanvasError, DataError, ModelError
from app.graph import CausalGraph

G = CausalGraph.from_edges([("X", "M"), ("M", "Y"), ("Z", "Y"), ("Y", "W")])


def frame(n=200, seed=0):
    r = np.random.default_rng(seed)
    x = r.normal(size=n)
    m = x + r.normal(size=n)
    z = r.normal(size=n)
    y = m + z + r.normal(size=n)
    return pd.DataFrame({"X": x, "M": m, "Z": z, "Y": y, "W": y + r.normal(size=n),
                         "group": np.repeat(["a", "b"], n // 2)})


def test_upstream_is_the_ancestors_in_order_with_the_outcome_last():
    assert upstream(G, "Y")[-1] == "Y"
    assert set(upstream(G, "Y")) == {"X", "M", "Z", "Y"}


def test_splits():
    df = frame()
    old, new = split_by_value(df, "group", "a", "b")
    assert (len(old), len(new)) == (100, 100)
    old, new = split_by_rows(df, 50)
    assert (len(old), len(new)) == (50, 150)
    for bad in (lambda: split_by_value(df, "nope", "a", "b"),
                lambda: split_by_value(df, "group", "a", "a"),
                lambda: split_by_value(df, "group", "a", "c"),
                lambda: split_by_rows(df, 0), lambda: split_by_rows(df, 200),
                lambda: split_by_rows(df, "5")):
        with pytest.raises(DataError):
            bad()


@pytest.mark.parametrize("call", [
    lambda df: distribution_change(G, "nope", df, df),
    lambda df: distribution_change(G.add_bidirected("X", "Z"), "Y", df, df),
    lambda df: distribution_change(G, "Y", df.drop(columns="Z"), df),
    lambda df: distribution_change(G, "Y", df, df, measure="median"),
    lambda df: distribution_change(G, "Y", df, df, kind="tree"),
    lambda df: distribution_change(G, "Y", df, df, kind="discrete"),
    lambda df: distribution_change(G, "Y", df.head(5), df),
    lambda df: distribution_change(G, "Y", df, df, permutations=1),
    lambda df: distribution_change(G, "Y", df.assign(X=1.0), df),
    lambda df: distribution_change(G, "Y", "not a table", df),
    lambda df: distribution_change(G, "Y", df.assign(X="text"), df.assign(X="text"), kind="linear"),
    lambda df: anomaly_attribution(G, "Y", df, 10_000),
    lambda df: anomaly_attribution(G, "Y", df.assign(Y=(df.Y > 0).astype(int), M=(df.M > 0).astype(int),
                                                     X=(df.X > 0).astype(int),
                                                     Z=(df.Z > 0).astype(int)), 0),
])
def test_bad_inputs_are_explained(call):
    with pytest.raises(CausalCanvasError) as err:
        call(frame())
    assert err.value.message and "Traceback" not in err.value.message


def test_a_text_outcome_has_no_mean_but_a_divergence():
    df = frame()
    d = df.assign(**{c: np.where(df[c] > 0, "hi", "lo") for c in ("X", "M", "Z", "Y")})
    with pytest.raises(ModelError, match="not numbers"):
        distribution_change(G, "Y", d.iloc[:100], d.iloc[100:])
    res = distribution_change(G, "Y", d.iloc[:100], d.iloc[100:], measure="kl")
    assert res.kind == "discrete" and res.total >= 0


def test_missing_values_are_left_out_with_a_note():
    df = frame()
    df.loc[3, "X"] = np.nan
    res = distribution_change(G, "Y", df.iloc[:100], df.iloc[100:])
    assert any("missing value" in n for n in res.notes)


def test_progress_reaches_the_total_and_cancel_stops():
    seen = []
    df = frame()
    distribution_change(G, "Y", df.iloc[:100], df.iloc[100:], progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (16, 16)
    with pytest.raises(Cancelled):
        distribution_change(G, "Y", df.iloc[:100], df.iloc[100:], cancel=lambda: True)
    with pytest.raises(Cancelled):
        anomaly_attribution(G, "Y", df, 0, cancel=lambda: True)


def test_sentences_escape_names():
    # names reach Markdown only escaped (app.markup.md): a node called like a link stays text
    from app.markup import as_shown

    bad = "[x](http://198.51.100.7/a)"
    g = CausalGraph.from_edges([("X", "M"), ("M", bad)])
    df = frame().rename(columns={"Y": bad})
    res = distribution_change(g, bad, df.iloc[:100], df.iloc[100:])
    an = anomaly_attribution(g, bad, df, 0)
    for text in (res.summary(), an.summary(), *map(res.sentence, res.parts),
                 *map(an.sentence, an.parts)):
        assert "](http" not in text
    assert bad in as_shown(res.summary()).replace("\u2060", "")


def test_a_part_against_the_total_is_said_in_words_not_as_a_negative_share():
    """QA round 3: "lowered the mean of health by 0.032, -250% of the total" read as a double
    negative; a part pulling against the total change now says so."""
    from app.attribution.change import ChangeAttribution, NodeShare

    res = ChangeAttribution("Y", "mean", "continuous", 0.0, 0.01, 0.01,
                            (NodeShare("M", 0.035, 3.5), NodeShare("Z", -0.025, -2.5)),
                            "exact", 100, 100)
    assert res.sentence(res.parts[0]).endswith("by 0.035, 350% of the total.")
    against = res.sentence(res.parts[1])
    assert "lowered" in against and "-250%" not in against
    assert against.endswith("against the total change (250% of its size).")


@pytest.mark.parametrize("score, said", [(math.log(1235), "about once in 1,235 rows (outlier"),
                                         (60.0, "practically never (outlier")])
def test_how_rare_a_row_is_reads_as_a_sentence(score, said):
    """QA round 3: "happens about 1 in 1,235 units" and "happens practically never units"."""
    from app.attribution.anomaly import AnomalyAttribution

    an = AnomalyAttribution("Y", 7, 3.0, 0.0, 1.0, score, (), {}, "exact")
    assert said in an.summary() and "units" not in an.summary()


def test_parts_that_largely_cancel_are_said_to_cancel():
    """QA round 3: on stationary data the total change was tiny and the shares read 990%,
    -965%…; the summary now says the parts cancel, and stays quiet when they do not."""
    from app.attribution.change import ChangeAttribution, NodeShare

    def summary(*parts):
        return ChangeAttribution("Y", "mean", "continuous", 0.0, 0.002, 0.002,
                                 tuple(NodeShare(n, v, v / 0.002) for n, v in parts),
                                 "exact", 100, 100).summary()
    assert "largely cancel" in summary(("M", 0.0196), ("Z", -0.0176))
    assert "largely cancel" not in summary(("M", 0.0015), ("Z", 0.0005))


def test_a_row_part_that_takes_surprise_away_has_no_negative_share():
    from app.attribution.anomaly import AnomalyAttribution
    from app.attribution.change import NodeShare

    an = AnomalyAttribution("Y", 7, 3.0, 0.0, 1.0, 7.0, (), {"S": 0.05}, "exact")
    said = an.sentence(NodeShare("S", -1.2, -0.17))
    assert "takes away 1.2 nats" in said and "(17% of the score)" in said and "-17%" not in said
