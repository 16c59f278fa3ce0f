"""The sync's fast path: every place where syncing results (POST /api/results/) takes a
shorter way than Django's ORM, DRF's serializer or Django's cache API, one function each.

Each function gives exactly what its plain equivalent gives (the ORM query, the
serializer, the cache calls named in its docstring), in less CPU: the API answers every
phone's sync, so its cost per request is the server's cost. tests/test_ingest_fastpath.py
runs each one and its plain equivalent on the same input, on SQLite and PostgreSQL, and
compares rows and receipts. What each saves, measured: bench/NOTES.md, "The fast path".

No other module leaves the ORM, DRF or the cache API on the sync's way, and no private
attribute of Django or redis-py is used, here or elsewhere. No DRF here either: the
services call in (layering, tests/test_layers.py).
"""

import json
import uuid
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, NamedTuple, cast
from weakref import WeakKeyDictionary

import redis
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .contracts import (
    CANONICAL_TIME,
    CLOCK_SKEW,
    EARLIEST_COMPLETED_AT,
    MAX_CONTENT_VERSION,
    MAX_FIELD_DEPTH,
    OUTCOME_KEYS,
    ResultData,
)
from .json_values import is_unstorable_text, json_problem
from .models import COUNTED_BY, ContentVersion, Device, OutcomeUrgency, Result, ResultDailyCount

# -- the device and the content versions a sync names ----------------------------------


class PublishedVersion(NamedTuple):
    """What ingest needs of a content version: its row and which snapshot it is."""

    pk: int
    number: int
    content_hash: str


