"""Issue 28, part 2: the admin's CSV export alone, against `backcare_scale` (bench/scale_seed.py),
through Django's test client as bench/scale_server.py reads it (DEBUG off, PostgreSQL).

    .venv/bin/python bench/csv_export.py sha [QUERY]       # the whole export: rows, rows/s, SHA-256, peak RSS
    .venv/bin/python bench/csv_export.py profile [ROWS]    # cProfile of the first ROWS rows (100,000)

`sha` is what tells a faster export from a different one: the SHA-256 of its bytes before
and after a change must be equal. QUERY is the admin list's own query string, e.g.
`completed_at__year=2025&completed_at__month=10`. `BENCH_CSV_GZIP=1` asks for gzip as a
browser does (the test client does not), so GZipMiddleware's share shows.
"""

import cProfile
import hashlib
import io
import json
import os
import pstats
import sys
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale_seed import database_url, setup_django


def _export(query: str):
    from django.urls import reverse

    from bench.scale_server import admin_client

    headers = {"Accept-Encoding": "gzip"} if os.environ.get("BENCH_CSV_GZIP") else {}
    url = reverse("admin:quiz_result_export") + (f"?{query}" if query else "")
    return admin_client().get(url, headers=headers)


def _rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _cpu_seconds(pid: int) -> float:
    """User and system CPU of a process on this machine, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def whole(query: str) -> dict:
    for _chunk in _export("completed_at__year=1999").streaming_content:  # warm: imports, URLs
        pass
    backend = _backend_pid()
    digest = hashlib.sha256()
    started, cpu, backend_cpu = time.perf_counter(), time.process_time(), _cpu_seconds(backend)
    response = _export(query)
    lines = size = 0
    gzipped = response.get("Content-Encoding") == "gzip"
    unzip = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # the SHA-256 and rows of the CSV itself
    for chunk in response.streaming_content:
        size += len(chunk)
        text = unzip.decompress(chunk) if gzipped else chunk
        digest.update(text)
        lines += text.count(b"\r\n")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    backend_cpu = _cpu_seconds(backend) - backend_cpu
    return {
        "query": query,
        "status": response.status_code,
        "content_encoding": response.get("Content-Encoding", ""),
        "rows": lines - 1,
        "bytes_sent": size,
        "seconds": round(seconds, 2),
        "rows_per_s": round((lines - 1) / seconds),
        # This process's CPU (Django, the export, the test client): less swayed by the
        # machine's other work than the rows per second.
        "cpu_us_per_row": round(cpu * 1e6 / max(lines - 1, 1), 1),
        # The PostgreSQL backend serving this process (the same machine): its CPU per row.
        "postgres_cpu_us_per_row": round(backend_cpu * 1e6 / max(lines - 1, 1), 1),
        "sha256": digest.hexdigest(),
        "peak_rss_mb": _rss_mb("VmHWM"),
        "load_average": os.getloadavg(),
    }


def profile(rows: int) -> None:
    profiler = cProfile.Profile(time.process_time)  # CPU of this process, not waiting
    started, cpu = time.perf_counter(), time.process_time()
    profiler.enable()
    response = _export("")
    lines = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\r\n")
        if lines > rows:
            break
    response.close()
    profiler.disable()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{lines - 1} rows in {seconds:.2f} s ({(lines - 1) / seconds:.0f} rows/s), {cpu:.2f} s CPU here")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(30)
    print(out.getvalue())


def main() -> int:
    setup_django(database_url())
    mode = sys.argv[1] if len(sys.argv) > 1 else "sha"
    if mode == "profile":
        profile(int(sys.argv[2]) if len(sys.argv) > 2 else 100_000)
    else:
        print(json.dumps(whole(sys.argv[2] if len(sys.argv) > 2 else "")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
