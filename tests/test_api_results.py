"""POST/GET /api/results/: sync with one receipt per result, idempotent by UUID."""

import copy
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from sync_helpers import CALM_ANSWERS, post_results, register, result_item, token_header

from quiz.api import ResultsPage
from quiz.contracts import MAX_BATCH
from quiz.models import Result, Tip
from quiz.serializers import RESULTS_PAGE_SIZE


@pytest.fixture
def token(client, published):
    return register(client)[1]


def only_receipt(response) -> dict:
    assert response.status_code == 200, response.content
    (receipt,) = response.json()["receipts"]
    return receipt


def rejection(client, token, item) -> dict:
    receipt = only_receipt(post_results(client, token, [item]))
    assert receipt["status"] == "rejected"
    assert not Result.objects.exists()
    return receipt["errors"][0]


# -- receipts -----------------------------------------------------------------------


def test_it_stores_a_new_result_with_the_servers_own_scoring(client, token, published):
    item = result_item(published.snapshot)

    receipt = only_receipt(post_results(client, token, [item]))

    assert receipt["status"] == "created"
    assert receipt["uuid"] == item["uuid"]
    assert receipt["server_outcome"] == item["outcome"]
    assert receipt["verdict_mismatch"] is False
    row = Result.objects.get()
    assert str(row.uuid) == item["uuid"]
    assert row.content_version == published
    assert row.answers == item["answers"]
    assert row.server_outcome == item["outcome"]
    assert row.urgency == "self_care"
    assert [cause["key"] for cause in row.server_outcome["causes"]] == ["posture_load", "heavy_carrying"]


def test_it_stores_every_column_of_a_result_as_sent_and_as_scored(client, token, published):
    """Each value reaches its column with its own type: a time with its offset and
    microseconds, the language, the phone's outcome (texts in any script) and the server's."""
    answers = {**CALM_ANSWERS, "h_pain_now": 7}
    scored = result_item(published.snapshot, answers)["outcome"]
    # The phone's own outcome is stored as sent, whatever script its texts are in.
    phone_outcome = {**scored, "urgency": "soon", "tips": [*scored["tips"], "键 \U0001f642 \u00e9"]}
    item = result_item(
        published.snapshot,
        answers,
        outcome=phone_outcome,
        completed_at="2026-03-01T15:30:00.123456+05:30",
        language="zh-hans",
    )
    before = datetime.now(UTC)

    receipt = only_receipt(post_results(client, token, [item]))

    row = Result.objects.get()
    assert receipt["status"] == "created"
    assert str(row.uuid) == item["uuid"]
    assert row.device.public_id == uuid.UUID(token.split(".")[0])
    assert row.completed_at == datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=UTC)
    assert row.language == "zh-hans"
    assert row.answers == answers
    assert row.client_outcome == phone_outcome
    assert row.client_urgency == "soon"
    assert row.server_outcome == receipt["server_outcome"] == scored
    assert row.urgency == row.server_outcome["urgency"]
    assert row.cause_keys == Result.encode_cause_keys(row.server_outcome)
    assert row.verdict_mismatch is True
    assert len(row.payload_hash) == 64
    assert isinstance(row.batch_id, uuid.UUID)
    assert before <= row.received_at <= datetime.now(UTC)


def test_it_stores_a_resent_result_once_and_says_duplicate(client, token, published):
    item = result_item(published.snapshot)
    post_results(client, token, [item])

    receipt = only_receipt(post_results(client, token, [item]))

    assert receipt["status"] == "duplicate"
    assert receipt["server_outcome"] == item["outcome"]
    assert Result.objects.count() == 1


def test_it_treats_the_same_instant_in_another_notation_as_the_same_result(client, token, published):
    item = result_item(published.snapshot, completed_at="2026-03-01T10:00:00Z")
    post_results(client, token, [item])

    receipt = only_receipt(post_results(client, token, [{**item, "completed_at": "2026-03-01T11:00:00+01:00"}]))

    assert receipt["status"] == "duplicate"
    assert Result.objects.get().completed_at == datetime(2026, 3, 1, 10, tzinfo=UTC)


