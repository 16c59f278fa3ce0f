"""Take the manifest's narrow screenshot: the first question of a self-check on a phone.

Runs the app on a throwaway SQLite database with the shipped content and photographs it
with Playwright and Debian's Chromium (static/screenshots/check-narrow.png, 540x1200,
committed). Run it again after a visible change to the check screen:

    .venv/bin/python scripts/make_screenshot.py
"""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "static" / "screenshots" / "check-narrow.png"
PORT = "8765"
URL = f"http://127.0.0.1:{PORT}"


def wait_for_server(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(URL + "/", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("The development server did not start.")


def photograph() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
        page = browser.new_page(viewport={"width": 540, "height": 1200}, device_scale_factor=1)
        page.goto(URL + "/check/")
        page.get_by_role("button", name="Start the check").click()
        page.locator("#check-progress").wait_for()
        OUT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUT))
        browser.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/screenshot.sqlite3", "DEBUG": "true"}
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
        subprocess.run([*manage, "seed_content"], env=env, check=True)
        server = subprocess.Popen([*manage, "runserver", "--noreload", f"127.0.0.1:{PORT}"], env=env)
        try:
            wait_for_server()
            photograph()
        finally:
            server.terminate()
            server.wait()
    print(f"Wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
