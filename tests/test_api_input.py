"""What a client can send that the API must refuse cleanly: JSON nested too deep, bodies
too large, requests that break the server, a sync racing "Delete my data". Every answer
is JSON with a stable code, and nothing is lost or stored twice."""

import base64
import http.client
import json
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import Client
from rest_framework.views import APIView
from sync_helpers import post_results, register, result_item, token_header

from quiz import services
from quiz.models import Device, Result

API_ENDPOINTS = ["/api/devices/", "/api/results/"]


@pytest.fixture
def token(client, published):
    return register(client)[1]


def nested_list(depth: int, inner=0):
    value = inner
    for _ in range(depth):
        value = [value]
    return value


def post_raw(client, url: str, body: bytes | str, token: str | None = None):
    headers = token_header(token) if token else {}
    return client.post(url, body, content_type="application/json", headers=headers)


def stored_uuids() -> set[str]:
    return {str(value) for value in Result.objects.values_list("uuid", flat=True)}


# -- nesting depth ------------------------------------------------------------------


@pytest.mark.parametrize("url", API_ENDPOINTS)
@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_it_refuses_json_nested_a_thousand_deep_with_a_json_400_on_every_endpoint(client, token, url, depth):
    response = post_raw(client, url, "[" * depth + "]" * depth, token)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "too_deep"
    assert response.json()["detail"]
    assert Device.objects.count() == 1
    assert not Result.objects.exists()


def test_it_refuses_json_just_past_the_parsers_depth_limit_and_reads_it_just_below(client, token, published):
    # The batch, its list and the result are three levels; the answers make up the rest.
    too_deep = {"results": [{**result_item(published.snapshot), "answers": nested_list(398)}]}
    deep = {"results": [{**result_item(published.snapshot), "answers": nested_list(397)}]}

    refused = post_raw(client, "/api/results/", json.dumps(too_deep), token)
    read = post_raw(client, "/api/results/", json.dumps(deep), token)

    assert (refused.status_code, refused.json()["code"]) == (400, "too_deep")
    assert read.status_code == 200
    assert read.json()["receipts"][0]["status"] == "rejected"


def test_it_rejects_the_one_result_nested_hundreds_deep_and_stores_the_others(client, token, published):
    deep_answers = result_item(published.snapshot)
    deep_answers["answers"]["h_sitting"] = nested_list(310, "over_2_hours")
    deep_outcome = result_item(published.snapshot)
    deep_outcome["outcome"]["causes"] = [{"key": "posture_load", "score": nested_list(310)}]
    good = [result_item(published.snapshot) for _ in range(2)]

    response = post_results(client, token, [good[0], deep_answers, deep_outcome, good[1]])

    assert response.status_code == 200
    receipts = response.json()["receipts"]
    assert [receipt["status"] for receipt in receipts] == ["created", "rejected", "rejected", "created"]
    assert [(r["errors"][0]["field"], r["errors"][0]["code"]) for r in receipts[1:3]] == [
        ("answers", "too_deep"),
        ("outcome.causes", "too_deep"),
    ]
    assert stored_uuids() == {item["uuid"] for item in good}


def test_it_still_reads_a_result_as_deep_as_the_phone_makes_them(client, token, published):
    item = result_item(published.snapshot)
    item["outcome"]["causes"] = [{"key": "posture_load", "score": 5, "because": [{"question": "h_sitting"}]}]

    receipt = post_results(client, token, [item]).json()["receipts"][0]

    assert receipt["status"] == "created"
    assert Result.objects.get(uuid=item["uuid"]).client_outcome["causes"] == item["outcome"]["causes"]


@pytest.mark.parametrize("charset", ["rot13", "base64", "bz2"])
def test_it_refuses_a_body_in_a_charset_that_is_not_a_text_encoding(client, db, charset):
    response = client.generic("POST", "/api/devices/", b"{}", content_type=f"application/json; charset={charset}")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert not Device.objects.exists()


@pytest.mark.parametrize("charset", ["utf-16", "undefined"])
def test_it_refuses_a_body_its_charset_cannot_decode_as_a_parse_error(client, db, charset):
    response = client.generic("POST", "/api/devices/", b"{}", content_type=f"application/json; charset={charset}")

    assert (response.status_code, response.json()["code"]) == (400, "parse_error")
    assert not Device.objects.exists()


# -- body size ----------------------------------------------------------------------


