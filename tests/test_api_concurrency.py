"""The same results posted by many requests at once are stored once (a real server, threads).

The unique constraint on Result.uuid does the real work; run this against PostgreSQL
too (DATABASE_URL=postgres://...), where the requests truly overlap.
"""

import json
import threading
import urllib.request

from sync_helpers import result_item

from quiz.models import Result

THREADS = 8


def _post(url: str, body: dict, token: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def test_it_stores_a_batch_sent_by_many_requests_at_once_exactly_once(transactional_db, live_server, published):
    _status, device = _post(f"{live_server.url}/api/devices/", {})
    items = [result_item(published.snapshot) for _ in range(5)]
    start = threading.Barrier(THREADS)
    replies: list[tuple[int, dict]] = []
    failures: list[BaseException] = []

    def send() -> None:
        start.wait()
        try:
            replies.append(_post(f"{live_server.url}/api/results/", {"results": items}, device["token"]))
        except BaseException as error:  # reported below: a thread's exception would vanish
            failures.append(error)

    threads = [threading.Thread(target=send) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert [status for status, _body in replies] == [200] * THREADS
    for item in items:
        statuses = sorted(
            receipt["status"] for _s, body in replies for receipt in body["receipts"] if receipt["uuid"] == item["uuid"]
        )
        assert statuses == ["created"] + ["duplicate"] * (THREADS - 1)
    assert Result.objects.count() == len(items)