def test_it_refuses_a_known_uuid_with_different_content_as_a_conflict(client, token, published):
    item = result_item(published.snapshot)
    post_results(client, token, [item])
    changed = {**item, "answers": {**item["answers"], "h_pain_now": 9}}

    receipt = only_receipt(post_results(client, token, [changed]))

    assert receipt["status"] == "conflict"
    assert receipt["message"]
    assert Result.objects.get().answers["h_pain_now"] == 4


def test_it_refuses_another_devices_uuid_as_a_conflict(client, token, published):
    item = result_item(published.snapshot)
    post_results(client, token, [item])
    _other_id, other_token = register(client)

    receipt = only_receipt(post_results(client, other_token, [item]))

    assert receipt["status"] == "conflict"
    assert Result.objects.count() == 1


def test_it_stores_a_result_repeated_within_one_batch_once(client, token, published):
    item = result_item(published.snapshot)
    changed = {**item, "answers": {**item["answers"], "h_pain_now": 9}}

    receipts = post_results(client, token, [item, item, changed]).json()["receipts"]

    assert [r["status"] for r in receipts] == ["created", "duplicate", "conflict"]
    assert Result.objects.count() == 1


def test_it_stores_the_good_results_of_a_batch_with_a_bad_one(client, token, published):
    good = [result_item(published.snapshot) for _ in range(3)]
    bad = result_item(published.snapshot, content_version=0)

    receipts = post_results(client, token, [good[0], bad, good[1], good[2]]).json()["receipts"]

    assert [r["status"] for r in receipts] == ["created", "rejected", "created", "created"]
    assert [r["uuid"] for r in receipts] == [good[0]["uuid"], bad["uuid"], good[1]["uuid"], good[2]["uuid"]]
    assert set(Result.objects.values_list("uuid", flat=True).all()) == {
        Result._meta.get_field("uuid").to_python(item["uuid"]) for item in good
    }


def test_it_flags_a_phone_verdict_that_differs_from_the_servers(client, token, published):
    answers = {**CALM_ANSWERS, "w_urgent": ["fever"]}
    item = result_item(published.snapshot, answers)
    item["outcome"] = {**item["outcome"], "urgency": "self_care", "warning_signs": []}

    receipt = only_receipt(post_results(client, token, [item]))

    assert receipt["status"] == "created"
    assert receipt["verdict_mismatch"] is True
    assert receipt["server_outcome"]["urgency"] == "urgent"
    row = Result.objects.get()
    assert (row.urgency, row.client_urgency, row.verdict_mismatch) == ("urgent", "self_care", True)


def test_it_scores_against_the_version_the_result_names(client, token, published, admin_client):
    Tip.objects.filter(key="walk_daily").update(title="Walk a little every day")
    admin_client.post("/admin/quiz/contentversion/publish/")
    item = result_item(published.snapshot)

    receipt = only_receipt(post_results(client, token, [item]))

    assert receipt["status"] == "created"
    assert Result.objects.get().content_version.number == 1


def test_it_accepts_a_completion_time_a_little_ahead_for_clock_skew(client, token, published):
    soon = datetime.now(UTC) + timedelta(minutes=4)
    item = result_item(published.snapshot, completed_at=soon.isoformat())

    receipt = only_receipt(post_results(client, token, [item]))

    assert receipt["status"] == "created"
    assert Result.objects.get(uuid=receipt["uuid"]).completed_at == soon


# -- rejections, one per code -------------------------------------------------------


def test_it_rejects_a_result_with_a_malformed_uuid(client, token, published):
    error = rejection(client, token, result_item(published.snapshot, uuid="not-a-uuid"))

    assert (error["field"], error["code"]) == ("uuid", "invalid_uuid")


