"""Part 7, server CPU per synced result, measured as the closed-loop load test measured it
before 2026-11-29 (the 13.5 ms per request of about ten results that issue 17 names):
gunicorn with the production settings, PostgreSQL and Redis on loopback; devices sync
batches of 1-20 results (about 10.5 on average) back to back, 5% of batches sent a second
time, for a fixed number of requests. Server CPU is counted per process from
/proc/<pid>/stat: gunicorn's master and workers (a worker recycled meanwhile counts in its
master's children's time), the PostgreSQL backends connected to the run's database and the
Redis server, so what else the machine runs is left out. The whole machine's busy time
(/proc/stat) less this generator's own CPU, as the old test counted it, is reported beside.

With a git revision (`.venv/bin/python bench/server_cpu.py main`) the same is measured for
that revision's code too, exported and served side by side, in alternating rounds: the
ratio after/before comes from one run.

    .venv/bin/python bench/server_cpu.py [revision]
"""

import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    BASE_DIR,
    REDIS_URL,
    RESULTS_DIR,
    postgres_database,
    production_server,
    progress,
    write_results,
)

PART = "server_cpu"
REQUESTS_PER_ROUND = int(os.environ.get("BENCH_CPU_REQUESTS", "400"))
ROUNDS = int(os.environ.get("BENCH_CPU_ROUNDS", "4"))
DEVICES = int(os.environ.get("BENCH_CPU_DEVICES", "16"))  # in flight at once
RESEND_SHARE = 0.05
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# -- CPU time by process ------------------------------------------------------------


def _process_cpu(pid: int, *, with_children: bool = False) -> float:
    """utime + stime of a process (+ its reaped children's), in seconds; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    # After the ")": state is field 3 of stat(5), so utime (14) is index 11 here.
    ticks = int(fields[11]) + int(fields[12])
    if with_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return found


def _machine_busy() -> float:
    ticks = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(ticks[:7]) - ticks[3] - ticks[4]) / CLOCK_TICKS  # less idle and iowait


class Server:
    """One revision's gunicorn and database, and where their CPU time is counted."""

    def __init__(self, name: str, database_url: str):
        self.name = name
        self.database_url = database_url
        self.database = urlsplit(database_url).path.lstrip("/")
        self.master = 0
        self.base_url = ""
        self.tokens: list[str] = []
        self.template: dict = {}

    def started(self, process: subprocess.Popen) -> None:
        self.master = process.pid

    def backends(self) -> list[int]:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as admin:
            rows = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [self.database]
            ).fetchall()
        return [row[0] for row in rows]

    def cpu(self) -> dict[str, float]:
        gunicorn = _process_cpu(self.master, with_children=True) + sum(
            _process_cpu(worker) for worker in _children(self.master)
        )
        return {
            "gunicorn": gunicorn,
            "postgresql": {pid: _process_cpu(pid) for pid in self.backends()},  # type: ignore[dict-item]
            "redis": _process_cpu(_redis_pid()),
        }


def _redis_pid() -> int:
    import redis

    return int(redis.Redis.from_url(REDIS_URL).info("server")["process_id"])


def _cpu_used(before: dict, after: dict) -> dict[str, float]:
    backends_before, backends_after = before["postgresql"], after["postgresql"]
    # A backend that started during the round counts from zero; one that ended is lost
    # (workers keep their connection: DB_CONN_MAX_AGE).
    postgresql = sum(cpu - backends_before.get(pid, 0.0) for pid, cpu in backends_after.items())
    return {
        "gunicorn": after["gunicorn"] - before["gunicorn"],
        "postgresql": postgresql,
        "redis": after["redis"] - before["redis"],
    }


# -- the devices ------------------------------------------------------------------------


def _call(base_url: str, method: str, path: str, body: dict, token: str = "") -> tuple[int, dict]:
    parts = urlsplit(base_url)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, path, body=json.dumps(body).encode(), headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def _prepare_devices(server: Server) -> None:
    from tests.sync_helpers import result_item

    status, snapshot = _call(server.base_url, "GET", "/api/content/", {})
    assert status == 200, status
    server.template = result_item(snapshot)
    for _ in range(DEVICES):
        status, body = _call(server.base_url, "POST", "/api/devices/", {})
        assert status == 201, (status, body)
        server.tokens.append(body["token"])


def _batch(rng: random.Random, template: dict) -> list[dict]:
    now = datetime.now(UTC).isoformat()
    return [{**template, "uuid": str(uuid.uuid4()), "completed_at": now} for _ in range(rng.randint(1, 20))]


