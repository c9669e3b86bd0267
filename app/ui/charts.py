"""Draw the Altair charts of app.charts, built once per distinct content for all sessions.

Building an Altair chart and turning it into Vega-Lite (schema validation, data to Arrow) was
64% of the Intervene page's server time and 84% of the Estimate page's (py-spy, one client).
`show_chart(build, *args)` keys the finished spec by the builder and the content of its
arguments (app.fingerprint): a rerun, or another student on the same sample, gets the stored
spec, with its data already in Arrow. Arguments that cannot be fingerprinted exactly are
simply built every time.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import altair as alt
import streamlit as st

from app.fingerprint import content_key

MAX_SPECS = 256
MAX_BYTES = 96 * 2**20           # Arrow data kept across all stored specs

# Our charts sample their data themselves; Altair's 5,000-row guard would only turn a large
# chart into an error (Streamlit's own st.altair_chart path ignores it too).
alt.data_transformers.disable_max_rows()

_COMPOSED = ("vconcat", "hconcat", "concat", "facet", "repeat")
_specs: OrderedDict[str, tuple[dict, int]] = OrderedDict()
_bytes = 0
_lock = threading.Lock()


def _to_spec(chart: alt.TopLevelMixin) -> tuple[dict, int]:
    """The Vega-Lite dict of `chart`, its named datasets as Arrow bytes (what st sends)."""
    spec = chart.to_dict()
    if "autosize" not in spec and not any(k in spec for k in _COMPOSED):
        # Streamlit's default for a single view is "fit": axes, titles and legends are taken
        # out of the chart's height, which crushed short charts to a 20-px strip. Fit the
        # width only; the height is the plot's own, with the decorations around it.
        spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    size = 0
    datasets = spec.get("datasets")
    if isinstance(datasets, dict):
        try:
            from streamlit.dataframe_util import convert_anything_to_arrow_bytes
        except ImportError:   # an older Streamlit: it converts the inline rows itself
            return spec, 0
        arrow = {}
        for name, rows in datasets.items():
            if not isinstance(rows, list):        # GeoJSON and the like stay as they are
                arrow[name] = rows
                continue
            arrow[name] = convert_anything_to_arrow_bytes(rows)
            size += len(arrow[name])
        spec["datasets"] = arrow
    return spec, size


def chart_spec(build: Callable[..., alt.TopLevelMixin], *args: Any, **kwargs: Any) -> dict:
    """build(*args, **kwargs) as a Vega-Lite spec, from the shared store when seen before."""
    global _bytes
    key = content_key(f"{build.__module__}.{build.__qualname__}", args, kwargs)
    if key is not None:
        with _lock:
            hit = _specs.get(key)
            if hit is not None:
                _specs.move_to_end(key)
                return hit[0]
    spec, size = _to_spec(build(*args, **kwargs))
    if key is not None and size <= MAX_BYTES // 4:
        with _lock:
            if key not in _specs:
                _specs[key] = (spec, size)
                _bytes += size
                while len(_specs) > MAX_SPECS or _bytes > MAX_BYTES:
                    _, (_, dropped) = _specs.popitem(last=False)
                    _bytes -= dropped
    return spec


def spec_of(chart: alt.TopLevelMixin) -> dict:
    """A built chart as the spec show_spec draws (for charts cached by their own key)."""
    return _to_spec(chart)[0]


def loads_or_links(spec: Any) -> bool:
    """True when a Vega-Lite spec would make the browser load something (`url` data, an image
    mark) or link out (an `href` channel). Our charts never do; a lesson file's chart might."""
    if isinstance(spec, dict):
        mark = spec.get("mark")
        if mark == "image" or (isinstance(mark, dict) and mark.get("type") == "image"):
            return True
        return any(k in ("url", "href") or loads_or_links(v) for k, v in spec.items())
    if isinstance(spec, list):
        return any(loads_or_links(v) for v in spec)
    return False


def show_spec(spec: dict, **options: Any):
    """Draw a spec from chart_spec/spec_of; options as for st.vega_lite_chart."""
    if isinstance(options.get("height"), int | float) and \
            spec.get("autosize", {}).get("type") == "fit-x":
        spec = {**spec, "autosize": {"type": "fit", "contains": "padding"}}
    return st.vega_lite_chart(spec, **options)


def show_chart(build: Callable[..., alt.TopLevelMixin], *args: Any, width: Any = "stretch",
               height: Any = "content", key: str | None = None, on_select: Any = "ignore",
               selection_mode: Any = None, **kwargs: Any):
    """Draw build(*args, **kwargs) like st.altair_chart would; returns the selection state when
    `on_select` is set. Streamlit copies the spec before changing it, so stored ones stay intact.
    A fixed `height` is the whole chart's: it is fitted into it."""
    spec = chart_spec(build, *args, **kwargs)
    if isinstance(height, int | float) and spec.get("autosize", {}).get("type") == "fit-x":
        spec = {**spec, "autosize": {"type": "fit", "contains": "padding"}}
    return st.vega_lite_chart(spec, width=width, height=height,
                              key=key, on_select=on_select, selection_mode=selection_mode)


def clear() -> None:
    """Forget every stored spec (tests)."""
    global _bytes
    with _lock:
        _specs.clear()
        _bytes = 0
