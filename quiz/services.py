"""Every write: registering devices, ingesting synced results, erasing a device,
publishing content, loading the shipped content and importing a content file. Reads are
QuerySet methods (quiz/models.py); the admin's own forms write single rows.

Ingest is idempotent by result UUID, and stays so under concurrent resends: the unique
constraint on `Result.uuid` decides who stores a row; everything else only classifies.
A batch costs the same handful of queries whatever its size.

Services know the models and the scorer, not the API: the API layer validates each
result's shape (quiz/serializers.py) and hands over clean data, or why an item is not.
"""

import hashlib
import json
import logging
import secrets
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.db import DatabaseError, OperationalError, transaction
from django.db.models import Case, Field, Max, When
from django.utils import timezone
from django.utils.translation import gettext as _

from . import content, content_diff, scoring, translation
from .contracts import OUTCOME_KEYS, FieldError, InvalidResult, Outcome, Receipt, ResultData, Snapshot, receipt
from .ingest_fastpath import (
    PublishedVersion,
    add_to_daily_counts,
    insert_results_skipping_known,
    lock_daily_counts,
    lock_device_reading_versions,
)
from .models import (
    COUNTED_BY,
    CauseGroup,
    ContentVersion,
    Device,
    Question,
    Result,
    ResultDailyCount,
    ResultQuerySet,
    SiteSettings,
    Tip,
    TipCategory,
)

logger = logging.getLogger(__name__)

# Rejections that time can cure: a phone clock a little fast, a content version newer than
# any this server holds (published elsewhere, or a database restored from a backup). The
# receipt says `retry_later`; the phone keeps the check waiting and sends it again.
RETRY_LATER_SECONDS = 300


# -- devices ------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisteredDevice:
    device: Device
    token: str  # shown once, never stored


def device_register() -> RegisteredDevice:
    """Create an anonymous device; return it with its token (only the hash is stored)."""
    public_id = uuid.uuid4()
    secret = secrets.token_urlsafe(32)
    device = Device.objects.create(public_id=public_id, token_hash=Device.hash_token_secret(secret))
    return RegisteredDevice(device=device, token=f"{public_id}.{secret}")


class DeviceGone(Exception):
    """The device was erased while its request was on the way ("Delete my data" racing a sync)."""


def _lock_device(device: Device, versions_among: Collection[int] = ()) -> dict[int, PublishedVersion] | None:
    """Lock the device's row until commit, and read the published versions among
    `versions_among` by number; None when the device is gone. A sync and an erase of one
    device take the lock first, so one waits for the other: no result is inserted for an
    erased device (its foreign key failed at commit: a 500), none is left behind."""
    return lock_device_reading_versions(device.pk, versions_among)


# Writing last_seen_at on every request would cost a query each; hourly is enough to
# know which devices are alive.
LAST_SEEN_RESOLUTION = timedelta(hours=1)


def device_seen(device: Device) -> None:
    """Note that the device made a request now (to the hour)."""
    now = timezone.now()
    if device.last_seen_at is None or now - device.last_seen_at > LAST_SEEN_RESOLUTION:
        Device.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now


