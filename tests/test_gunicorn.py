"""BackCare as an operator runs it: gunicorn, production settings, PostgreSQL and Redis.

One gunicorn with two workers serves a throwaway PostgreSQL database and Redis on
loopback (under a key prefix of its own, so parallel runs do not mix); every check goes
over real HTTP. Requests carry `X-Forwarded-Proto: https`
as the TLS proxy in front would, so the HTTPS-only behaviour (HSTS, the redirect) is the
production one.
"""

import json
import os
import re
import socket

import pytest
from csp_policy import enforced
from gunicorn_helpers import (
    Reply,
    Server,
    prepared_database,
    production_environment,
    read_all,
    request,
    running_server,
    wait_for,
)
from sync_helpers import result_item

ADMIN_PATH = "staff-area-7f3a/"
DEVICE_LIMIT = 5


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("gunicorn")
    env = production_environment(
        STATIC_ROOT=str(workdir / "static"),
        ADMIN_URL=ADMIN_PATH,
        THROTTLE_DEVICES=f"{DEVICE_LIMIT}/minute",
    )
    with (
        prepared_database(f"backcare_gunicorn_test_{os.getpid()}", env) as url,
        running_server(env, workdir / "server", database_url=url) as running,
    ):
        yield running


def assert_security_headers(reply: Reply) -> None:
    headers = {name.lower(): value for name, value in reply.headers.items()}
    csp = headers["content-security-policy"]
    assert enforced(csp, "script-src") == ["'self'"]
    assert enforced(csp, "style-src") == ["'self'"]
    assert enforced(csp, "frame-ancestors") == ["'none'"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert "camera=()" in headers["permissions-policy"]
    assert "geolocation=()" in headers["permissions-policy"]
    assert "microphone=()" in headers["permissions-policy"]
    assert len(headers["x-request-id"]) >= 8


def test_it_sends_the_security_headers_on_a_page_an_api_response_and_the_admin_login(server):
    page = request(server, "/")
    api = request(server, "/api/content/")
    admin_login = request(server, f"/{ADMIN_PATH}login/")
    api_docs = request(server, "/api/docs/")

    for reply in (page, api, admin_login, api_docs):
        assert reply.status == 200
        assert_security_headers(reply)
    assert b"BackCare" in page.body
    assert api.json()["version"] == 1
    assert b'name="password"' in admin_login.body


def test_it_serves_the_admin_only_at_its_configured_path_and_behind_login(server):
    assert request(server, "/admin/").status == 404
    index = request(server, f"/{ADMIN_PATH}")

    assert index.status == 302
    assert index.headers["Location"].startswith(f"/{ADMIN_PATH}login/")


def test_it_sets_secure_httponly_samesite_cookies_on_the_admin_login(server):
    login = request(server, f"/{ADMIN_PATH}login/")
    cookie = login.headers["Set-Cookie"]

    assert cookie.startswith("csrftoken=")
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_it_redirects_plain_http_to_https_but_answers_health_checks_over_http(server):
    page = request(server, "/tips/", https=False)
    health = request(server, "/healthz", https=False)

    assert page.status == 301
    assert page.headers["Location"] == f"https://127.0.0.1:{server.port}/tips/"
    assert health.status == 200
    assert health.json() == {"status": "ok", "database": "ok", "cache": "ok", "content": "ok", "content_version": 1}


def test_it_serves_hashed_compressed_static_files_and_an_uncached_worker_and_manifest(server):
    worker = request(server, "/serviceworker.js")
    manifest = request(server, "/manifest.json")
    precached = [url for url in json.loads(_precache_json(worker.body)) if url.startswith("/static/js/")]
    script = request(server, precached[0], headers={"Accept-Encoding": "gzip"})
    script_br = request(server, precached[0], headers={"Accept-Encoding": "gzip, br"})

    assert "no-cache" in worker.headers["Cache-Control"]
    assert "no-cache" in manifest.headers.get("Cache-Control", ""), manifest
    assert manifest.json()["name"] == "BackCare"
    # Hashed names only, so a phone never mixes old and new files.
    assert precached and all(_is_hashed(url) for url in precached)
    assert script.status == 200
    assert script.headers["Content-Encoding"] == "gzip"
    # A browser that takes Brotli (every current one) gets the smaller copy.
    assert script_br.headers["Content-Encoding"] == "br"
    assert len(script_br.body) < len(script.body)
    assert "immutable" in script.headers["Cache-Control"]


def test_static_files_go_without_the_document_policies_and_the_worker_keeps_them(server):
    """CSP, Permissions-Policy and COOP govern the document or worker script they arrive
    with, and only our own pages load static files (no CORS header): on the files the worker
    precaches these would only cost bytes (about 700 on each)."""
    worker = request(server, "/serviceworker.js")
    precached = [url for url in json.loads(_precache_json(worker.body)) if url.startswith("/static/")]
    statics = [request(server, url) for url in precached]

    assert statics and all(reply.status == 200 for reply in statics)
    names = {url: {name.lower() for name in reply.headers} for url, reply in zip(precached, statics, strict=True)}
    assert [url for url, found in names.items() if "content-security-policy" in found] == []
    assert [url for url, found in names.items() if "permissions-policy" in found] == []
    assert [url for url, found in names.items() if "cross-origin-opener-policy" in found] == []
    assert [url for url, found in names.items() if "access-control-allow-origin" in found] == []
    assert all({"x-content-type-options", "referrer-policy"} <= found for found in names.values())
    worker_names = {name.lower() for name in worker.headers}
    assert {"content-security-policy", "permissions-policy"} <= worker_names
    page = request(server, "/")
    assert page.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_it_rewrites_es_module_imports_to_the_hashed_names(server):
    worker = request(server, "/serviceworker.js")
    scripts = [url for url in json.loads(_precache_json(worker.body)) if url.endswith(".js")]
    # The worker's own module (kept by the browser with the worker, not precached) too.
    logic = re.search(r'from "(/static/js/service-worker\.[0-9a-f]{12}\.js)"', worker.body.decode()).group(1)
    imports = {}
    for url in [*scripts, logic]:
        source = request(server, url).body.decode()
        # Served without comments or line breaks (quiz/storage.py): a statement starts a
        # line or follows a semicolon.
        statement = r"""(?:^|;)\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']"""
        imports[url] = re.findall(statement, source, re.M | re.S)

    found = [target for targets in imports.values() for target in targets]
    # The app's modules do import each other (quiz.js imports scoring.js, outbox.js …) …
    assert any("scoring." in target for target in found), imports
    # … and every import names a hashed file, one the worker precaches, as served.
    for url, targets in imports.items():
        for target in targets:
            resolved = url.rsplit("/", 1)[0] + "/" + target.removeprefix("./")
            assert _is_hashed(resolved), (url, target)
            assert resolved in scripts, (url, target)
            assert request(server, resolved).status == 200


def _precache_json(worker_source: bytes) -> str:
    text = worker_source.decode()
    assert "PRECACHE_URLS =" in text, text
    start = text.index("[", text.index("PRECACHE_URLS ="))
    return text[start : text.index("]", start) + 1]


def _is_hashed(url: str) -> bool:
    stem = url.rsplit("/", 1)[-1].split(".")
    return len(stem) >= 3 and len(stem[-2]) == 12 and all(c in "0123456789abcdef" for c in stem[-2])


def test_it_syncs_a_result_round_trip_over_real_http(server):
    server.clear_cache()
    snapshot = request(server, "/api/content/").json()
    registered = request(server, "/api/devices/", method="POST", body={})
    token = registered.json()["token"]
    item = result_item(snapshot)
    auth = {"Authorization": f"Token {token}"}

    sent = request(server, "/api/results/", method="POST", body={"results": [item]}, headers=auth)
    listed = request(server, "/api/results/", headers=auth)

    assert registered.status == 201
    assert_security_headers(sent)
    assert sent.status == 200
    assert sent.json()["receipts"][0]["status"] == "created"
    assert [stored["uuid"] for stored in listed.json()["results"]] == [item["uuid"]]


def test_it_logs_one_json_object_a_line_with_the_request_id_and_no_token_or_answers(server):
    server.clear_cache()
    snapshot = request(server, "/api/content/").json()
    token = request(server, "/api/devices/", method="POST", body={}).json()["token"]
    item = result_item(snapshot)
    sent = request(
        server,
        "/api/results/?note=private-query",
        method="POST",
        body={"results": [item]},
        headers={"Authorization": f"Token {token}", "X-Request-ID": "proxy-id-0001"},
    )

    assert sent.headers["X-Request-ID"] == "proxy-id-0001"
    logged = wait_for(lambda: [line for line in server.access_log() if line["request_id"] == "proxy-id-0001"])
    assert logged[0]["method"] == "POST"
    assert logged[0]["path"] == "/api/results/"
    assert logged[0]["status"] == 200
    everything = server.stdout.read_text() + server.stderr.read_text()
    assert token not in everything
    assert token.split(".")[-1] not in everything
    assert "private-query" not in everything
    assert item["uuid"] not in everything
    assert "h_sitting" not in everything


def test_it_shares_the_throttle_count_between_workers_through_redis(server):
    """The device registration limit holds across both workers.

    To be sure both workers answer, one connection sends half a request first: the
    worker that accepts it (sync workers serve one connection at a time) is stuck until
    the rest arrives, so the next registrations all go to the other worker. Once those
    have used up the limit, the stuck request is completed; it is refused only if that
    worker sees the other's count, which lives in Redis.
    """
    server.clear_cache()
    held = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        held.sendall(b"POST /api/devices/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        first = [request(server, "/api/devices/", method="POST", body={}) for _ in range(DEVICE_LIMIT)]
        held.sendall(
            b"X-Forwarded-Proto: https\r\nX-Request-ID: held-connection-01\r\n"
            b"Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
        )
        held_status_line = read_all(held).split(b"\r\n", 1)[0]
    finally:
        held.close()
    later = [request(server, "/api/devices/", method="POST", body={}) for _ in range(2)]

    assert [reply.status for reply in first] == [201] * DEVICE_LIMIT
    assert held_status_line == b"HTTP/1.1 429 Too Many Requests"
    assert [reply.status for reply in later] == [429, 429]
    assert all(int(reply.headers["Retry-After"]) > 0 for reply in later)
    access = wait_for(lambda: _lines_for(server, {r.headers["X-Request-ID"] for r in first} | {"held-connection-01"}))
    held_pid = {line["pid"] for line in access if line["request_id"] == "held-connection-01"}
    other_pids = {line["pid"] for line in access if line["request_id"] != "held-connection-01"}
    assert len(held_pid) == 1 and len(other_pids) == 1 and held_pid != other_pids, access


def _lines_for(server: Server, request_ids: set) -> list[dict]:
    lines = [line for line in server.access_log() if line["request_id"] in request_ids]
    return lines if len(lines) == len(request_ids) else []


def test_it_refuses_a_registration_sent_in_chunks_with_a_json_411(server):
    """gunicorn decodes a chunked body but hands Django no Content-Length, so Django read
    it as empty (and registered a device); it is refused instead, in JSON."""
    server.clear_cache()
    devices_before = server.sql("SELECT count(*) FROM quiz_device")
    body = b"{}"
    raw = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        raw.sendall(
            b"POST /api/devices/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + f"{len(body):x}\r\n".encode()
            + body
            + b"\r\n0\r\n\r\n"
        )
        reply = read_all(raw)
    finally:
        raw.close()
    head, _blank, payload = reply.partition(b"\r\n\r\n")

    assert head.split(b"\r\n", 1)[0] == b"HTTP/1.1 411 Length Required"
    assert b"application/json" in head
    assert json.loads(payload)["code"] == "length_required"
    assert server.sql("SELECT count(*) FROM quiz_device") == devices_before
