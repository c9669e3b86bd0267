"""Intervene page, 'Where the effect flows' (AppTest): the path split renders on a linear model
(lalonde_nsw, the NSW job-training sample of LaLonde 1986 / Dehejia & Wahba 1999), its numbers
add up to the total (Wright 1934; Pearl 2013, §2), and a discrete model gets the reason instead
of a number (Avin, Shpitser & Pearl 2005)."""
from __future__ import annotations

import re

from tests.ui.conftest import assert_no_exception, open_page, shown

PAGE = "pages/intervene.py"


def _section(at):
    heads = [h.value for h in at.subheader]
    assert "Where the effect flows" in heads, heads
    return " ".join(shown(m.value) for m in at.markdown)


def _check_adds_up(at) -> int:
    body = _section(at)
    total = re.search(r"changes \S+ by \*\*([-+0-9.e]+)\*\* in total", body)
    assert total, body
    paths = [float(m) for m in re.findall(r"\*\*([-+0-9.e]+)\*\* (?:directly|through)", body)]
    assert paths
    # 4 significant digits each: the sum matches the total to rounding
    assert abs(sum(paths) - float(total.group(1))) <= 1e-3 * max(1.0, sum(map(abs, paths)))
    return len(paths)


def _box(at, prefix):
    boxes = [s for s in at.selectbox if str(s.key).startswith(prefix)]
    assert len(boxes) == 1, [s.key for s in at.selectbox]
    return boxes[0]


def test_linear_model_shows_the_path_split_that_adds_up():
    at = open_page(PAGE, sample="lalonde_nsw")
    next(r for r in at.radio if str(r.key).startswith("iv_kind:")).set_value("linear").run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert _check_adds_up(at) == 1                   # treat → re78 only (the sample's graph)
    _box(at, "flow_x:").set_value("age").run()       # age reaches re78 along many paths
    assert_no_exception(at)
    assert _check_adds_up(at) > 3
    paths = _box(at, "flow_path:")
    assert "age → re78" in paths.options and "age → educ → re78" in paths.options
    paths.set_value("age → educ → re78").run()
    assert_no_exception(at)
    assert _box(at, "flow_path:").value == "age → educ → re78"


def test_discrete_model_gets_the_reason_not_a_number():
    at = open_page(PAGE, sample="kidney_stones")
    assert_no_exception(at)
    _section(at)
    assert any("recanting witness" in shown(i.value) for i in at.info)
