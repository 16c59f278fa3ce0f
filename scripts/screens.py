"""Photograph every screen of the app (`make screens`): a 390 px phone, English and
Chinese, light and dark, into screens/ (git-ignored) as <screen>-<language>-<scheme>.png,
plus the summary for a clinician as the PDF a phone prints. Look at them all in a minute.

Runs the app on a throwaway SQLite database with the shipped content, and walks it with
Playwright and Debian's Chromium along the same path as tests/browser/test_screens_read.py
(tests/browser/screen_walk.py), so the pictures show what the test reads:

    .venv/bin/python scripts/screens.py
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screens"
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from screen_walk import LOCALES, PHONE, Screen, walk  # noqa: E402

SCHEMES = ("light", "dark")
# Pictures of the page as printed: the summary is the page a clinician gets on paper.
PRINTED = {"summary-soon", "summary-urgent"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_server(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("The development server did not start.")


def photograph(browser: Browser, url: str, language: str, scheme: str) -> list[Path]:
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale=LOCALES[language],
        color_scheme=scheme,
    )
    written = []

    def shoot(screen: Screen) -> None:
        path = OUT / f"{screen.name}-{language}-{scheme}.png"
        screen.page.screenshot(path=str(path), full_page=True)
        written.append(path)
        if screen.name in PRINTED and scheme == "light":
            pdf = OUT / f"{screen.name}-{language}.pdf"
            screen.page.pdf(path=str(pdf), format="A4", print_background=True)
            written.append(pdf)

    try:
        walk(context, url, shoot)
    finally:
        context.close()
    return written


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/screens.sqlite3", "DEBUG": "true"}
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
        subprocess.run([*manage, "seed_content"], env=env, check=True, stdout=subprocess.DEVNULL)
        server = subprocess.Popen(
            [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_server(url)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
                )
                written = [
                    path
                    for language in LOCALES
                    for scheme in SCHEMES
                    for path in photograph(browser, url, language, scheme)
                ]
                browser.close()
        finally:
            server.terminate()
            server.wait()
    print(f"Wrote {len(written)} files to {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
