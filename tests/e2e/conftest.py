"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

Screenshots go to E2E_SCREENSHOT_DIR (default var/screenshots) so a person can
look at what the tests saw.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the test's own
# database work is still plain synchronous Django.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple"


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Reported on the page itself, whatever Chromium's console wording.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || location.pathname}:${event.lineNumber}`);
});
"""


@pytest.fixture(autouse=True)
def no_csp_violations(browser, monkeypatch):
    """Every page a browser test opens fails the test on a Content-Security-Policy
    violation (an inline script, handler or style the policy refused)."""
    violations = []
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.add_init_script(CSP_LISTENER)

        def on_console(message):
            text = message.text
            if "Content Security Policy" in text or text.startswith("CSP violation"):
                violations.append(f"{message.page.url if message.page else '?'}: {text}")

        context.on("console", on_console)
        return context

    monkeypatch.setattr(browser, "new_context", watched_context)
    yield violations
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def screenshot_dir() -> Path:
    path = Path(os.environ.get("E2E_SCREENSHOT_DIR", "var/screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def open_page(browser, live_server):
    """Open a logged-in page: open_page(user, path, language="nb", phone=False)."""
    contexts = []

    def _open(user, path: str, language: str = "nb", phone: bool = False):
        viewport = {"width": 390, "height": 844} if phone else {"width": 1366, "height": 900}
        context = browser.new_context(viewport=viewport, locale=language)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/?next={path}")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def project(org, users):
    """Improvement work: a project of unit A (see tests/improvement/conftest.py)."""
    from tests.improvement.conftest import make_project

    return make_project(org, users)
