"""Not part of `make bench`: before/after CPU of the ingest path, as a ratio from one run.
The code of a git revision (default `main`) and this working tree each serve POST
/api/results/ through Django's test client in a process of its own (PostgreSQL, each its
own throwaway database), taking turns: each round runs the same number of requests in one
and then the other (the order alternating), so what else the machine runs weighs on both
alike. CPU time of each process per request (Django and the test client, as
bench/ingest.py measures it), medians over the rounds, at batches of 10 and 100, and per
history read (GET /api/results/) of a device holding 150 results.

    .venv/bin/python bench/ingest_ab.py [revision]
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BASE_DIR, PYTHON, postgres_database, progress
from harness.production_server import clean_environment

PART = "ingest_ab"
ROUNDS = int(os.environ.get("BENCH_AB_ROUNDS", "6"))
REQUESTS = {10: 200, 100: 30}
# The history read (GET /api/results/, first page) of a device holding this many results,
# as the open-loop load test's devices do by its end.
HISTORY, HISTORY_READS = 150, 100


def export_revision(revision: str, into: Path) -> Path:
    """The files of `revision` (git archive), in a folder of their own."""
    archive = subprocess.run(["git", "archive", revision], cwd=BASE_DIR, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


class Child:
    """One tree's Django in a child process, answering "batch requests" lines with CPU ms."""

    def __init__(self, tree: Path, database_url: str):
        env = clean_environment(
            DATABASE_URL=database_url,
            THROTTLE_RESULTS="100000000/minute",
            THROTTLE_DEVICES="100000000/minute",
            DJANGO_SETTINGS_MODULE="backcare.settings",
        )
        self.process = subprocess.Popen(
            [PYTHON, str(Path(__file__).resolve()), "--child"],
            cwd=tree,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def cpu_ms_per_request(self, batch: int, requests: int) -> float:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(f"{batch} {requests}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit("a child process failed (its error is above)")
        return float(line)

    def history_cpu_ms(self, reads: int) -> float:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(f"history {reads}\n")
        self.process.stdin.flush()
        return float(self.process.stdout.readline())

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def main(revision: str) -> None:
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="backcare-ab-")))
        trees = {"before": export_revision(revision, folder), "after": BASE_DIR}
        children = {}
        for name, tree in trees.items():
            url = stack.enter_context(postgres_database(f"backcare_bench_ab_{name}_{os.getpid()}"))
            children[name] = Child(tree, url)
            stack.callback(children[name].close)
        progress(PART, f"before: {revision} ({_commit(revision)}), after: this working tree")
        for batch, requests in REQUESTS.items():
            for child in children.values():
                child.cpu_ms_per_request(batch, 10)  # warm up: caches, the connection
            times: dict[str, list[float]] = {"before": [], "after": []}
            for round_number in range(ROUNDS):
                order = ("before", "after") if round_number % 2 == 0 else ("after", "before")
                for name in order:
                    times[name].append(children[name].cpu_ms_per_request(batch, requests))
            before, after = (sorted(times[name])[len(times[name]) // 2] for name in ("before", "after"))
            progress(
                PART,
                f"batch {batch}: before {before:.2f} ms CPU per request ({before / batch:.3f} per result), "
                f"after {after:.2f} ({after / batch:.3f} per result): after/before {after / before:.3f}",
            )
        reads: dict[str, list[float]] = {"before": [], "after": []}
        for round_number in range(ROUNDS):
            order = ("before", "after") if round_number % 2 == 0 else ("after", "before")
            for name in order:
                reads[name].append(children[name].history_cpu_ms(HISTORY_READS))
        before, after = (sorted(reads[name])[len(reads[name]) // 2] for name in ("before", "after"))
        progress(
            PART,
            f"history read of a device with {HISTORY} results: before {before:.2f} ms CPU, after {after:.2f}: "
            f"after/before {after / before:.3f}",
        )


def _commit(revision: str) -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", revision], cwd=BASE_DIR, capture_output=True, text=True
    ).stdout.strip()


def child() -> None:
    """In the tree to measure (the working directory): set up, then serve requests to time."""
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from quiz.models import ContentVersion
    from tests.sync_helpers import result_item

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("seed_content", verbosity=0)  # the command: its code differs between revisions
    client = Client()
    token = client.post("/api/devices/", {}, content_type="application/json").json()["token"]
    snapshot = ContentVersion.objects.current().snapshot
    history_token = ""
    for line in sys.stdin:
        if line.startswith("history"):  # GET /api/results/ of a device holding HISTORY results
            history_token = history_token or _device_with_history(client, snapshot, result_item)
            requests = int(line.split()[1])
            started = time.process_time()
            for _ in range(requests):
                response = client.get("/api/results/", headers={"Authorization": f"Token {history_token}"})
                assert response.status_code == 200, response.content
            print(json.dumps((time.process_time() - started) * 1000 / requests), flush=True)
            continue
        batch, requests = (int(value) for value in line.split())
        payloads = [[result_item(snapshot) for _ in range(batch)] for _ in range(requests)]
        started = time.process_time()
        for payload in payloads:
            response = client.post(
                "/api/results/",
                {"results": payload},
                content_type="application/json",
                headers={"Authorization": f"Token {token}"},
            )
            assert response.status_code == 200, response.content
            assert all(r["status"] == "created" for r in response.json()["receipts"])
        print(json.dumps((time.process_time() - started) * 1000 / requests), flush=True)


def _device_with_history(client, snapshot: dict, result_item) -> str:
    token = client.post("/api/devices/", {}, content_type="application/json").json()["token"]
    for _ in range(HISTORY // 50):
        response = client.post(
            "/api/results/",
            {"results": [result_item(snapshot) for _ in range(50)]},
            content_type="application/json",
            headers={"Authorization": f"Token {token}"},
        )
        assert response.status_code == 200, response.content
    return token


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        child()
    else:
        main(sys.argv[1] if len(sys.argv) > 1 else "main")
