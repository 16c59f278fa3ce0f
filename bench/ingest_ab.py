"""Not part of `make bench`: the before/after comparison of issue 17's leaner insert, kept
so the ratio in bench/NOTES.md can be measured again. CPU time per POST /api/results/ (this
process: Django and the test client, as bench/ingest.py measures it) with the results
inserted by the current `_insert_skipping_known` (one executemany) and by the earlier
`bulk_create(ignore_conflicts=True)`, alternating in one process on one database, at
batches of 10 and 100. Prints the medians and the ratio after/before.

    .venv/bin/python bench/ingest_ab.py
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BASE_DIR, PYTHON, postgres_database, progress
from harness.production_server import clean_environment

PART = "ingest_ab"
ROUNDS = int(os.environ.get("BENCH_AB_ROUNDS", "6"))
REQUESTS = {10: 200, 100: 40}


def main() -> None:
    import subprocess

    with postgres_database(f"backcare_bench_ab_{os.getpid()}") as url:
        env = clean_environment(
            DATABASE_URL=url,
            THROTTLE_RESULTS="100000000/minute",
            THROTTLE_DEVICES="100000000/minute",
            DJANGO_SETTINGS_MODULE="backcare.settings",
        )
        out = subprocess.run(
            [PYTHON, __file__, "--child"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=900
        )
    if out.returncode != 0:
        raise SystemExit(out.stderr[-4000:])
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    for batch, row in figures.items():
        progress(
            PART,
            f"batch {batch}: bulk_create {row['before_ms']:.2f} ms CPU per request "
            f"({row['before_ms'] / int(batch):.3f} per result), executemany {row['after_ms']:.2f} "
            f"({row['after_ms'] / int(batch):.3f} per result): after/before {row['ratio']:.3f}",
        )


def child() -> None:
    import django

    django.setup()
    from bench.ingest import _start_child
    from quiz import services
    from quiz.models import Result

    run = _start_child("postgresql")
    after = services._insert_skipping_known

    def before(rows: list) -> None:
        Result.objects.bulk_create(rows, ignore_conflicts=True)

    def cpu_per_request(batch: int, requests: int) -> float:
        payloads = [run.items(batch) for _ in range(requests)]
        started = time.process_time()
        for payload in payloads:
            response = run.client.post(
                "/api/results/",
                {"results": payload},
                content_type="application/json",
                headers={"Authorization": f"Token {run.token}"},
            )
            assert response.status_code == 200, response.content
            assert all(r["status"] == "created" for r in response.json()["receipts"])
        return (time.process_time() - started) * 1000 / requests

    figures = {}
    for batch, requests in REQUESTS.items():
        cpu_per_request(batch, 20)  # warm up: the snapshot cache, the connection
        times: dict[str, list[float]] = {"before": [], "after": []}
        for round_number in range(ROUNDS):
            order = ("before", "after") if round_number % 2 == 0 else ("after", "before")
            for name in order:
                services._insert_skipping_known = before if name == "before" else after
                times[name].append(cpu_per_request(batch, requests))
        medians = {name: sorted(values)[len(values) // 2] for name, values in times.items()}
        figures[str(batch)] = {
            "before_ms": medians["before"],
            "after_ms": medians["after"],
            "ratio": medians["after"] / medians["before"],
            "runs_ms": times,
        }
    print(json.dumps(figures))


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        child()
    else:
        main()
