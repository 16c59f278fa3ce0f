"""Part 4, sync end to end: 200 finished checks pending in the browser's outbox
(IndexedDB, through outbox.js) until all are receipted by the server, timed around the
app's own `syncNow()`; the requests it made are counted. Run from a same-origin
page without the app's scripts, so only this sync runs. Median of 5 runs, each in a
fresh browser context against gunicorn with the production settings on loopback.

    .venv/bin/python bench/sync.py
"""

import json
import os
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.browser import CHROMIUM, wait_controlled
from bench.common import median, progress, served_app, write_results

PART = "sync"
CHECKS = 200
RUNS = int(os.environ.get("BENCH_SYNC_RUNS", "5"))

SYNC_ALL = """async (records) => {
  const outbox = await import("/static/js/outbox.js");
  const sync = await import("/static/js/sync.js");
  for (const record of records) await outbox.saveCheck(record);
  const pendingBefore = (await outbox.pendingChecks()).length;
  const started = performance.now();
  let rounds = 0;
  while ((await outbox.pendingChecks()).length > 0 && rounds < 10) { await sync.syncNow(); rounds += 1; }
  const elapsed = performance.now() - started;
  const synced = (await outbox.allChecks()).filter((c) => c.sync.state === "synced").length;
  return { pendingBefore, elapsed, synced, pendingAfter: (await outbox.pendingChecks()).length };
}"""


def measure(base_url: str) -> dict:
    from playwright.sync_api import sync_playwright

    from tests.sync_helpers import result_item

    snapshot = json.loads(urllib.request.urlopen(base_url + "/api/content/", timeout=30).read())
    runs = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        for number in range(RUNS):
            context = browser.new_context(bypass_csp=True)
            page = context.new_page()
            page.goto(base_url + "/history/")
            wait_controlled(page)
            page.wait_for_load_state("networkidle")
            # The app's pages start syncing on their own as checks appear; a page without the
            # app's scripts (same origin, same worker) leaves the timing to syncNow() alone.
            page.goto(base_url + "/healthz")
            api_requests = []
            context.on("request", lambda r, seen=api_requests: seen.append(r.url) if "/api/" in r.url else None)
            records = [{**result_item(snapshot), "sync": {"state": "pending", "message": None}} for _ in range(CHECKS)]
            outcome = page.evaluate(SYNC_ALL, records)
            assert outcome["pendingBefore"] == CHECKS and outcome["synced"] == CHECKS, outcome
            runs.append({"ms": outcome["elapsed"], "requests": len(api_requests), "urls": sorted(set(api_requests))})
            progress(
                PART,
                f"run {number + 1}/{RUNS}: {CHECKS} checks receipted in {outcome['elapsed']:.0f} ms, "
                f"{len(api_requests)} API requests",
            )
            context.close()
        browser.close()
    return {
        "checks": CHECKS,
        "runs": RUNS,
        "ms_median": median([r["ms"] for r in runs]),
        "requests_median": median([r["requests"] for r in runs]),
        "all": runs,
    }


def main() -> None:
    # Every run is a new device from 127.0.0.1.
    with served_app(PART, THROTTLE_DEVICES="1000/minute") as base_url:
        figures = measure(base_url)
    write_results(PART, figures)


if __name__ == "__main__":
    main()
