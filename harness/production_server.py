"""BackCare as an operator runs it, on loopback: gunicorn with the production settings,
against a throwaway PostgreSQL database and Redis.

For the tests (tests/test_gunicorn.py, tests/test_settings.py, tests/test_deploy_check.py)
and the benchmarks (bench/); the app never imports it. Each caller picks its own settings;
this holds the parts that must be the same for all: a child environment no developer's
shell leaks into, the database, the setup commands and starting and stopping gunicorn
with its workers.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import redis

BASE_DIR = Path(__file__).resolve().parent.parent

# Variables a developer's shell (or a test's conftest.py) may set that would change the run.
_INHERITED_VARIABLES_TO_DROP = frozenset(
    {
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "CACHE_URL",
        "REDIS_URL",
        "CACHE_KEY_PREFIX",
        "ADMIN_URL",
        "STATIC_ROOT",
        "LOG_FORMAT",
        "NUM_PROXIES",
    }
)
_INHERITED_PREFIXES_TO_DROP = ("SECURE_", "SESSION_", "CSRF_", "GUNICORN_", "THROTTLE_", "DB_", "CACHE_")


class ServerError(RuntimeError):
    """A setup command failed, or gunicorn exited or never listened."""


def clean_environment(**settings: str) -> dict[str, str]:
    """The environment for a child process (manage.py, gunicorn): nothing of the app's
    settings inherited from this shell, then these."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in _INHERITED_VARIABLES_TO_DROP and not name.startswith(_INHERITED_PREFIXES_TO_DROP)
    }
    env.update(settings)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def throwaway_database(admin_url: str, name: str):
    """A new PostgreSQL database, dropped afterwards even if a connection is left open; yields its URL."""
    _drop_and_maybe_create(admin_url, name, create=True)
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        _drop_and_maybe_create(admin_url, name, create=False)


def _drop_and_maybe_create(admin_url: str, name: str, *, create: bool) -> None:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            admin.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict, *args: str, timeout: float = 300, base_dir: Path = BASE_DIR) -> None:
    """Run `manage.py` with these settings; a failure raises with what it printed. `base_dir`:
    the code to run (a benchmark compares another revision's, exported elsewhere)."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=base_dir, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise ServerError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def prepare(env: dict, base_dir: Path = BASE_DIR) -> None:
    """What an operator runs before starting the server: static files, migrations, content."""
    manage(env, "collectstatic", "--noinput", base_dir=base_dir)
    manage(env, "migrate", "--noinput", base_dir=base_dir)
    manage(env, "seed_content", base_dir=base_dir)


@contextmanager
def gunicorn(env: dict, *, port: int, stdout: Path, stderr: Path, start_timeout: float = 30, base_dir: Path = BASE_DIR):
    """gunicorn with gunicorn.conf.py, listening on 127.0.0.1:`port` (which `env` must bind);
    yields the process once the port accepts connections, and stops it and its workers."""
    with stdout.open("w") as out, stderr.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
            cwd=base_dir,
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,  # its own process group, so _stop can end the workers too
        )
    try:
        _wait_until_listening(process, port, stderr, start_timeout)
        yield process
    finally:
        _stop(process)


def _wait_until_listening(process: subprocess.Popen, port: int, stderr: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"gunicorn exited: {stderr.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)  # polling for the port to open, not waiting for time to pass
    raise ServerError(f"gunicorn did not start listening: {stderr.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        # A worker stuck on a request must not outlive the run (nor keep the database busy).
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def forget_cache_keys(redis_url: str, prefix: str) -> None:
    """Delete this run's keys only: other runs may share the Redis server."""
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
