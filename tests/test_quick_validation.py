"""The quick check of a synced result (`ingest_fastpath.plainly_valid`) against the DRF
serializer it stands in for: whatever the quick check accepts, the serializer accepts
too and returns the same clean data; everything else goes to the serializer, so every
error code and message is the serializer's."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis_budget import examples
from rest_framework import serializers as drf
from sync_helpers import result_item

from quiz.contracts import MAX_FIELD_DEPTH
from quiz.ingest_fastpath import plainly_valid, storable
from quiz.json_values import json_problem
from quiz.serializers import ResultItemSerializer, validate_results

JSON_SCALARS = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text()
JSON_SCALARS = JSON_SCALARS | st.sampled_from(["\x00", "a\x00", "\ud800", "\udfff x", "é", "中文"])
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)
# Values close to the valid ones, where a hand-written check would most likely drift
# from DRF's: numbers as text or floats, booleans, times without an offset or off range.
NEAR_MISSES = st.sampled_from(
    [
        None,
        "",
        True,
        1.0,
        "1",
        0,
        2**31,
        "en",
        "zh-hans",
        "fr",
        "emergency",
        "self_care",
        [],
        {},
        ["x"],
        [{}],
        [1],
        "2026-03-01T10:00:00",
        "2026-03-01T10:00:00+01:00",
        "2025-12-31T23:59:59Z",
        "12345678-1234-5678-1234-567812345678",
        "{12345678-1234-5678-1234-567812345678}",
        "urn:uuid:12345678-1234-5678-1234-567812345678",
        "1A2B3C4D-5E6F-4A1B-9C2D-3E4F5A6B7C8D",
        "1a2b3c4d5e6f4a1b9c2d3e4f5a6b7c8d",
        2**100,
        "١",
        "１",
        float("inf"),
        [{"key": "posture_load", "score": float("-inf")}],
        "2026-03-01T10:00:00Z\n",
        "２０２６-03-01T10:00:00Z",
        "\x00",
        "\ud800",
    ]
)
ITEM_KEYS = ["uuid", "content_version", "answers", "outcome", "completed_at", "language", "extra"]
OUTCOME_KEYS = ["content_version", "urgency", "warning_signs", "causes", "tips", "extra"]


def serializer_verdict(item):
    try:
        return "valid", ResultItemSerializer().run_validation(item)
    except drf.ValidationError as error:
        return "invalid", error.detail


@pytest.fixture
def snapshot(published):
    return published.snapshot


def items(draw, snapshot):
    """A valid result with a few of its fields (or its outcome's) removed or replaced."""
    item = result_item(snapshot, completed_at=(datetime.now(UTC) - timedelta(minutes=1)).isoformat())
    if draw(st.booleans()):
        item["language"] = draw(st.sampled_from(["en", "zh-hans"]))
    if draw(st.booleans()):  # the version both name, odd in the same way
        version = draw(NEAR_MISSES)
        item["content_version"] = item["outcome"]["content_version"] = version
    for _ in range(draw(st.integers(0, 3))):
        outcome = item.get("outcome")
        in_outcome = isinstance(outcome, dict) and draw(st.booleans())
        target = outcome if in_outcome else item
        key = draw(st.sampled_from(OUTCOME_KEYS if in_outcome else ITEM_KEYS))
        change = draw(st.sampled_from(["remove", "near", "any"]))
        if change == "remove":
            target.pop(key, None)
        else:
            target[key] = draw(NEAR_MISSES if change == "near" else JSON_VALUES)
    return item


@hypothesis_settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_what_the_quick_check_accepts_the_serializer_accepts_with_the_same_data(snapshot, data):
    item = items(data.draw, snapshot)
    quick = plainly_valid(item)
    if quick is not None:
        assert serializer_verdict(item) == ("valid", quick)


@pytest.mark.parametrize("language", [None, "en", "zh-hans"])
def test_the_quick_check_accepts_what_a_phone_sends(snapshot, language):
    item = result_item(snapshot)
    if language:
        item["language"] = language
    quick = plainly_valid(item)
    assert quick is not None
    assert serializer_verdict(item) == ("valid", quick)
    assert list(quick) == ["uuid", "content_version", "answers", "outcome", "completed_at", "language"]


def test_a_batch_checks_the_same_with_and_without_the_quick_check(snapshot, monkeypatch):
    batch = [result_item(snapshot) for _ in range(3)]
    batch[1]["outcome"]["urgency"] = "whenever"
    batch.append({**result_item(snapshot), "completed_at": "2026-03-01T10:00:00"})
    quick = validate_results(batch)
    monkeypatch.setattr("quiz.serializers.plainly_valid", lambda item: None)
    assert validate_results(batch) == quick
    assert [type(checked).__name__ for checked in quick] == ["dict", "InvalidResult", "dict", "InvalidResult"]


@hypothesis_settings(max_examples=examples(500), deadline=None)
@given(value=st.dictionaries(st.text(max_size=3) | st.just("\x00"), JSON_VALUES) | st.lists(JSON_VALUES))
def test_the_quick_storability_check_agrees_with_the_full_walk(value):
    assert storable(value) == (json_problem(value, MAX_FIELD_DEPTH) is None)