def test_it_asks_to_send_again_later_a_result_naming_a_version_not_published_yet(
    client, token, published, admin_client
):
    item = result_item(published.snapshot, content_version=2)
    item["outcome"]["content_version"] = 2

    receipt = only_receipt(post_results(client, token, [item]))

    assert (receipt["status"], receipt["retry_after"]) == ("retry_later", 300)
    error = receipt["errors"][0]
    assert (error["field"], error["code"]) == ("content_version", "unknown_content_version")
    assert "2" in error["message"]
    assert not Result.objects.exists()
    Tip.objects.filter(key="walk_daily").update(title="Walk a little every day")
    admin_client.post("/admin/quiz/contentversion/publish/")
    assert only_receipt(post_results(client, token, [item]))["status"] == "created"
    assert Result.objects.get().content_version.number == 2


def test_it_rejects_for_good_a_content_version_that_can_never_be_published(client, token, published):
    item = result_item(published.snapshot, content_version=0)
    item["outcome"]["content_version"] = 0

    error = rejection(client, token, item)

    assert (error["field"], error["code"]) == ("content_version", "unknown_content_version")


def test_it_rejects_answers_the_scorer_cannot_score_with_its_code_and_key(client, token, published):
    answers = {**CALM_ANSWERS}
    item = result_item(published.snapshot, answers)
    item["answers"]["h_sitting"] = "all_day"

    error = rejection(client, token, item)

    assert error["code"] == "invalid_answers"
    assert (error["answer_code"], error["answer_key"]) == ("unknown_choice", "h_sitting.all_day")
    assert error["field"] == "answers.h_sitting.all_day"


def test_it_rejects_answers_that_are_not_an_object(client, token, published):
    item = result_item(published.snapshot)
    item["answers"] = ["w_saddle", "no"]

    error = rejection(client, token, item)

    assert (error["field"], error["code"]) == ("answers", "invalid_answers")


def test_it_rejects_text_the_database_cannot_store_and_keeps_the_rest_of_the_batch(client, token, published):
    nul_in_outcome = result_item(published.snapshot)
    nul_in_outcome["outcome"]["warning_signs"] = [{"question": "w_saddle\u0000"}]
    nul_in_tip = result_item(published.snapshot)
    nul_in_tip["outcome"]["tips"] = [*nul_in_tip["outcome"]["tips"], "walk\u0000"]
    lone_surrogate_in_answers = result_item(published.snapshot)
    lone_surrogate_in_answers["answers"]["\ud800"] = "no"
    fine = result_item(published.snapshot)

    receipts = post_results(client, token, [nul_in_outcome, nul_in_tip, lone_surrogate_in_answers, fine]).json()[
        "receipts"
    ]

    assert [receipt["status"] for receipt in receipts] == ["rejected", "rejected", "rejected", "created"]
    assert [(receipt["errors"][0]["field"], receipt["errors"][0]["code"]) for receipt in receipts[:3]] == [
        ("outcome.warning_signs", "invalid_outcome"),
        ("outcome.tips", "invalid_outcome"),
        ("answers", "invalid_answers"),
    ]
    assert "NUL character" in receipts[0]["errors"][0]["message"]
    assert list(Result.objects.values_list("uuid", flat=True)) == [uuid.UUID(fine["uuid"])]


def test_it_rejects_outcome_lists_holding_the_wrong_json_type(client, token, published):
    item = result_item(published.snapshot)
    item["outcome"]["tips"] = ["walk_daily", 7]

    error = rejection(client, token, item)

    assert (error["field"], error["code"]) == ("outcome.tips.1", "invalid_outcome")
    assert error["message"] == "Not a valid string."


