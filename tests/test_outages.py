"""When Redis or PostgreSQL fails, or requests race, under gunicorn: the API keeps its
answers JSON, loses nothing and stores nothing twice.

Every server here is gunicorn with two workers and the production settings, on one
throwaway PostgreSQL database; they differ in what their Redis or database does:
answers, refuses connections (a port with nothing listening) or accepts and never
answers (a socket of the test's own). The test's own PostgreSQL connections take row and
table locks to put the server's requests exactly where a race or an outage would.

Each test sends from its own client address (`X-Forwarded-For`, NUM_PROXIES=1), so the
per-address throttle budgets of one test do not spend another's.
"""

import itertools
import json
import os
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from gunicorn_helpers import (
    Reply,
    Server,
    held_request,
    prepared_database,
    production_environment,
    request,
    running_server,
    wait_for,
)
from sync_helpers import result_item

LIMIT = 5
_addresses = (f"10.77.{n // 250}.{n % 250 + 1}" for n in itertools.count())


@dataclass
class Site:
    env: dict
    database_url: str
    workdir: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("outages")
    env = production_environment(
        STATIC_ROOT=str(workdir / "static"),
        THROTTLE_DEVICES=f"{LIMIT}/minute",
        NUM_PROXIES="1",
    )
    with prepared_database(f"backcare_outage_test_{os.getpid()}", env) as url:
        yield Site(env, url, workdir)


@pytest.fixture(scope="module")
def server(site):
    with running_server(site.env, site.workdir / "redis-up", database_url=site.database_url) as running:
        yield running


@pytest.fixture(scope="module")
def server_many_workers(site):
    """Four workers: parallel requests truly overlap (DRF's own throttle let 37 of 40 through)."""
    with running_server(
        site.env, site.workdir / "many-workers", database_url=site.database_url, GUNICORN_WORKERS="4"
    ) as running:
        yield running


@pytest.fixture(scope="module")
def server_redis_refused(site):
    redis_url = f"redis://127.0.0.1:{_refused_port()}/0"
    with running_server(
        site.env, site.workdir / "redis-refused", database_url=site.database_url, redis_url=redis_url
    ) as running:
        yield running


@pytest.fixture(scope="module")
def server_redis_silent(site):
    with _silent_port() as port:
        redis_url = f"redis://127.0.0.1:{port}/0"
        with running_server(
            site.env, site.workdir / "redis-silent", database_url=site.database_url, redis_url=redis_url
        ) as running:
            yield running


@pytest.fixture(scope="module")
def server_short_statements(site):
    with running_server(
        site.env, site.workdir / "short-statements", database_url=site.database_url, DB_STATEMENT_TIMEOUT_MS="1000"
    ) as running:
        yield running


@pytest.fixture(scope="module")
def server_database_silent(site):
    with _silent_port() as port:
        database_url = f"postgres://postgres@127.0.0.1:{port}/backcare"
        with running_server(
            site.env, site.workdir / "database-silent", database_url=database_url, DB_CONNECT_TIMEOUT="2"
        ) as running:
            yield running


def _refused_port() -> int:
    """A port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _silent_port:
    """A port that accepts every connection and never sends a byte, as a hung server does."""

    def __enter__(self) -> int:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()
        return self.listener.getsockname()[1]

    def _accept(self) -> None:
        while True:
            try:
                connection, _address = self.listener.accept()
            except OSError:  # the listener was closed: the test is over
                return
            self.accepted.append(connection)

    def __exit__(self, *exc_info) -> None:
        self.listener.close()
        for connection in self.accepted:
            connection.close()


# -- a phone's requests -----------------------------------------------------------------


class Phone:
    """One client address, and the device it registered there."""

    def __init__(self, server: Server):
        self.server = server
        self.address = {"X-Forwarded-For": next(_addresses)}
        self.token: str | None = None

    def register(self) -> Reply:
        reply = request(self.server, "/api/devices/", method="POST", body={}, headers=self.address)
        if reply.status == 201:
            self.token = reply.json()["token"]
        return reply

    def auth(self, token: str | None = None) -> dict:
        return {**self.address, "Authorization": f"Token {token or self.token}"}

    def sync(self, items: list[dict], request_id: str | None = None) -> Reply:
        headers = {**self.auth(), **({"X-Request-ID": request_id} if request_id else {})}
        return request(self.server, "/api/results/", method="POST", body={"results": items}, headers=headers)

    def listed(self) -> Reply:
        return request(self.server, "/api/results/", headers=self.auth())

    def erase(self) -> Reply:
        return request(self.server, "/api/devices/me/", method="DELETE", headers=self.auth())


def snapshot(server: Server) -> dict:
    return request(server, "/api/content/").json()


def stored_count(server: Server, result_uuid: str) -> int:
    return server.sql("SELECT count(*) FROM quiz_result WHERE uuid = %s", result_uuid)[0][0]


def device_count(server: Server) -> int:
    return server.sql("SELECT count(*) FROM quiz_device")[0][0]


def logged(server: Server, text: str, request_ids: set | None = None) -> list[dict]:
    """The server's log lines with `text` (of these requests only, if given)."""
    return [
        line
        for line in server.log_lines()
        if text in line.get("message", "") and (request_ids is None or line.get("request_id") in request_ids)
    ]


