"""Part 5, server ingest: results per second through POST /api/results/ in batches of 1,
10 and 100, against the same rows inserted by the database client directly (the limit)
and a plain one-result-per-request DRF ModelViewSet (the usual way). SQLite, then
PostgreSQL, in one run; each database in a child process of its own.

    .venv/bin/python bench/ingest.py
"""

import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BASE_DIR, PYTHON, RESULTS_DIR, postgres_database, progress, write_results
from harness.production_server import clean_environment

PART = "ingest"
RESULTS_PER_RUN = int(os.environ.get("BENCH_INGEST_RESULTS", "1000"))
REPEATS = int(os.environ.get("BENCH_INGEST_REPEATS", "3"))


def main() -> None:
    figures = {}
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)  # run alone, no earlier part has made it
    tmp = RESULTS_DIR / "ingest-sqlite.sqlite3"
    tmp.unlink(missing_ok=True)
    figures["sqlite"] = _child("sqlite", f"sqlite:///{tmp}")
    tmp.unlink(missing_ok=True)
    with postgres_database(f"backcare_bench_ingest_{os.getpid()}") as url:
        figures["postgresql"] = _child("postgresql", url)
    write_results(PART, {"results_per_run": RESULTS_PER_RUN, "repeats": REPEATS, **figures})