@transaction.atomic
def devices_prune_idle(*, since: datetime) -> int:
    """Delete the devices idle since `since` that never stored a result; how many.

    The idle devices are locked first, then looked for again by the delete: a sync takes
    its device's lock before it stores anything, so one that got in before the lock is
    seen (its device now has a result and stays) and none can follow. No result is ever
    deleted here, so the daily counts stay as they are."""
    idle = Device.objects.idle_without_results(since=since)
    list(idle.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
    deleted, _by_model = idle.delete()
    return deleted


def device_erase(*, device: Device) -> None:
    """ "Delete my data": the device and every result it sent, and them from the daily counts."""
    with transaction.atomic():
        _lock_device(device)
        results = Result.objects.filter(device=device)
        _uncount(results)
        results.delete()
        device.delete()


# -- the daily counts of results ----------------------------------------------------------


def _count_created(scored: "list[_Candidate]", rows: list[dict]) -> None:
    """Add the results this sync inserted (receipt `created`) to their daily counts: not the
    resends and conflicts the insert skipped, nor a repeat within the batch."""
    changes: dict[tuple, int] = {}
    for candidate, row in zip(scored, rows, strict=True):
        if candidate.receipt is not None and candidate.receipt["status"] == "created":
            key = ResultDailyCount.key_of(row)
            changes[key] = changes.get(key, 0) + 1
    add_to_daily_counts(changes)


def _uncount(results: ResultQuerySet) -> None:
    """Take `results` (about to be deleted, in this transaction) away from their daily
    counts, and drop the counts that reach none."""
    groups = results.daily_groups()
    if not groups:
        return
    add_to_daily_counts({key: -count for key, count in groups.items()})
    ResultDailyCount.objects.filter(day__in={key[0] for key in groups}, results=0).delete()


@transaction.atomic
def result_counts_rebuild() -> int:
    """Count every result again into the daily counts, replacing them; how many counts.
    Syncs and erases wait meanwhile (`lock_daily_counts`), then add their own change:
    nothing is lost while it runs. For operators (`manage.py rebuild_result_counts`):
    after a restore, a change of TIME_ZONE, or results written by an older release."""
    lock_daily_counts()
    groups = Result.objects.all().daily_groups()
    ResultDailyCount.objects.all().delete()
    # The key's parts in COUNTED_BY's order, a relation by its id (its attname).
    fields = [cast(Field, ResultDailyCount._meta.get_field(name)).attname for name in COUNTED_BY]
    ResultDailyCount.objects.bulk_create(
        (ResultDailyCount(**dict(zip(fields, key, strict=True)), results=count) for key, count in groups.items()),
        batch_size=2000,
    )
    return len(groups)


# -- results ------------------------------------------------------------------------


@dataclass
class _Candidate:
    """A result that passed shape validation, on its way to a receipt."""

    index: int
    uuid: uuid.UUID
    data: ResultData
    payload_hash: str
    receipt: Receipt | None = None
    version: PublishedVersion | None = None
    server_outcome: Outcome | None = None


def results_ingest(*, device: Device, items: Sequence[ResultData | InvalidResult]) -> list[Receipt]:
    """Store a batch of results; return one receipt per item, in the order given.

    Receipts: `created`, `duplicate` (stored before with the same content), `conflict`
    (UUID known with other content or from another device; nothing stored), `rejected`
    (with `errors`: the item's own from validation, or the scorer's) or `retry_later`
    (with `retry_after` and `errors`: time may cure it). One bad item never fails the
    others. Raises `DeviceGone` when the device was erased since it was authenticated;
    nothing is stored then.
    """
    receipts: list[Receipt | None] = [None] * len(items)
    candidates: list[_Candidate] = []
    for index, item in enumerate(items):
        if isinstance(item, InvalidResult):
            # Only a clock ahead, nothing else wrong: the same result will do in a while.
            retry_later = all(problem["code"] == "completed_in_future" for problem in item.errors)
            receipts[index] = _refused(item.raw_uuid, item.errors, retry_later=retry_later)
        else:
            candidates.append(_Candidate(index, item["uuid"], item, payload_hash(item)))

    candidates, repeats = _split_repeats(candidates, receipts)
    # Sorted by UUID, so two requests holding the same results in different orders take
    # their row locks in the same order: in request order they deadlocked on PostgreSQL.
    # (Two syncs of one device already queue on its row lock; two devices do not.)
    candidates.sort(key=lambda c: c.uuid)
    _store_once_retrying(device, candidates)
    for candidate in candidates:
        receipts[candidate.index] = candidate.receipt
    for repeat, original in repeats:
        # The same result twice in one batch shares the first one's fate; a second
        # "created" would be a lie, it is a duplicate of the first.
        shared = original.receipt.copy() if original.receipt else None
        if shared is not None and shared["status"] == "created":
            shared["status"] = "duplicate"
        receipts[repeat.index] = shared
    return [_settled(item_receipt) for item_receipt in receipts]


# PostgreSQL's "this transaction lost a race" errors: deadlock_detected and
# serialization_failure. The same writes succeed when run again.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


def _store_once_retrying(device: Device, candidates: list[_Candidate]) -> None:
    """Score, insert and classify in one transaction; a transaction that lost a race (a
    deadlock with a concurrent sync, say) is run once more before the error reaches the
    phone, which would only send the same batch again later."""
    try:
        _store(device, candidates)
    except OperationalError as error:
        sqlstate = getattr(error.__cause__, "sqlstate", None)
        # Inside an outer transaction the failed one cannot be run again on its own.
        if sqlstate not in RETRYABLE_SQLSTATES or transaction.get_connection().in_atomic_block:
            raise
        logger.warning("A sync lost a race in the database (SQLSTATE %s); running it once more.", sqlstate)
        for candidate in candidates:
            if candidate.version is not None:  # scored: its receipt, if any, was rolled back
                candidate.receipt = None
        _store(device, candidates)


def _store(device: Device, candidates: list[_Candidate]) -> None:
    with transaction.atomic():
        numbers = {c.data["content_version"] for c in candidates if c.receipt is None}
        versions = _lock_device(device, versions_among=numbers)
        if versions is None:
            raise DeviceGone()
        _score(candidates, versions)
        # Resends (a reply lost after an earlier commit) go into the insert too: the
        # unique UUID skips them, and reading back who owns each row tells them apart.
        # One query fewer than looking for them first, and the same answer.
        batch_id = uuid.uuid4()
        scored = [c for c in candidates if c.receipt is None]
        rows = [_row(device, c, batch_id) for c in scored]
        inserted = insert_results_skipping_known(rows)
        _classify_inserted(device, scored, rows, batch_id, inserted)
        _count_created(scored, rows)


def _settled(item_receipt: Receipt | None) -> Receipt:
    if item_receipt is None:  # every path above gives each item a receipt
        raise AssertionError("A result was left without a receipt.")
    return item_receipt


def payload_hash(data: ResultData) -> str:
    """SHA-256 of the result's content in canonical JSON: equal content, equal hash."""
    canonical = {
        "content_version": data["content_version"],
        "answers": data["answers"],
        "outcome": data["outcome"],
        "completed_at": data["completed_at"].isoformat(),
    }
    encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _split_repeats(
    candidates: list[_Candidate], receipts: list[Receipt | None]
) -> tuple[list[_Candidate], list[tuple[_Candidate, _Candidate]]]:
    """A UUID twice in one batch: the first goes on; a later equal one is settled with
    it, a later different one is a conflict at once."""
    first: dict[uuid.UUID, _Candidate] = {}
    kept, repeats = [], []
    for candidate in candidates:
        original = first.get(candidate.uuid)
        if original is None:
            first[candidate.uuid] = candidate
            kept.append(candidate)
        elif original.payload_hash == candidate.payload_hash:
            repeats.append((candidate, original))
        else:
            receipts[candidate.index] = _conflict(candidate.uuid)
    return kept, repeats


def _conflict(result_uuid: uuid.UUID) -> Receipt:
    message = _("A different check with this id is already stored. This one was not saved on the server.")
    return receipt("conflict", result_uuid, message=str(message))


def _refused(result_uuid: uuid.UUID | str | None, errors: list[FieldError], *, retry_later: bool) -> Receipt:
    """`rejected` for good, or `retry_later` when time may cure every problem."""
    if retry_later:
        return receipt("retry_later", result_uuid, errors=errors, retry_after=RETRY_LATER_SECONDS)
    return receipt("rejected", result_uuid, errors=errors)


def _score(candidates: list[_Candidate], versions: dict[int, PublishedVersion]) -> None:
    """Re-score every result against the version it names (`versions`: those published)."""
    rules = _rules(versions.values())
    newest: int | None = None  # read once, and only when a result names an unknown version
    for candidate in candidates:
        if candidate.receipt is not None:
            continue
        number = candidate.data["content_version"]
        version = versions.get(number)
        if version is None:
            newest = _newest_version_number() if newest is None else newest
            candidate.receipt = _refused(
                candidate.uuid,
                [
                    {
                        "field": "content_version",
                        "code": "unknown_content_version",
                        "message": f"Content version {number} has not been published.",
                    }
                ],
                retry_later=number > newest,
            )
            continue
        version_rules = rules[number]
        if version_rules is None:
            candidate.receipt = _refused(
                candidate.uuid,
                [
                    {
                        "field": "content_version",
                        "code": "unusable_content_version",
                        "message": f"Content version {number} is broken: it cannot score results.",
                    }
                ],
                retry_later=False,
            )
            continue
        try:
            # The scorer is plain data in, plain data out; the shared vectors hold its shape.
            server_outcome = cast(Outcome, version_rules.score(candidate.data["answers"]))
        except scoring.AnswerError as error:
            candidate.receipt = _refused(
                candidate.uuid,
                [
                    {
                        "field": f"answers.{error.key}" if error.key else "answers",
                        "code": "invalid_answers",
                        "message": str(error),
                        "answer_code": error.code,
                        "answer_key": error.key,
                    }
                ],
                retry_later=False,
            )
            continue
        candidate.version = version
        candidate.server_outcome = server_outcome


def _newest_version_number() -> int:
    """Published versions are never deleted: one at or below the newest that is not here
    never will be; a newer one may yet be."""
    return ContentVersion.objects.aggregate(newest=Max("number"))["newest"] or 0


# Each version's rules (its snapshot, decoded and indexed for the scorer) by (number,
# hash). A published version never changes, so the pair always names the same snapshot:
# each process decodes and indexes it once, not on every sync, and not per result.
# Read-only once built: shared. None: a version the scorer cannot use (below).
_RULES: dict[tuple[int, str], scoring.Rules | None] = {}
_RULES_KEPT = 16


def _rules(versions: Iterable[PublishedVersion]) -> dict[int, scoring.Rules | None]:
    """Each version's rules by number; the snapshots not seen yet read in one query."""
    found: dict[int, scoring.Rules | None] = {}
    missing: list[int] = []
    for version in versions:
        known = (version.number, version.content_hash)
        if known in _RULES:
            found[version.number] = _RULES[known]
        else:
            missing.append(version.number)
    if missing:
        if len(_RULES) + len(missing) > _RULES_KEPT:
            _RULES.clear()
        rows = ContentVersion.objects.filter(number__in=missing).values_list("number", "content_hash", "snapshot")
        for number, digest, snapshot in rows:
            _RULES[(number, digest)] = found[number] = _usable_rules(number, snapshot)
    return found


def _usable_rules(number: int, snapshot: Any) -> scoring.Rules | None:
    """The version's rules, or None when its snapshot would crash the scorer: content
    published before every way in was checked (an unknown urgency or question kind came
    in through import_content) is still in the database, and versions never change. Its
    results are refused with a code rather than failing the whole sync with a 500."""
    problems = content.shape_problems(snapshot, published=True)
    if problems:
        logger.error("Content version %s cannot score results: %s", number, "; ".join(problems[:10]))
        return None
    return scoring.Rules(snapshot)


def _known_receipt(device: Device, candidate: _Candidate, stored: "_StoredRow") -> Receipt:
    if stored.device_id != device.pk or stored.payload_hash != candidate.payload_hash:
        return _conflict(candidate.uuid)
    return receipt(
        "duplicate",
        candidate.uuid,
        server_outcome=cast(Outcome, stored.server_outcome),
        verdict_mismatch=stored.verdict_mismatch,
    )


def _row(device: Device, candidate: _Candidate, batch_id: uuid.UUID) -> dict:
    """The result's columns by field attname, as `insert_results_skipping_known` takes them."""
    data = candidate.data
    server_outcome = candidate.server_outcome
    if server_outcome is None or candidate.version is None:  # _score gave every one left both
        raise AssertionError(f"{candidate.uuid} was not scored.")
    client_outcome = data["outcome"]
    return {
        "uuid": candidate.uuid,
        "device_id": device.pk,
        "content_version_id": candidate.version.pk,
        "answers": data["answers"],
        "client_outcome": client_outcome,
        "server_outcome": server_outcome,
        "urgency": server_outcome["urgency"],
        "cause_keys": Result.encode_cause_keys(server_outcome),
        "client_urgency": client_outcome.get("urgency", ""),
        "verdict_mismatch": _disagree(client_outcome, server_outcome),
        "payload_hash": candidate.payload_hash,
        "completed_at": data["completed_at"],
        "language": data.get("language", "en"),
        "batch_id": batch_id,
        "received_at": timezone.now(),  # auto_now_add, as a model instance's save sets it
    }


def _disagree(client_outcome: Outcome, server_outcome: Outcome) -> bool:
    return any(client_outcome.get(key) != server_outcome.get(key) for key in OUTCOME_KEYS)


@dataclass
class _StoredRow:
    """Who owns a UUID after the insert; the stored outcome only of rows stored before."""

    device_id: int
    payload_hash: str
    batch_id: uuid.UUID
    verdict_mismatch: bool
    server_outcome: dict | None


def _classify_inserted(
    device: Device, scored: list[_Candidate], rows: list[dict], batch_id: uuid.UUID, inserted: set[uuid.UUID] | None
) -> None:
    """After an insert that skipped conflicts: the rows inserted here are `created` (their
    receipt is what was just inserted). The others were stored before (a resend) or raced
    in from a concurrent request: read back who owns them, with their stored outcome. When
    the insert could not tell which it inserted (`inserted` None), every row is read back,
    and those with this batch's id are the ones created here. A skipped row found nowhere
    was erased meanwhile: it is inserted again (`_insert_vanished`), or `retry_later`."""
    created = inserted if inserted is not None else set()
    to_read = [c.uuid for c in scored if c.uuid not in created]
    by_uuid = _stored_rows(to_read, batch_id) if to_read else {}
    vanished = [row for row in rows if row["uuid"] not in created and row["uuid"] not in by_uuid]
    if vanished:
        by_uuid.update(_insert_vanished(vanished, batch_id))
    for candidate, row in zip(scored, rows, strict=True):
        stored = by_uuid.get(candidate.uuid)
        if stored is None and candidate.uuid not in created:
            candidate.receipt = _refused(candidate.uuid, [_vanished_error()], retry_later=True)
        elif stored is None or stored.batch_id == batch_id:
            candidate.receipt = receipt(
                "created",
                candidate.uuid,
                server_outcome=row["server_outcome"],
                verdict_mismatch=row["verdict_mismatch"],
            )
        else:
            candidate.receipt = _known_receipt(device, candidate, stored)


def _insert_vanished(rows: list[dict], batch_id: uuid.UUID) -> dict[uuid.UUID, _StoredRow]:
    """Rows the insert skipped for a UUID already stored, which was gone when read back:
    another device's row, erased ("Delete my data") by a transaction that committed in
    between (PostgreSQL reads each statement afresh; SQLite lets no other writer in).
    The UUID is free again, so the result is inserted now, once; what is found then
    (this batch's row, or one that raced in once more) is returned as read back."""
    logger.info("%d results collided with rows erased meanwhile; inserting them again.", len(rows))
    insert_results_skipping_known(rows)
    return _stored_rows([row["uuid"] for row in rows], batch_id)


def _vanished_error() -> FieldError:
    """Why a result is `retry_later` after a second collision with rows erased meanwhile."""
    return {
        "field": "uuid",
        "code": "stored_meanwhile",
        "message": str(_("This check's id was being stored or erased by another device. Send it again later.")),
    }


def _stored_rows(uuids: list[uuid.UUID], batch_id: uuid.UUID) -> dict[uuid.UUID, _StoredRow]:
    outcome_if_stored_before = Case(
        When(batch_id=batch_id, then=None),
        default="server_outcome",
        output_field=Result._meta.get_field("server_outcome"),
    )
    found = Result.objects.filter(uuid__in=uuids).values_list(
        "uuid", "device_id", "payload_hash", "batch_id", "verdict_mismatch", outcome_if_stored_before
    )
    # A UUID the insert skipped may be missing: its row was deleted since (see above).
    return {found_uuid: _StoredRow(*values) for found_uuid, *values in found}


# -- content: publishing, the shipped content, importing a file ------------------------


@transaction.atomic
def content_publish(*, user=None) -> ContentVersion:
    """Validate the working copy and store it as the next immutable content version.
    Raises `content.PublishError` (every problem) or `content.NothingToPublish`."""
    # Publishes queue here, before the working copy is read: two at once (a double-clicked
    # button) then number in turn, and the second finds nothing new. Locking the newest
    # version after reading is not enough: on PostgreSQL the second still reads the
    # version the first has just superseded and takes the same number (IntegrityError).
    list(SiteSettings.objects.select_for_update().order_by("pk").values_list("pk", flat=True)[:1])
    body = content.build_snapshot()
    problems = content.validate_snapshot(body)
    if problems:
        raise content.PublishError(problems)
    digest = content.content_hash(body)
    current = ContentVersion.objects.current()
    if current is not None and current.content_hash == digest:
        raise content.NothingToPublish(current)
    number = (current.number + 1) if current else 1
    snapshot: Snapshot = {**body, "version": number, "hash": digest}
    return ContentVersion.objects.create(number=number, content_hash=digest, snapshot=snapshot, published_by=user)


@transaction.atomic
def content_seed(*, user=None) -> ContentVersion | None:
    """Load the shipped content and publish it as version 1, unless content already exists.

    Returns the version published, or None when the database already had content
    (so `make run` can call this every time without touching an admin's edits).
    """
    if Question.objects.exists() or ContentVersion.objects.exists():
        return None
    content.load_content(content.read_seed())
    return content_publish(user=user)


@transaction.atomic
def content_upgrade_to_seed(*, user=None) -> ContentVersion | None:
    """Replace the working copy with the shipped content and publish it as a new version.

    For an installation that already published older content (the data migration that
    ships a new check calls this). Published versions are untouched, so results stored
    against them still read with their own questions. The site's phone numbers and
    their labels differ by country, so they are kept; everything else comes from the
    seed. Returns None on an installation with nothing published (`content_seed` does it then).
    """
    if not ContentVersion.objects.exists():
        return None
    site = SiteSettings.load()
    # A label never written (a Chinese one before there were any) comes from the seed.
    kept = {name: getattr(site, name) for name in _SITE_FIELDS_KEPT if getattr(site, name)}
    _clear_working_copy()
    content.load_content(content.read_seed())
    SiteSettings.objects.filter(pk=site.pk).update(**kept)
    try:
        return content_publish(user=user)
    except content.NothingToPublish as already:
        return already.version


_SITE_FIELDS_KEPT = (
    "emergency_number",
    "non_emergency_number",
    # The labels in every language: they name the installation's numbers too.
    *(
        translation.field_name(label, language)
        for label in ("emergency_label", "non_emergency_label")
        for language in translation.languages()
    ),
)


def _clear_working_copy() -> None:
    """Every editable content row; the site settings stay (a load updates them)."""
    Question.objects.all().delete()  # choices and their weights go with them
    Tip.objects.all().delete()
    CauseGroup.objects.all().delete()
    TipCategory.objects.all().delete()


@transaction.atomic
def content_import(
    body: dict, *, force: bool = False, publish: bool = True, user=None
) -> tuple[ContentVersion | None, bool]:
    """Make `body` (a content file, `content_io.parse`) the working copy, then publish it
    (unless `publish` is False).

    Returns (the current version, whether this import published it). Refuses content that
    publishing would refuse, with publishing's own messages (`content.PublishError`), and
    refuses to replace a working copy that holds unpublished changes unless `force`.
    Nothing changes when it refuses."""
    # The whole file, before anything is loaded: publishing checks the same again after.
    problems = content.validate_snapshot(cast(Snapshot, body))
    if problems:
        raise content.PublishError(problems)
    if not force and Question.objects.exists():
        pending = content_diff.unpublished_changes()
        if pending:
            raise content.PublishError(
                [
                    f"The working copy has {len(pending)} unpublished change(s) that the import would replace. "
                    "Publish or review them first, or import with --force to discard them."
                ]
            )
    _clear_working_copy()
    try:
        content.load_content(body)
    # validate_snapshot checked all of it; should the database still refuse a row, the
    # import is refused (and rolled back) with its reason, not a traceback.
    except (KeyError, TypeError, ValueError, AttributeError, DatabaseError) as error:
        raise content.PublishError(
            [f"The file does not follow docs/CONTENT_FORMAT.md: {error!r} is missing or wrong."]
        ) from None
    if not publish:
        return None, False
    try:
        return content_publish(user=user), True
    except content.NothingToPublish as unchanged:
        return unchanged.version, False
