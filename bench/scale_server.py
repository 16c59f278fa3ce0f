"""Issue 28, part 2: a clinic with a million results. Seeds `backcare_scale` if needed
(bench/scale_seed.py), then measures through Django's test client (DEBUG off, PostgreSQL,
the request's whole handling in this process):

- the admin Results list: the first page, filtered pages, date drill-downs (p95 ≤ 300 ms);
- the results dashboard, all time and filtered (≤ 500 ms);
- the CSV export of every result, in a process of its own: rows/s (≥ 20,000) and peak RSS
  (< 150 MB);
- ingest at batches of 100 into the million rows against an empty database, rounds
  alternating, each in a process of its own (within 10%);
- `prune_devices` with 5,000 idle devices among the 100,000, and "Delete my data"
  (DELETE /api/devices/me/) of devices holding results.

    .venv/bin/python bench/scale_server.py
    BENCH_SCALE_ONLY=list,dashboard .venv/bin/python bench/scale_server.py   # some parts only
"""

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PYTHON, median, percentile, progress, write_results
from bench.scale_seed import DATABASE, IDLE_DEVICES, ensure_database, seed, setup_django

REPEATS = int(os.environ.get("BENCH_SCALE_REPEATS", "10"))
# Five: each round is a new process, and the first rounds of a run are the slowest (warm-up).
INGEST_ROUNDS = int(os.environ.get("BENCH_SCALE_INGEST_ROUNDS", "5"))
INGEST_BATCHES = 30  # of 100 results, per round
EMPTY_DATABASE = f"{DATABASE}_empty"
ALL_PARTS = {"list", "dashboard", "csv", "prune", "ingest"}
# Some parts only, e.g. BENCH_SCALE_ONLY=list,dashboard (the others keep their last figures).
ONLY = set(filter(None, os.environ.get("BENCH_SCALE_ONLY", "").split(","))) or ALL_PARTS

# The pages a clinic's staff open, by the admin list's own query strings.
LIST_PAGES = {
    "first page": "",
    "filtered: urgency emergency": "?urgency__exact=emergency",
    "filtered: version 2": "?version=2",
    "filtered: phone and server disagree": "?verdict_mismatch__exact=1",
    "page 50 of the filtered list": "?urgency__exact=urgent&p=50",
    "date drill-down: a year": "?completed_at__year=2025",
    "date drill-down: a month": "?completed_at__year=2025&completed_at__month=10",
    "date drill-down: a day, emergencies": "?completed_at__year=2025&completed_at__month=10"
    "&completed_at__day=14&urgency__exact=emergency",
}
DASHBOARD_PAGES = {
    "all time": "",
    "filtered: urgency urgent": "?urgency__exact=urgent",
    "filtered: a year": "?completed_at__year=2025",
    "filtered: version 3": "?version=3",
}


def timed_get(client, url: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    response = client.get(url)
    size = sum(len(chunk) for chunk in response.streaming_content) if response.streaming else len(response.content)
    return time.perf_counter() - started, response.status_code, size


def measure_pages(client, base: str, pages: dict[str, str], target_ms: float) -> dict:
    figures = {}
    for name, query in pages.items():
        timed_get(client, base + query)  # warm: the first request of a page pays its imports
        times, statuses = [], set()
        for _ in range(REPEATS):
            seconds, status, _size = timed_get(client, base + query)
            times.append(seconds)
            statuses.add(status)
        figures[name] = {
            "query": query,
            "median_ms": round(median(times) * 1000, 1),
            "p95_ms": round(percentile(times, 0.95) * 1000, 1),
            "statuses": sorted(statuses),
            "target_p95_ms": target_ms,
        }
        progress("scale_server", f"{base}{query}: p95 {figures[name]['p95_ms']} ms")
    return figures


def admin_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="scale-bench", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    return client


def export_child() -> None:
    """In a process of its own: the whole export, read as a browser would, chunk by chunk."""
    from django.urls import reverse

    client = admin_client()
    url = reverse("admin:quiz_result_export")
    rss_before = _rss_kb("VmRSS")
    started = time.perf_counter()
    response = client.get(url)
    rows = size = 0
    chunks = response.streaming_content if response.streaming else [response.content]
    for chunk in chunks:
        size += len(chunk)
        rows += chunk.count(b"\r\n")
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "status": response.status_code,
                "streamed": response.streaming,
                "rows": rows - 1,  # less the header
                "bytes": size,
                "seconds": round(seconds, 1),
                "rows_per_s": round((rows - 1) / seconds),
                "rss_before_mb": round(rss_before / 1024, 1),
                "peak_rss_mb": round(_rss_kb("VmHWM") / 1024, 1),
            }
        )
    )


