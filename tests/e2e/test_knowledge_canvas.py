"""Background knowledge drawn with the mouse on the Discover page's knowledge canvas, on data
simulated here: a required edge, a forbidden edge (drawn crossed), two tiers from the node card;
the run uses them and reports them."""
import pytest

from app.discovery.simulate import linear_sem
from app.graph import CausalGraph
from tests.e2e.conftest import ARTIFACTS, wait_for_app

pytestmark = pytest.mark.e2e

ED = "window.__ccDagEditor"
TRUTH = CausalGraph.from_edges([("age", "smoking"), ("smoking", "tar"), ("tar", "cancer"),
                                ("age", "cancer"), ("genes", "smoking"), ("genes", "cancer")])


def _xy(page, name):
    return page.evaluate(f"n => {ED}.domOf(n)", name)


def _drag(page, a, b):
    pa, pb = _xy(page, a), _xy(page, b)
    page.mouse.move(pa["x"], pa["y"])
    page.mouse.down()
    for i in range(1, 9):
        page.mouse.move(pa["x"] + (pb["x"] - pa["x"]) * i / 8,
                        pa["y"] + (pb["y"] - pa["y"]) * i / 8)
    page.mouse.up()


def _settle(page):
    page.wait_for_function(f"() => {ED}?.outbox.length === 0", timeout=30_000)
    wait_for_app(page)
    page.wait_for_timeout(500)


def test_knowledge_drawn_on_the_canvas_is_used(app_server, page, tmp_path):
    csv = tmp_path / "sim.csv"
    linear_sem(TRUTH, 800, seed=5).to_csv(csv, index=False)
    page.goto(app_server)
    nav = page.locator('[data-testid="stSidebarNav"] a', has_text="Data")
    nav.wait_for(timeout=60_000)
    nav.first.click()
    wait_for_app(page)
    page.locator('input[type="file"]').first.set_input_files(str(csv))
    wait_for_app(page)
    page.wait_for_timeout(1000)
    page.locator('[data-testid="stSidebarNav"] a', has_text="Discover").first.click()
    wait_for_app(page)
    page.get_by_text("Background knowledge: required").first.click()
    page.wait_for_function(f"() => window.__ccDagEditor && {ED}.ready && {ED}.knowledgeMode "
                           f"&& {ED}.truth.hash !== null", timeout=60_000)
    page.get_by_role("button", name="Drag from a cause to its effect: this edge must be in "
                                    "the result").click()
    _drag(page, "smoking", "tar")
    _settle(page)
    page.get_by_role("button", name="Drag from one variable to another: this edge must never "
                                    "be in the result").click()
    _drag(page, "cancer", "smoking")
    _settle(page)
    page.get_by_role("button", name="Select a variable (to set its tier) or an edge (Esc)").click()
    for name, tier in (("age", "0"), ("cancer", "1")):
        pt = _xy(page, name)
        page.mouse.click(pt["x"], pt["y"])
        page.get_by_label(f"Tier of {name}").select_option(tier)
        _settle(page)
    summary = page.evaluate(f"() => {ED}.summary()")
    assert summary["required"] == [["smoking", "tar"]]
    assert summary["forbidden"] == [["cancer", "smoking"]]
    bands = page.evaluate(f"() => {ED}.kopts.bands.map((b) => b.label)")
    assert bands == ["Tier 1 (earliest)", "Tier 2", "No tier"]
    page.get_by_text("Background knowledge used: 1 required, 1 forbidden, 2 tiers").first.wait_for(
        timeout=30_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator('[data-testid="stExpander"]').filter(has_text="Background knowledge").first \
        .screenshot(path=str(ARTIFACTS / "knowledge-canvas.png"))
    # a Tetrad knowledge file replaces what is drawn; a bad one is refused with its line
    bad = tmp_path / "bad.txt"
    bad.write_text("/knowledge\nforbiddirect\nage nowhere\n")
    good = tmp_path / "knowledge.txt"
    good.write_text("/knowledge\naddtemporal\n1 age genes\n2* smoking cancer\n\nforbiddirect\n"
                    "cancer age\n\nrequiredirect\nsmoking tar\n")
    uploader = page.locator('[data-testid="stFileUploader"]').filter(
        has_text="Read a Tetrad knowledge file").locator("input[type=file]")
    uploader.set_input_files(str(bad))
    page.get_by_text("Line 3: 'nowhere' is not a variable of this data.").first.wait_for(
        timeout=30_000)
    uploader.set_input_files(str(good))
    page.wait_for_function(f"() => JSON.stringify({ED}.summary().forbidden) === "
                           "'[[\"cancer\",\"age\"]]'", timeout=30_000)
    assert page.evaluate(f"() => {ED}.kopts.bands.map((b) => b.label)") == [
        "Tier 1 (earliest)", "Tier 2 · no edges inside", "No tier"]