def test_it_asks_to_send_again_later_a_result_from_a_phone_whose_clock_is_ahead(client, token, published, monkeypatch):
    ten_minutes_ahead = datetime.now(UTC) + timedelta(minutes=10)
    item = result_item(published.snapshot, completed_at=ten_minutes_ahead.isoformat())

    receipt = only_receipt(post_results(client, token, [item]))

    assert (receipt["uuid"], receipt["status"], receipt["retry_after"]) == (item["uuid"], "retry_later", 300)
    assert (receipt["errors"][0]["field"], receipt["errors"][0]["code"]) == ("completed_at", "completed_in_future")
    assert not Result.objects.exists()
    # Six minutes on, the server's clock is within the five minutes' tolerance of the phone's.
    six_minutes_on = datetime.now(UTC) + timedelta(minutes=6)
    monkeypatch.setattr("django.utils.timezone.now", lambda: six_minutes_on)
    assert only_receipt(post_results(client, token, [item]))["status"] == "created"
    assert Result.objects.get().completed_at == ten_minutes_ahead


def test_it_rejects_for_good_a_result_in_the_future_that_is_wrong_in_another_way_too(client, token, published):
    later = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    item = result_item(published.snapshot, completed_at=later, uuid="not-a-uuid")

    receipt = only_receipt(post_results(client, token, [item]))

    assert receipt["status"] == "rejected"
    assert {error["code"] for error in receipt["errors"]} == {"invalid_uuid", "completed_in_future"}


@pytest.mark.parametrize("completed_at", ["0001-01-01T00:00:00Z", "1900-01-01T00:00:00+00:00", "1970-01-01T00:00:00Z"])
def test_it_rejects_a_result_dated_before_backcare_existed(client, token, published, completed_at):
    error = rejection(client, token, result_item(published.snapshot, completed_at=completed_at))

    assert (error["field"], error["code"]) == ("completed_at", "completed_too_early")
    assert "clock" in error["message"]


@pytest.mark.parametrize("completed_at", ["2026-11-29T10:00:00", "2026-11-29T10:00", "2026-11-29"])
def test_it_rejects_a_completion_time_without_a_time_zone(client, token, published, completed_at):
    error = rejection(client, token, result_item(published.snapshot, completed_at=completed_at))

    assert (error["field"], error["code"]) == ("completed_at", "completed_without_timezone")
    assert "time zone" in error["message"]


def test_it_rejects_a_completion_time_that_is_not_a_date(client, token, published):
    error = rejection(client, token, result_item(published.snapshot, completed_at="yesterday"))

    assert (error["field"], error["code"]) == ("completed_at", "invalid_completed_at")


def test_it_rejects_a_result_with_a_missing_field(client, token, published):
    item = result_item(published.snapshot)
    del item["completed_at"]

    error = rejection(client, token, item)

    assert (error["field"], error["code"]) == ("completed_at", "missing_field")


def test_it_rejects_a_result_with_an_unexpected_field(client, token, published):
    error = rejection(client, token, result_item(published.snapshot, name="Alice"))

    assert (error["field"], error["code"]) == ("name", "unexpected_field")


def test_it_rejects_an_outcome_without_a_valid_urgency(client, token, published):
    item = result_item(published.snapshot)
    item["outcome"]["urgency"] = "low_risk"

    error = rejection(client, token, item)

    assert (error["field"], error["code"]) == ("outcome.urgency", "invalid_outcome")


def test_it_rejects_an_outcome_naming_another_content_version(client, token, published):
    item = result_item(published.snapshot)
    item["outcome"]["content_version"] = 7

    error = rejection(client, token, item)

    assert (error["field"], error["code"]) == ("outcome", "invalid_outcome")


def test_it_rejects_an_item_that_is_not_an_object(client, token, published):
    response = post_results(client, token, ["just a string"])

    receipt = only_receipt(response)
    assert receipt["uuid"] is None
    assert receipt["errors"][0]["code"] == "not_an_object"


def test_it_gives_every_rejection_a_message_for_people(client, token, published):
    items = [result_item(published.snapshot, uuid="x"), result_item(published.snapshot, content_version=42)]

    receipts = post_results(client, token, items).json()["receipts"]

    assert all(error["message"] for receipt in receipts for error in receipt["errors"])


