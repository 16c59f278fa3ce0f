"""Shared pieces of the benchmark scripts: progress lines, result files, the machine, a
throwaway PostgreSQL database and a production gunicorn on loopback.

Every script in bench/ runs alone (`.venv/bin/python bench/ingest.py`) and writes its
figures to bench/results/<part>.json; bench/report.py turns those into docs/BENCHMARKS.md.
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from harness import production_server as production_server_parts

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench" / "results"
PYTHON = sys.executable
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789-abcdef"
_STARTED = time.monotonic()


def progress(part: str, message: str) -> None:
    print(f"[{time.monotonic() - _STARTED:6.1f}s] {part}: {message}", flush=True)


def write_results(part: str, figures: dict) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{part}.json"
    path.write_text(
        json.dumps(
            {"part": part, "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), **figures}, indent=2
        )
    )
    progress(part, f"wrote {path.relative_to(BASE_DIR)}")
    return path


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values)


def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
        "postgresql": _version(["psql", "--version"]),
        "sqlite": _sqlite_version(),
        "redis": _version(["redis-server", "--version"]),
        "chromium": _version(["/usr/bin/chromium", "--version"]),
    }


def _version(args: list[str]) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=20).stdout.strip() or "unknown"
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def postgres_database(name: str):
    """A throwaway database, dropped afterwards; yields its URL."""
    return production_server_parts.throwaway_database(POSTGRES_ADMIN_URL, name)


@contextmanager
def served_app(part: str, **settings: str):
    """A throwaway PostgreSQL database with gunicorn serving it; yields the base URL."""
    with (
        postgres_database(f"backcare_bench_{part}_{os.getpid()}") as database_url,
        production_server(part, database_url=database_url, workdir=RESULTS_DIR / f"{part}-server", **settings) as url,
    ):
        yield url


@contextmanager
def production_server(
    part: str,
    *,
    database_url: str,
    workdir: Path,
    workers: int = 2,
    base_dir: Path = BASE_DIR,
    on_start: Callable[[subprocess.Popen], None] | None = None,
    **settings: str,
):
    """gunicorn with the production settings (DEBUG off, gunicorn.conf.py) on loopback,
    running the code in `base_dir` (this checkout unless a benchmark compares another);
    `on_start` is given gunicorn's master process once it listens."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = production_server_parts.free_port()
    prefix = f"backcare-bench-{part}-{os.getpid()}"
    env = production_server_parts.clean_environment(
        DEBUG="false",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX=prefix,
        STATIC_ROOT=str(workdir / "static"),
        SECURE_SSL_REDIRECT="false",
        GUNICORN_WORKERS=str(workers),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        **settings,
    )
    progress(part, "collectstatic, migrate, seed_content (production settings)")
    log = workdir / "gunicorn.log"
    try:
        production_server_parts.prepare(env, base_dir)
        with production_server_parts.gunicorn(env, port=port, stdout=log, stderr=log, base_dir=base_dir) as process:
            progress(part, f"gunicorn ({workers} workers) serving on 127.0.0.1:{port}")
            if on_start is not None:
                on_start(process)
            yield f"http://127.0.0.1:{port}"
    except production_server_parts.ServerError as error:
        raise SystemExit(str(error)) from error
    finally:
        production_server_parts.forget_cache_keys(REDIS_URL, prefix)
