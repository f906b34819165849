"""The README's screenshots, taken from a running demo (`python3 dev.py demo`) with Chromium.

    .venv/bin/python bench/screenshots.py [--url http://127.0.0.1:8000] [--out docs/screenshots]

Signs in as the demo's order manager and saves home.png, stage-list.png (Shipping),
order-page.png (the first order on that list) and tool-job.png (a tag job over every order,
caught while its progress bar moves: the demo runs jobs in a thread of the server).
Needs nothing but the demo and Chromium (CHROMIUM_PATH, default /usr/bin/chromium); reads no
database itself.
"""

import argparse
import os
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
VIEWPORT = {"width": 1280, "height": 800}


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def shoot(page: Page, out: Path, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=out / name)
    print(f"  {out / name}", flush=True)


def tag_job_running(page: Page) -> None:
    """Start "Add a tag" over all of View All Orders and stay on its job page until its
    progress bar has moved."""
    page.goto("/orders/")
    page.locator("#select-all-matching").check()
    action = page.locator("summary", has_text="Add a tag")
    if not action.is_visible():  # kept in a menu of the rarely used actions
        page.locator("summary", has_text="More ▾").first.click()
    action.click()
    field = page.locator("[name='add_tag-name']")
    field.fill(f"checked-{time.strftime('%H%M%S')}")
    page.get_by_role("button", name="Add a tag", exact=True).click()
    page.wait_for_url("**/tools/jobs/*/")
    progress = page.locator("#job-progress progress")
    deadline = time.monotonic() + 30
    while float(progress.get_attribute("value") or 0) == 0 and time.monotonic() < deadline:
        page.wait_for_timeout(100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running demo")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--username", default="demo-manager")
    parser.add_argument("--password", default="demo")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_context(base_url=args.url, viewport=VIEWPORT).new_page()
        sign_in(page, args.username, args.password)
        page.goto("/")
        shoot(page, out, "home.png")
        page.goto("/stages/shipping/")
        shoot(page, out, "stage-list.png")
        page.locator("table.data tbody a[href^='/orders/']").first.click()
        shoot(page, out, "order-page.png")
        tag_job_running(page)
        page.screenshot(path=out / "tool-job.png")
        print(f"  {out / 'tool-job.png'}", flush=True)
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