@pytest.mark.parametrize("url", API_ENDPOINTS)
@pytest.mark.parametrize("size", [300 * 1024, 2_621_441, 3 * 1024 * 1024])
def test_it_answers_every_body_over_the_limit_with_the_json_413(client, token, url, size):
    body = json.dumps({"results": [{"padding": "x" * size}]}).encode()

    response = post_raw(client, url, body, token)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "payload_too_large"
    assert response.json()["detail"]
    assert Device.objects.count() == 1
    assert not Result.objects.exists()


def test_it_reads_a_body_just_under_the_limit(client, token, published, settings):
    items = [result_item(published.snapshot) for _ in range(3)]
    body = json.dumps({"results": items})
    settings.API_MAX_BODY_BYTES = len(body.encode())

    response = post_raw(client, "/api/results/", body, token)
    too_large = post_raw(client, "/api/results/", body + " ", token)

    assert response.status_code == 200
    assert (too_large.status_code, too_large.json()["code"]) == (413, "payload_too_large")
    assert stored_uuids() == {item["uuid"] for item in items}


# -- errors outside DRF -------------------------------------------------------------


def test_it_answers_a_server_error_under_the_api_in_json_and_stores_nothing(published, monkeypatch):
    client = Client(raise_request_exception=False)
    _device, token = register(client)

    def broken_scoring(rules, answers):
        raise RuntimeError("a bug in the scorer")

    item = result_item(published.snapshot)
    monkeypatch.setattr("quiz.scoring.Rules.score", broken_scoring)
    response = post_results(client, token, [item])

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "server_error"
    assert response.json()["detail"]
    assert "a bug in the scorer" not in response.content.decode()
    assert not Result.objects.exists()