def receipt_statuses(replies: list[Reply], result_uuid: str) -> list[str]:
    return sorted(
        receipt["status"] for reply in replies for receipt in reply.json()["receipts"] if receipt["uuid"] == result_uuid
    )


def in_parallel(count: int, send) -> list[Reply]:
    """`count` calls of `send` from as many threads, released together."""
    start = threading.Barrier(count)

    def released() -> Reply:
        start.wait()
        return send()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _n: released(), range(count)))


# -- Redis down -------------------------------------------------------------------------


@pytest.mark.parametrize("outage", ["refused", "silent"])
def test_it_registers_syncs_lists_and_erases_while_redis_is_down(outage, request_fixture_value):
    server = request_fixture_value(f"server_redis_{outage}")
    phone = Phone(server)
    item = result_item(snapshot(server))

    registered = phone.register()
    sent = phone.sync([item])
    resent = phone.sync([item])
    listed = phone.listed()
    wrong_token = request(server, "/api/results/", headers=phone.auth(f"{uuid.uuid4()}.guess"))
    stored_before_erase = stored_count(server, item["uuid"])
    erased = phone.erase()
    health = request(server, "/healthz")

    assert registered.status == 201
    assert (sent.status, sent.json()["receipts"][0]["status"]) == (200, "created")
    assert (resent.status, resent.json()["receipts"][0]["status"]) == (200, "duplicate")
    assert [result["uuid"] for result in listed.json()["results"]] == [item["uuid"]]
    assert (wrong_token.status, wrong_token.json()["code"]) == (401, "invalid_token")
    assert stored_before_erase == 1
    assert erased.status == 204
    assert stored_count(server, item["uuid"]) == 0
    assert (health.status, health.json()["status"], health.json()["cache"]) == (200, "degraded", "degraded")
    error = "ConnectionError" if outage == "refused" else "TimeoutError"
    assert logged(server, f"The cache is unreachable ({error}); throttling counts in this process only")


@pytest.fixture
def request_fixture_value(request):
    return request.getfixturevalue


def test_it_still_throttles_registration_in_each_worker_while_redis_refuses(server_redis_refused):
    phone = Phone(server_redis_refused)
    devices_before = device_count(server_redis_refused)

    replies = [phone.register() for _ in range(2 * LIMIT + 1)]

    created = [reply for reply in replies if reply.status == 201]
    throttled = [reply for reply in replies if reply.status == 429]
    # Each of the two workers counts on its own while Redis is away: the limit holds per
    # worker, so between one and two workers' worth pass, and never more.
    assert LIMIT <= len(created) <= 2 * LIMIT
    assert len(created) + len(throttled) == len(replies)
    assert throttled[0].json()["code"] == "throttled"
    assert int(throttled[0].headers["Retry-After"]) > 0
    assert device_count(server_redis_refused) == devices_before + len(created)


# -- throttles under concurrency ------------------------------------------------------------


def test_parallel_registrations_stop_exactly_at_the_limit_across_workers(server_many_workers):
    server = server_many_workers
    phone = Phone(server)
    devices_before = device_count(server)

    replies = in_parallel(40, phone.register)

    assert sorted(reply.status for reply in replies) == [201] * LIMIT + [429] * (40 - LIMIT)
    assert {reply.json()["code"] for reply in replies if reply.status == 429} == {"throttled"}
    assert all(int(reply.headers["Retry-After"]) > 0 for reply in replies if reply.status == 429)
    assert device_count(server) == devices_before + LIMIT


