"""User text shown through a Markdown renderer stays literal: the one helper (app.markup), the
error display, and the Markdown report.

Reference: CommonMark 0.31.2 §2.4 "Backslash escapes" — any ASCII punctuation character may be
backslash-escaped and then renders as itself; §6.3/6.4/6.6 images, links and raw HTML all need
an unescaped `[`, `<` or `!`. So text whose every punctuation character is escaped cannot open
any construct, whatever renderer extension (GFM autolinks `http://`/`www.`, $math$) is on.
"""
from __future__ import annotations

import re
import string

import pytest

from app.errors import CycleError, DataError
from app.markup import WORD_JOINER, md, md_authored, md_line, md_names
from app.report.document import Code, Document, Para, Section, Table
from app.report.render_md import document_markdown

HOSTILE = [
    "![t](http://198.51.100.7/x.png)",
    "<img src=http://198.51.100.7/y.png>",
    "[link](http://198.51.100.7/)",
    "http://198.51.100.7/z.png",
    "www.example.com",
    "&lt;img src=http://198.51.100.7/e.png&gt;",
    "<https://198.51.100.7/auto>",
    "**bold** _it_ `code` $x^2$ :red[x] ~~s~~",
    "# heading\n- item\n> quote\n1. one",
    "a\\*b\\",
]


def _unescape(text: str) -> str:
    """The text a CommonMark renderer shows (the word joiner is invisible)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text).replace(WORD_JOINER, "")


def _unescaped_punctuation(text: str) -> list[str]:
    """Punctuation characters not preceded by an escaping backslash."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in string.punctuation:
            i += 2
            continue
        if text[i] in string.punctuation:
            out.append(text[i])
        i += 1
    return out


@pytest.mark.parametrize("text", HOSTILE)
def test_md_escapes_every_punctuation_and_renders_back_to_the_same_text(text):
    out = md(text)
    assert _unescaped_punctuation(out) == []
    assert _unescape(out) == text                 # CommonMark shows exactly the original
    assert not re.search(r"(?<!\\)(<|!|\]|:)", out)  # no unescaped <, !, ], : at all
    # GFM's autolink search runs on the unescaped text: no http:// or www. left for it to find
    assert not re.search(r"(?i)https?://|www\.", re.sub(r"\\(.)", r"\1", out))


def test_md_keeps_letters_digits_unicode_and_line_breaks():
    assert md("stone_size") == r"stone\_size"
    assert md("Größe 2 → ∅") == "Größe 2 → ∅"
    assert md("a\nb") == "a\nb"
    assert md(3.5) == r"3\.5"


def test_md_line_and_md_names():
    assert md_line("  a \n\n b  ") == "a b"
    assert md_names(["x", "![i](u)"]) == r"x, \!\[i\]\(u\)"
    assert md_names([]) == "none"


class _Sink:
    """Stands in for st/st.sidebar: records what show_error writes."""

    def __init__(self):
        self.shown: list[str] = []

    def error(self, text, icon=None):
        self.shown.append(text)


@pytest.mark.parametrize("err", [
    CycleError(["![t](http://198.51.100.7/x.png)", "b"]),
    DataError("Column '<img src=http://198.51.100.7/y.png>' is empty.",
              hint="Rename [link](http://198.51.100.7/)."),
])
def test_show_error_escapes_message_title_and_hint(err):
    from app.ui.errors import show_error

    sink = _Sink()
    show_error(err, where=sink)
    (text,) = sink.shown
    body = text.split("** ", 1)[1]                # after our own bold title
    assert _unescaped_punctuation(body) == []
    assert _unescape(body) == err.user_message()


def test_show_error_escapes_a_hostile_title():
    from app.ui.errors import show_error

    class Odd(DataError):
        title = "![t](http://198.51.100.7/x.png)"

    sink = _Sink()
    show_error(Odd("m"), where=sink)
    assert "![" not in sink.shown[0] and r"\!\[t\]" in sink.shown[0]


def test_markdown_report_escapes_names_everywhere_outside_code():
    name = "![t](http://198.51.100.7/x.png)"
    doc = Document(f"Report {name}", f"Effect of {name} on y", ((name, name),), (
        Section("s", "1. The data", (Para(f"{name} is a column", strong=name),
                                     Table(("variable", "note"), ((name, f"<img src={name}>"),),
                                           caption=name)),
                intro=name),))
    out = document_markdown(doc)
    assert not re.search(r"(?<!\\)(<|!\\?\[|\]\(|:/)", out)
    assert "## 1. The data" in out
    assert out.count(md_line(name)) >= 7


def test_markdown_report_code_block_cannot_be_closed_by_its_text():
    text = "a\n````\n![t](http://198.51.100.7/x.png)\n```"
    doc = Document("R", "s", (), (Section("s", "S", (Code(text),)),))
    out = document_markdown(doc)
    assert "`````\n" + text + "\n`````" in out


IMG = "![t](http://198.51.100.7/x.png)"


def test_dsep_sentence_escapes_names_and_keeps_its_emphasis():
    from app.analysis.explain import dsep_sentence

    out = dsep_sentence([IMG], ["<img src=http://198.51.100.7/y.png>"], ["[l](http://h/)"], True)
    assert out.startswith("**") and "**d-separated**" in out
    assert not re.search(r"(?<!\\)(<|!\\?\[|\]\(|:/)", out), out
    assert md_line(IMG) in out