def test_it_keeps_an_html_error_page_for_a_server_error_on_a_page(published, monkeypatch):
    client = Client(raise_request_exception=False)

    def broken_render(*args, **kwargs):
        raise RuntimeError("a bug in a page")

    monkeypatch.setattr("quiz.views.render", broken_render)
    response = client.get("/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


def test_it_answers_a_request_django_refuses_under_the_api_in_json(client, db):
    response = client.get("/api/content/", headers={"Host": "attacker.example"})
    page = client.get("/", headers={"Host": "attacker.example"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "bad_request"
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")


def test_it_answers_a_permission_error_outside_drf_under_the_api_in_json(db, monkeypatch):
    def refused(self, request, *args, **kwargs):
        raise PermissionDenied

    # Raised before DRF's own error handling starts (request setup), so Django's handler answers.
    monkeypatch.setattr(APIView, "initialize_request", refused)
    response = Client(raise_request_exception=False).get("/api/content/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["detail"]


# -- "Delete my data" racing a sync -------------------------------------------------


def test_a_sync_that_loses_the_race_with_an_erase_answers_401_and_stores_nothing(transactional_db, monkeypatch):
    snapshot = services.content_seed().snapshot
    client = Client(raise_request_exception=False)
    device_id, token = register(client)
    real_payload_hash = services.payload_hash

    def erase_first(data):
        # The phone's "Delete my data" lands after this sync was authenticated, before it writes.
        if Device.objects.filter(public_id=device_id).exists():
            assert client.delete("/api/devices/me/", headers=token_header(token)).status_code == 204
        return real_payload_hash(data)

    monkeypatch.setattr(services, "payload_hash", erase_first)
    response = post_results(client, token, [result_item(snapshot) for _ in range(3)])

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert response["WWW-Authenticate"] == "Token"
    assert not Device.objects.filter(public_id=device_id).exists()
    assert not Result.objects.exists()


def test_an_erase_after_a_sync_takes_the_synced_results_with_it(client, token, published):
    items = [result_item(published.snapshot) for _ in range(2)]
    assert post_results(client, token, items).status_code == 200

    erased = client.delete("/api/devices/me/", headers=token_header(token))
    again = post_results(client, token, items)

    assert erased.status_code == 204
    assert (again.status_code, again.json()["code"]) == (401, "invalid_token")
    assert not Result.objects.exists()


def _send(method: str, url: str, token: str, body: dict | None = None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _erase_is_waiting_for_the_device_lock() -> bool:
    """PostgreSQL: another session waits on a row lock (the erase, held off by the sync)."""
    probe = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with probe.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            return cursor.fetchone()[0] > 0
    finally:
        probe.close()


def test_an_erase_that_arrives_while_a_sync_writes_waits_for_it_then_erases_everything(
    transactional_db, live_server, published, monkeypatch
):
    """Two connections: the sync holds the device's row while it writes; "Delete my data"
    from the same device comes in, waits, then takes the newly stored results with it."""
    _device_id, token = register(Client())
    erase_entered = threading.Event()
    erase_statuses: list[int] = []
    erasers: list[threading.Thread] = []
    real_score, real_erase = services._score, services.device_erase

    def erase_entering(*, device):
        erase_entered.set()
        real_erase(device=device)

    def erase_meanwhile(candidates, versions):
        # Inside the sync's transaction, after it took the device's lock.
        eraser = threading.Thread(
            target=lambda: erase_statuses.append(_send("DELETE", f"{live_server.url}/api/devices/me/", token))
        )
        erasers.append(eraser)
        eraser.start()
        assert erase_entered.wait(timeout=20)
        if connection.vendor == "postgresql":
            deadline = time.monotonic() + 20
            while not _erase_is_waiting_for_the_device_lock():
                assert time.monotonic() < deadline, "the erase never waited for the sync"
        real_score(candidates, versions)

    monkeypatch.setattr(services, "device_erase", erase_entering)
    monkeypatch.setattr(services, "_score", erase_meanwhile)
    items = [result_item(published.snapshot) for _ in range(3)]

    sync_status = _send("POST", f"{live_server.url}/api/results/", token, {"results": items})
    erasers[0].join(timeout=30)

    assert sync_status == 200
    assert erase_statuses == [204]
    assert not Device.objects.exists()
    assert not Result.objects.exists()


# -- values no phone sends ----------------------------------------------------------
# Each is sent beside good results: it gets a receipt of its own, the others are stored.

HUGE = '"__a number JSON reads as infinity__"'


def post_batch_text(client, token: str, batch: list, huge: str = "1e400"):
    """The batch as JSON text, with `huge` written where an item holds HUGE: the json
    module writes no number that reads back as infinity."""
    return post_raw(client, "/api/results/", json.dumps({"results": batch}).replace(HUGE, huge), token)


def receipts_beside_good_ones(client, token, snapshot, bad: dict, *, send=post_results) -> dict:
    """Send `bad` between two good results: the good ones are created and stored, and the
    bad one's receipt is returned."""
    good = [result_item(snapshot), result_item(snapshot)]
    response = send(client, token, [good[0], bad, good[1]])

    assert response.status_code == 200, response.content
    first, receipt, last = response.json()["receipts"]
    assert (first["status"], last["status"]) == ("created", "created")
    assert {item["uuid"] for item in good} <= stored_uuids()
    return receipt


@pytest.mark.parametrize("place", ["causes", "warning_signs", "answers"])
@pytest.mark.parametrize("huge", ["1e400", "-1e400", "1" * 400 + ".5"])
def test_it_rejects_a_result_holding_a_number_too_large_to_store_and_stores_the_others(
    client, token, published, place, huge
):
    bad = result_item(published.snapshot)
    if place == "answers":
        bad["answers"]["h_pain_now"] = json.loads(HUGE)
    else:
        bad["outcome"][place] = [{"key": "posture_load", "score": json.loads(HUGE)}]

    receipt = receipts_beside_good_ones(
        client, token, published.snapshot, bad, send=lambda *args: post_batch_text(*args, huge=huge)
    )

    assert receipt["status"] == "rejected"
    assert receipt["uuid"] == bad["uuid"]
    (error,) = receipt["errors"]
    field = "answers" if place == "answers" else f"outcome.{place}"
    assert (error["field"], error["code"]) == (field, "number_out_of_range")
    assert error["message"]
    assert bad["uuid"] not in stored_uuids()
    assert Result.objects.count() == 2


@pytest.mark.parametrize("version", ["١", "１", "1", " 1", "1_0", 1.0, True])
@pytest.mark.parametrize("where", ["result", "outcome"])
def test_it_rejects_a_content_version_that_is_not_a_json_whole_number(client, token, published, version, where):
    bad = result_item(published.snapshot)
    if where == "result":
        bad["content_version"] = version
    else:
        bad["outcome"]["content_version"] = version

    receipt = receipts_beside_good_ones(client, token, published.snapshot, bad)

    assert receipt["status"] == "rejected"
    field = "content_version" if where == "result" else "outcome.content_version"
    assert [(error["field"], error["code"]) for error in receipt["errors"]] == [(field, "invalid_content_version")]
    assert bad["uuid"] not in stored_uuids()


@pytest.mark.parametrize(
    "completed_at",
    [
        "２０２６-03-01T10:00:00Z",  # full-width digits
        "2026-03-01T10:00:00Z\n",
        "2026-03-01T10:00:00+01:00\n",
        " 2026-03-01T10:00:00Z",
        "2026-03-01 10:00:00Z",
        "2026-03-01T10:00:00 Z",
        "2026-٠3-01T10:00:00Z",  # an Arabic-Indic zero
    ],
)
def test_it_rejects_a_completion_time_not_written_as_the_phone_writes_it(client, token, published, completed_at):
    bad = result_item(published.snapshot, completed_at=completed_at)

    receipt = receipts_beside_good_ones(client, token, published.snapshot, bad)

    assert receipt["status"] == "rejected"
    assert [(error["field"], error["code"]) for error in receipt["errors"]] == [
        ("completed_at", "invalid_completed_at")
    ]
    assert bad["uuid"] not in stored_uuids()


@pytest.mark.parametrize(
    "completed_at",
    [
        "2026-03-01T10:00:00.123Z",
        "2026-03-01T10:00:00Z",
        "2026-03-01T15:30:00.123456+05:30",
        "2026-03-01T10:00:00-04:00",
    ],
)
def test_it_stores_a_completion_time_written_as_the_phone_or_python_writes_it(client, token, published, completed_at):
    item = result_item(published.snapshot, completed_at=completed_at)

    receipt = receipts_beside_good_ones(client, token, published.snapshot, item)

    assert receipt["status"] == "created"
    assert item["uuid"] in stored_uuids()


def test_it_still_tells_a_completion_time_without_its_zone_by_its_own_code(client, token, published):
    bad = result_item(published.snapshot, completed_at="2026-03-01T10:00:00")

    receipt = receipts_beside_good_ones(client, token, published.snapshot, bad)

    assert [error["code"] for error in receipt["errors"]] == ["completed_without_timezone"]


@pytest.mark.parametrize(
    "form",
    [
        lambda value: value.int,
        lambda value: f"{{{value}}}",
        lambda value: f"urn:uuid:{value}",
        lambda value: str(value).upper(),
        lambda value: value.hex,
        lambda value: str(value).replace("1", "１"),
    ],
    ids=["integer", "braces", "urn", "capitals", "no_hyphens", "full_width_digit"],
)
def test_it_rejects_a_uuid_not_in_its_usual_lowercase_hyphenated_form(client, token, published, form):
    value = uuid.UUID("1a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d")
    bad = result_item(published.snapshot, uuid=form(value))

    receipt = receipts_beside_good_ones(client, token, published.snapshot, bad)

    assert receipt["status"] == "rejected"
    assert [(error["field"], error["code"]) for error in receipt["errors"]] == [("uuid", "invalid_uuid")]
    assert str(value) not in stored_uuids()


# -- a crafted cursor ---------------------------------------------------------------


def cursor(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


@pytest.mark.parametrize(
    "given",
    [
        cursor("o=1&p=x"),
        cursor("p=2026-13-45 10:00:00+00:00"),
        cursor("p=2026-03-01 10:00:00"),  # no zone: compared as a guess
        cursor("p=9999-12-31 23:59:59-14:00"),  # past the last day in UTC
        cursor("p=2026-03-01 10:00:00+00:00\x00"),
        cursor("r=1&p=\u0661"),
        "not-a-cursor",
        cursor("o=x"),
    ],
)
def test_it_answers_a_cursor_it_did_not_give_with_a_400_and_its_code(client, token, published, given):
    response = client.get("/api/results/", {"cursor": given}, headers=token_header(token))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "invalid_cursor"
    assert response.json()["errors"][0]["field"] == "cursor"
    assert response.json()["detail"]


def test_it_still_follows_the_cursors_it_gives_both_ways(client, token, published):
    items = [result_item(published.snapshot) for _ in range(5)]
    assert post_results(client, token, items).status_code == 200

    first = client.get("/api/results/?limit=2", headers=token_header(token)).json()
    second = client.get(first["next"], headers=token_header(token)).json()
    back = client.get(second["previous"], headers=token_header(token)).json()

    assert len(first["results"]) == len(second["results"]) == 2
    assert {r["uuid"] for r in first["results"]}.isdisjoint(r["uuid"] for r in second["results"])
    assert back["results"] == first["results"]


# -- a body sent in chunks ----------------------------------------------------------


def send_chunked(base_url: str, path: str, body: bytes, token: str | None = None) -> tuple[int, str, dict]:
    """POST `body` in chunks (Transfer-Encoding: chunked, no Content-Length) over a real
    connection: Django's test client cannot send one."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    if token:
        headers["Authorization"] = f"Token {token}"
    try:
        connection.request("POST", path, body=iter([body[: len(body) // 2], body[len(body) // 2 :]]), headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), json.loads(response.read())
    finally:
        connection.close()


def test_it_refuses_a_sync_sent_in_chunks_with_a_json_411_and_stores_nothing(transactional_db, live_server):
    snapshot = services.content_seed().snapshot
    _device_id, token = register(Client())
    body = json.dumps({"results": [result_item(snapshot)]}).encode()

    status, content_type, reply = send_chunked(live_server.url, "/api/results/", body, token)

    assert (status, content_type, reply["code"]) == (411, "application/json", "length_required")
    assert reply["detail"]
    assert not Result.objects.exists()


def test_it_refuses_a_registration_sent_in_chunks_with_a_json_411_and_registers_nothing(transactional_db, live_server):
    status, content_type, reply = send_chunked(live_server.url, "/api/devices/", b"{}")

    assert (status, content_type, reply["code"]) == (411, "application/json", "length_required")
    assert not Device.objects.exists()


# -- a sync naming results another device erases meanwhile ---------------------------


def erase_over_http(base_url: str, token: str) -> None:
    """ "Delete my data" from another connection, committed before this returns."""
    statuses: list[int] = []
    eraser = threading.Thread(target=lambda: statuses.append(_send("DELETE", f"{base_url}/api/devices/me/", token)))
    eraser.start()
    eraser.join(timeout=30)
    assert statuses == [204]


def test_a_sync_colliding_with_results_another_device_erases_meanwhile_stores_them(
    transactional_db, live_server, monkeypatch
):
    """Device A sends the UUIDs of device B's stored results: the insert skips them, then
    B's erase commits before A reads back who owns them (PostgreSQL reads each statement
    afresh). They were found nowhere: a 500. The UUIDs are free again, so A's results
    are stored now."""
    snapshot = services.content_seed().snapshot
    client = Client(raise_request_exception=False)
    _a_id, a_token = register(client)
    b_id, b_token = register(client)
    items = [result_item(snapshot) for _ in range(3)]
    assert [r["status"] for r in post_results(client, b_token, items).json()["receipts"]] == ["created"] * 3
    real_insert = services.insert_results_skipping_known
    erased: list[str] = []

    def insert_then_erase_b(rows):
        inserted = real_insert(rows)
        if not erased:
            erased.append(b_id)
            if connection.vendor == "postgresql":
                erase_over_http(live_server.url, b_token)
            else:  # SQLite lets no other writer in while this sync writes: B is erased in its transaction
                services.device_erase(device=Device.objects.get(public_id=b_id))
        return inserted

    monkeypatch.setattr(services, "insert_results_skipping_known", insert_then_erase_b)
    response = post_results(client, a_token, items)

    assert response.status_code == 200, response.content
    assert [r["status"] for r in response.json()["receipts"]] == ["created"] * 3
    assert erased == [b_id]
    assert not Device.objects.filter(public_id=b_id).exists()
    stored = Result.objects.filter(uuid__in=[item["uuid"] for item in items])
    assert {str(result.device.public_id) for result in stored} == {_a_id}
    assert stored.count() == 3


def test_a_result_that_collides_twice_with_rows_erased_meanwhile_is_sent_again_later(transactional_db, monkeypatch):
    """Inserted again, it collides once more with a row that then vanishes too (a third
    device, erased as well): not stored yet, `retry_later`; the phone sends it again."""
    snapshot = services.content_seed().snapshot
    client = Client(raise_request_exception=False)
    _a_id, a_token = register(client)
    item, other = result_item(snapshot), result_item(snapshot)
    real_insert = services.insert_results_skipping_known
    collisions: list[int] = []  # how many rows A inserted each time it collided
    others_syncing = threading.Event()

    def someone_else_stores_and_erases_it(rows):
        # Each time A inserts, another device has just stored the same UUID, and erases
        # it before A reads back; in A's own transaction, so SQLite allows it too.
        if others_syncing.is_set() or item["uuid"] not in {str(row["uuid"]) for row in rows}:
            return real_insert(rows)
        others_syncing.set()
        _other_id, other_token = register(client)
        assert post_results(client, other_token, [item]).json()["receipts"][0]["status"] == "created"
        others_syncing.clear()
        inserted = real_insert(rows)
        collisions.append(len(rows))
        assert client.delete("/api/devices/me/", headers=token_header(other_token)).status_code == 204
        return inserted

    monkeypatch.setattr(services, "insert_results_skipping_known", someone_else_stores_and_erases_it)
    response = post_results(client, a_token, [item, other])

    receipt, other_receipt = response.json()["receipts"]
    assert (receipt["status"], receipt["retry_after"]) == ("retry_later", services.RETRY_LATER_SECONDS)
    assert [(error["field"], error["code"]) for error in receipt["errors"]] == [("uuid", "stored_meanwhile")]
    assert other_receipt["status"] == "created"
    assert collisions == [2, 1]  # the batch, then the one result again
    assert stored_uuids() == {other["uuid"]}
