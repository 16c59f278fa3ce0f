"""Writes that span models: registering devices, ingesting synced results, erasing a device.

Ingest is idempotent by result UUID, and stays so under concurrent resends: the unique
constraint on `Result.uuid` decides who stores a row; everything else only classifies.
A batch costs the same handful of queries whatever its size.
"""

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from . import scoring
from .models import ContentVersion, Device, Result
from .rest import hash_token_secret
from .serializers import ResultItemSerializer, item_errors

# Rejections that time can cure: a phone clock a little fast, a content version newer than
# any this server holds (published elsewhere, or a database restored from a backup). The
# receipt says `retry_later`; the phone keeps the check waiting and sends it again.
RETRY_LATER_SECONDS = 300

# The outcome keys the scorer produces; the phone's outcome is compared on these only,
# so a client adding its own keys is not a disagreement.
OUTCOME_KEYS = ("content_version", "urgency", "warning_signs", "causes", "tips")


# -- devices ------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisteredDevice:
    device: Device
    token: str  # shown once, never stored


def device_register() -> RegisteredDevice:
    """Create an anonymous device; return it with its token (only the hash is stored)."""
    public_id = uuid.uuid4()
    secret = secrets.token_urlsafe(32)
    device = Device.objects.create(public_id=public_id, token_hash=hash_token_secret(secret))
    return RegisteredDevice(device=device, token=f"{public_id}.{secret}")


class DeviceGone(Exception):
    """The device was erased while its request was on the way ("Delete my data" racing a sync)."""


def _lock_device(device: Device) -> bool:
    """Lock the device's row until commit; False when it is gone. A sync and an erase of
    one device take it first, so one waits for the other: no result is inserted for an
    erased device (its foreign key failed at commit: a 500), none is left behind."""
    locked = Device.objects.select_for_update().filter(pk=device.pk).values_list("pk", flat=True)
    return bool(list(locked))


def device_erase(*, device: Device) -> None:
    """ "Delete my data": the device and every result it sent."""
    with transaction.atomic():
        _lock_device(device)
        Result.objects.filter(device=device).delete()
        device.delete()


# -- results ------------------------------------------------------------------------


@dataclass
class _Candidate:
    """A result that passed shape validation, on its way to a receipt."""

    index: int
    uuid: uuid.UUID
    data: dict
    payload_hash: str
    receipt: dict | None = None
    version: ContentVersion | None = None
    server_outcome: dict | None = None


def results_ingest(*, device: Device, items: list[Any]) -> list[dict]:
    """Store a batch of results; return one receipt per item, in the order given.

    Receipts: `created`, `duplicate` (stored before with the same content), `conflict`
    (UUID known with other content or from another device; nothing stored), `rejected`
    (with `errors`). One bad item never fails the others. Raises `DeviceGone` when the
    device was erased since it was authenticated; nothing is stored then.
    """
    receipts: list[dict | None] = [None] * len(items)
    candidates: list[_Candidate] = []
    # One serializer for the whole batch, as DRF's ListSerializer does: building its
    # fields (a deep copy of each) per item was 40% of ingest time (bench/NOTES.md).
    validator = ResultItemSerializer()
    for index, item in enumerate(items):
        try:
            data = validator.run_validation(item)
        except ValidationError as error:
            errors = item_errors(error.detail)
            # Only a clock ahead, nothing else wrong: the same result will do in a while.
            retry_later = all(problem["code"] == "completed_in_future" for problem in errors)
            receipts[index] = _rejected(_raw_uuid(item), errors, retry_later=retry_later)
            continue
        candidates.append(_Candidate(index, data["uuid"], data, payload_hash(data)))

    candidates, repeats = _split_repeats(candidates, receipts)
    with transaction.atomic():
        if not _lock_device(device):
            raise DeviceGone()
        _score(candidates)
        # Resends (a reply lost after an earlier commit) go into the insert too: the
        # unique UUID skips them, and reading back who owns each row tells them apart.
        # One query fewer than looking for them first, and the same answer.
        batch_id = uuid.uuid4()
        scored = [c for c in candidates if c.receipt is None]
        Result.objects.bulk_create([_row(device, c, batch_id) for c in scored], ignore_conflicts=True)
        _classify_inserted(device, scored, batch_id)
    for candidate in candidates:
        receipts[candidate.index] = candidate.receipt
    for repeat, original in repeats:
        # The same result twice in one batch shares the first one's fate; a second
        # "created" would be a lie, it is a duplicate of the first.
        receipt = dict(original.receipt)
        if receipt["status"] == "created":
            receipt["status"] = "duplicate"
        receipts[repeat.index] = receipt
    return receipts


def payload_hash(data: dict) -> str:
    """SHA-256 of the result's content in canonical JSON: equal content, equal hash."""
    canonical = {
        "content_version": data["content_version"],
        "answers": data["answers"],
        "outcome": data["outcome"],
        "completed_at": data["completed_at"].isoformat(),
    }
    encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _raw_uuid(item: Any) -> str | None:
    value = item.get("uuid") if isinstance(item, dict) else None
    return value if isinstance(value, str) else None


def _rejected(raw_uuid: str | None, errors: list[dict], *, retry_later: bool = False) -> dict:
    if retry_later:
        return {"uuid": raw_uuid, "status": "retry_later", "retry_after": RETRY_LATER_SECONDS, "errors": errors}
    return {"uuid": raw_uuid, "status": "rejected", "errors": errors}


