"""What changed between two content snapshots, item by item, in words an editor reads.

Used for "N unpublished changes" (the working copy against the last published version),
the "Review changes" page, the publish confirmation, and a published version's page
(that version against the one before). Works on any snapshot body, whatever fields a
content schema adds: a field it does not know is compared and reported by its name.
"""

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.db import models
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator, capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from . import content, translation
from .models import Choice, ContentVersion, SiteSettings

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

    @property
    def marked(self) -> tuple[SafeString, SafeString]:
        """Before and after as HTML, the words that changed in <del> and <ins>."""
        return marked_changes(self.before, self.after)


# Chinese has no spaces between words: each CJK character (and full-width mark) is a token
# of its own; elsewhere a word, a run of white space or one punctuation mark is.
_CJK = "\u2e80-\u2fdf\u3000-\u303f\u3040-\u9fff\uf900-\ufaff\uff00-\uffef"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+|\s+|[^\w\s]")


def _wrapped(tag: str, text: str) -> str:
    """`text` in `tag`, its outer white space left outside (nothing to mark in a space)."""
    core = text.strip()
    if not core:
        return escape(text)
    start = text.index(core)
    inner = format_html(f"<{tag}>{{}}</{tag}>", core)
    return f"{escape(text[:start])}{inner}{escape(text[start + len(core) :])}"


def marked_changes(before: str, after: str) -> tuple[SafeString, SafeString]:
    """`before` with its removed words in <del>, `after` with its added words in <ins>.
    An item added or removed whole has one side only: nothing to mark within it."""
    if not before or not after:
        return escape(before), escape(after)
    old, new = _TOKEN.findall(before), _TOKEN.findall(after)
    before_html: list[str] = []
    after_html: list[str] = []
    for operation, old_from, old_to, new_from, new_to in difflib.SequenceMatcher(
        a=old, b=new, autojunk=False
    ).get_opcodes():
        removed, added = "".join(old[old_from:old_to]), "".join(new[new_from:new_to])
        if operation == "equal":
            before_html.append(escape(removed))
            after_html.append(escape(added))
            continue
        before_html.append(_wrapped("del", removed))
        after_html.append(_wrapped("ins", added))
    return mark_safe("".join(before_html)), mark_safe("".join(after_html))  # every part is escaped above


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


# -- translations older than their source ----------------------------------------------
# A translation is older than its source when the English text is no longer the one it
# was last edited against. Published versions are the record of both: walking them in
# order, the English text at the version where a translation last changed is the English
# it translates. Unlike "changed since the last version", this keeps warning after a
# version published with the stale text, and stops when the English is changed back.

TextKey = tuple[type[models.Model], str, str]  # (model, item key, model field)


@dataclass(frozen=True)
class StaleTranslation:
    model: type[models.Model]
    key: str
    label: str
    field: str
    language: str

    def __str__(self) -> str:
        return _(
            "%(kind)s “%(item)s”, %(field)s: the %(language)s text is a translation older than its source "
            "(its English changed after the %(language)s was last edited)."
        ) % {
            "kind": capfirst(self.model._meta.verbose_name),
            "item": self.label,
            "field": cast(models.Field, self.model._meta.get_field(self.field)).verbose_name,
            "language": get_language_info(self.language)["name_translated"],
        }


def _texts(body: Mapping[str, Any]) -> dict[TextKey, tuple[str, str, dict[str, str]]]:
    """Every translated text of a snapshot: (model, key, field) -> (label, English, {language: text})."""
    site = str(SiteSettings._meta.verbose_name)
    texts: dict[TextKey, tuple[str, str, dict[str, str]]] = {}
    for text in translation.texts(translation.inline(body)):
        if text.model is SiteSettings:
            key, label = "settings", site
        else:
            # A choice is named "question.choice"; an item by its key.
            key = text.where if text.model is Choice else dict(text.row)["key"]
            label = Truncator(_label(text.holder)).chars(60)
        translated = {
            language: str(text.holder.get(translation.field_name(text.name, language)) or "")
            for language in translation.translated_languages()
        }
        texts[(text.model, key, text.field)] = (label, text.english, translated)
    return texts


def stale_translations(history: Iterable[Mapping[str, Any]], working: Mapping[str, Any]) -> list[StaleTranslation]:
    """Each non-empty translation in `working` whose English is not the English it was last
    edited against, given every published snapshot before it (oldest first). A missing
    translation is not stale: translation.translation_warnings reports it."""
    translated_against: dict[tuple[TextKey, str], str] = {}
    last_seen: dict[tuple[TextKey, str], str] = {}
    working_texts = _texts(working)
    for texts in (*(_texts(body) for body in history), working_texts):
        for where, (_label_text, english, translated) in texts.items():
            for language, text in translated.items():
                if last_seen.get((where, language)) != text:
                    last_seen[(where, language)] = text
                    translated_against[(where, language)] = english
    return [
        StaleTranslation(model, key, label, field, language)
        for (model, key, field), (label, english, translated) in working_texts.items()
        for language, text in translated.items()
        if text.strip() and english.strip() and translated_against[((model, key, field), language)] != english
    ]


def _published_snapshots(**filters) -> Iterator[Mapping[str, Any]]:
    versions = ContentVersion.objects.filter(**filters).order_by("number")
    return versions.values_list("snapshot", flat=True).iterator()


def unpublished_stale_translations(body: Mapping[str, Any]) -> list[StaleTranslation]:
    """Translations of the working copy `body` older than their English source."""
    return stale_translations(_published_snapshots(), body)


def stale_translations_in(version: ContentVersion) -> list[StaleTranslation]:
    """Translations a published version carries that are older than their English source."""
    return stale_translations(_published_snapshots(number__lt=version.number), version.snapshot)
