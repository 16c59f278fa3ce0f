"""Part 3, start-up: navigation start to the first question visible on /check/, online
and offline (the service worker answering), median of 10 cold loads each, in headless
Debian Chromium against gunicorn with the production settings on loopback.

Online: a new browser context each time (no HTTP cache, no worker). Offline: a new
context that has installed the worker once, then goes offline and opens /check/.

    .venv/bin/python bench/startup.py
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.browser import CHROMIUM, FIRST_QUESTION_PROBE, wait_controlled
from bench.common import median, progress, served_app, write_results

PART = "startup"
LOADS = int(os.environ.get("BENCH_STARTUP_LOADS", "10"))


def measure(base_url: str) -> dict:
    from playwright.sync_api import sync_playwright

    online, offline = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        for number in range(LOADS):
            context = browser.new_context(bypass_csp=True)
            context.add_init_script(FIRST_QUESTION_PROBE)
            page = context.new_page()
            page.goto(base_url + "/check/")
            online.append(page.evaluate("window.__firstQuestion"))
            context.close()

            context = browser.new_context(bypass_csp=True)
            context.add_init_script(FIRST_QUESTION_PROBE)
            page = context.new_page()
            page.goto(base_url + "/")
            wait_controlled(page)
            page.close()
            context.set_offline(True)
            page = context.new_page()
            page.goto(base_url + "/check/")
            offline.append(page.evaluate("window.__firstQuestion"))
            context.close()
            progress(PART, f"load {number + 1}/{LOADS}: online {online[-1]:.0f} ms, offline {offline[-1]:.0f} ms")
        browser.close()
    return {
        "loads": LOADS,
        "online_ms": {"median": median(online), "all": online},
        "offline_ms": {"median": median(offline), "all": offline},
    }


def main() -> None:
    with served_app(PART) as base_url:
        figures = measure(base_url)
    write_results(PART, figures)


if __name__ == "__main__":
    main()
