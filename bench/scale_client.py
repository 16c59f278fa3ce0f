"""Issue 28, part 3: a phone with years of checks. In Chromium with its real IndexedDB
(through the app's own outbox.js), with 1,000 and 5,000 stored checks:

- the history page offline, from navigation to the chart and the list drawn (≤ 200 ms at 1,000);
- a check's result page offline (the newest check);
- the CSV and JSON exports, from the tap to the file (≤ 1 s at 1,000);
- the storage used per check (navigator.storage.estimate() before and after);
- the sync of 1,000 pending checks after months offline: requests and time.

Against gunicorn with the production settings on loopback. Median of 3 runs each.

    .venv/bin/python bench/scale_client.py
"""

import json
import os
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.browser import CHROMIUM, wait_controlled
from bench.common import median, progress, served_app, write_results

PART = "scale_client"
SIZES = [int(size) for size in os.environ.get("BENCH_SCALE_CLIENT_SIZES", "1000,5000").split(",")]
RUNS = int(os.environ.get("BENCH_SCALE_CLIENT_RUNS", "3"))
PENDING = 1000

SAVE_ALL = """async (records) => {
  const outbox = await import("/static/js/outbox.js");
  const before = await navigator.storage.estimate();
  const started = performance.now();
  for (const record of records) await outbox.saveCheck(record);
  const saveMs = performance.now() - started;
  const after = await navigator.storage.estimate();
  return { saveMs, bytes: after.usage - before.usage, stored: (await outbox.allChecks()).length };
}"""

SYNC_ALL = """async () => {
  const outbox = await import("/static/js/outbox.js");
  const sync = await import("/static/js/sync.js");
  const started = performance.now();
  let rounds = 0;
  while ((await outbox.pendingChecks()).length > 0 && rounds < 50) { await sync.syncNow(); rounds += 1; }
  const elapsed = performance.now() - started;
  const synced = (await outbox.allChecks()).filter((c) => c.sync.state === "synced").length;
  return { elapsed, synced, rounds };
}"""

DRAWN = """() => document.querySelector('#history-chart svg, #history-chart canvas, #history-chart *') !== null
  && document.querySelectorAll('#history-list li').length > 0"""


def records(snapshot: dict, count: int, state: str) -> list[dict]:
    """`count` checks a week apart (newest last), as the phone stores them."""
    from datetime import UTC, datetime, timedelta

    from tests.sync_helpers import CALM_ANSWERS, result_item

    now = datetime.now(UTC)
    made = []
    for index in range(count):
        answers = {**CALM_ANSWERS, "h_pain_now": index % 11}
        completed = (now - timedelta(hours=8 * (count - index))).isoformat()
        made.append(
            {**result_item(snapshot, answers, completed_at=completed), "sync": {"state": state, "message": None}}
        )
    return made


def fresh_page(browser, base_url: str):
    context = browser.new_context(bypass_csp=True, accept_downloads=True)
    page = context.new_page()
    page.goto(base_url + "/history/")
    wait_controlled(page)
    page.wait_for_load_state("networkidle")
    page.goto(base_url + "/healthz")  # no app script running while the checks are stored
    return context, page


def timed_navigation(page, url: str, ready: str) -> float:
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function(ready, polling="raf", timeout=60_000)
    return (time.perf_counter() - started) * 1000


def timed_download(page, button: str) -> tuple[float, int]:
    started = time.perf_counter()
    with page.expect_download(timeout=60_000) as download:
        page.click(button)
    path = download.value.path()
    return (time.perf_counter() - started) * 1000, Path(path).stat().st_size


def measure_size(browser, base_url: str, snapshot: dict, count: int) -> dict:
    context, page = fresh_page(browser, base_url)
    saved = page.evaluate(SAVE_ALL, records(snapshot, count, "synced"))
    assert saved["stored"] == count, saved
    context.set_offline(True)
    history, result, csv, json_export = [], [], [], []
    newest = page.evaluate("async () => (await (await import('/static/js/outbox.js')).allChecks()).length")
    for _ in range(RUNS):
        history.append(timed_navigation(page, base_url + "/history/", DRAWN))
        csv.append(timed_download(page, "#export-csv"))
        json_export.append(timed_download(page, "#export-json"))
        link = page.get_attribute("#history-list li a", "href")
        result.append(timed_navigation(page, base_url + link, "() => document.querySelector('main h1, main h2')"))
    context.close()
    figures = {
        "checks": count,
        "stored": newest,
        "save_all_ms": round(saved["saveMs"]),
        "storage_bytes_per_check": round(saved["bytes"] / count),
        "history_to_chart_ms": round(median(history)),
        "result_page_ms": round(median(result)),
        "csv_export_ms": round(median([ms for ms, _size in csv])),
        "csv_bytes": csv[0][1],
        "json_export_ms": round(median([ms for ms, _size in json_export])),
        "json_bytes": json_export[0][1],
    }
    progress(PART, json.dumps(figures))
    return figures


def measure_sync(browser, base_url: str, snapshot: dict) -> dict:
    context, page = fresh_page(browser, base_url)
    api_requests: list[str] = []
    context.on("request", lambda r: api_requests.append(r.url) if "/api/" in r.url else None)
    page.evaluate(SAVE_ALL, records(snapshot, PENDING, "pending"))
    outcome = page.evaluate(SYNC_ALL)
    context.close()
    assert outcome["synced"] == PENDING, outcome
    figures = {"pending": PENDING, "ms": round(outcome["elapsed"]), "requests": len(api_requests)}
    progress(PART, f"sync: {figures}")
    return figures


def main() -> None:
    from playwright.sync_api import sync_playwright

    with served_app(PART, THROTTLE_DEVICES="1000/minute", THROTTLE_RESULTS="100000/minute") as base_url:
        snapshot = json.loads(urllib.request.urlopen(base_url + "/api/content/", timeout=30).read())
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            figures = {
                "sizes": [measure_size(browser, base_url, snapshot, count) for count in SIZES],
                "sync": measure_sync(browser, base_url, snapshot),
                "load_average": os.getloadavg()[0],
            }
            browser.close()
    write_results(PART, figures)


if __name__ == "__main__":
    main()