def ingest_child() -> None:
    """In a process of its own, against the database it was started with: register five
    devices, sync INGEST_BATCHES batches of 100 through the API, erase the devices again
    (so the million stays a million); rates and times as JSON."""
    from django.test import Client

    from quiz.models import ContentVersion
    from tests.sync_helpers import post_results, register, result_item, token_header

    snapshot = ContentVersion.objects.current().snapshot
    client = Client()
    tokens = [register(client)[1] for _ in range(5)]
    batches = [[result_item(snapshot) for _ in range(100)] for _ in range(INGEST_BATCHES)]
    post_results(client, tokens[0], [result_item(snapshot)])  # warm
    cpu, started = time.process_time(), time.perf_counter()
    for index, batch in enumerate(batches):
        response = post_results(client, tokens[index % len(tokens)], batch)
        assert response.status_code == 200, response.content[:200]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    erase_times = []
    for token in tokens:
        erase_started = time.perf_counter()
        response = client.delete("/api/devices/me/", headers=token_header(token))
        assert response.status_code == 204, response.content[:200]
        erase_times.append(time.perf_counter() - erase_started)
    results = INGEST_BATCHES * 100
    print(
        json.dumps(
            {
                "results_per_s": round(results / seconds),
                "cpu_ms_per_result": round(cpu * 1000 / results, 3),
                "erase_ms": [round(value * 1000, 1) for value in erase_times],
                "results_per_erased_device": results // len(tokens),
            }
        )
    )


def run_child(mode: str, database: str) -> dict:
    env = {**os.environ, "BENCH_SCALE_CHILD_DATABASE": database}
    output = subprocess.run(
        [PYTHON, __file__, mode], env=env, capture_output=True, text=True, timeout=1800, check=False
    )
    if output.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def measure_ingest() -> dict:
    ensure_database(EMPTY_DATABASE)
    rounds: dict[str, list[dict]] = {"million": [], "empty": []}
    for _ in range(INGEST_ROUNDS):
        for name, database in (("million", DATABASE), ("empty", EMPTY_DATABASE)):
            rounds[name].append(run_child("--ingest-child", database))
            progress("scale_server", f"ingest into {name}: {rounds[name][-1]['results_per_s']} results/s")
    million = median([run["results_per_s"] for run in rounds["million"]])
    empty = median([run["results_per_s"] for run in rounds["empty"]])
    erase = [value for run in rounds["million"] for value in run["erase_ms"]]
    return {
        "batch": 100,
        "rounds": INGEST_ROUNDS,
        "results_per_round": INGEST_BATCHES * 100,
        "million_results_per_s": million,
        "empty_results_per_s": empty,
        "ratio": round(million / empty, 3),
        "million_cpu_ms_per_result": median([run["cpu_ms_per_result"] for run in rounds["million"]]),
        "empty_cpu_ms_per_result": median([run["cpu_ms_per_result"] for run in rounds["empty"]]),
        "erase": {
            "results_per_device": INGEST_BATCHES * 100 // 5,
            "median_ms": round(median(erase), 1),
            "max_ms": round(max(erase), 1),
        },
    }


def measure_prune(url: str) -> dict:
    """Put the idle devices back (an earlier run deleted them), then prune them."""
    import psycopg
    from django.core.management import call_command

    from bench.scale_seed import _insert_idle_devices

    with psycopg.connect(url) as connection:
        connection.execute(
            "DELETE FROM quiz_device WHERE public_id IN (SELECT md5('idle' || i)::uuid "
            "FROM generate_series(0, %s - 1) AS i)",
            [IDLE_DEVICES],
        )
        _insert_idle_devices(connection)
    started = time.perf_counter()
    call_command("prune_devices", "--days", "30", stdout=open(os.devnull, "w"))  # noqa: SIM115
    seconds = time.perf_counter() - started
    from quiz.models import Device

    return {"idle_devices": IDLE_DEVICES, "seconds": round(seconds, 2), "devices_left": Device.objects.count()}


def _previous_figures() -> dict:
    from bench.common import RESULTS_DIR

    path = RESULTS_DIR / "scale_server.json"
    return json.loads(path.read_text()) if path.exists() and ONLY != ALL_PARTS else {}


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> int:
    from bench.scale_seed import database_url

    if len(sys.argv) > 1 and sys.argv[1].endswith("-child"):
        setup_django(database_url(os.environ["BENCH_SCALE_CHILD_DATABASE"]))
        {"--export-child": export_child, "--ingest-child": ingest_child}[sys.argv[1]]()
        return 0
    url = ensure_database()
    setup_django(url)
    seeded = seed(url, reseed=False)
    from django.urls import reverse

    from quiz.models import Result

    client = admin_client()
    figures = {"database": DATABASE, "seed": seeded, "results": Result.objects.count()}
    if "list" in ONLY:
        figures["admin_list"] = measure_pages(client, reverse("admin:quiz_result_changelist"), LIST_PAGES, 300)
    if "dashboard" in ONLY:
        figures["dashboard"] = measure_pages(client, reverse("admin:quiz_result_dashboard"), DASHBOARD_PAGES, 500)
    if "csv" in ONLY:
        figures["csv_export"] = run_child("--export-child", DATABASE)
        progress("scale_server", f"CSV export: {figures['csv_export']}")
    if "prune" in ONLY:
        figures["prune_devices"] = measure_prune(url)
        progress("scale_server", f"prune_devices: {figures['prune_devices']}")
    if "ingest" in ONLY:
        figures["ingest"] = measure_ingest()
    figures["load_average"] = os.getloadavg()[0]
    # A part run alone keeps the other parts' figures from the last full run.
    write_results("scale_server", {**_previous_figures(), **figures})
    return 0


if __name__ == "__main__":
    sys.exit(main())
