"""Part 6, a bounded load test on loopback: gunicorn with the production settings,
PostgreSQL and Redis; 50 simulated devices each register, then sync batches of 1-20
results for BENCH_LOAD_SECONDS (60) and stop. 5% of requests are deliberately sent a
second time (a phone that lost the reply). Afterwards the database must hold exactly
the unique results sent: the script exits non-zero on any loss or duplicate.

    .venv/bin/python bench/load.py
"""

import http.client
import json
import os
import random
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    BASE_DIR,
    percentile,
    postgres_database,
    production_server,
    progress,
    write_results,
)

PART = "load"
DEVICES = int(os.environ.get("BENCH_LOAD_DEVICES", "50"))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "60"))
RESEND_SHARE = 0.05
WORKERS = os.environ.get("BENCH_LOAD_WORKERS", "")  # empty: gunicorn.conf.py's default


class Device(threading.Thread):
    def __init__(self, base_url: str, template: dict, stop_at: float, seed: int):
        super().__init__(daemon=True)
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.template = template
        self.stop_at = stop_at
        self.random = random.Random(seed)
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.sent: set[str] = set()
        self.requests = 0
        self.resends = 0
        self.results = 0
        self.token = ""

    def call(self, method: str, path: str, body: dict) -> tuple[int, dict]:
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            status = response.status
        except OSError as error:
            self.errors.append(f"{type(error).__name__}: {error}")
            return 0, {}
        finally:
            connection.close()
        self.latencies.append(time.perf_counter() - started)
        self.requests += 1
        if status not in (200, 201):
            self.errors.append(f"{status} {payload[:200]!r}")
            return status, {}
        return status, json.loads(payload)

    def batch(self) -> list[dict]:
        items = []
        for _ in range(self.random.randint(1, 20)):
            item = dict(self.template)
            item["uuid"] = str(uuid.uuid4())
            item["completed_at"] = datetime.now(UTC).isoformat()
            items.append(item)
        return items

    def run(self) -> None:
        status, body = self.call("POST", "/api/devices/", {})
        if status != 201:
            return
        self.token = body["token"]
        while time.monotonic() < self.stop_at:
            items = self.batch()
            status, body = self.call("POST", "/api/results/", {"results": items})
            if status != 200:
                continue  # counted as an error; these results were never acknowledged
            self._check(items, body, "created")
            self.sent.update(item["uuid"] for item in items)
            self.results += len(items)
            if self.random.random() < RESEND_SHARE:
                self.resends += 1
                status, body = self.call("POST", "/api/results/", {"results": items})
                if status == 200:
                    self._check(items, body, "duplicate")

    def _check(self, items: list[dict], body: dict, expected: str) -> None:
        statuses = [receipt["status"] for receipt in body["receipts"]]
        if len(statuses) != len(items) or set(statuses) != {expected}:
            self.errors.append(f"expected all {expected}, got {sorted(set(statuses))}")