def _round(server: Server, seed: int) -> dict:
    """REQUESTS_PER_ROUND syncs from DEVICES devices at once, back to back; the CPU they cost."""
    counts = {"requests": 0, "results": 0, "errors": 0}
    lock = threading.Lock()
    plans = [random.Random(seed * 1000 + index) for index in range(DEVICES)]

    def device(index: int) -> None:
        rng, token = plans[index], server.tokens[index]
        while True:
            with lock:
                if counts["requests"] >= REQUESTS_PER_ROUND:
                    return
                counts["requests"] += 1
            items = _batch(rng, server.template)
            sends = 2 if rng.random() < RESEND_SHARE else 1
            for attempt in range(sends):
                if attempt:
                    with lock:
                        counts["requests"] += 1
                status, body = _call(server.base_url, "POST", "/api/results/", {"results": items}, token)
                expected = "duplicate" if attempt else "created"
                ok = status == 200 and {r["status"] for r in body["receipts"]} == {expected}
                with lock:
                    counts["results"] += len(items)
                    counts["errors"] += 0 if ok else 1

    threads = [threading.Thread(target=device, args=(index,)) for index in range(DEVICES)]
    before, busy_before, own_before = server.cpu(), _machine_busy(), time.process_time()
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    used = _cpu_used(before, server.cpu())
    machine = _machine_busy() - busy_before - (time.process_time() - own_before)
    return {**counts, "seconds": elapsed, "cpu_s": used, "machine_less_generator_s": machine}


def _summary(rounds: list[dict]) -> dict:
    requests = sum(r["requests"] for r in rounds)
    results = sum(r["results"] for r in rounds)
    parts = {key: sum(r["cpu_s"][key] for r in rounds) for key in ("gunicorn", "postgresql", "redis")}
    server = sum(parts.values())
    machine = sum(r["machine_less_generator_s"] for r in rounds)
    return {
        "requests": requests,
        "results": results,
        "results_per_request": results / requests,
        "errors": sum(r["errors"] for r in rounds),
        "seconds": sum(r["seconds"] for r in rounds),
        "cpu_s": parts,
        "server_cpu_ms_per_request": server * 1000 / requests,
        "server_cpu_ms_per_result": server * 1000 / results,
        "by_process_ms_per_result": {key: value * 1000 / results for key, value in parts.items()},
        "machine_less_generator_ms_per_request": machine * 1000 / requests,
        "machine_less_generator_ms_per_result": machine * 1000 / results,
    }


def _export(revision: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", revision], cwd=BASE_DIR, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def main(revision: str | None) -> int:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    trees = {"current": BASE_DIR}
    servers: dict[str, Server] = {}
    with ExitStack() as stack:
        if revision:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="backcare-cpu-")))
            trees = {"before": _export(revision, folder), "current": BASE_DIR}
        for name, tree in trees.items():
            url = stack.enter_context(postgres_database(f"backcare_bench_cpu_{name}_{os.getpid()}"))
            server = servers[name] = Server(name, url)
            server.base_url = stack.enter_context(
                production_server(
                    f"{PART}-{name}",
                    database_url=url,
                    workdir=RESULTS_DIR / f"{PART}-{name}-server",
                    workers=(os.cpu_count() or 1) * 2 + 1,  # gunicorn.conf.py's default
                    base_dir=tree,
                    on_start=server.started,
                    THROTTLE_RESULTS="1000000/minute",
                    THROTTLE_DEVICES="1000000/minute",
                    LOG_LEVEL="WARNING",
                )
            )
            _prepare_devices(server)
            _round(server, seed=0)  # warm up: every worker's connection, caches
        rounds: dict[str, list[dict]] = {name: [] for name in servers}
        for number in range(ROUNDS):
            order = list(servers) if number % 2 == 0 else list(reversed(servers))
            for name in order:
                rounds[name].append(_round(servers[name], seed=number + 1))
                latest = rounds[name][-1]
                progress(
                    PART,
                    f"{name} round {number + 1}: {latest['requests']} requests, {latest['results']} results, "
                    f"{sum(latest['cpu_s'].values()) * 1000 / latest['results']:.3f} ms server CPU per result",
                )
    figures = {name: _summary(values) for name, values in rounds.items()}
    assert all(summary["errors"] == 0 for summary in figures.values()), "a sync failed"
    report: dict = {
        "requests_per_round": REQUESTS_PER_ROUND,
        "rounds": ROUNDS,
        "devices": DEVICES,
        "workers": (os.cpu_count() or 1) * 2 + 1,
        "load_average": os.getloadavg(),
        **figures["current"],
    }
    if revision:
        report["before"] = {"revision": revision, "commit": _commit(revision), **figures["before"]}
        report["ratio_after_before"] = (
            figures["current"]["server_cpu_ms_per_result"] / figures["before"]["server_cpu_ms_per_result"]
        )
    write_results(PART, report)
    progress(
        PART,
        f"{report['server_cpu_ms_per_result']:.3f} ms server CPU per result "
        f"({report['server_cpu_ms_per_request']:.2f} per request of {report['results_per_request']:.1f})"
        + (f"; after/before {report['ratio_after_before']:.3f}" if revision else ""),
    )
    return 0


def _commit(revision: str) -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", revision], cwd=BASE_DIR, capture_output=True, text=True
    ).stdout.strip()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BENCH_CPU_COMPARE") or None))
