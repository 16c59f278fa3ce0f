"""What changed between two content snapshots, item by item, in words an editor reads.

Used for "N unpublished changes" (the working copy against the last published version),
the "Review changes" page, the publish confirmation, and a published version's page
(that version against the one before). Works on any snapshot body, whatever fields a
content schema adds: a field it does not know is compared and reported by its name.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import content, translation
from .models import ContentVersion, SiteSettings

# Fields whose change is a change of wording (the rest change behaviour or order).
TEXT_FIELDS = {"text", "help_text", "title", "body", "name", "explanation", "description"}
TEXT_FIELDS |= {
    translation.field_name(field, language) for field in TEXT_FIELDS for language in translation.languages()
}
# Keys of the snapshot that describe the snapshot itself, not the content.
SNAPSHOT_META = {"version", "hash", "schema"}
ITEM_KINDS = [
    ("cause_groups", "Cause group"),
    ("tip_categories", "Tip category"),
    ("tips", "Tip"),
    ("questions", "Question"),
]


@dataclass(frozen=True)
class Change:
    area: str
    key: str
    what: str
    field: str = ""
    before: str = ""
    after: str = ""


def _shown(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_shown(item) for item in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_shown(item)}" for key, item in sorted(value.items())) or "—"
    return str(value)


def _label(item: dict) -> str:
    return next((str(item[field]) for field in ("text", "title", "name") if item.get(field)), item["key"])


def _field_changes(area: str, key: str, before: dict, after: dict, skip=()) -> list[Change]:
    changes = []
    for field in [*before, *(name for name in after if name not in before)]:
        if field in skip or field == "key" or before.get(field) == after.get(field):
            continue
        what = "text changed" if field in TEXT_FIELDS else "changed"
        changes.append(Change(area, key, what, field, _shown(before.get(field)), _shown(after.get(field))))
    return changes


def _weight_changes(key: str, before: dict, after: dict) -> list[Change]:
    changes = []
    for group in [*before, *(name for name in after if name not in before)]:
        if before.get(group) != after.get(group):
            changes.append(
                Change("Choice", key, "weight changed", group, _shown(before.get(group)), _shown(after.get(group)))
            )
    return changes


def _item_changes(area: str, before: list[dict], after: list[dict]) -> list[Change]:
    old = {item["key"]: item for item in before}
    new = {item["key"]: item for item in after}
    changes = [Change(area, key, "removed", before=_label(old[key])) for key in old if key not in new]
    changes += [Change(area, key, "added", after=_label(new[key])) for key in new if key not in old]
    for key in (key for key in new if key in old):
        changes += _field_changes(area, key, old[key], new[key], skip={"choices"})
        if area == "Question":
            changes += _choice_changes(key, old[key].get("choices", []), new[key].get("choices", []))
    return changes


def _choice_changes(question_key: str, before: list[dict], after: list[dict]) -> list[Change]:
    old = {choice["key"]: choice for choice in before}
    new = {choice["key"]: choice for choice in after}
    changes = [
        Change("Choice", f"{question_key}.{key}", "removed", before=_label(old[key])) for key in old if key not in new
    ]
    changes += [
        Change("Choice", f"{question_key}.{key}", "added", after=_label(new[key])) for key in new if key not in old
    ]
    for key in (key for key in new if key in old):
        where = f"{question_key}.{key}"
        changes += _field_changes("Choice", where, old[key], new[key], skip={"weights"})
        changes += _weight_changes(where, old[key].get("weights", {}), new[key].get("weights", {}))
    return changes


def _flat_settings(values: dict) -> dict:
    flat = {}
    for name, value in values.items():
        if isinstance(value, dict):
            flat.update({f"{name}.{inner}": item for inner, item in value.items()})
        else:
            flat[name] = value
    return flat


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[Change]:
    """Every change from snapshot `before` (None: nothing published yet) to `after`."""
    # Each translation is compared as a field beside its English one (`translation.field_name`).
    before = translation.inline(before or {"settings": {}})
    after = translation.inline(after)
    changes = _field_changes(
        "Site settings",
        "settings",
        _flat_settings(before.get("settings", {})),
        _flat_settings(after.get("settings", {})),
    )
    for name, area in ITEM_KINDS:
        changes += _item_changes(area, before.get(name, []), after.get(name, []))
    known = {"settings", *(name for name, _area in ITEM_KINDS), *SNAPSHOT_META}
    for name in sorted((set(before) | set(after)) - known):
        if before.get(name) != after.get(name):
            changes.append(Change("Content", name, "changed", name, _shown(before.get(name)), _shown(after.get(name))))
    return changes


def unpublished_changes() -> list[Change]:
    """The working copy against the newest published version."""
    current = ContentVersion.objects.current()
    return diff(current.snapshot if current else None, content.build_snapshot())


def unpublished_count() -> int | None:
    """How many unpublished changes there are; None before any content exists."""
    try:
        return len(unpublished_changes())
    except SiteSettings.DoesNotExist:
        return None


def changes_in(version: ContentVersion) -> list[Change]:
    """What this version changed from the one published before it."""
    previous = ContentVersion.objects.filter(number__lt=version.number).order_by("-number").first()
    return diff(previous.snapshot if previous else None, version.snapshot)


def published_keys() -> dict[str, set[str]]:
    """Every key any published version has used, per kind ("choices" as "question.choice").

    A published key is what stored results refer to: it must keep its meaning, so the
    admin shows it read-only (a new key is how meaning changes)."""
    keys: dict[str, set[str]] = {name: set() for name, _area in ITEM_KINDS}
    keys["choices"] = set()
    for snapshot in ContentVersion.objects.values_list("snapshot", flat=True).iterator():
        for name, _area in ITEM_KINDS:
            keys[name].update(item["key"] for item in snapshot.get(name, []))
        for question in snapshot.get("questions", []):
            keys["choices"].update(f"{question['key']}.{choice['key']}" for choice in question.get("choices", []))
    return keys