def _split_repeats(
    candidates: list[_Candidate], receipts: list
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


def _conflict(result_uuid: uuid.UUID) -> dict:
    return {
        "uuid": str(result_uuid),
        "status": "conflict",
        "message": str(_("A different check with this id is already stored. This one was not saved on the server.")),
    }


def _score(candidates: list[_Candidate]) -> None:
    """Re-score every result against the version it names: one query for all versions."""
    numbers = {c.data["content_version"] for c in candidates if c.receipt is None}
    versions = {v.number: v for v in ContentVersion.objects.filter(number__in=numbers).defer("snapshot")}
    snapshots = _snapshots(versions.values())
    newest = None  # read once, and only when a result names an unknown version
    for candidate in candidates:
        if candidate.receipt is not None:
            continue
        number = candidate.data["content_version"]
        version = versions.get(number)
        if version is None:
            newest = _newest_version_number() if newest is None else newest
            candidate.receipt = _rejected(
                str(candidate.uuid),
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
        try:
            server_outcome = scoring.score(snapshots[number], candidate.data["answers"])
        except scoring.AnswerError as error:
            candidate.receipt = _rejected(
                str(candidate.uuid),
                [
                    {
                        "field": f"answers.{error.key}" if error.key else "answers",
                        "code": "invalid_answers",
                        "message": str(error),
                        "answer_code": error.code,
                        "answer_key": error.key,
                    }
                ],
            )
            continue
        candidate.version = version
        candidate.server_outcome = server_outcome


def _newest_version_number() -> int:
    """Published versions are never deleted: one at or below the newest that is not here
    never will be; a newer one may yet be."""
    return ContentVersion.objects.aggregate(newest=Max("number"))["newest"] or 0


# Decoded snapshots by (number, hash). A published version never changes, so the pair
# always names the same snapshot: each process decodes it once, not on every sync
# (loading and decoding it was 8% of ingest time; bench/NOTES.md). Read-only: shared.
_SNAPSHOTS: dict[tuple[int, str], dict] = {}
_SNAPSHOTS_KEPT = 16


def _snapshots(versions) -> dict[int, dict]:
    """Each version's snapshot by number; the ones not seen yet in one query."""
    found, missing = {}, []
    for version in versions:
        snapshot = _SNAPSHOTS.get((version.number, version.content_hash))
        if snapshot is None:
            missing.append(version.number)
        else:
            found[version.number] = snapshot
    if missing:
        if len(_SNAPSHOTS) + len(missing) > _SNAPSHOTS_KEPT:
            _SNAPSHOTS.clear()
        rows = ContentVersion.objects.filter(number__in=missing).values_list("number", "content_hash", "snapshot")
        for number, digest, snapshot in rows:
            _SNAPSHOTS[(number, digest)] = found[number] = snapshot
    return found


def _known_receipt(device: Device, candidate: _Candidate, row: Result) -> dict:
    if row.device_id != device.pk or row.payload_hash != candidate.payload_hash:
        return _conflict(candidate.uuid)
    return {
        "uuid": str(candidate.uuid),
        "status": "duplicate",
        "server_outcome": row.server_outcome,
        "verdict_mismatch": row.verdict_mismatch,
    }


def _row(device: Device, candidate: _Candidate, batch_id: uuid.UUID) -> Result:
    data = candidate.data
    server_outcome = candidate.server_outcome
    client_outcome = data["outcome"]
    return Result(
        uuid=candidate.uuid,
        device=device,
        content_version=candidate.version,
        answers=data["answers"],
        client_outcome=client_outcome,
        server_outcome=server_outcome,
        urgency=server_outcome["urgency"],
        cause_keys=Result.encode_cause_keys(server_outcome),
        client_urgency=client_outcome.get("urgency", ""),
        verdict_mismatch=_disagree(client_outcome, server_outcome),
        payload_hash=candidate.payload_hash,
        completed_at=data["completed_at"],
        batch_id=batch_id,
    )


def _disagree(client_outcome: dict, server_outcome: dict) -> bool:
    return any(client_outcome.get(key) != server_outcome.get(key) for key in OUTCOME_KEYS)


def _classify_inserted(device: Device, scored: list[_Candidate], batch_id: uuid.UUID) -> None:
    """After an insert that skipped conflicts, read back who owns each UUID: rows with
    this batch's id were created here; others were stored before (a resend) or raced in
    from a concurrent request."""
    stored = Result.objects.filter(uuid__in=[c.uuid for c in scored]).only(
        "uuid", "device_id", "payload_hash", "server_outcome", "verdict_mismatch", "batch_id"
    )
    by_uuid = {row.uuid: row for row in stored}
    for candidate in scored:
        row = by_uuid[candidate.uuid]
        if row.batch_id == batch_id:
            candidate.receipt = {
                "uuid": str(candidate.uuid),
                "status": "created",
                "server_outcome": row.server_outcome,
                "verdict_mismatch": row.verdict_mismatch,
            }
        else:
            candidate.receipt = _known_receipt(device, candidate, row)


def results_for_device(*, device: Device):
    return Result.objects.filter(device=device).select_related("content_version").order_by("-completed_at")
