"""Live classroom in real Chromium: a teacher and a student in two browser contexts; the
student's answer appears on the teacher's chart without the teacher touching anything."""
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, LOCAL_HOSTS, wait_for_app

pytestmark = pytest.mark.e2e


def _chart_answers(page) -> list[str]:
    """Text drawn on the Vega-Lite chart: axis labels and each mark's ARIA description."""
    return page.evaluate("""() => {
        const sel = '[data-testid="stVegaLiteChart"] svg text, '
                  + '[data-testid="stVegaLiteChart"] [aria-label]';
        return [...document.querySelectorAll(sel)].map(
            el => el.textContent || el.getAttribute('aria-label') || '');
    }""")


def test_student_answer_appears_on_the_teacher_chart(app_server, page, browser):
    teacher = page
    teacher.goto(app_server + "/classroom")
    wait_for_app(teacher)
    teacher.get_by_text("Teacher", exact=True).click()
    wait_for_app(teacher)
    teacher.get_by_role("button", name="Create class").click()
    wait_for_app(teacher)
    code = teacher.locator('[data-testid="stMetricValue"]').first.inner_text().strip()
    assert len(code) == 9 and code[4] == "-"
    assert teacher.get_by_text("shown only once").count() == 1
    teacher.get_by_role("button", name="Post and open").click()
    wait_for_app(teacher)
    teacher.get_by_text("No answers yet").wait_for(timeout=30_000)

    context = browser.new_context(viewport={"width": 1200, "height": 900})
    requests: list[str] = []
    dialogs: list[str] = []
    student = context.new_page()
    student.on("request", lambda r: requests.append(r.url))
    student.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        student.goto(f"{app_server}/classroom?join={code}")
        wait_for_app(student)
        expect(student.get_by_role("textbox", name="Class code")).to_have_value(code)
        student.get_by_role("textbox", name="Your display name").fill("Ada <b>bold</b>")
        student.get_by_role("button", name="Join").click()
        wait_for_app(student)
        student.get_by_text("cannot contain").wait_for(timeout=15_000)   # refused, not shown raw
        student.get_by_role("textbox", name="Your display name").fill("Ada")
        student.get_by_role("button", name="Join").click()
        wait_for_app(student)
        student.get_by_text("Question 1").wait_for(timeout=30_000)
        box = student.get_by_role("combobox", name="Adjust for")
        chosen = student.get_by_text("stone_size", exact=True).first
        for _ in range(10):     # a poll may redraw the page just as we click: try again
            box.click()
            try:
                student.get_by_role("option", name="stone_size").click(timeout=4_000)
            except PlaywrightTimeout:
                pass
            student.keyboard.press("Escape")
            try:
                chosen.wait_for(timeout=2_000)
                break
            except PlaywrightTimeout:
                continue
        expect(chosen).to_be_visible()
        student.get_by_role("button", name="Send my answer").click()
        wait_for_app(student)
        student.get_by_text("Your answer:").wait_for(timeout=30_000)
        student.screenshot(path=str(ARTIFACTS / "classroom-student.png"), full_page=True)
        # the seat token is in a cookie, not the URL, and a reload keeps the seat
        assert "seat" not in student.url
        seat = next((c["value"] for c in context.cookies() if c["name"] == "cc_seat"), None)
        assert seat and seat not in student.url
        student.reload()
        wait_for_app(student)
        student.get_by_text("Your answer:").wait_for(timeout=30_000)
    finally:
        context.close()

    # The teacher's page polls every 2 s: the answer arrives with no click.
    teacher.get_by_text("1 of 1").wait_for(timeout=30_000)
    teacher.get_by_text("{stone_size} × 1").wait_for(timeout=30_000)
    chart = teacher.locator('[data-testid="stVegaLiteChart"]')
    chart.first.wait_for(timeout=10_000)
    teacher.wait_for_timeout(500)
    labels = " ".join(_chart_answers(teacher))
    assert "students: 1; answer: {stone_size}" in labels     # the bar, from Vega's ARIA text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    teacher.screenshot(path=str(ARTIFACTS / "classroom-teacher.png"), full_page=True)
    outside = [u for u in requests if urlsplit(u).scheme in ("http", "https", "ws", "wss")
               and urlsplit(u).hostname not in LOCAL_HOSTS]
    assert not outside and not dialogs


def test_a_reload_does_not_reset_the_join_allowance(app_server, page):
    """Wrong codes spend this browser's allowance (app.classroom.access.JOIN_PER_BROWSER: 10,
    then one every 6 s, with backoff); a cookie keeps it, so a reload starts no fresh one."""
    page.goto(app_server + "/classroom")
    wait_for_app(page)

    def attempt(i: int) -> str:
        page.get_by_role("textbox", name="Class code").fill(f"ZZZZ-ZZ{i:02d}")
        page.get_by_role("textbox", name="Your display name").fill("Eve")
        page.get_by_role("button", name="Join").click()
        wait_for_app(page)
        return " ".join(t for t in page.locator('[data-testid="stAlert"]').all_inner_texts()
                        if "Classroom" in t)

    answers = []
    for i in range(25):          # 10 at once, plus what refills while the clicks take time
        answers.append(attempt(i))
        if "Too many attempts" in answers[-1]:
            break
    assert "Too many attempts" in answers[-1] and len(answers) > 10, answers
    assert all("no open class" in a for a in answers[:10])
    assert any(c["name"] == "cc_browser" for c in page.context.cookies())
    page.reload()
    wait_for_app(page)
    assert "Too many attempts to join" in attempt(99)


def test_saved_workspaces_survive_a_reload_and_download_as_a_file(app_server, page):
    from app.workspace_file import read_workspace_file

    page.goto(app_server + "/classroom")
    wait_for_app(page)
    page.get_by_role("tab", name="My workspaces").click()
    page.get_by_role("textbox", name="Save the current workspace as").fill("Browser test")
    page.get_by_role("button", name="Save", exact=True).click()
    wait_for_app(page)
    page.get_by_text("Saved 'Browser test'").wait_for(timeout=30_000)
    key = None
    for _ in range(60):      # the page sets the cookie from a script once the save has rendered
        key = next((c["value"] for c in page.context.cookies() if c["name"] == "cc_library"),
                   None)
        if key:
            break
        page.wait_for_timeout(250)
    assert key, "the library key was not remembered in a cookie"
    page.reload()
    wait_for_app(page)
    page.get_by_role("tab", name="My workspaces").click()
    page.get_by_text("Your library key").click()
    page.get_by_text(f"private to the key {key}").wait_for(timeout=15_000)
    assert page.get_by_text("Nothing saved yet").count() == 0
    with page.expect_download() as info:
        page.get_by_role("button", name="Download", exact=True).click()
    opened = read_workspace_file(open(info.value.path(), "rb").read())
    assert opened.name == "Browser test"
    assert set(opened.workspace.graph.nodes) == {"treatment", "stone_size", "recovery"}