def test_parallel_wrong_tokens_stop_exactly_at_the_limit_across_workers(server_many_workers):
    server = server_many_workers
    phone = Phone(server)

    replies = in_parallel(100, lambda: request(server, "/api/results/", headers=phone.auth(f"{uuid.uuid4()}.guess")))

    assert sorted(reply.status for reply in replies) == [401] * LIMIT + [429] * (100 - LIMIT)
    assert {reply.json()["code"] for reply in replies} == {"invalid_token", "throttled"}


# -- deadlocks ----------------------------------------------------------------------------


class RowHolder:
    """A transaction of the test's own that inserts results (copies of a stored one under
    new UUIDs) and keeps them uncommitted, so the server's inserts of those UUIDs wait."""

    def __init__(self, server: Server, template_uuid: str):
        self.server = server
        self.template_uuid = template_uuid
        self.connection = psycopg.connect(server.database_url)
        rows = self.connection.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = 'quiz_result' AND column_name NOT IN ('id', 'uuid')"
        ).fetchall()
        self.columns = ", ".join(name for (name,) in rows)

    def insert(self, result_uuid: str) -> None:
        self.connection.execute(
            f"INSERT INTO quiz_result (uuid, {self.columns})"
            f" SELECT %s, {self.columns} FROM quiz_result WHERE uuid = %s",
            (result_uuid, self.template_uuid),
        )

    def close(self) -> None:
        if not self.connection.closed:
            self.connection.rollback()
            self.connection.close()


def waiting_on_locks(server: Server) -> int:
    """How many of the server's database sessions wait for a lock right now."""
    return server.sql(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )[0][0]


def three_ordered_items(snapshot_: dict) -> list[dict]:
    ids = sorted(uuid.uuid4() for _ in range(3))
    return [result_item(snapshot_, uuid=str(result_uuid)) for result_uuid in ids]


def stored_template(server: Server) -> str:
    """A result stored by a phone of its own, for a RowHolder to copy (its device's row
    is then the one the holder's rows refer to, not a device under test)."""
    phone = Phone(server)
    phone.register()
    template = result_item(snapshot(server))
    phone.sync([template])
    return template["uuid"]


def test_two_devices_syncing_the_same_results_in_opposite_orders_do_not_deadlock(server):
    # Two syncs of one device queue on its row lock; two devices do not.
    phones = [Phone(server), Phone(server)]
    for phone in phones:
        phone.register()
    first, middle, last = three_ordered_items(snapshot(server))
    holder = RowHolder(server, stored_template(server))
    try:
        # Both requests stop at the first row they insert that the holder has; in the
        # order sent, each would have inserted one row the other needs before that.
        holder.insert(first["uuid"])
        with ThreadPoolExecutor(max_workers=2) as pool:
            one = pool.submit(phones[0].sync, [middle, first, last], "opposite-orders-1")
            other = pool.submit(phones[1].sync, [last, first, middle], "opposite-orders-2")
            wait_for(lambda: waiting_on_locks(server) == 2, what="both syncs waiting on the held row")
            holder.close()
            replies = [one.result(), other.result()]
    finally:
        holder.close()

    assert [reply.status for reply in replies] == [200, 200]
    for item in (first, middle, last):
        # The UUIDs belong to whichever device stored them first; the other is told so.
        assert receipt_statuses(replies, item["uuid"]) == ["conflict", "created"]
        assert stored_count(server, item["uuid"]) == 1
    # Sorted inserts take their locks in one order: no deadlock was even retried.
    assert not logged(server, "lost a race in the database", {"opposite-orders-1", "opposite-orders-2"})


def test_a_sync_that_loses_a_deadlock_is_run_once_more_and_stores_each_result_once(server):
    phone = Phone(server)
    phone.register()
    first, second, _unused = three_ordered_items(snapshot(server))
    holder = RowHolder(server, stored_template(server))
    try:
        # The server's session is the one PostgreSQL picks to break the deadlock.
        holder.connection.execute("SET deadlock_timeout = '60s'")
        holder.insert(second["uuid"])
        with ThreadPoolExecutor(max_workers=1) as pool:
            sync = pool.submit(phone.sync, [second, first], "lost-deadlock")
            wait_for(lambda: waiting_on_locks(server) == 1, what="the sync waiting on the held row")
            # The sync holds the table for its insert and waits for `second`; asking for
            # the table closes the circle. PostgreSQL fails the sync's transaction and
            # grants this lock, so the sync's second run waits behind it, before inserting
            # anything; then it is let through.
            holder.connection.execute("LOCK TABLE quiz_result IN SHARE MODE")
            wait_for(lambda: waiting_on_locks(server) == 1, what="the retried sync waiting on the held table")
            holder.close()
            reply = sync.result()
    finally:
        holder.close()

    assert reply.status == 200
    assert [receipt["status"] for receipt in reply.json()["receipts"]] == ["created", "created"]
    assert stored_count(server, first["uuid"]) == 1
    assert stored_count(server, second["uuid"]) == 1
    assert logged(
        server, "A sync lost a race in the database (SQLSTATE 40P01); running it once more.", {"lost-deadlock"}
    )