def main() -> int:
    from tests.sync_helpers import result_item

    with postgres_database(f"backcare_bench_load_{os.getpid()}") as database_url:
        extra = {"GUNICORN_WORKERS": WORKERS} if WORKERS else {}
        with production_server(
            PART,
            database_url=database_url,
            workdir=BASE_DIR / "bench" / "results" / "load-server",
            workers=int(WORKERS or 0) or _default_workers(),
            # The production rates (120/minute per device, 20/hour per IP) would turn this
            # into a throttling test: 50 devices share one IP and sync several times a second.
            THROTTLE_RESULTS="1000000/minute",
            THROTTLE_DEVICES="1000000/minute",
            LOG_LEVEL="WARNING",
            **extra,
        ) as base_url:
            template = _template(base_url, result_item)
            progress(PART, f"{DEVICES} devices syncing for {SECONDS:.0f} s")
            stop_at = time.monotonic() + SECONDS
            devices = [Device(base_url, template, stop_at, seed) for seed in range(DEVICES)]
            cpu_before = _cpu_seconds()
            started = time.monotonic()
            for device in devices:
                device.start()
            for second in range(int(SECONDS) + 60):
                alive = [d for d in devices if d.is_alive()]
                if not alive:
                    break
                if second % 10 == 0:
                    progress(PART, f"{sum(d.requests for d in devices)} requests so far, {len(alive)} devices running")
                alive[0].join(timeout=1)
            elapsed = time.monotonic() - started
            cpu = _cpu_used(cpu_before)
            stored = _stored(database_url)
    latencies = [value for d in devices for value in d.latencies]
    sent = set().union(*(d.sent for d in devices))
    errors = [error for d in devices for error in d.errors]
    figures = {
        "devices": DEVICES,
        "seconds": round(elapsed, 1),
        "workers": int(WORKERS or 0) or _default_workers(),
        "requests": len(latencies),
        "requests_per_s": len(latencies) / elapsed,
        "results_per_s": sum(d.results for d in devices) / elapsed,
        "latency_ms": {
            name: percentile(latencies, q) * 1000 for name, q in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))
        },
        # Where the machine's CPU went: the load generator runs on the same cores.
        "cpu_seconds": {
            "available": round(elapsed * (os.cpu_count() or 1), 1),
            "busy": round(cpu["busy"], 1),
            "load_generator": round(cpu["generator"], 1),
            "server_side": round(cpu["busy"] - cpu["generator"], 1),
        },
        "server_side_cpu_ms_per_request": (cpu["busy"] - cpu["generator"]) * 1000 / max(1, len(latencies)),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "resent_requests": sum(d.resends for d in devices),
        "resent_share": sum(d.resends for d in devices) / max(1, len(latencies)),
        "unique_results_sent": len(sent),
        "rows_stored": stored["rows"],
        "distinct_uuids_stored": stored["distinct"],
        "lost": len(sent - stored["uuids"]),
        "unexpected": len(stored["uuids"] - sent),
        "duplicated": stored["rows"] - stored["distinct"],
    }
    write_results(PART, figures)
    progress(
        PART,
        f"{figures['requests_per_s']:.0f} requests/s, p95 {figures['latency_ms']['p95']:.0f} ms, "
        f"{figures['errors']} errors, {figures['lost']} lost, {figures['duplicated']} duplicated",
    )
    # The run fails, not just reports, when a result went missing or was stored twice.
    assert figures["lost"] == 0, f"{figures['lost']} acknowledged results are not stored"
    assert figures["duplicated"] == 0 and figures["unexpected"] == 0, "results stored twice or never sent"
    assert figures["rows_stored"] == figures["unique_results_sent"], "rows stored != unique results sent"
    return 0


def _cpu_seconds() -> dict:
    """Busy CPU time of the whole machine (/proc/stat) and of this process."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(value) for value in fields]
    idle = ticks[3] + ticks[4]  # idle + iowait
    busy = sum(ticks[:7]) - idle  # user, nice, system, irq, softirq; not steal or guest
    return {"busy": busy / os.sysconf("SC_CLK_TCK"), "generator": time.process_time()}


def _cpu_used(before: dict) -> dict:
    after = _cpu_seconds()
    return {key: after[key] - before[key] for key in after}


def _default_workers() -> int:
    return (os.cpu_count() or 1) * 2 + 1


def _template(base_url: str, result_item) -> dict:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("GET", "/api/content/")
    snapshot = json.loads(connection.getresponse().read())
    connection.close()
    return result_item(snapshot)


def _stored(database_url: str) -> dict:
    import psycopg

    with psycopg.connect(database_url) as connection:
        rows = connection.execute("SELECT uuid FROM quiz_result").fetchall()
    uuids = [str(row[0]) for row in rows]
    return {"rows": len(uuids), "distinct": len(set(uuids)), "uuids": set(uuids)}


if __name__ == "__main__":
    sys.exit(main())
