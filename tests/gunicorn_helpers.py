"""BackCare as an operator runs it, for tests: gunicorn with the production settings, a
throwaway PostgreSQL database and Redis on loopback (under a key prefix of its own, so
parallel runs do not mix), and plain HTTP requests to it.

Requests carry `X-Forwarded-Proto: https` as the TLS proxy in front would, so the
HTTPS-only behaviour (HSTS, the redirect) is the production one.
"""

import json
import os
import socket
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from harness import production_server

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
SECRET_KEY = "gunicorn-test-secret-key-that-is-long-enough-0123456789"
HTTPS = {"X-Forwarded-Proto": "https"}


@dataclass
class Server:
    base_url: str
    port: int
    stdout: Path
    stderr: Path
    cache_prefix: str
    database_url: str

    def clear_cache(self) -> None:
        """Forget this run's throttle counts (its own keys only: other runs may share Redis)."""
        production_server.forget_cache_keys(REDIS_TEST_URL, self.cache_prefix)

    def log_lines(self) -> list[dict]:
        """Every line gunicorn and Django wrote so far, each parsed as JSON (or the test fails)."""
        lines = self.stdout.read_text().splitlines() + self.stderr.read_text().splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def access_log(self) -> list[dict]:
        return [line for line in self.log_lines() if line["logger"] == "gunicorn.access"]

    def sql(self, query: str, *params) -> list[tuple]:
        """Rows of one query on the server's database, from a connection of the test's own."""
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            cursor = connection.execute(query, params)
            return cursor.fetchall() if cursor.description else []


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


# Long enough for a busy machine, shorter than gunicorn's 30 s worker timeout: a request
# that hangs until gunicorn gives up fails the test.
REPLY_TIMEOUT = 20


def request(server: Server, path: str, *, method="GET", body=None, headers=None, https=True) -> Reply:
    data = json.dumps(body).encode() if body is not None else None
    all_headers = {**(HTTPS if https else {}), **(headers or {})}
    if data is not None:
        all_headers["Content-Type"] = "application/json"
    req = urllib.request.Request(server.base_url + path, data=data, method=method, headers=all_headers)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(req, timeout=REPLY_TIMEOUT) as response:
            return Reply(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, dict(error.headers), error.read())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def production_environment(**settings: str) -> dict:
    """The production settings every test server shares; `settings` add or override."""
    return production_server.clean_environment(
        DEBUG="false",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_PROXY_SSL_HEADER="true",
        GUNICORN_WORKERS="2",
        LOG_FORMAT="json",
        **settings,
    )


@contextmanager
def prepared_database(name: str, env: dict):
    """A throwaway PostgreSQL database, migrated and with content, and static files
    collected as `env` says; yields its URL."""
    with production_server.throwaway_database(POSTGRES_ADMIN_URL, name) as url:
        production_server.prepare({**env, "DATABASE_URL": url})
        yield url


@contextmanager
def running_server(env: dict, workdir: Path, *, database_url: str, redis_url: str = REDIS_TEST_URL, **settings: str):
    """gunicorn with `env` plus `settings`, on a free port, its logs in `workdir`; yields a
    Server once it listens, and forgets its cache keys afterwards."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = production_server.free_port()
    cache_prefix = f"backcare-test-{os.getpid()}-{port}"
    stdout, stderr = workdir / "stdout.log", workdir / "stderr.log"
    env = {
        **env,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": cache_prefix,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        **settings,
    }
    production_server.forget_cache_keys(REDIS_TEST_URL, cache_prefix)
    try:
        with production_server.gunicorn(env, port=port, stdout=stdout, stderr=stderr):
            yield Server(f"http://127.0.0.1:{port}", port, stdout, stderr, cache_prefix, database_url)
    finally:
        production_server.forget_cache_keys(REDIS_TEST_URL, cache_prefix)


@contextmanager
def held_request(server: Server, head: bytes, rest: bytes):
    """A request sent in two parts: its first part now, the rest when the block ends.

    gunicorn's sync workers serve one connection at a time, so the worker that accepts
    this one is stuck until the rest arrives: meanwhile every other request goes to
    another worker. Yields a list that holds the raw reply once the block has ended.
    """
    held = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    reply: list[bytes] = []
    try:
        held.sendall(head)
        yield reply
        held.sendall(rest)
        reply.append(read_all(held))
    finally:
        held.close()


def read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def wait_for(condition, timeout: float = 10, what: str = "the expected condition"):
    """Poll until `condition()` returns something truthy, and return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.02)  # polling for the condition, not waiting for time to pass
    raise AssertionError(f"{what} never happened")
