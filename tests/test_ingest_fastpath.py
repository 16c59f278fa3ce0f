"""Each shortcut of the sync's fast path (quiz/ingest_fastpath.py) against its plain
equivalent, on the same input: the ORM for the device, the lock and the insert, Django's
cache API for the throttle's count, DRF's serializer for the quick check (also held
equal on Hypothesis-made near misses in tests/test_quick_validation.py). Runs on SQLite
and, with DATABASE_URL, on PostgreSQL, where the insert takes its other dialect."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis
from django.core.cache import caches
from django.db import connection, transaction
from django.test import override_settings
from gunicorn_helpers import REDIS_TEST_URL
from sync_helpers import result_item

from quiz import ingest_fastpath, services
from quiz.contracts import InvalidResult
from quiz.ingest_fastpath import PublishedVersion
from quiz.models import ContentVersion, Device, Result
from quiz.serializers import ResultItemSerializer, validate_results

# Columns that differ between two runs of the same input by nature: the row's id, when
# it arrived, and the id of the request that stored it.
PER_RUN_COLUMNS = {"id", "received_at", "batch_id"}


# -- the plain equivalents ---------------------------------------------------------------


def device_with_orm(public_id: uuid.UUID) -> Device | None:
    return Device.objects.filter(public_id=public_id).first()


def lock_with_orm(device_id: int, numbers) -> dict[int, PublishedVersion] | None:
    if not list(Device.objects.select_for_update(of=("self",)).filter(pk=device_id).values_list("pk", flat=True)):
        return None
    versions = ContentVersion.objects.filter(number__in=numbers).values_list("pk", "number", "content_hash")
    return {number: PublishedVersion(pk, number, digest) for pk, number, digest in versions}


def insert_with_orm(rows: list[dict]) -> None:
    Result.objects.bulk_create([Result(**row) for row in rows], ignore_conflicts=True)
    return None  # bulk_create cannot tell which it skipped: the caller reads them back


def count_with_cache_api(store, key: str, window_seconds: int) -> int:
    try:
        return store.incr(key)
    except ValueError:  # no window open: this request opens one
        store.add(key, 1, window_seconds)
        return 1


# -- helpers -----------------------------------------------------------------------------


def stored_rows() -> dict[str, dict]:
    """Every stored result's columns by UUID, less those that differ from run to run."""
    fields = [field.attname for field in Result._meta.concrete_fields if field.attname not in PER_RUN_COLUMNS]
    return {str(row["uuid"]): row for row in Result.objects.values(*fields)}


def device_columns(device: Device | None) -> dict | None:
    if device is None:
        return None
    return {field.attname: getattr(device, field.attname) for field in Device._meta.concrete_fields}


@pytest.fixture
def device(db):
    return services.device_register().device


# -- the device a token names ------------------------------------------------------------


def test_the_device_lookup_reads_every_column_as_the_orm_does(device):
    Device.objects.filter(pk=device.pk).update(last_seen_at=datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=UTC))

    found = ingest_fastpath.device_by_public_id(device.public_id)

    assert device_columns(found) == device_columns(device_with_orm(device.public_id))
    assert found is not None and found.last_seen_at == datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=UTC)
    assert found._state.adding is False  # a row read from the database, as the ORM's is


def test_the_device_lookup_finds_no_device_where_the_orm_finds_none(device):
    unknown = uuid.uuid4()

    assert ingest_fastpath.device_by_public_id(unknown) is None
    assert device_with_orm(unknown) is None


# -- the device's lock and the versions a sync names -------------------------------------


@pytest.mark.parametrize("numbers", [(), (1,), (1, 99), (99,)])
def test_the_lock_reads_the_versions_the_orm_reads(device, published, numbers):
    with transaction.atomic():
        fast = ingest_fastpath.lock_device_reading_versions(device.pk, numbers)
    with transaction.atomic():
        plain = lock_with_orm(device.pk, numbers)

    assert fast == plain
    assert set(fast or {}) == {number for number in numbers if number == published.number}


def test_the_lock_finds_an_erased_device_gone_as_the_orm_does(device, published):
    device_id = device.pk
    device.delete()

    with transaction.atomic():
        assert ingest_fastpath.lock_device_reading_versions(device_id, [published.number]) is None
        assert lock_with_orm(device_id, [published.number]) is None


# -- the insert ------------------------------------------------------------------------------


def rows_for(device: Device, version: ContentVersion, items: list[dict]) -> list[dict]:
    """Insertable rows for `items`, made as services make them."""
    rows = []
    for item in validate_results(items):
        assert not isinstance(item, InvalidResult)
        candidate = services._Candidate(0, item["uuid"], item, services.payload_hash(item))
        candidate.version = PublishedVersion(version.pk, version.number, version.content_hash)
        candidate.server_outcome = item["outcome"]
        rows.append(services._row(device, candidate, uuid.uuid4()))
    return sorted(rows, key=lambda row: row["uuid"])


