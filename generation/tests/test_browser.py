"""The tutor's journey in a real browser: Chromium, driven by Playwright, against `serve_local`.

One `manage.py serve_local` process for the module (Daphne + the in-process worker + the
Claude simulator) serves the test database. Each test logs in through the login form in a
fresh browser context and checks what a tutor sees. The simulator is slowed through its
control API so that every stage is visibly live. Helpers: `generation/tests/browser.py`.
"""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from playwright.sync_api import (
    Browser,
    Dialog,
    Error,
    Page,
    WebSocketRoute,
    expect,
    sync_playwright,
)

from generation.models import Job
from generation.tests.browser import (
    PASTE_SCREENSHOT,
    CuttableProxy,
    LiveApp,
    axe_violations,
    job_status,
    launch_chromium,
    log_in,
    not_reloaded,
    stage_state,
    start_serve_local,
    wait_for_quiet_socket,
    watch_policies,
    watch_socket,
)

STAGES = ("extract", "classify", "retrieve", "generate", "validate")
PASSWORD = "a long tutor passphrase"
JOB_TIMEOUT = 60_000  # ms for a whole job (the first one also loads the embedding model)
# Slow enough to watch, fast enough for the suite: extract (+ classify) 1 s, each question
# 1.5 s, each blind solve 0.3 s.
LIVE_LATENCY = {"extract": 1.0, "generate": 1.5, "solve": 0.3}

pytestmark = pytest.mark.usefixtures("seeded_bank")  # committed: the server reads it too


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live_app(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[LiveApp]:
    """`serve_local` against the test database, for the whole module."""
    folder = tmp_path_factory.mktemp("serve_local")
    with django_db_blocker.unblock():
        database = connection.settings_dict["NAME"]  # the test database's, once set up
    app = start_serve_local(database, folder / "serve_local.log", folder / "media")
    yield app
    app.stop()


@pytest.fixture
def live(live_app) -> Iterator[LiveApp]:
    """The live app, its simulator reset and slowed for this test."""
    live_app.simulator("reset")
    live_app.simulator("latency", LIVE_LATENCY)
    yield live_app
    print(f"--- serve_local log (tail) ---\n{live_app.log_tail()}")  # shown if the test failed
    live_app.simulator("reset")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for the module.

    While it is open, Playwright's sync API keeps an asyncio loop running on this thread (in
    another greenlet), so Django takes every ORM call made here (creating tutors, the flush
    after each test) for one made from async code, and refuses it. Nothing async touches the
    database in this process meanwhile: allow it for this module only.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = launch_chromium(playwright)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def refused() -> Iterator[list[str]]:
    """What the Content-Security-Policy refused in any page of the test: nothing, or it fails."""
    found: list[str] = []
    yield found
    assert not found, "the page's policies refused or rejected:\n" + "\n".join(found)


@pytest.fixture
def new_page(browser, live, tmp_path, refused) -> Iterator[Callable[..., Page]]:
    """Open a page in a browser context of its own (its own cookies, so its own tutor)."""
    contexts = []

    def open_page(base_url: str = live.url) -> Page:
        context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        watch_policies(context, refused)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for number, context in enumerate(contexts):
        for page in context.pages:
            with_shot = tmp_path / f"page-{number}.png"
            try:
                page.screenshot(path=with_shot, full_page=True)
                print(f"last seen {page.url}: {with_shot}")  # shown if the test failed
            except Error:
                pass
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


def make_tutor(username: str) -> str:
    get_user_model().objects.create_user(username, password=PASSWORD)
    return username


@pytest.fixture
def tutor() -> str:
    return make_tutor("tutor")


# --- steps -----------------------------------------------------------------------------------