# -- PostgreSQL -----------------------------------------------------------------------------


def _raw(method: str, path: str, headers: dict, body: bytes = b"") -> tuple[bytes, bytes]:
    """A request as its first line (sent at once) and the rest (sent when released)."""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode()
    lines = {**headers, "X-Forwarded-Proto": "https", "Content-Length": str(len(body)), "Connection": "close"}
    if body:
        lines["Content-Type"] = "application/json"
    rest = "".join(f"{name}: {value}\r\n" for name, value in lines.items()).encode() + b"\r\n" + body
    return head, rest


def on_both_workers(server: Server, phone: Phone, items: list[dict], label: str) -> list[tuple[int, int]]:
    """Sync items[0] on one worker and items[1] on the other; (status, worker pid) of each."""
    ids = [f"{label}-held", f"{label}-other"]
    body = b'{"results": [' + json.dumps(items[0]).encode() + b"]}"
    with held_request(server, *_raw("POST", "/api/results/", {**phone.auth(), "X-Request-ID": ids[0]}, body)) as held:
        other = request(
            server,
            "/api/results/",
            method="POST",
            body={"results": [items[1]]},
            headers={**phone.auth(), "X-Request-ID": ids[1]},
        )
    held_status = int(held[0].split(b" ", 2)[1])
    access = wait_for(lambda: _access_by_id(server, ids), what="both access log lines")
    return [(held_status, access[ids[0]]["pid"]), (other.status, access[ids[1]]["pid"])]


def _access_by_id(server: Server, ids: list[str]) -> dict | None:
    lines = {line["request_id"]: line for line in server.access_log() if line["request_id"] in ids}
    return lines if len(lines) == len(ids) else None


def test_each_worker_answers_after_its_database_connection_was_closed_under_it(server):
    phone = Phone(server)
    phone.register()
    before = [result_item(snapshot(server)) for _ in range(2)]
    after = [result_item(snapshot(server)) for _ in range(2)]
    served_before = on_both_workers(server, phone, before, "before-kill")

    killed = server.sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    )
    served_after = on_both_workers(server, phone, after, "after-kill")

    assert [status for status, _pid in served_before] == [200, 200]
    assert len({pid for _status, pid in served_before}) == 2
    assert len(killed) >= 2  # both workers' kept connections
    assert [status for status, _pid in served_after] == [200, 200]
    assert {pid for _status, pid in served_after} == {pid for _status, pid in served_before}
    for item in before + after:
        assert stored_count(server, item["uuid"]) == 1


def test_a_sync_stuck_behind_a_lock_fails_at_the_statement_timeout_and_is_stored_on_resend(server_short_statements):
    server = server_short_statements
    phone = Phone(server)
    phone.register()
    item = result_item(snapshot(server))
    locker = psycopg.connect(server.database_url)
    try:
        locker.execute("LOCK TABLE quiz_result IN ACCESS EXCLUSIVE MODE")
        stuck = phone.sync([item])
    finally:
        locker.rollback()
        locker.close()
    resent = phone.sync([item])

    assert (stuck.status, stuck.json()["code"]) == (503, "database_unavailable")
    assert (resent.status, resent.json()["receipts"][0]["status"]) == (200, "created")
    assert stored_count(server, item["uuid"]) == 1
    assert logged(server, "The database failed an API request.")


def test_a_database_that_never_answers_fails_requests_at_the_connect_timeout(server_database_silent):
    server = server_database_silent

    health = request(server, "/healthz")
    registered = request(server, "/api/devices/", method="POST", body={}, headers={"X-Forwarded-For": "10.78.0.1"})

    assert health.status == 503
    assert health.json() == {"status": "unavailable", "database": "error", "cache": "ok", "content": "unknown"}
    assert (registered.status, registered.json()["code"]) == (503, "database_unavailable")