def test_the_insert_stores_what_bulk_create_stores_and_skips_what_it_skips(device, published):
    snapshot = published.snapshot
    stored_before = result_item(snapshot)
    items = [
        stored_before,
        result_item(snapshot, completed_at="2026-03-01T15:30:00.123456+05:30"),
        result_item(snapshot, outcome={**result_item(snapshot)["outcome"], "tips": ["坐久了 😀 é"]}),
    ]
    ingest_fastpath.insert_results_skipping_known(rows_for(device, published, [stored_before]))
    before = stored_rows()
    rows = rows_for(device, published, items)

    inserted = ingest_fastpath.insert_results_skipping_known(rows)
    fast = stored_rows()
    Result.objects.exclude(uuid=stored_before["uuid"]).delete()
    insert_with_orm(rows)
    plain = stored_rows()

    assert fast == plain
    assert len(fast) == 3 and fast[stored_before["uuid"]] == before[stored_before["uuid"]]
    new = {uuid.UUID(item["uuid"]) for item in items[1:]}
    assert inserted == (new if connection.vendor == "postgresql" else None)


# -- a whole sync, every shortcut on and every one off -------------------------------------


def sync(device: Device, items: list[dict]) -> list:
    return services.results_ingest(device=device, items=validate_results(items))


def test_a_sync_through_the_fast_path_gives_the_receipts_and_rows_of_the_plain_one(device, published, monkeypatch):
    snapshot = published.snapshot
    other = services.device_register().device
    resent, taken = result_item(snapshot), result_item(snapshot)
    sync(device, [resent])
    sync(other, [taken])
    fresh = result_item(snapshot, completed_at="2026-03-01T15:30:00+05:30")
    unpublished = result_item(snapshot, content_version=published.number + 5)
    unpublished["outcome"] = {**unpublished["outcome"], "content_version": published.number + 5}
    disagreeing = result_item(snapshot, outcome={**result_item(snapshot)["outcome"], "urgency": "emergency"})
    batch = [
        fresh,
        resent,  # a duplicate
        dict(taken),  # another device's: a conflict
        unpublished,  # a version not published yet: retry later
        disagreeing,
        fresh,  # twice in one batch
        {**result_item(snapshot), "answers": {"h_age": "no_such_choice"}},  # the scorer refuses it
    ]
    kept = {resent["uuid"], taken["uuid"]}

    fast_receipts, fast_rows = sync(device, batch), stored_rows()
    Result.objects.exclude(uuid__in=kept).delete()
    monkeypatch.setattr(services, "lock_device_reading_versions", lock_with_orm)
    monkeypatch.setattr(services, "insert_results_skipping_known", insert_with_orm)
    plain_receipts, plain_rows = sync(device, batch), stored_rows()

    assert fast_receipts == plain_receipts
    assert fast_rows == plain_rows
    assert [receipt["status"] for receipt in fast_receipts] == [
        "created",
        "duplicate",
        "conflict",
        "retry_later",
        "created",
        "duplicate",
        "rejected",
    ]
    assert fast_rows[disagreeing["uuid"]]["verdict_mismatch"] is True


# -- the quick check -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "completed_at", ["2026-03-01T10:00:00Z", "2026-03-01T15:30:00.123456+05:30", "2026-03-01T10:00:00-11:00"]
)
def test_the_quick_check_returns_what_the_serializer_returns(published, completed_at):
    item = result_item(published.snapshot, completed_at=completed_at, language="zh-hans")

    quick = ingest_fastpath.plainly_valid(item)

    assert quick is not None
    assert quick == ResultItemSerializer().run_validation(item)
    assert quick["completed_at"].tzinfo is not None
    assert quick["completed_at"].utcoffset() == timedelta(0)  # in the server's zone, as DRF gives it
    assert quick["completed_at"] == datetime.fromisoformat(completed_at).astimezone(UTC)


# -- the throttle's count in Redis -----------------------------------------------------------


@pytest.fixture
def redis_store():
    """The default cache in Redis, under a prefix of this test's own; its keys deleted after."""
    prefix = f"backcare-test-fastpath-{uuid.uuid4().hex}"
    backend = "django.core.cache.backends.redis.RedisCache"
    config = {"BACKEND": backend, "LOCATION": REDIS_TEST_URL, "KEY_PREFIX": prefix}
    with override_settings(CACHES={"default": config}):
        store = caches["default"]
        yield store
        store.delete_many(["fast", "plain"])


def test_the_redis_count_counts_as_the_cache_api_does_and_opens_the_same_window(redis_store):
    fast = [ingest_fastpath.count_in_redis(redis_store, "fast", 60) for _ in range(3)]
    plain = [count_with_cache_api(redis_store, "plain", 60) for _ in range(3)]

    assert [count for count, _left in fast] == plain == [1, 2, 3]
    assert all(0 < left <= 60 for _count, left in fast)
    assert redis_store.get("fast") == redis_store.get("plain") == 3
    server = redis.Redis.from_url(REDIS_TEST_URL)
    assert all(0 < server.ttl(redis_store.make_key(key)) <= 60 for key in ("fast", "plain"))