def screenshot_png() -> bytes:
    """A small PNG of a question, as a screenshot tool saves it."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 220), "white")
    draw = ImageDraw.Draw(image)
    draw.text((20, 20), "If 5x - 3 = 2x + 12, what is the value of x?", fill="black")
    for row, choice in enumerate(("A) 3", "B) 5", "C) 9", "D) 15")):
        draw.text((20, 70 + 30 * row), choice, fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def submit(page: Page, *, count: int) -> None:
    page.get_by_label("How many").fill(str(count))
    page.get_by_role("button", name="Write questions").click()
    expect(page).to_have_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))


def expect_finished(page: Page, *, count: int, skipped: tuple[str, ...] = ()) -> None:
    """Every stage done, the job succeeded, `count` questions that passed their checks."""
    for stage in STAGES:
        expected = "Skipped" if stage in skipped else "Succeeded"
        expect(stage_state(page, stage)).to_contain_text(expected, timeout=JOB_TIMEOUT)
    expect(job_status(page)).to_have_text("Succeeded", timeout=JOB_TIMEOUT)
    expect(page.locator("#questions article")).to_have_count(count)
    for number in range(1, count + 1):
        expect(page.locator(f"#question-{number} .question-head .badge")).to_have_text("Passed")


def squeeze(text: str | None) -> str:
    """Text without whitespace (a formula's MathML is laid out with different spacing)."""
    return re.sub(r"\s+", "", text or "")


def wait_until(predicate: Callable[[], bool], *, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


# --- the tests -------------------------------------------------------------------------------


def test_paste_a_screenshot_watch_the_job_live_then_save_and_print(page, tutor):
    log_in(page, tutor, PASSWORD)
    page.evaluate(PASTE_SCREENSHOT)
    expect(page.locator("#dropzone-name")).to_have_text(
        re.compile(r"Ready: pasted-screenshot\.png \(\d+ KB\)")
    )
    submit(page, count=2)
    watch_socket(page)

    # Live: stages are seen running, and the status line names them, on the page as loaded.
    expect(page.locator("#timeline .stage-running")).to_have_count(1, timeout=JOB_TIMEOUT)
    expect(stage_state(page, "generate")).to_contain_text("Running", timeout=JOB_TIMEOUT)
    expect(page.locator("#job-status")).to_contain_text("Running — Generate in progress")
    expect(page.get_by_role("note")).to_contain_text("Simulated")
    expect_finished(page, count=2)
    expect(page.get_by_role("heading", name="Your question", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Writing for")).to_be_visible()
    assert not_reloaded(page), "the page was reloaded, not updated"

    wait_for_quiet_socket(page)
    first = page.locator("#question-1")
    stem = squeeze(first.locator(".stem").text_content())
    answer = first.locator(".answer")
    expect(answer.get_by_text("Answer:")).to_be_hidden()
    first.get_by_text("Show answer and explanation").click()
    expect(answer.get_by_text("Answer:")).to_be_visible()
    key = re.fullmatch(r"Answer: (\S+)", answer.locator("strong").inner_text().strip())
    assert key, answer.inner_text()
    expect(answer.locator(".explanation")).to_be_visible()

    first.get_by_placeholder("New set name").fill("Linear equations, week 3")
    first.get_by_role("button", name="Save to set").click()
    saved = first.get_by_role("status")
    expect(saved).to_have_text("Saved to Linear equations, week 3.")
    expect(first.get_by_role("button", name="Save to set")).to_be_focused()
    assert not_reloaded(page), "saving to a set reloaded the page"

    saved.get_by_role("link", name="Linear equations, week 3").click()
    expect(page.get_by_role("heading", name="Questions (1)")).to_be_visible()
    page.get_by_role("link", name="Print worksheet").click()
    expect(page).to_have_url(re.compile(r"/sets/\d+/print/$"))
    expect(page.get_by_role("heading", name="Linear equations, week 3")).to_be_visible()
    expect(page.get_by_role("heading", name="Question 1", exact=True)).to_be_visible()
    assert squeeze(page.locator(".ws-question .ws-stem").text_content()) == stem
    expect(page.get_by_role("heading", name="Answer key")).to_be_visible()
    expect(page.locator(".key-entry h3")).to_have_text(f"Question 1: {key.group(1)} (simulated)")


def test_reloading_mid_job_shows_the_state_at_once_then_the_job_finishes(page, tutor):
    log_in(page, tutor, PASSWORD)
    page.get_by_label("Screenshot").set_input_files(
        {"name": "question.png", "mimeType": "image/png", "buffer": screenshot_png()}
    )
    expect(page.locator("#dropzone-name")).to_have_text(re.compile(r"Ready: question\.png"))
    submit(page, count=3)
    expect(stage_state(page, "generate")).to_contain_text("Running", timeout=JOB_TIMEOUT)

    # Hold the job socket of the reloaded page: what it shows then, it got from the page as
    # served, not from the socket.
    held: list[WebSocketRoute] = []
    page.route_web_socket(re.compile(r"/ws/jobs/"), lambda socket: held.append(socket))
    page.reload()
    for stage in ("extract", "classify", "retrieve"):
        expect(stage_state(page, stage)).to_contain_text("Succeeded")
    expect(stage_state(page, "generate")).to_contain_text("Running")
    expect(page.locator("#job-status")).to_contain_text("Running — Generate in progress")
    expect(page.get_by_role("heading", name="Your question", exact=True)).to_be_visible()
    expect(page.locator("#classification .chip").first).to_be_visible()
    assert len(held) == 1

    watch_socket(page)
    held[0].connect_to_server()  # let the socket through: the page goes on live
    expect_finished(page, count=3)  # and it goes on live after the reload
    assert not_reloaded(page)


def test_a_dropped_socket_reconnects_and_catches_up(new_page, live, tutor):
    """The network fails mid-job, for longer than the rest of the job takes.

    Chromium's offline emulation (`context.set_offline`) leaves an open WebSocket alone, and
    a page cannot close its socket as abnormal (1006) itself, so this browser reaches the app
    through a proxy that the test cuts: open connections reset, new ones refused.
    """
    with CuttableProxy(live.url) as proxy:
        page = new_page(proxy.url)
        log_in(page, tutor, PASSWORD)
        page.get_by_label("…or paste the question's text").fill(
            "If 4x - 7 = 21, what is the value of x?\nA) 3.5\nB) 7\nC) 14\nD) 28"
        )
        submit(page, count=3)
        watch_socket(page)
        expect(stage_state(page, "generate")).to_contain_text("Running", timeout=JOB_TIMEOUT)

        proxy.cut()
        page.wait_for_function("() => window.__socketCloseCodes.length > 0")
        assert set(page.evaluate("window.__socketCloseCodes")) == {1006}  # so htmx retries
        job = Job.objects.get(owner__username=tutor)
        wait_until(lambda: Job.objects.get(pk=job.pk).is_finished, what="the job to finish")
        # The job is done, but the page cannot know: it shows what it saw last.
        expect(job_status(page)).to_have_text("Running")
        expect(stage_state(page, "validate")).not_to_contain_text("Succeeded")

        proxy.restore()
        expect_finished(page, count=3)  # the whole state, sent again on reconnect
        assert page.evaluate("window.__socketOpens") >= 1
        assert not_reloaded(page), "the page was reloaded"


def test_the_file_picker_previews_an_image_and_refuses_what_the_server_would(page, tutor):
    log_in(page, tutor, PASSWORD)
    picker = page.get_by_label("Screenshot")
    assert picker.get_attribute("accept") == "image/png, image/jpeg, image/webp, image/gif"
    too_big = int(picker.get_attribute("data-max-bytes") or 0) + 1
    picker.set_input_files({"name": "huge.png", "mimeType": "image/png", "buffer": bytes(too_big)})
    expect(page.get_by_role("alert")).to_contain_text("huge.png is 10.0 MB; the limit is 10 MB.")
    assert page.evaluate("document.getElementById('id_image').files.length") == 0
    expect(page.get_by_alt_text("The screenshot you chose")).to_be_hidden()

    picker.set_input_files({"name": "notes.txt", "mimeType": "text/plain", "buffer": b"x"})
    expect(page.get_by_role("alert")).to_contain_text("notes.txt is not a PNG, JPEG, WebP or GIF")

    picker.set_input_files(
        {"name": "question.png", "mimeType": "image/png", "buffer": screenshot_png()}
    )
    expect(page.locator("#dropzone-name")).to_have_text(re.compile(r"Ready: question\.png"))
    preview = page.get_by_alt_text("The screenshot you chose")
    expect(preview).to_be_visible()
    assert page.evaluate("document.getElementById('dropzone-preview').naturalWidth") == 640


def test_starting_from_a_skill_writes_questions_of_that_skill(page, tutor):
    log_in(page, tutor, PASSWORD)
    page.get_by_label("…or start from a skill").select_option(label="Circles")
    submit(page, count=2)
    expect(page.get_by_role("heading", level=1)).to_have_text("Circles")
    expect(page.locator("#classification .chip")).to_have_text(
        ["Math", "Geometry and Trigonometry", "Circles", "Medium"]
    )
    expect_finished(page, count=2, skipped=("extract", "classify"))
    for stem in page.locator("#questions .stem").all():
        expect(stem).to_contain_text(re.compile(r"circ|round|radius|diameter|arc|tangent", re.I))


def test_another_tutor_gets_404_for_the_job_and_its_socket_is_refused(new_page, live, tutor):
    live.simulator("reset")  # no latency: this job only needs to exist
    owner = new_page()
    log_in(owner, tutor, PASSWORD)
    owner.get_by_label("…or paste the question's text").fill("If 2x = 10, what is x?")
    submit(owner, count=1)
    job_path = owner.url.split(live.url, 1)[1]
    expect(job_status(owner)).to_have_text("Succeeded", timeout=JOB_TIMEOUT)
    expect(owner.locator("#question-1")).to_be_visible()

    stranger = new_page()
    log_in(stranger, make_tutor("stranger"), PASSWORD)
    response = stranger.goto(job_path)
    assert response is not None and response.status == 404
    expect(stranger.get_by_role("heading", name="Not Found")).to_be_visible()
    expect(stranger.locator("body")).not_to_contain_text("Question 1")

    close_code = stranger.evaluate(
        """(path) => new Promise((resolve) => {
             const socket = new WebSocket(`ws://${location.host}/ws${path}`);
             socket.onmessage = () => resolve("a message with the job");
             socket.onclose = (event) => resolve(event.code);
           })""",
        job_path,
    )
    assert close_code == 4403  # refused, and with a code htmx does not retry


def test_what_the_tutor_does_in_a_card_survives_the_live_updates(page, live, tutor):
    # One blind solve is held back 4 s (a rate limit), so the job is still running, and
    # updating the page, while the tutor works in a card that has passed.
    live.simulator("faults", {"kind": "rate_limit", "task": "solve", "retry_after": 4})
    log_in(page, tutor, PASSWORD)
    page.get_by_label("…or paste the question's text").fill(
        "If 5x - 3 = 2x + 12, what is the value of x?\nA) 3\nB) 5\nC) 9\nD) 15"
    )
    submit(page, count=3)
    watch_socket(page)
    card = page.locator("#questions article.question-passed").first
    expect(card).to_be_visible(timeout=JOB_TIMEOUT)
    expect(job_status(page)).to_have_text("Running")
    number = (card.get_attribute("id") or "").removeprefix("question-")
    card = page.locator(f"#question-{number}")  # not "the first that passed": others may pass
    # A new set changes every card's set picker, so the next updates replace the cards.
    card.get_by_placeholder("New set name").fill("Week 3")
    card.get_by_role("button", name="Save to set").click()
    expect(card.get_by_role("status")).to_have_text("Saved to Week 3.")
    card.get_by_text("Show answer and explanation").click()
    revise = card.get_by_label("How should it change?")
    revise.fill("harder, with a science context")
    revise.press("Home")
    before = page.evaluate_handle(f"document.getElementById('question-{number}')")

    expect(job_status(page)).to_have_text("Succeeded", timeout=JOB_TIMEOUT)
    wait_for_quiet_socket(page)
    replaced = f"(old) => old !== document.getElementById('question-{number}')"
    assert page.evaluate(replaced, before), "the card was never replaced: nothing was tested"
    expect(revise).to_have_value("harder, with a science context")
    expect(revise).to_be_focused()
    assert page.evaluate("document.activeElement.selectionStart") == 0
    expect(card.locator("details.answer")).to_have_attribute("open", "")
    expect(card.get_by_label(f"Set for question {number}")).to_contain_text("Week 3")
    expect(card.get_by_role("status")).to_have_text("Saved to Week 3.")  # what Save said stays


def test_regenerate_and_move_stay_in_place_with_the_focus_where_the_tutor_was(page, tutor):
    from generation.tests.builders import generated_question, make_job

    owner = get_user_model().objects.get(username=tutor)
    job = make_job(owner=owner, count=5)
    Job.objects.filter(pk=job.pk).update(
        status="succeeded", skill="linear_equations_one_variable", domain="algebra"
    )
    job.stages.update(status="succeeded")
    for position in range(1, 6):
        generated_question(job, position=position)
    log_in(page, tutor, PASSWORD)
    page.goto(f"/jobs/{job.public_id}/")
    watch_socket(page)
    last = page.locator("#question-5")
    last.get_by_role("button", name="Regenerate").scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 300
    page.once("dialog", lambda dialog: dialog.accept())  # it is in no set: asked first
    last.get_by_role("button", name="Regenerate").click()
    expect(last.get_by_text("Earlier versions (1)")).to_be_visible()
    assert page.evaluate("document.activeElement.closest('#question-5') !== null")
    expect(last).to_be_in_viewport()  # no reload to the top (it was 1543 → 0)
    assert page.evaluate("window.scrollY") > 300
    assert not_reloaded(page)

    for position in (1, 2, 3):
        card = page.locator(f"#question-{position}")
        card.get_by_placeholder(re.compile("set.s name|New set name")).fill("Week 3")
        card.get_by_role("button", name="Save to set").click()
        expect(card.get_by_role("status")).to_contain_text("Week 3")
    page.locator("#question-1").get_by_role("link", name="Week 3").click()
    page.evaluate("window.__notReloaded = true")
    first = page.locator(".set-item").first
    expect(first.locator(".stem")).to_contain_text("x+1=10")  # question 1 of the job
    first.get_by_role("button", name="Move down question 1").click()
    expect(page.locator(".set-item").nth(1).locator(".stem")).to_contain_text("x+1=10")
    expect(page.get_by_role("button", name="Move down question 2")).to_be_focused()
    assert not_reloaded(page), "moving reloaded the set page"


def tab_to(page: Page, description: str, *, limit: int = 80) -> None:
    """Press Tab until the focused element's accessible description matches, as a keyboard
    user would; fail if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement;
                const label = e.labels && e.labels[0] && e.labels[0].innerText;
                return [e.getAttribute("aria-label"), label, e.innerText, e.placeholder]
                    .filter(Boolean).join(" | "); }"""
        )
        if re.search(description, focused):
            return
    raise AssertionError(f"Tab never reached {description!r}")


def test_the_main_journey_by_keyboard_alone(page, tutor):
    page.goto("/")
    tab_to(page, "Skip to content")
    page.keyboard.press("Enter")
    tab_to(page, "Username")
    page.keyboard.type(tutor)
    tab_to(page, "Password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("New SAT practice"))).to_be_visible()

    tab_to(page, "paste the question's text")
    page.keyboard.type("If 5x - 3 = 2x + 12, what is the value of x? A) 3 B) 5 C) 9 D) 15")
    tab_to(page, "How many")
    page.keyboard.press("Control+a")
    page.keyboard.type("2")
    tab_to(page, "Write questions")
    page.keyboard.press("Enter")
    expect_finished(page, count=2)

    tab_to(page, "Show answer and explanation")
    page.keyboard.press("Enter")
    expect(page.locator("#question-1 details.answer")).to_have_attribute("open", "")
    tab_to(page, "New set name for question 1")
    page.keyboard.type("Keyboard set")
    page.keyboard.press("Enter")
    expect(page.locator("#question-1").get_by_role("status")).to_have_text("Saved to Keyboard set.")
    tab_to(page, "Keyboard set")  # the link in the status line
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Keyboard set")).to_be_visible()


def test_every_page_has_no_accessibility_violations(page, tutor):
    from generation.tests.builders import generated_question, generated_spr, make_job

    owner = get_user_model().objects.get(username=tutor)
    job = make_job(owner=owner, count=2)
    Job.objects.filter(pk=job.pk).update(
        status="succeeded", skill="linear_functions", domain="algebra", section="math"
    )
    job.stages.update(status="succeeded")
    generated_question(job, position=1)
    generated_spr(job, position=2)

    found = []
    page.goto("/accounts/login/")
    found += axe_violations(page)
    log_in(page, tutor, PASSWORD)
    page.goto(f"/jobs/{job.public_id}/")  # no waiting: the socket leaves a current page alone
    first = page.locator("#question-1")
    first.get_by_placeholder("New set name").fill("Week 3")
    first.get_by_role("button", name="Save to set").click()
    set_url = first.get_by_role("link", name="Week 3").get_attribute("href")
    for url in (
        "/",
        "/jobs/",
        f"/jobs/{job.public_id}/",
        "/bank/",
        "/sets/",
        set_url,
        f"{set_url}print/",
        f"{set_url}delete/",
        "/accounts/tokens/",
        "/accounts/password_change/",
    ):
        page.goto(str(url))
        found += axe_violations(page)
    assert not found, "\n".join(found)


# A Reading and Writing question as the test app lays it out, for Chromium to photograph.
READING_CAPTURE = """<!doctype html><html><body style="margin:0;background:#fff">
<main style="width:760px;padding:28px 36px;font:19px/1.55 Georgia,serif;color:#1a1a1a">
<p>Marine biologist Ayana Brooks studies how coral reefs recover after storms. She found that
reefs near mangrove forests regrew faster, because the roots trap sediment that would
otherwise smother young coral.</p>
<p>Which choice best states the main idea of the text?</p>
<p>A) Mangrove roots help nearby reefs recover by trapping sediment.</p>
<p>B) Storms damage mangrove forests more than they damage reefs.</p>
<p>C) Young coral grows fastest in water with a lot of sediment.</p>
<p>D) Brooks was the first scientist to study coral reefs.</p>
</main></body></html>"""


def test_a_screenshot_is_read_and_shown_beside_what_we_read(new_page, live, tutor):
    live.simulator("reset")  # no latency: this test is about what is read
    camera = new_page()
    camera.set_content(READING_CAPTURE)
    capture = camera.locator("main").screenshot()

    page = new_page()
    log_in(page, tutor, PASSWORD)
    page.get_by_label("Screenshot").set_input_files(
        {"name": "reef.png", "mimeType": "image/png", "buffer": capture}
    )
    submit(page, count=1)
    expect_finished(page, count=1)

    source = page.locator("#source")
    shot = source.get_by_alt_text("Your screenshot")
    expect(shot).to_be_visible()
    width = (camera.locator("main").bounding_box() or {}).get("width")
    wait_until(lambda: shot.evaluate("(img) => img.naturalWidth") > 0, what="the image to load")
    assert shot.evaluate("(img) => img.naturalWidth") == width  # the image as uploaded
    card = source.locator(".source-card")
    expect(card.locator(".passage")).to_contain_text("reefs near mangrove forests regrew faster")
    expect(card.locator(".stem")).to_have_text(
        "Which choice best states the main idea of the text?"
    )
    expect(card.locator(".choices li")).to_have_text(
        [
            "Mangrove roots help nearby reefs recover by trapping sediment.",
            "Storms damage mangrove forests more than they damage reefs.",
            "Young coral grows fastest in water with a lot of sediment.",
            "Brooks was the first scientist to study coral reefs.",
        ]
    )
    expect(page.locator("#classification .chip").first).to_have_text("Reading and Writing")
    expect(source.get_by_text("Check what we read")).to_have_count(0)  # the reading agrees


def test_checks_read_in_plain_words_and_a_correction_keeps_the_old_versions(page, live, tutor):
    live.simulator("reset")
    log_in(page, tutor, PASSWORD)
    page.get_by_label("…or paste the question's text").fill(
        "If 5x - 3 = 2x + 12, what is the value of x? A) 3 B) 5 C) 9 D) 15"
    )
    submit(page, count=2)
    expect_finished(page, count=2)
    job_url = page.url

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Jobs").click()
    row = page.get_by_role("row").filter(has=page.locator(f"a[href='{urlsplit(job_url).path}']"))
    expect(row).to_contain_text("Succeeded simulated")
    row.get_by_role("link").first.click()
    expect(page).to_have_url(job_url)

    first = page.locator("#question-1")
    checks = first.locator("details.checks")
    expect(checks.locator("li").first).to_be_hidden()  # behind the toggle
    checks.locator("summary").click()
    expect(checks.locator("summary")).to_have_text(re.compile(r"^\d+ checks, all passed$"))
    expect(checks).to_contain_text("Four different choices")
    expect(checks).to_contain_text("Answer verified independently (simulated check)")
    expect(checks).not_to_contain_text("four_distinct_choices")
    expect(page.locator("body")).not_to_contain_text("not_a_copy_of_bank")

    watch_socket(page)
    stem = squeeze(first.locator(".stem").text_content())
    page.locator("#classification summary").click()
    page.get_by_label("Difficulty").select_option(label="Hard")
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    page.get_by_role("button", name="Write again").click()
    expect(first.get_by_text("Earlier versions (1)")).to_be_visible(timeout=JOB_TIMEOUT)
    expect(job_status(page)).to_have_text("Succeeded", timeout=JOB_TIMEOUT)
    assert asked and "Earlier versions" in asked[0]
    expect(page.locator("#classification .chip").nth(3)).to_have_text("Hard")
    first.get_by_text("Earlier versions (1)").click()
    assert squeeze(first.locator(".old-version .stem").text_content()) == stem
    assert not_reloaded(page)


def test_a_cancelled_job_shows_one_banner_and_no_drafting_cards(page, live, tutor):
    log_in(page, tutor, PASSWORD)
    page.get_by_label("…or paste the question's text").fill(
        "If 4x - 7 = 21, what is the value of x?\nA) 3.5\nB) 7\nC) 14\nD) 28"
    )
    submit(page, count=5)
    watch_socket(page)
    drafting = page.locator("#questions article .pending")
    expect(drafting.first).to_contain_text("Drafting…", timeout=JOB_TIMEOUT)
    page.get_by_role("button", name="Cancel job").click()
    expect(job_status(page)).to_have_text("Cancelled", timeout=JOB_TIMEOUT)
    expect(page.get_by_role("button", name="Cancel job")).to_have_count(0)
    expect(page.locator(".banner-info, .banner-error")).to_have_count(1)
    expect(page.locator(".banner-info")).to_contain_text("You cancelled this job")
    wait_for_quiet_socket(page)
    expect(drafting).to_have_count(0)
    expect(page.locator("#questions")).not_to_contain_text("Drafting")
    assert not_reloaded(page)


def test_deleting_a_set_asks_first_and_its_simulated_questions_stay_labelled(page, tutor):
    from generation.tests.builders import generated_question, make_job

    owner = get_user_model().objects.get(username=tutor)
    job = make_job(owner=owner, count=1)
    Job.objects.filter(pk=job.pk).update(status="succeeded", skill="linear_functions")
    job.stages.update(status="succeeded")
    generated_question(job, position=1)
    log_in(page, tutor, PASSWORD)
    page.goto(f"/jobs/{job.public_id}/")
    first = page.locator("#question-1")
    first.get_by_placeholder("New set name").fill("Week 3")
    first.get_by_role("button", name="Save to set").click()
    first.get_by_role("link", name="Week 3").click()

    expect(page.locator(".set-item-meta .badge")).to_have_text(
        "simulated (demo data, not Claude’s)"
    )
    page.get_by_role("link", name="Print worksheet").click()
    expect(page.locator(".key-entry h3")).to_have_text("Question 1: D (simulated)")
    page.go_back()

    page.get_by_role("link", name="Delete “Week 3”…").click()
    expect(page.get_by_role("heading", name="Delete “Week 3”?")).to_be_visible()
    page.get_by_role("link", name="Keep it").click()
    expect(page.get_by_role("heading", name="Week 3", exact=True)).to_be_visible()

    page.get_by_role("link", name="Delete “Week 3”…").click()
    page.get_by_role("button", name="Delete the set").click()
    expect(page).to_have_url(re.compile(r"/sets/$"))
    expect(page.get_by_role("link", name="Week 3")).to_have_count(0)
    page.goto(f"/jobs/{job.public_id}/")
    expect(page.locator("#question-1 .stem")).to_be_visible()  # the question itself stays


def test_the_policy_refuses_inline_script_and_style_and_the_tests_would_notice(page, refused):
    page.goto("/accounts/login/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__inlineRan = true";
          document.head.append(script);
          document.body.insertAdjacentHTML("beforeend", '<p style="color: red">styled</p>');
        }"""
    )
    assert page.evaluate("window.__inlineRan") is None
    wait_until(lambda: len(refused) >= 2, what="the refusals to be reported", seconds=5)
    reported = "\n".join(refused)
    assert "script-src-elem refused inline" in reported
    assert "style-src-attr refused inline" in reported
    refused.clear()  # the refusals this test caused on purpose


def test_the_admin_works_under_the_content_security_policy(page, tutor):
    from generation.tests.builders import make_job

    staff = get_user_model().objects.create_user("staff", password=PASSWORD, is_staff=True)
    staff.is_superuser = True
    staff.save()
    make_job(owner=get_user_model().objects.get(username=tutor))
    page.goto("/admin/")
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

    page.goto("/admin/generation/job/")
    # The admin's scripts run: ticking a row updates the action counter (actions.js).
    page.locator("input.action-select").first.check()
    expect(page.locator(".action-counter")).to_contain_text("1 of 1 selected")

    page.goto("/admin/generation/allowance/add/")
    # The owner's autocomplete (select2, from the admin's static files) searches and picks.
    page.locator(".field-owner .select2-selection").click()
    page.locator(".select2-search__field").fill(tutor)
    page.locator(".select2-results__option", has_text=tutor).click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