# -- the batch as a whole -----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ([], "invalid_batch"),
        ({"results": []}, "invalid_batch"),
        ({"results": {}}, "invalid_batch"),
        ({"results": [], "extra": 1}, "invalid_batch"),
    ],
)
def test_it_refuses_a_malformed_batch(client, token, body, code):
    response = client.post("/api/results/", body, content_type="application/json", headers=token_header(token))

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("en", 'Send {"results": [...]} with 1 to 100 results.'),
        ("zh-hans", '请发送 {"results": [...]}，包含 1 到 100 条结果。'),
    ],
)
def test_it_says_how_many_results_a_batch_holds_in_the_requests_language(client, token, language, detail):
    response = client.post(
        "/api/results/",
        {"results": []},
        content_type="application/json",
        headers={**token_header(token), "Accept-Language": language},
    )

    assert response.json() == {"code": "invalid_batch", "detail": detail}


def test_the_phone_sends_batches_no_larger_than_the_server_takes():
    rules = (Path(settings.BASE_DIR) / "static" / "js" / "sync-rules.js").read_text(encoding="utf-8")

    assert re.search(r"^export const BATCH_SIZE = (\d+);$", rules, re.M).group(1) == str(MAX_BATCH)


def test_it_refuses_more_than_100_results_at_once(client, token, published):
    items = [result_item(published.snapshot) for _ in range(101)]

    response = post_results(client, token, items)

    assert response.status_code == 400
    assert response.json()["code"] == "batch_too_large"
    assert not Result.objects.exists()


def test_it_refuses_a_body_that_is_not_json(client, token):
    response = client.post("/api/results/", "{not json", content_type="application/json", headers=token_header(token))

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_it_refuses_a_body_over_the_size_limit_with_413(client, token, published, settings):
    settings.API_MAX_BODY_BYTES = 4096
    items = [result_item(published.snapshot) for _ in range(8)]
    assert len(json.dumps({"results": items})) > 4096

    response = post_results(client, token, items)

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert not Result.objects.exists()


def test_it_throttles_a_device_that_syncs_too_often_with_retry_after(client, token, published, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"devices": "100/hour", "results": "2/minute"},
    }
    _other_id, other_token = register(client)
    for _ in range(2):
        assert post_results(client, token, [result_item(published.snapshot)]).status_code == 200

    response = post_results(client, token, [result_item(published.snapshot)])

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60
    assert Result.objects.count() == 2
    assert post_results(client, other_token, [result_item(published.snapshot)]).status_code == 200


# -- reading back -------------------------------------------------------------------


def test_it_lists_only_the_calling_devices_results(client, token, published):
    mine = result_item(published.snapshot)
    post_results(client, token, [mine])
    _other_id, other_token = register(client)
    theirs = result_item(published.snapshot)
    post_results(client, other_token, [theirs])

    response = client.get("/api/results/", headers=token_header(token))

    assert response.status_code == 200
    (listed,) = response.json()["results"]
    assert listed["uuid"] == mine["uuid"]
    assert listed["content_version"] == 1
    assert listed["answers"] == mine["answers"]
    assert listed["outcome"] == mine["outcome"]


def test_it_lists_a_long_history_in_pages_that_together_hold_every_result_once_newest_first(client, token, published):
    started = datetime(2026, 3, 1, tzinfo=UTC)
    items = [
        result_item(published.snapshot, completed_at=(started + timedelta(minutes=index)).isoformat())
        for index in range(120)
    ]
    for start in range(0, 120, 100):
        post_results(client, token, items[start : start + 100])

    first = client.get("/api/results/", headers=token_header(token)).json()
    pages, url = [first], first["next"]
    while url:
        page = client.get(url, headers=token_header(token)).json()
        pages.append(page)
        url = page["next"]

    assert [len(page["results"]) for page in pages] == [50, 50, 20]
    assert first["previous"] is None and pages[1]["previous"]
    listed = [result["uuid"] for page in pages for result in page["results"]]
    assert listed == [item["uuid"] for item in reversed(items)]