def device_by_public_id(public_id: uuid.UUID) -> Device | None:
    """The device row, as `Device.objects.filter(public_id=public_id).first()` reads it,
    but without its ORDER BY and through a cursor: it runs on every API request, and the
    ORM's query costs more to compile than to run. Values go through the converters the
    ORM applies (SQLite keeps times as text)."""
    fields = Device._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(cast(str, field.column)) for field in fields)  # concrete: never None
    sql = f"SELECT {columns} FROM {quote(Device._meta.db_table)} WHERE {quote('public_id')} = %s"
    key = Device._meta.get_field("public_id").get_db_prep_value(public_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for field, value in zip(fields, row, strict=True):
        column = field.get_col(Device._meta.db_table)
        for convert in connection.ops.get_db_converters(column) + field.get_db_converters(connection):
            value = convert(value, column, connection)
        values.append(value)
    return Device.from_db(connection.alias, [field.attname for field in fields], values)


def lock_device_reading_versions(device_id: int, numbers: Collection[int]) -> dict[int, PublishedVersion] | None:
    """Lock the device's row until commit (`select_for_update(of=("self",))`), and read
    the content versions numbered among `numbers` (`ContentVersion.objects.filter(
    number__in=numbers)`), in one statement: one round trip fewer per sync, and none of
    the ORM's compiling, which costs more than PostgreSQL's running them. None when
    the device is gone. SQLite has no FOR UPDATE: it locks the whole database for a
    write transaction instead. Call it inside a transaction."""
    quote = connection.ops.quote_name
    # One row per version found, or one row of NULLs when none is (or none was asked
    # for): no row at all only when the device is gone.
    wanted = sorted(numbers)
    match = f"v.{quote('number')} IN ({', '.join(['%s'] * len(wanted))})" if wanted else "1 = 0"
    for_update = " FOR UPDATE OF d" if connection.features.has_select_for_update_of else ""
    sql = (
        f"SELECT v.{quote('id')}, v.{quote('number')}, v.{quote('content_hash')} "
        f"FROM {quote(Device._meta.db_table)} d LEFT JOIN {quote(ContentVersion._meta.db_table)} v "
        f"ON {match} WHERE d.{quote('id')} = %s{for_update}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*wanted, device_id])
        rows = cursor.fetchall()
    if not rows:
        return None
    return {row[1]: PublishedVersion(*row) for row in rows if row[0] is not None}


# -- inserting a batch of results ----------------------------------------------------------


def insert_results_skipping_known(rows: list[dict]) -> set[uuid.UUID] | None:
    """Insert results given as their column values by field attname (sorted by UUID); a
    UUID already stored is skipped, as `Result.objects.bulk_create([Result(**row) ...],
    ignore_conflicts=True)` does. Returns the UUIDs inserted on PostgreSQL (RETURNING),
    None where the database cannot tell (SQLite: the caller reads the rows back).

    Not bulk_create: on PostgreSQL it sends the rows as `UNNEST(%s::jsonb[], ...)`, and
    psycopg escapes every JSON text inside those arrays in pure Python; Django's
    multi-row VALUES instead costs as much to compile."""
    if not rows:
        return set()
    fields = [field for field in Result._meta.concrete_fields if not field.primary_key]
    if connection.vendor == "postgresql":
        return _insert_from_json(fields, rows)
    _insert_row_by_row(fields, rows)
    return None


def _insert_row_by_row(fields: list, rows: list[dict]) -> None:
    """Elsewhere (SQLite): one statement run for every row, each value adapted by its
    field as Django adapts it, without building a model instance per row."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(cast(str, field.column)) for field in fields)  # concrete: never None
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {quote(Result._meta.db_table)} ({columns}) VALUES ({placeholders}) "
        f"ON CONFLICT ({quote('uuid')}) DO NOTHING"
    )
    # The connection itself, not Django's proxy to it: every attribute read through the
    # proxy looks the connection up again, 15 times a row here.
    db = transaction.get_connection()
    values = [[field.get_db_prep_save(row[field.attname], db) for field in fields] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def _insert_from_json(fields: list, rows: list[dict]) -> set[uuid.UUID]:
    """PostgreSQL: every row in one JSON document, one parameter of one statement, which
    the server unpacks into the columns' own types (`jsonb_to_recordset`). Encoding the
    batch is one call to the json module's C encoder, where adapting each value of each
    row in Python was most of the insert's time. Inserted in UUID order, so two syncs
    holding the same results take their row locks in the same order (in request order
    they deadlocked)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(cast(str, field.column)) for field in fields)  # concrete: never None
    names = ", ".join(quote(field.attname) for field in fields)
    record = ", ".join(f"{quote(field.attname)} {field.db_type(connection)}" for field in fields)
    sql = (
        f"INSERT INTO {quote(Result._meta.db_table)} ({columns}) "
        f"SELECT {names} FROM jsonb_to_recordset(%s::jsonb) AS row({record}) ORDER BY {quote('uuid')} "
        f"ON CONFLICT ({quote('uuid')}) DO NOTHING RETURNING {quote('uuid')}"
    )
    document = json.dumps(rows, default=_json_value, separators=(",", ":"))
    with connection.cursor() as cursor:
        cursor.execute(sql, [document])
        return {found for (found,) in cursor.fetchall()}


def _json_value(value: Any) -> str:
    """The JSON text of a column value the json module has no type for."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()  # with its offset: the server reads it as that instant
    raise TypeError(f"{type(value).__name__} is not a column value this insert knows.")


# -- the daily counts a sync adds to ------------------------------------------------------------


def add_to_daily_counts(changes: Mapping[tuple, int]) -> None:
    """Add each change to its daily count: `changes` maps a count's key
    (`ResultDailyCount.key_of`) to the number of results to add, negative to take away. As,
    for each key, `ResultDailyCount.objects.filter(<key>).update(results=F("results") + n)`,
    or `create(<key>, results=n)` when no row has it, do; in one statement, and without the
    race between the two: an insert that adds to the count already there (`ON CONFLICT …
    DO UPDATE SET results = results + EXCLUDED.results`, PostgreSQL and SQLite alike). Two
    syncs adding to one count at once both land: the second waits for the first's row lock,
    then adds to what it committed. In key order, so two syncs sharing several counts lock
    them in the same order (as the results themselves, by UUID). A batch of 100 results
    names a few dozen counts: one statement where the ORM's update-or-create took one or
    two a count."""
    changed = sorted((key, number) for key, number in changes.items() if number)
    if not changed:
        return
    quote = connection.ops.quote_name
    # Concrete fields of the table (never a relation's reverse side), columns never None.
    fields = [cast(Field, ResultDailyCount._meta.get_field(name)) for name in (*COUNTED_BY, "results")]
    columns = [quote(cast(str, field.column)) for field in fields]
    table = quote(ResultDailyCount._meta.db_table)
    count = quote("results")
    row = f"({', '.join(['%s'] * len(fields))})"
    db = transaction.get_connection()
    with connection.cursor() as cursor:
        # A statement per 500 counts keeps within SQLite's limit of parameters (an erase of
        # a device with years of results may name thousands); a sync names far fewer.
        for start in range(0, len(changed), COUNTS_PER_STATEMENT):
            chunk = changed[start : start + COUNTS_PER_STATEMENT]
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * len(chunk))} "
                f"ON CONFLICT ({', '.join(columns[:-1])}) DO UPDATE SET {count} = {table}.{count} + EXCLUDED.{count}"
            )
            values = [
                field.get_db_prep_save(value, db)
                for key, number in chunk
                for field, value in zip(fields, (*key, number), strict=True)
            ]
            cursor.execute(sql, values)


COUNTS_PER_STATEMENT = 500


def lock_daily_counts() -> None:
    """Hold every write to the daily counts until commit (PostgreSQL's `LOCK TABLE … IN
    SHARE ROW EXCLUSIVE MODE`, which the ORM has no way to say; not a shortcut, but raw SQL
    lives only here): `services.result_counts_rebuild` takes it before it counts the
    results, so a sync or an erase either committed before (and is in the recount) or adds
    its change after it. SQLite lets one writer in at a time already. Call it inside a
    transaction."""
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(ResultDailyCount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")


# -- counting requests in Redis --------------------------------------------------------------

# Count one request in the window KEYS[1] of ARGV[1] seconds: the first request opens
# it (the key expires when the window ends). Returns the count and the window's time
# left in milliseconds.
_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
    left = ARGV[1] * 1000
end
return {count, left}
"""

# The script, registered with one Redis client per cache backend (Django makes one
# backend per thread, and a new one when a test overrides CACHES). The backend's own
# client is reachable only through Django's private attributes, so this is a client of
# its server, with a connection pool of its own.
_redis_counters: "WeakKeyDictionary[RedisCache, Any]" = WeakKeyDictionary()


def count_in_redis(store: RedisCache, key: str, window_seconds: int) -> tuple[int, float]:
    """Count one request against `key` in `store`, atomically: (the count in this
    window, the seconds left of it). The first request opens a window of
    `window_seconds`. As `store.incr(key)`, with `store.add(key, 1, window_seconds)`
    when no window is open, do; in one round trip to Redis where they took two or
    three, on a client kept for the backend where Django builds one for every call.
    `store` must be the default cache (its client is built from its settings)."""
    counter = _redis_counters.get(store)
    if counter is None:
        counter = _redis_counters[store] = _default_cache_server().register_script(_COUNT_SCRIPT)
    count, left_ms = counter(keys=[store.make_and_validate_key(key)], args=[window_seconds])
    return count, left_ms / 1000


def _default_cache_server() -> redis.Redis:
    """A redis-py client of the server the default cache writes to (its first LOCATION,
    with its OPTIONS, as Django's backend builds its own): Django's cache API has no way
    to run a script, and reaches its client only through private attributes."""
    config = settings.CACHES[DEFAULT_CACHE_ALIAS]
    location = config["LOCATION"]
    servers = location.split(",") if isinstance(location, str) else location
    options = {name: value for name, value in config.get("OPTIONS", {}).items() if name not in DJANGO_ONLY_OPTIONS}
    return redis.Redis.from_url(servers[0], **options)


# The OPTIONS Django's Redis backend takes for itself, not for redis-py.
DJANGO_ONLY_OPTIONS = frozenset({"parser_class", "pool_class", "serializer"})


# -- the quick check of a synced result -------------------------------------------------------

# What a phone sends nearly always, accepted without DRF's per-field machinery. It never
# rejects anything: whatever it is not sure of (a missing, null, extra or oddly typed
# value, a number DRF would coerce, any problem at all) it leaves to the serializer,
# which gives the errors and their codes and messages.
ITEM_FIELDS = frozenset({"uuid", "content_version", "answers", "outcome", "completed_at", "language"})
URGENCIES = frozenset(OutcomeUrgency.values)
LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)
# Not float: a phone's numbers are whole (scores, scale answers), and a float may be one
# JSON read as infinity, which `json_problem` looks for.
SCALAR_TYPES = frozenset({int, bool, type(None)})


def plainly_valid(item: Any) -> ResultData | None:
    """`item`'s clean data, as `ResultItemSerializer().run_validation(item)` returns it,
    when it is plainly valid; None when the serializer has to look at it."""
    if type(item) is not dict or not ITEM_FIELDS.issuperset(item) or len(item) < len(ITEM_FIELDS) - 1:
        return None
    version, language = item.get("content_version"), item.get("language", settings.LANGUAGE_CODE)
    if type(version) is not int or not 1 <= version <= MAX_CONTENT_VERSION:
        return None
    if type(language) is not str or language not in LANGUAGES:
        return None
    raw_uuid, answers = item.get("uuid"), item.get("answers")
    if type(raw_uuid) is not str or type(answers) is not dict or not storable(answers):
        return None
    outcome = _plain_outcome(item.get("outcome"), version)
    completed_at = _plain_completed_at(item.get("completed_at"))
    if outcome is None or completed_at is None:
        return None
    try:
        result_uuid = uuid.UUID(raw_uuid)
    except ValueError:
        return None
    if str(result_uuid) != raw_uuid:  # braces, `urn:`, capitals: CanonicalUUIDField's to refuse
        return None
    return cast(
        ResultData,
        {
            "uuid": result_uuid,
            "content_version": version,
            "answers": answers,
            "outcome": outcome,
            "completed_at": completed_at,
            "language": language,
        },
    )


def storable(value: dict | list) -> bool:
    """`json_problem(value, MAX_FIELD_DEPTH) is None`, answered faster for the shapes a
    phone sends: an object or array of plain values (strings, whole numbers, booleans,
    null), lists of them and objects of them. Every string inside such a shape is
    gathered and checked at once; anything deeper is walked by `json_problem` itself."""
    strings: list[str] = []
    for child in value.values() if type(value) is dict else value:
        kind = type(child)
        if kind is str:
            strings.append(child)
        elif kind is list or kind is dict:
            for grandchild in child.values() if kind is dict else child:
                if type(grandchild) is str:
                    strings.append(grandchild)
                elif type(grandchild) not in SCALAR_TYPES:
                    return json_problem(value, MAX_FIELD_DEPTH) is None
            if kind is dict:
                strings.extend(child)
        elif kind not in SCALAR_TYPES:
            return json_problem(value, MAX_FIELD_DEPTH) is None
    if type(value) is dict:
        strings.extend(value)
    try:
        joined = "".join(strings)  # no two strings join into a NUL or mend a lone surrogate
    except TypeError:  # a key that is not a string (never from JSON)
        return json_problem(value, MAX_FIELD_DEPTH) is None
    return not is_unstorable_text(joined)


def _plain_outcome(outcome: Any, version: int) -> dict | None:
    """The outcome's five fields (the serializer drops any other), or None."""
    if type(outcome) is not dict or not outcome.keys() >= set(OUTCOME_KEYS):
        return None
    named, urgency = outcome["content_version"], outcome["urgency"]
    if not (named is None or (type(named) is int and named == version)) or type(urgency) is not str:
        return None
    if urgency not in URGENCIES:
        return None
    lists = [outcome["warning_signs"], outcome["causes"], outcome["tips"]]
    if any(type(value) is not list for value in lists):
        return None
    signs, causes, tips = lists
    if not all(type(entry) is dict for entry in signs + causes) or not all(type(tip) is str for tip in tips):
        return None
    if not all(storable(value) for value in lists):
        return None
    return {"content_version": named, "urgency": urgency, "warning_signs": signs, "causes": causes, "tips": tips}


def _plain_completed_at(text: Any) -> datetime | None:
    """The time as `CompletedAtField` reads it (DRF's ISO 8601 parse, in the current time
    zone) when it is canonical, has its offset and is within the believable range."""
    if type(text) is not str or not CANONICAL_TIME.fullmatch(text):
        return None
    try:
        parsed = parse_datetime(text)
        if parsed is None or timezone.is_naive(parsed):
            return None
        value = parsed.astimezone(timezone.get_current_timezone())
    except (ValueError, OverflowError):
        return None
    if value > timezone.now() + CLOCK_SKEW or value < EARLIEST_COMPLETED_AT:
        return None
    return value
