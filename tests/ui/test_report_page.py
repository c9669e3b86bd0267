"""Report page: sensible defaults, a run that shows and offers the report, cancel keeps the
previous report, and the empty state without data."""
from tests.ui.conftest import assert_no_exception, open_page, shown


def _texts(at) -> str:
    return shown(" ".join(str(m.value) for m in [*at.markdown, *at.caption, *at.info, *at.error,
                                                  *at.warning]))


def _fast(at):
    at.slider(key="rep_boot").set_value(0).run()
    at.selectbox(key="rep_sims").select(0).run()
    return at


def test_defaults_come_from_the_graph_roles():
    at = open_page("pages/report.py", sample="kidney_stones")
    assert_no_exception(at)
    fp = at.session_state["cc_history"].present.dataset.fingerprint
    assert at.selectbox(key=f"rep_t:{fp}").value == "treatment"
    assert at.selectbox(key=f"rep_y:{fp}:treatment").value == "recovery"
    use = next(c for c in at.checkbox if c.label.startswith("Use my drawn graph"))
    assert use.value is True
    assert not at.get("iframe")


def test_run_shows_the_report_and_offers_downloads():
    at = _fast(open_page("pages/report.py", sample="kidney_stones"))
    at.button(key="rep_run").click().run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    text = _texts(at)
    assert "95% interval" in text                     # the verdict is shown on the page
    assert "Simpson's paradox" in text                # the engine's sentence for kidney stones
    frames = at.get("iframe")
    assert frames, "the report is embedded on the page"
    runs = at.session_state["cc_pages"]["report_runs"]
    report = next(iter(runs.values()))
    assert report["html"].startswith("<!doctype html>") and "## Summary" in report["md"]
    # the page's report is the API's report for the same inputs, byte for byte
    from app.report import make_report, render_html
    from app.samples import load_sample

    s = load_sample("kidney_stones")
    api = make_report(s.to_dataset(), "treatment", "recovery", graph=s.graph, bootstrap=0,
                      refutation_simulations=0)
    assert report["html"] == render_html(api)


def test_cancel_keeps_the_previous_report_and_the_workspace():
    at = _fast(open_page("pages/report.py", sample="kidney_stones"))
    at.button(key="rep_run").click().run()
    runs = dict(at.session_state["cc_pages"]["report_runs"])
    ws = at.session_state["cc_history"].present
    at.slider(key="rep_boot").set_value(5).run()      # new settings, then Cancel is pressed
    at.session_state["report_cancel"] = True
    at.button(key="rep_run").click().run()
    assert_no_exception(at)
    assert "Stopped at your request" in _texts(at)
    assert at.session_state["cc_pages"]["report_runs"] == runs
    assert "the settings have changed since" in _texts(at)   # previous report still shown
    assert at.session_state["cc_history"].present == ws


def test_bad_knowledge_gives_a_message_not_a_traceback():
    at = _fast(open_page("pages/report.py", sample="kidney_stones"))
    fp = at.session_state["cc_history"].present.dataset.fingerprint
    at.text_area(key=f"rep_knowledge:{fp}").input("treatment causes recovery").run()
    at.button(key="rep_run").click().run()
    assert_no_exception(at)
    assert any("is not background knowledge" in shown(e.value) for e in at.error)


def test_without_data_the_page_offers_a_sample():
    at = open_page("pages/report.py", sample=None)
    assert_no_exception(at)
    assert any("load a sample" in str(i.value) for i in at.info)


def test_a_categorical_treatment_asks_which_two_groups_to_compare():
    from app.workspace import DatasetRef

    at = _fast(open_page("pages/report.py", sample="kidney_stones"))
    history = at.session_state["cc_history"]
    df = at.session_state["cc_data"][history.present.dataset.fingerprint]
    three = df.assign(treatment=[("A", "B", "C")[i % 3] for i in range(len(df))])
    ref = DatasetRef(kind="upload", name="three.csv", fingerprint="three", rows=len(three),
                     columns=three.shape[1])
    at.session_state["cc_data"] = {**at.session_state["cc_data"], "three": three}
    history.push(history.present.with_dataset(ref), "three groups")
    at.run()
    at.selectbox(key="rep_tv:treatment").select("C").run()
    at.button(key="rep_run").click().run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert "Setting treatment to C instead of" in _texts(at)


def test_a_named_mediator_adds_the_direct_and_indirect_section():
    from app.markup import as_shown

    at = _fast(open_page("pages/report.py", sample="asia"))
    fp = at.session_state["cc_history"].present.dataset.fingerprint
    box = at.multiselect(key=f"rep_mediators:{fp}:smoke:dysp")
    assert box.value == [] and "bronc" in box.options
    box.select("bronc").run()
    at.button(key="rep_run").click().run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    report = next(iter(at.session_state["cc_pages"]["report_runs"].values()))
    text = as_shown(report["md"])
    assert "Direct and indirect effects" in text and "Natural indirect effect (NIE)" in text
    assert 'id="mediation"' in report["html"]
    # the page's report is the API's report for the same inputs, byte for byte
    from app.report import make_report, render_html
    from app.samples import load_sample

    s = load_sample("asia")
    api = make_report(s.to_dataset(), "smoke", "dysp", graph=s.graph, bootstrap=0,
                      refutation_simulations=0, mediators=["bronc"])
    assert report["html"] == render_html(api)