def test_it_gives_up_to_a_hundred_a_page_when_asked_and_refuses_more(client, token, published):
    post_results(client, token, [result_item(published.snapshot) for _ in range(100)])
    post_results(client, token, [result_item(published.snapshot) for _ in range(20)])

    asked_100 = client.get("/api/results/?limit=100", headers=token_header(token))
    asked_5 = client.get("/api/results/?limit=5", headers=token_header(token))

    assert len(asked_100.json()["results"]) == 100 and asked_100.json()["next"]
    assert len(asked_5.json()["results"]) == 5
    for limit in ("101", "0", "-1", "ten", "5.0", "٥"):
        refused = client.get("/api/results/", {"limit": limit}, headers=token_header(token))
        assert refused.status_code == 400, limit
        assert refused.json()["code"] == "invalid_limit"


def test_it_refuses_a_query_parameter_it_does_not_take(client, token, published):
    response = client.get("/api/results/?page=2", headers=token_header(token))

    assert response.status_code == 400
    assert response.json()["code"] == "unexpected_field"
    assert response.json()["errors"][0]["field"] == "page"


# -- cost ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 100])
def test_it_costs_the_same_few_queries_for_a_batch_of_any_size(
    client, token, published, size, django_assert_max_num_queries
):
    items = [result_item(published.snapshot) for _ in range(size)]
    resent = copy.deepcopy(items[: size // 2 + 1])

    # Auth, last-seen, versions, known UUIDs, insert, read-back, savepoint pair; SQLite
    # splits a 100-row insert in two (999 parameters a statement), PostgreSQL does not.
    with django_assert_max_num_queries(9):
        response = post_results(client, token, items)
    with django_assert_max_num_queries(9):
        again = post_results(client, token, [*resent, result_item(published.snapshot)])

    assert {r["status"] for r in response.json()["receipts"]} == {"created"}
    assert [r["status"] for r in again.json()["receipts"]][-2:] == ["duplicate", "created"]
    assert Result.objects.count() == size + 1


def test_it_lists_results_in_a_constant_number_of_queries(client, token, published, django_assert_max_num_queries):
    post_results(client, token, [result_item(published.snapshot) for _ in range(20)])

    with django_assert_max_num_queries(3):
        response = client.get("/api/results/", headers=token_header(token))

    assert len(response.json()["results"]) == 20


def test_the_history_read_leaves_each_versions_content_in_the_database(client, token, published):
    # Each row names its version by number only: fetching and decoding the whole content
    # snapshot once per row was most of a page's cost (docs/BENCHMARKS.md, issue 17).
    post_results(client, token, [result_item(published.snapshot) for _ in range(3)])

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/results/", headers=token_header(token))

    assert [row["content_version"] for row in response.json()["results"]] == [published.number] * 3
    result_query = next(q["sql"] for q in queries.captured_queries if '"quiz_result"' in q["sql"])
    assert "snapshot" not in result_query


def test_a_phones_history_page_is_read_in_order_from_its_own_index_without_a_sort(client, token, published):
    # Without it PostgreSQL could walk every phone's results by time to find one phone's
    # newest fifty, and at times did under load (bench/NOTES.md, issue 28). With three
    # rows the planner would rather scan or sort them all: those choices are taken away,
    # leaving the plans that read the page in order, as it picks at a million rows.
    post_results(client, token, [result_item(published.snapshot) for _ in range(3)])
    device = Result.objects.first().device
    page = Result.objects.for_device(device).order_by(*ResultsPage.ordering)[: RESULTS_PAGE_SIZE + 1]

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for plan_kind in ("seqscan", "bitmapscan", "sort"):
                cursor.execute(f"SET LOCAL enable_{plan_kind} = off")
    plan = page.explain()

    assert "quiz_result_device_idx" in plan
    assert "Sort" not in plan  # PostgreSQL
    assert "TEMP B-TREE" not in plan  # SQLite
