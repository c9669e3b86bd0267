"""No user text reaches Streamlit's Markdown renderer unescaped (issue 23, item 3).

Walks pages/, app/ui/ and streamlit_app.py for every call whose argument Streamlit renders as
Markdown (st.markdown/caption/write, alerts, headings, toasts, every widget label, `help=`,
expander/tab/popover labels, metric labels and values, progress/spinner/status text, radio and
select_slider options, state.flash; and st.html, which is raw HTML) and checks each value put
into it: it must pass through app.markup (md, md_line, md_names, md_authored), be a number
(len(), fmt(), or a numeric format spec such as `:,` or `.3g`), or be listed below as known to
be ours (constants, bundled samples, sentences that escape their own names). The list is keyed
by file and expression, so it cannot silently cover a new value elsewhere.
A new call that shows a name without the helper fails here, before it reaches a browser.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*ROOT.glob("pages/*.py"), *(ROOT / "app" / "ui").rglob("*.py"),
                ROOT / "streamlit_app.py"])

ESCAPERS = {"md", "md_line", "md_names", "md_authored",
            "esc"}                                  # esc: app/ui/views/classroom/common.py's alias
NUMBER_CALLS = {"len", "int", "float", "round", "sum", "abs", "fmt"}
NUMERIC_SPEC = set("deEfFgGn%,_")                 # a spec ending in one of these formats a number

# method -> positional arguments and keywords that Streamlit renders as Markdown
_LABEL = ((0,), ("label",))
SINKS: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "markdown": ((0,), ("body",)), "caption": ((0,), ("body",)), "write": ((0, 1, 2), ()),
    "info": ((0,), ("body",)), "warning": ((0,), ("body",)), "error": ((0,), ("body",)),
    "success": ((0,), ("body",)), "toast": ((0,), ("body",)), "title": ((0,), ("body",)),
    "header": ((0,), ("body",)), "subheader": ((0,), ("body",)), "table": ((0,), ("data",)),
    "expander": _LABEL, "popover": _LABEL, "status": _LABEL,
    "metric": ((0, 1, 2), ("label", "value", "delta")),
    "tabs": ((0,), ("tabs",)), "spinner": ((0,), ("text",)), "progress": ((1,), ("text",)),
    "button": _LABEL, "download_button": _LABEL, "link_button": _LABEL, "page_link": ((),
    ("label",)), "form_submit_button": _LABEL, "checkbox": _LABEL, "toggle": _LABEL,
    "radio": ((0,), ("label", "captions")), "selectbox": _LABEL, "multiselect": _LABEL,
    "select_slider": _LABEL, "slider": _LABEL, "number_input": _LABEL, "text_input": _LABEL,
    "text_area": _LABEL, "date_input": _LABEL, "time_input": _LABEL, "file_uploader": _LABEL,
    "color_picker": _LABEL, "pills": _LABEL, "segmented_control": _LABEL,
    "html": ((0,), ("body",)),                  # raw HTML: only our validated codes may enter
    # our wrappers whose text parameter reaches one of the above (callers are checked here)
    "flash": ((0,), ("message",)), "node_picker": _LABEL, "value_input": _LABEL,
    "need_data": ((0,), ("message",)), "need_graph": ((0,), ("message",)),
    "cancellable_job": ((2,), ("start_text",)), "show_last_good": ((0,), ("reason",)),
}
OPTION_MARKDOWN = {"radio", "pills", "segmented_control", "select_slider"}   # options: Markdown
NOT_STREAMLIT = {"log", "logging", "logger", "warnings", "parser", "sys"}

# (file, expression) -> why it is safe. Keep each entry to one value that is ours.
NUMBER = "a number: a count, index, size, seed or formatted estimate"
OURS = "our own label, constant or code (not from any input)"
SAMPLE = "a bundled sample's own title, summary or README, shipped with the app"
PARAM = "a Markdown parameter of our wrapper: every caller is checked as a sink (SINKS)"
ESCAPES = "returns Markdown that escapes every name itself (tests/hostile/test_text_markup.py)"
_ALLOW = {
    NUMBER: [
        ("app/ui/views/classroom/student.py", "view.summary.correct", "view.summary.total",
         "view.number"),
        ("app/ui/views/classroom/teacher.py", "a.count", "q.number", "info.number", "info.questions",
         "store.class_info(*teacher_login()).students", "res.total", "students"),
        ("app/ui/views/estimate.py", "n_sims or default_simulations(target.method)",
         "ci_text(fast_est)", "fast_est.n_rows", "row.n", "ci_text(e)",
         "fit.ar_text(scale)", "fit.sargan_df"),   # formatted interval bounds; a df
        ("app/ui/views/learn.py", "number", "n_hints", "lesson.number", "solved",
         "_seeds()[PRACTICE]", "level", "_progress().best_streak", "a", "c",
         "_progress().streak", "min(mem['hints'] + 1, n_hints)"),
        ("pages/analyse.py", "i", "m", "n_open"),
        ("pages/counterfactual.py", "i"),
        ("pages/data.py", "MAX_CHARTS"),
        ("pages/discover.py", "n_boot", "d", "t", "t_diff.shd", "diff.shd",
         "shd_sentence(t_diff, 'the true graph')", "shd_sentence(diff, 'your drawn graph')"),
        ("pages/home.py", "s.columns"),
        ("pages/learn.py",
         "progress.summary({s: (i.number, bool(i.error)) for s, i in infos.items()})"),
        ("pages/timeseries.py", "res.n_steps", "min_freq"),
    ],
    OURS: [
        ("app/ui/views/classroom/student.py", "q.choices()", "cr.SIGNS.get",
         "cr.format_code(seat.code)", "when(mine.submitted_at)"),
        ("app/ui/views/classroom/teacher.py", "key", "MASKED_KEY", "KEY_SHOWN_S"),
        ("app/ui/views/classroom/teacher.py", "cr.KINDS[q.question.kind]", "q.status", "label",
         "cr.SIGNS.get", "cr.format_code(info.code)"),
        ("app/ui/views/classroom/workspaces.py", "key", "EXTENSION"),
        ("app/ui/views/estimate.py", "ev.scale", "label", "text", "where",  # E-value scale name;
         "OVERLAP_CHOICES.get"),                                       # overlap option labels;
        # mediation metric titles and sentences from the panel's own tuple
        ("app/ui/views/estimate.py", "EXPECTED[k]", "LABELS[k]", "fast_est.method_label",
         "fast_est.method_label.lower()", "e.ci_method", "e.engine", "e.method_label"),
        ("app/ui/views/learn.py", "(ex.rung or '').capitalize()", "list(LEVELS)"),
        ("pages/analyse.py", "how", "an.ROLE_LABELS[role].capitalize()",
         "{i.text: why for i, why in report.skipped}"),    # st.write(dict) shows JSON, not Markdown
        ("pages/counterfactual.py", "modes", "list(model.assumptions)"),
        ("pages/data.py", "types[col_name]", "allowed_types(df[column])", "m.replace('_', ' ')",
         "kind"),
        ("pages/discover.py", "METHOD_HELP[method]"),
        ("pages/estimate.py", "METHODS[a.name].description", "METHODS[a.name].short", "a.label",
         "dict(backdoor='Back-door', frontdoor='Front-door', iv='Instrumental variable')[kind]"),
        ("pages/home.py", "label", "truth"),
        ("pages/intervene.py", "effect.measure.capitalize()"),
        ("app/ui/views/model_options.py", "KINDS",
         "{'mle': 'maximum likelihood', 'bayes': 'Bayesian'}.get",
         "{'data': 'fitted to the data', 'bif': 'the published network (the truth)'}.get"),
        ("pages/timeseries.py", "METHOD_TITLES[res.method]", "res.strength_name",
         "METHOD_TITLES.get"),
        ("app/ui/views/explain.py", "HOW.get", "MEASURES.get", "ROW_HOW.get"),
    ],
    SAMPLE: [
        ("pages/data.py", "infos[name].summary", "infos[name].title", "load_sample(name).readme"),
        ("pages/home.py", "s.title", "s.summary"),
        ("pages/timeseries.py", "sample.summary", "sample.readme.split('---', 2)[-1]"),
    ],
    "a cookie value checked against a fixed alphabet before it is written": [
        ("app/ui/views/classroom/common.py", "name", "value"),
        ("app/ui/autosave.py", "SESSION_COOKIE", "key"),
    ],
    PARAM: [
        ("app/ui/state.py", "message"),
        ("app/ui/widgets.py", "start_text", "label", "message", "page_label"),
    ],
    ESCAPES: [
        ("pages/analyse.py", "ex.dsep_sentence(xs, ys, zs, sep)"),
        ("pages/intervene.py", "models.seeing_doing_sentence(model, result, seen, t)"),
        ("pages/counterfactual.py", "cf.sentence(target)"),
        ("app/ui/views/flow.py", "result.summary()", "result.sentence(p)"),
        ("app/ui/views/estimate.py", "result.summary()",
         "result.against(est.method_label, est.value, est.ci_low, est.ci_high, scale)"),
        ("app/ui/views/explain.py", "res.summary()", "sentence(p)"),
    ],
}
ALLOWED: dict[tuple[str, str], str] = {(path, expr): why for why, groups in _ALLOW.items()
                                       for path, *exprs in groups for expr in exprs}


def _callees(func: ast.AST) -> list[tuple[str, ast.AST | None]]:
    """(method, receiver) for `st.info(…)`, and for each branch of `(st.success if c else
    st.error)(…)`; `getattr(st, kind)(…)` counts as every alert."""
    if isinstance(func, ast.Attribute):
        return [(func.attr, func.value)]
    if isinstance(func, ast.Name):                   # value_input(…), need_data(…)
        return [(func.id, None)]
    if isinstance(func, ast.IfExp):
        return _callees(func.body) + _callees(func.orelse)
    if isinstance(func, ast.Call) and isinstance(func.func, ast.Name) and func.func.id == "getattr":
        return [("error", None)]
    return []


def _is_escaped(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):                  # format_func=md
        return node.id in ESCAPERS
    return isinstance(node, ast.Call) and (
        (isinstance(node.func, ast.Name) and node.func.id in ESCAPERS)
        or (isinstance(node.func, ast.Attribute) and node.func.attr in ESCAPERS))


def _is_number(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in NUMBER_CALLS
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
        return node.value.attr == "shape"             # df.shape[1]
    if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.Mod):
        return _is_number(node.left) and _is_number(node.right)
    return isinstance(node, ast.UnaryOp) and _is_number(node.operand)


def _numeric_spec(fv: ast.FormattedValue) -> bool:
    spec = fv.format_spec
    if not isinstance(spec, ast.JoinedStr) or not spec.values:
        return False
    last = spec.values[-1]
    return isinstance(last, ast.Constant) and str(last.value)[-1:] in NUMERIC_SPEC


class _Finder:
    def __init__(self, rel: str):
        self.rel, self.unsafe, self.allowed_used = rel, [], set()

    def check(self, node: ast.AST, where: int) -> None:
        """Record every part of `node` that may carry user text into Markdown."""
        if node is None or isinstance(node, ast.Constant) or _is_escaped(node) or _is_number(node):
            return
        if isinstance(node, ast.JoinedStr):
            for v in node.values:
                if isinstance(v, ast.FormattedValue) and not _numeric_spec(v):
                    self.check(v.value, where)
            return
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            self.check(node.left, where)
            self.check(node.right, where)
            return
        if isinstance(node, ast.IfExp):
            self.check(node.body, where)
            self.check(node.orelse, where)
            return
        if isinstance(node, (ast.List, ast.Tuple)):
            for e in node.elts:
                self.check(e, where)
            return
        if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
            self.check(node.elt, where)
            return
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "join" and isinstance(node.func.value, ast.Constant)
                and len(node.args) == 1):
            self.check(node.args[0], where)
            return
        if isinstance(node, ast.Lambda):
            self.check(node.body, where)
            return
        key = (self.rel, ast.unparse(node))
        if key in ALLOWED:
            self.allowed_used.add(key)
            return
        self.unsafe.append(f"{self.rel}:{where}: {ast.unparse(node)}")

    def visit(self, tree: ast.AST) -> None:
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            for method, receiver in _callees(call.func):
                if not (isinstance(receiver, ast.Name) and receiver.id in NOT_STREAMLIT):
                    self.visit_sink(call, method)
            for kw in call.keywords:
                if kw.arg == "help":                  # every tooltip is Markdown
                    self.check(kw.value, call.lineno)

    def visit_sink(self, call: ast.Call, method: str) -> None:
        if method not in SINKS:
            return
        positions, keywords = SINKS[method]
        for i in positions:
            if i < len(call.args):
                self.check(call.args[i], call.lineno)
        for kw in call.keywords:
            if kw.arg in keywords:
                self.check(kw.value, call.lineno)
        if method in OPTION_MARKDOWN:
            fmt = next((k.value for k in call.keywords if k.arg == "format_func"), None)
            opts = call.args[1] if len(call.args) > 1 else next(
                (k.value for k in call.keywords if k.arg == "options"), None)
            self.check(fmt if fmt is not None else opts, call.lineno)


def _scan() -> tuple[list[str], set]:
    unsafe: list[str] = []
    used: set = set()
    for path in FILES:
        finder = _Finder(str(path.relative_to(ROOT)))
        finder.visit(ast.parse(path.read_text(encoding="utf-8")))
        unsafe += [u for u in finder.unsafe if u not in unsafe]
        used |= finder.allowed_used
    return unsafe, used


def test_every_value_shown_as_markdown_is_escaped_or_known_to_be_ours():
    unsafe, _ = _scan()
    assert not unsafe, ("user text may reach Markdown unescaped; wrap it in app.markup.md() "
                        "(or list a constant in ALLOWED with the reason):\n" + "\n".join(unsafe))


def test_allow_list_has_no_stale_entries():
    _, used = _scan()
    stale = sorted(set(ALLOWED) - used)
    assert not stale, f"ALLOWED entries that no longer occur: {stale}"


def test_the_finder_catches_what_it_should():
    """The scanner itself: each of these must be reported, and the escaped forms must not."""
    bad = ['st.markdown(f"**{name}**")', 'c1.caption("x " + col)', 'st.error(msg)',
           'st.expander(f"Rows of {t}")', 'st.button("Go", help=f"{label}")',
           'st.radio("R", names, format_func=lambda n: n.title)', 'state.flash(f"{f.name}")',
           'bar.progress(0.5, text=text)', 'st.metric(f"{v}", 1)', 'st.tabs([a, "b"])',
           'st.markdown(", ".join(cols))', 'st.info(f"{x!r}")',
           '(st.success if ok else st.error)(check.message)', 'getattr(st, kind)(message)',
           'value_input(f"do({v} = …)", model, v, 0, "k")']
    good = ['st.markdown(f"**{md(name)}** {n:,} rows, {len(xs)}")', 'log.error(msg)',
            'st.caption("Rows: " + md_names(cols))', 'st.selectbox("Pick", names)',
            'st.radio("R", ["a", "b"])', 'st.markdown(", ".join(md(c) for c in cols))',
            'st.info(f"{p:.1%}")']
    for src in bad:
        f = _Finder("x.py")
        f.visit(ast.parse(src))
        assert f.unsafe, src
    for src in good:
        f = _Finder("x.py")
        f.visit(ast.parse(src))
        assert not f.unsafe, (src, f.unsafe)


def test_charts_have_no_channel_that_links_or_loads():
    """Vega draws names as text (labels, titles) and vega-tooltip escapes HTML; only an `href`
    channel (navigates on click) or an image mark / `url` field (loads) could reach the network."""
    chart_files = list((ROOT / "app" / "charts").rglob("*.py"))    # every chart builder
    offenders = [str(p.relative_to(ROOT)) for p in chart_files
                 if re.search(r"\bhref\b|mark_image|alt\.(Href|Url)\b|\burl\s*=|\"url\"",
                              p.read_text(encoding="utf-8"))]
    assert len(chart_files) >= 4 and not offenders, offenders