def test_seeing_doing_sentence_escapes_names_and_states():
    import numpy as np

    from app.graph import CausalGraph
    from app.models import do_query, fit_model, observe_query, seeing_doing_sentence

    g = CausalGraph.from_edges([(IMG, "y")])
    model = fit_model(g, cpts={IMG: np.array([[0.5], [0.5]]),
                               "y": np.array([[0.9, 0.2], [0.1, 0.8]])},
                      states={IMG: ["<b>", "[a](http://h/)"], "y": ["0", "1"]})
    do = {IMG: "[a](http://h/)"}
    out = seeing_doing_sentence(model, do_query(model, "y", do), observe_query(model, "y", do), "y")
    assert "**everyone**" in out
    assert not re.search(r"(?<!\\)(<|!\\?\[|\]\(|:/)", out), out
    assert md_line(IMG) in out and md("[a](http://h/)") in out


def test_counterfactual_sentences_escape_names_and_states():
    import numpy as np

    from app.graph import CausalGraph
    from app.models import LinearSCM, counterfactual, fit_model, model_from_scm

    g = CausalGraph.from_edges([(IMG, "y")])
    model = fit_model(g, cpts={IMG: np.array([[0.5], [0.5]]),
                               "y": np.array([[0.9, 0.2], [0.1, 0.8]])},
                      states={IMG: ["<b>", "[a](http://h/)"], "y": ["0", "[y](http://h/)"]})
    cf = counterfactual(model, "y", {IMG: "<b>", "y": "0"}, {IMG: "[a](http://h/)"})
    linear = model_from_scm(LinearSCM.from_equations({IMG: [], "y": [IMG]}, {"y": {IMG: 2.0}}))
    cf_linear = counterfactual(linear, "y", {IMG: 1.0, "y": 2.5}, {IMG: 3.0})
    for out in (cf.sentence("y"), cf_linear.sentence("y")):
        assert "would" in out
        assert not re.search(r"(?<!\\)(<|!\\?\[|\]\(|:/)", out), out
        assert md_line(IMG) in out


@pytest.mark.parametrize("text", [
    "See ![t](http://198.51.100.7/x.png) here", "\\![t](http://198.51.100.7/x.png)",
    "![r][r]\n\n[r]: http://198.51.100.7/r.png", "<img src=http://198.51.100.7/y.png>",
    "\\<img src=http://198.51.100.7/y.png>", "</p><img src=x>", "<!-- c --><script>x</script>",
])
def test_md_authored_keeps_formatting_but_no_image_or_html(text):
    out = md_authored("**Lesson** text: " + text)
    assert out.startswith("**Lesson** text: ")
    assert "![" not in out and not re.search(r"<[A-Za-z/!?]", out)


def test_a_chart_that_loads_or_links_is_recognised():
    """Lesson exhibits may be Altair charts from a lesson file: Vega would fetch `url` data and
    image marks, and an `href` channel links out; app.ui.charts.loads_or_links refuses them."""
    import altair as alt
    import pandas as pd

    from app.ui.charts import loads_or_links, spec_of

    df = pd.DataFrame({"x": [1, 2], "u": ["http://198.51.100.7/a.png"] * 2})
    fetching = [alt.Chart(alt.UrlData("http://198.51.100.7/d.csv")).mark_point().encode(x="x:Q"),
                alt.Chart(df).mark_image().encode(x="x:Q", url="u:N"),
                alt.Chart(df).mark_point().encode(x="x:Q", href="u:N"),
                alt.layer(alt.Chart(df).mark_point().encode(x="x:Q"),
                          alt.Chart(df).mark_image(url="http://198.51.100.7/i.png"))]
    for chart in fetching:
        assert loads_or_links(spec_of(chart)), chart.to_dict()
    plain = alt.Chart(df.assign(name=[IMG, "y"])).mark_bar().encode(x="x:Q", y="name:N",
                                                                     tooltip=["name:N", "u:N"])
    assert not loads_or_links(spec_of(plain))


def test_a_real_report_on_hostile_columns_escapes_them_in_markdown_and_html():
    """The downloaded reports of a table whose columns and dataset name are image/HTML/link
    Markdown: nothing outside code blocks can render as markup, and the HTML has no tag of
    theirs (only escaped text)."""
    import numpy as np
    import pandas as pd

    from app.data import Dataset
    from app.report import make_report, render_html, render_markdown

    html_name, link = "<img src=http://198.51.100.7/y.png>", "[link](http://198.51.100.7/)"
    rng = np.random.default_rng(23)
    z = rng.normal(size=150)
    t = (z + rng.normal(size=150) > 0).astype(int)
    df = pd.DataFrame({html_name: z, IMG: t, link: 2 * t + z + rng.normal(size=150)})
    ds = Dataset(df=df, name=IMG, fingerprint="f" * 16,
                 types={html_name: "continuous", IMG: "binary", link: "continuous"})
    r = make_report(ds, IMG, link, bootstrap=0, refutation_simulations=0)
    md_text, html = render_markdown(r), render_html(r)
    prose = re.sub(r"(`{3,}).*?\1", "", md_text, flags=re.S)     # code blocks are verbatim
    assert not re.search(r"(?<!\\)(<[A-Za-z/]|!\\?\[|\]\()", prose)
    assert not re.search(r"(?i)https?://|www\.", re.sub(r"\\(.)", r"\1", prose))
    assert md_line(IMG) in prose and md_line(html_name) in prose
    assert "<img" not in html and 'href="http' not in html
    assert "&lt;img src=http://198.51.100.7/y.png&gt;" in html
    assert "![t](http://198.51.100.7/x.png)" in html                 # shown as plain text


@pytest.mark.parametrize("name", ["![t](http://198.51.100.7/x.png)", "<img src=x>", "a_b*c",
                                  "www.example.org", "$x$ :red[y] `z`", "plain name"])
def test_as_shown_undoes_md_exactly(name):
    from app.markup import as_shown, md

    assert as_shown(md(name)) == name
