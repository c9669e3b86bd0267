"""A lesson from a teacher's folder keeps its Markdown but can make the browser fetch nothing
(issue 23, item 3): images and raw HTML in its text, its title, summary, goals, prompts and hints,
and an exhibit chart that would load data from a URL, through the real Learn page (AppTest)."""
from __future__ import annotations

import re
import textwrap

import pytest

from app.lessons.loader import ENV_VAR
from tests.ui.conftest import assert_no_exception, open_page

URL = "http://198.51.100.7"
LESSON = f"""---
title: "![t]({URL}/title.png) lesson"
summary: "<img src={URL}/summary.png>"
goals:
  - "![g]({URL}/goal.png) spot the image"
---
**Bold stays.** ![body]({URL}/body.png) and <img src={URL}/raw.png> and
![ref][r]

[r]: {URL}/ref.png

{{{{exhibit:chart}}}}
"""
CHECKER = f"""
import altair as alt
from app.lessons.checkers import number_exercise


def exhibits(ctx):
    return {{"chart": alt.Chart(alt.UrlData("{URL}/data.csv")).mark_point().encode(x="a:Q")}}


def exercises(ctx):
    return [number_exercise("n", "Type ![p]({URL}/prompt.png) two", 2.0,
                            hints=("<img src={URL}/hint.png>",))]
"""


@pytest.fixture
def hostile_lesson(tmp_path, monkeypatch):
    d = tmp_path / "30_hostile"
    d.mkdir()
    (d / "lesson.md").write_text(LESSON)
    (d / "checker.py").write_text(textwrap.dedent(CHECKER))
    (d / "teacher.md").write_text(f"Notes ![n]({URL}/notes.png)")
    monkeypatch.setenv(ENV_VAR, str(tmp_path))


def _markdown_sources(at) -> list[str]:
    return [str(e.value) for kind in ("markdown", "caption", "header", "info", "warning",
                                      "error", "success") for e in at.get(kind)]


def test_a_hostile_lesson_shows_its_text_without_images_or_html(hostile_lesson):
    at = open_page("pages/learn.py", sample="kidney_stones")
    at.selectbox(key="learn_lesson").set_value("30_hostile").run()
    at.button(key="learn_30_hostile_0_2_n_hint").click().run()
    assert_no_exception(at)
    sources = _markdown_sources(at)
    text = "\n".join(sources)
    assert "**Bold stays.**" in text                       # the author's Markdown is kept
    assert "Type" in text and "hint.png" in text and "notes.png" in text
    for source in sources:
        assert "![" not in source, source                  # no image can start
        assert not re.search(r"(?<![\\&])<[A-Za-z/!?]", source), source   # no raw HTML
    assert any("would load data or pictures" in w.value for w in at.warning)
    assert not at.get("arrow_vega_lite_chart") or all(
        "198.51.100.7" not in str(c.proto) for c in at.get("arrow_vega_lite_chart"))
