"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server."""

import contextlib
import os
import shutil

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

import tools.jobs
from tests.conftest import require_service
from tests.tools.test_worker import celery_worker_process  # noqa: F401

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (set-up and assertions) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def browser():
    require_service(os.path.exists(CHROMIUM), f"Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


# Every page reports what the Content-Security-Policy blocked, also across navigations: to the
# test through a binding, and into window.__cspViolations, read back before the page closes.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  var text = event.violatedDirective + " blocked " + (event.blockedURI || "inline") + " at "
    + event.sourceFile + ":" + event.lineNumber + " (" + document.location.pathname + ")";
  window.__cspViolations.push(text);
  window.reportCspViolation(text);
});
"""


@pytest.fixture
def browser_problems():
    """What the browser reported during the test: CSP violations, console errors, uncaught
    exceptions. The `page` fixture fails the test on any left here at its end."""
    return []


def _watch(page, problems: list[str]) -> None:
    def console(message):
        if message.type == "error":
            problems.append(f"console error on {page.url}: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"uncaught error on {page.url}: {error}"))


@pytest.fixture
def page(browser, live_server, browser_problems):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    context.expose_binding(
        "reportCspViolation", lambda source, text: browser_problems.append(f"CSP: {text}")
    )
    context.add_init_script(CSP_LISTENER)
    context.on("page", lambda opened: _watch(opened, browser_problems))
    page = context.new_page()
    yield page
    for opened in context.pages:
        # The open pages' own lists also hold what their binding calls have not delivered yet.
        with contextlib.suppress(PlaywrightError):
            for text in opened.evaluate("window.__cspViolations || []"):
                if f"CSP: {text}" not in browser_problems:
                    browser_problems.append(f"CSP: {text}")
    context.close()
    if browser_problems:
        pytest.fail("The browser reported:\n" + "\n".join(browser_problems), pytrace=False)


@pytest.fixture
def sign_in(page):
    def sign_in_as(username: str, password: str = "demo") -> None:
        page.goto("/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login/" not in url)

    return sign_in_as


@pytest.fixture
def jobs_on_worker(celery_worker_process, monkeypatch):  # noqa: F811
    """Jobs the live server starts run on a real Celery worker (tests/tools/test_worker.py)
    against the test database: queued as in production, after commit through Redis, to a
    queue of the worker's own, so that no other test's worker can take them."""
    worker = celery_worker_process
    enqueue = tools.jobs._job_enqueue
    monkeypatch.setattr(
        tools.jobs, "_job_enqueue", lambda job_id, queue: enqueue(job_id, worker.queue)
    )
    return worker


@pytest.fixture
def assert_accessible(page):
    """Check screens with axe-core: `assert_accessible(paths)` opens each path in the signed-in
    page and fails the test on any serious or critical violation, listing them all."""
    from tests.e2e.accessibility import accessibility_problems

    def check(paths) -> None:
        problems = accessibility_problems(page, paths)
        if problems:
            pytest.fail("axe-core found:\n" + "\n".join(problems), pytrace=False)

    return check


def confirm_step(page, question: str) -> None:
    """Answer the confirmation step an action that moves money (or cannot be undone) asks:
    check its question names what is at stake, then confirm."""
    step = page.locator("[data-confirm-step]")
    expect(step.locator("[data-confirm-question]")).to_contain_text(question)
    step.get_by_role("button").first.click()