def _child(label: str, database_url: str) -> dict:
    progress(PART, f"{label}: starting")
    env = clean_environment(
        DATABASE_URL=database_url,
        THROTTLE_RESULTS="100000000/minute",
        THROTTLE_DEVICES="100000000/minute",
        DJANGO_SETTINGS_MODULE="backcare.settings",
    )
    out = subprocess.run(
        [PYTHON, __file__, "--child", label], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=900
    )
    for line in out.stderr.splitlines():
        if line.startswith("["):
            print(line, flush=True)
    if out.returncode != 0:
        raise SystemExit(f"{label} child failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- the child: one database ---------------------------------------------------------


@dataclass
class ChildRun:
    """One database's run: a registered device and the published snapshot its results answer."""

    label: str
    client: object  # django.test.Client, imported once Django is set up
    token: str
    snapshot: dict

    def say(self, message: str) -> None:
        print(f"[child] {PART}/{self.label}: {message}", file=sys.stderr, flush=True)

    def items(self, count: int) -> list[dict]:
        from tests.sync_helpers import result_item

        return [result_item(self.snapshot) for _ in range(count)]


def child(label: str) -> None:
    """Measure the three ways of storing results on the database DATABASE_URL names; print JSON."""
    import django

    django.setup()
    from django.db import connection

    run = _start_child(label)
    figures = {"vendor": connection.vendor, "api": {}}
    for batch in (1, 10, 100):
        rate, queries, cpu_ms = _api_rate(run, batch)
        figures["api"][str(batch)] = {
            "results_per_s": rate,
            "queries_per_batch": queries,
            "cpu_ms_per_request": cpu_ms,
            "cpu_ms_per_result": cpu_ms / batch,
        }
    figures["plain_viewset_results_per_s"], figures["plain_viewset_cpu_ms_per_result"] = _plain_rate(run)
    figures["raw_insert_results_per_s"], figures["raw_insert_cpu_ms_per_result"] = _raw_rate(run)
    print(json.dumps(figures))


def _start_child(label: str) -> ChildRun:
    """A migrated database with content published, and a device registered through the API."""
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from quiz.models import ContentVersion

    setup_test_environment()
    call_command("migrate", verbosity=0)
    if not ContentVersion.objects.exists():
        call_command("seed_content", verbosity=0)
    client = Client()
    token = client.post("/api/devices/", {}, content_type="application/json").json()["token"]
    return ChildRun(label, client, token, ContentVersion.objects.current().snapshot)


def _median(rates: list[float]) -> float:
    return sorted(rates)[len(rates) // 2]


def _api_rate(run: ChildRun, batch: int) -> tuple[float, list[int], float]:
    """POST /api/results/ in batches of `batch`: results per second, SQL queries per request
    and CPU time per request of this process (Django and the test client; the database's
    own CPU is not in it), each the median of REPEATS runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rates, queries, cpu = [], [], []
    for _repeat in range(REPEATS):
        payloads = [run.items(batch) for _ in range(max(1, RESULTS_PER_RUN // batch))]
        started, cpu_started = time.perf_counter(), time.process_time()
        for payload in payloads:
            connection.queries_log.clear()  # a bounded deque: a full one counts 0
            with CaptureQueriesContext(connection) as captured:
                response = run.client.post(
                    "/api/results/",
                    {"results": payload},
                    content_type="application/json",
                    headers={"Authorization": f"Token {run.token}"},
                )
            assert response.status_code == 200, response.content
            assert all(r["status"] == "created" for r in response.json()["receipts"])
            queries.append(len(captured))
        elapsed = time.perf_counter() - started
        cpu.append((time.process_time() - cpu_started) * 1000 / len(payloads))
        rates.append(len(payloads) * batch / elapsed)
    run.say(f"API batches of {batch}: {_median(rates):.0f} results/s, {_median(cpu):.2f} ms CPU per request")
    return _median(rates), sorted(set(queries)), _median(cpu)


def _route_plain_viewset() -> str:
    """The usual way, a DRF ModelViewSet, defined only here and never routed in the app;
    returns the URLconf module that routes it."""
    from django.urls import include, path
    from rest_framework import routers, serializers, viewsets

    from quiz.models import ContentVersion, Device, Result

    class PlainResultSerializer(serializers.ModelSerializer):
        uuid = serializers.UUIDField()
        device = serializers.PrimaryKeyRelatedField(queryset=Device.objects.all())
        content_version = serializers.PrimaryKeyRelatedField(queryset=ContentVersion.objects.all())
        answers = serializers.JSONField()
        client_outcome = serializers.JSONField()
        server_outcome = serializers.JSONField()
        urgency = serializers.CharField()
        payload_hash = serializers.CharField()
        batch_id = serializers.UUIDField()
        completed_at = serializers.DateTimeField()

        class Meta:
            model = Result
            fields = [
                "uuid",
                "device",
                "content_version",
                "answers",
                "client_outcome",
                "server_outcome",
                "urgency",
                "payload_hash",
                "batch_id",
                "completed_at",
            ]

    class PlainResultViewSet(viewsets.ModelViewSet):
        queryset = Result.objects.all()
        serializer_class = PlainResultSerializer
        authentication_classes = []
        permission_classes = []
        throttle_classes = []

    router = routers.SimpleRouter()
    router.register("plain-results", PlainResultViewSet, basename="plain-results")
    module = type(sys)("bench_plain_urls")
    module.urlpatterns = [path("bench/", include(router.urls))]
    sys.modules["bench_plain_urls"] = module
    return "bench_plain_urls"


def _plain_rows(run: ChildRun) -> list[dict]:
    """Results as the plain viewset takes them: every column spelled out, one per request."""
    from quiz.models import ContentVersion, Device

    device, version = Device.objects.get(), ContentVersion.objects.current()
    return [
        {
            "uuid": item["uuid"],
            "device": device.pk,
            "content_version": version.pk,
            "answers": item["answers"],
            "client_outcome": item["outcome"],
            "server_outcome": item["outcome"],
            "urgency": item["outcome"]["urgency"],
            "payload_hash": "0" * 64,
            "batch_id": str(uuid.uuid4()),
            "completed_at": item["completed_at"],
        }
        for item in run.items(RESULTS_PER_RUN // 4)
    ]


def _plain_rate(run: ChildRun) -> tuple[float, float]:
    """Results per second and CPU ms per result (this process) of the plain ModelViewSet."""
    from django.test.utils import override_settings

    rates, cpu = [], []
    with override_settings(ROOT_URLCONF=_route_plain_viewset()):
        for _repeat in range(REPEATS):
            rows = _plain_rows(run)
            started, cpu_started = time.perf_counter(), time.process_time()
            for row in rows:
                response = run.client.post("/bench/plain-results/", row, content_type="application/json")
                assert response.status_code == 201, response.content
            cpu.append((time.process_time() - cpu_started) * 1000 / len(rows))
            rates.append(len(rows) / (time.perf_counter() - started))
    run.say(f"plain ModelViewSet, one per request: {_median(rates):.0f} results/s, {_median(cpu):.2f} ms CPU each")
    return _median(rates), _median(cpu)


def _raw_rate(run: ChildRun) -> tuple[float, float]:
    """The rows the API stored, re-inserted with new UUIDs by the DB-API cursor's executemany:
    results per second and CPU ms per result of this process."""
    from django.db import connection

    from quiz.models import Result

    columns = [f.column for f in Result._meta.concrete_fields if f.column != "id"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM quiz_result LIMIT %s", [RESULTS_PER_RUN])
        template = cursor.fetchall()
    uuid_at = columns.index("uuid")
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO quiz_result ({', '.join(columns)}) VALUES ({placeholders})"
    rates, cpu = [], []
    for _repeat in range(REPEATS):
        rows = []
        for row in template:
            row = list(row)
            row[uuid_at] = uuid.uuid4().hex if connection.vendor == "sqlite" else uuid.uuid4()
            rows.append(row)
        started, cpu_started = time.perf_counter(), time.process_time()
        with connection.cursor() as cursor:
            # One transaction per 100 rows, like the API's batches of 100.
            for start in range(0, len(rows), 100):
                cursor.execute("BEGIN")
                cursor.executemany(sql, rows[start : start + 100])
                cursor.execute("COMMIT")
        cpu.append((time.process_time() - cpu_started) * 1000 / len(rows))
        rates.append(len(rows) / (time.perf_counter() - started))
    run.say(f"raw executemany (100 per transaction): {_median(rates):.0f} results/s, {_median(cpu):.3f} ms CPU each")
    return _median(rates), _median(cpu)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
