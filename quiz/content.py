"""Publishing: turn the editable content into an immutable, versioned snapshot.

The snapshot format is documented in `docs/CONTENT_FORMAT.md`. The same format (minus
`version` and `hash`) is the shipped seed content, loaded by `seed_content`.
"""

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from itertools import chain
from pathlib import Path
from typing import Any, cast

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext_lazy

from . import contracts, translation
from .models import (
    CauseGroup,
    Choice,
    ChoiceWeight,
    ContentVersion,
    Question,
    SiteSettings,
    Tip,
    TipCategory,
)

# Schema 2 added `show_if`, "facts" questions, exclusive and "not sure" choices, tips
# for severe pain and ranked tips; schema 3 a tip's `show_if`, honoured with the first
# tips covering the two strongest causes (docs/CONTENT_FORMAT.md).
SCHEMA = 3

# Verdict-style wording BackCare never uses (the product brief's "Safety rules", mirrored in docs/SAFETY.md): it
# never diagnoses, never reassures, never gives a probability. Each phrase is written here in
# English; a language's own phrases are its gettext catalogue's translation of it under the
# context "forbidden verdict phrase", every variant separated by VERDICT_PHRASE_SEPARATOR
# (msgstr "低风险|风险低"), so a new language brings its own in its .po file and no code
# changes (`verdict_phrases`). Matched case-insensitively.
VERDICT_PHRASE_CONTEXT = "forbidden verdict phrase"
VERDICT_PHRASE_SEPARATOR = "|"
FORBIDDEN_PHRASES = (
    pgettext_lazy("forbidden verdict phrase", "low risk"),
    pgettext_lazy("forbidden verdict phrase", "nothing serious"),
    pgettext_lazy("forbidden verdict phrase", "you have"),
    pgettext_lazy("forbidden verdict phrase", "diagnosis:"),
    pgettext_lazy("forbidden verdict phrase", "you are suffering from"),
    pgettext_lazy("forbidden verdict phrase", "you don't need to see"),
    pgettext_lazy("forbidden verdict phrase", "no need to see a doctor"),
    # xgettext:no-python-format
    pgettext_lazy("forbidden verdict phrase", "% chance"),
    pgettext_lazy("forbidden verdict phrase", "probability"),
)
SEED_PATH = Path(__file__).resolve().parent / "seed" / "content.json"
SEED_TRANSLATIONS_NAME = "translations.json"


class PublishError(Exception):
    """The content is not fit to publish. `problems` lists every reason, in plain words."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class NothingToPublish(Exception):
    def __init__(self, version: ContentVersion):
        super().__init__(f"Nothing changed since version {version.number}.")
        self.version = version


def _provenance(item) -> contracts.Provenance:
    return {"source_paragraph": item.source_paragraph, "source_note": item.source_note}


def _settings_snapshot(site: SiteSettings) -> contracts.Settings:
    return {
        "emergency_number": site.emergency_number,
        "emergency_label": site.emergency_label,
        "non_emergency_number": site.non_emergency_number,
        "non_emergency_label": site.non_emergency_label,
        "disclaimer": site.disclaimer,
        "cause_threshold": site.cause_threshold,
        "actions": cast(
            contracts.Actions, {name: getattr(site, field) for name, field in translation.ACTION_FIELDS.items()}
        ),
        "limits": site.limits,
        "severe_pain_from": site.severe_pain_from,
        "course_weeks": site.course_weeks,
        "course_change": site.course_change,
        "follow_up_days": site.follow_up_days,
    }


def _choice_snapshot(choice: Choice) -> contracts.Choice:
    snapshot: contracts.Choice = {
        "key": choice.key,
        "text": choice.text,
        "order": choice.order,
        "urgency": choice.urgency or None,
        "stops_quiz": choice.stops_quiz,
        "exclusive": choice.exclusive,
        "unsure": choice.unsure,
        "weights": {weight.cause_group.key: weight.weight for weight in choice.weights.all()},
    }
    # Only on the few signs with an action of their own, as the seed file has it.
    if choice.action:
        snapshot["action"] = choice.action
    return snapshot


def _question_snapshot(question: Question) -> contracts.Question:
    scale = question.is_scale
    return {
        "key": question.key,
        "text": question.text,
        "help_text": question.help_text,
        "kind": question.kind,
        "section": question.section,
        "order": question.order,
        **_provenance(question),
        "scale_min": question.scale_min if scale else None,
        "scale_max": question.scale_max if scale else None,
        "show_if": question.show_if or None,
        "choices": [] if scale else [_choice_snapshot(choice) for choice in question.choices.all()],
    }


def _tip_snapshot(tip: Tip) -> contracts.Tip:
    return {
        "key": tip.key,
        "title": tip.title,
        "body": tip.body,
        "category": tip.category.key if tip.category else None,
        "cause_groups": [group.key for group in tip.cause_groups.all()],
        **_provenance(tip),
        "order": tip.order,
        "for_severe_pain": tip.for_severe_pain,
        "show_if": tip.show_if or None,
    }


def _questions_in_display_order():
    choices = Choice.objects.order_by("order", "key").prefetch_related(
        Prefetch("weights", queryset=ChoiceWeight.objects.select_related("cause_group"))
    )
    questions = Question.objects.active().prefetch_related(Prefetch("choices", queryset=choices))
    return sorted(questions, key=lambda question: question.place)


def build_snapshot() -> contracts.Snapshot:
    """The current working copy as a snapshot body (no version, no hash)."""
    # The models answer in the active language (django-modeltranslation): the body is English.
    with override(translation.SOURCE_LANGUAGE):
        body = _english_snapshot()
    body["translations"] = translation.build_translations(body)
    return body


def _english_snapshot() -> contracts.Snapshot:
    tips = Tip.objects.active().select_related("category").prefetch_related("cause_groups")
    return {
        "schema": SCHEMA,
        "settings": _settings_snapshot(SiteSettings.load()),
        "cause_groups": [
            {"key": g.key, "name": g.name, "explanation": g.explanation, **_provenance(g), "order": g.order}
            for g in CauseGroup.objects.all()
        ],
        "tip_categories": [
            {"key": c.key, "name": c.name, "description": c.description, "order": c.order}
            for c in TipCategory.objects.all()
        ],
        "tips": [_tip_snapshot(tip) for tip in tips],
        "questions": [_question_snapshot(q) for q in _questions_in_display_order()],
    }


def content_hash(body: Mapping[str, object]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _duplicates(keys) -> list[str]:
    return sorted(key for key, count in Counter(keys).items() if count > 1)


# -- the snapshot's shape: one check for every way content is published -------------
# Admin publish, import_content and the data migrations all publish through `publish`,
# which refuses a body `validate_snapshot` finds a problem in; import_content checks the
# file with the same function before loading it. The shape comes from the contracts
# (which keys, which are optional) and the models (types, lengths, choices, validators),
# so a file is held to exactly what the admin's forms let an editor type.

# Text fields without a max_length (TextField) are held to this many characters: the
# longest shipped text has 382, and every text travels to every phone in the bundle.
TEXT_MAX_LENGTH = 5000
# The standard (PostgreSQL) integer ranges, whatever the database: SQLite stores any
# 64-bit number, so content checked on a laptop would fail on the server.
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges
# A version published before this check may break its rules and is still in the database
# (versions never change). Read back to score a result, it is checked only for what would
# crash the scorer: the keys it reads (below), their types, and the enums it branches on.
# A weight of 1000 or a reversed scale scores (or refuses an answer) without crashing.
SCORER_ENUMS = frozenset({"kind", "urgency"})
SCORED_KEYS: dict[str, frozenset[str]] = {
    "body": frozenset({"settings", "cause_groups", "tips", "questions"}),
    "settings": frozenset({"cause_threshold", "severe_pain_from"}),
    "cause_groups": frozenset({"key"}),
    "tip_categories": frozenset(),
    "tips": frozenset({"key", "cause_groups", "for_severe_pain", "show_if"}),
    "questions": frozenset({"key", "kind", "section", "scale_min", "scale_max", "show_if", "choices"}),
    "choices": frozenset({"key", "urgency", "stops_quiz", "exclusive", "unsure", "weights"}),
}
# A scale's ends are null in the snapshot of a choice question.
_NULL_IN_SNAPSHOT = frozenset({"scale_min", "scale_max"})
_PARTS: dict[str, tuple[type, type[models.Model]]] = {
    "cause_groups": (contracts.CauseGroup, CauseGroup),
    "tip_categories": (contracts.TipCategory, TipCategory),
    "tips": (contracts.Tip, Tip),
    "questions": (contracts.Question, Question),
}


def _keys_of(shape: type) -> tuple[frozenset[str], frozenset[str]]:
    """(required, optional) keys of a contracts TypedDict. The contracts are written with
    postponed annotations, where Python 3.11 cannot tell NotRequired keys apart itself."""
    required: set[str] = set()
    optional: set[str] = set()
    for name, annotation in shape.__annotations__.items():
        text = getattr(annotation, "__forward_arg__", str(annotation))
        (optional if text.startswith("NotRequired[") else required).add(name)
    return frozenset(required), frozenset(optional)


class _ShapeCheck:
    """Walks a snapshot body and collects a problem for everything the format does not allow.

    `published`: the body is a version already published (read back to score a result):
    only what the scorer reads is checked, so a version published under older rules
    still scores unless it would crash the scorer."""

    def __init__(self, *, published: bool) -> None:
        self.published = published
        self.problems: list[str] = []

    def add(self, template: Any, /, **values: object) -> None:
        self.problems.append(template % values)

    # -- generic: an item's keys, and one value against its model field ---------------

    def item(self, where: str, item: Any, shape: type, part: str) -> bool:
        """Whether `item` is an object with its required keys (problems added if not)."""
        if not isinstance(item, dict):
            self.add(_("%(where)s must be %(kind)s."), where=where, kind=_("an object"))
            return False
        required, optional = _keys_of(shape)
        if self.published:
            required, optional = required & SCORED_KEYS[part], optional | required
        else:
            for name in sorted(set(item) - required - optional, key=str):
                self.add(_("%(where)s has an unknown field “%(name)s”."), where=where, name=_shortened(name))
        missing = sorted(required - set(item))
        for name in missing:
            self.add(_("%(where)s has no “%(name)s”."), where=where, name=name)
        return not missing

    def value(self, where: str, value: Any, field: models.Field, part: str, name: str) -> None:
        """One value against the model field that stores it: type, choices, range, length."""
        if self.published and name not in SCORED_KEYS[part]:
            return
        where = f"{where} ({name})"
        if value is None and (field.null or field.choices or name in _NULL_IN_SNAPSHOT):
            return  # an urgency raises none as null in a snapshot, "" in its model
        if isinstance(field, models.BooleanField):
            if not isinstance(value, bool):
                self.add(_("%(where)s must be %(kind)s."), where=where, kind=_("true or false"))
        elif isinstance(field, models.IntegerField):
            self.integer(where, value, field)
        elif not isinstance(value, str):
            self.add(_("%(where)s must be %(kind)s."), where=where, kind=_("text"))
        elif field.choices and (not self.published or name in SCORER_ENUMS):
            known = [str(choice) for choice, _label in field.flatchoices if choice != ""]
            if value not in known and not (value == "" and field.blank):
                self.add(
                    _("%(where)s is “%(value)s”, which is not one of: %(known)s."),
                    where=where,
                    value=_shortened(value),
                    known=", ".join(known),
                )
        elif not self.published:
            self.text(where, value, field)

    def integer(self, where: str, value: Any, field: models.Field) -> None:
        # bool is an int in Python but not a number in JSON.
        if not isinstance(value, int) or isinstance(value, bool):
            self.add(_("%(where)s must be %(kind)s."), where=where, kind=_("a whole number"))
            return
        if self.published:
            return
        low, high = INTEGER_RANGES[field.get_internal_type()]
        if not low <= value <= high:
            self.add(_("%(where)s must be from %(low)s to %(high)s."), where=where, low=low, high=high)
            return
        self.validators(where, value, field.validators)

    def text(self, where: str, value: str, field: models.Field) -> None:
        if value in field.empty_values and not field.blank:
            self.add(_("%(where)s must not be empty."), where=where)
            return
        limit = [] if field.max_length else [MaxLengthValidator(TEXT_MAX_LENGTH)]
        self.validators(where, value, [*field.validators, *limit])

    def validators(self, where: str, value: Any, validators) -> None:
        for validator in validators:
            try:
                validator(value)
            except ValidationError as error:
                for message in error.messages:
                    self.add(_("%(where)s: %(message)s"), where=where, message=message)

    def fields(self, where: str, item: dict, model: type[models.Model], part: str) -> None:
        """Every key of `item` that a field of `model` stores."""
        for name, value in item.items():
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:  # not a field: the caller checks it (choices, weights, ...)
                continue
            if isinstance(field, models.Field) and not field.is_relation and not isinstance(field, models.JSONField):
                self.value(where, value, field, part, name)

    def list_of(self, where: str, value: Any, kind: type, kind_name: str) -> list:
        if not isinstance(value, list) or not all(isinstance(entry, kind) for entry in value):
            self.add(_("%(where)s must be %(kind)s."), where=where, kind=kind_name)
            return []
        return value


def _field(model: type[models.Model], name: str) -> models.Field:
    return cast(models.Field, model._meta.get_field(name))


def _shortened(text: object) -> str:
    """A name from the file as a message quotes it: a hostile one may be a megabyte long."""
    text = str(text)
    return text if len(text) <= 64 else f"{text[:64]}…"


def _label(part: str, item: Any, index: int, parent: str = "") -> str:
    key = item.get("key") if isinstance(item, dict) else None
    key = _shortened(key) if isinstance(key, str) and key else f"#{index + 1}"
    labels = {
        "cause_groups": _("Cause group “%(key)s”"),
        "tip_categories": _("Tip category “%(key)s”"),
        "tips": _("Tip “%(key)s”"),
        "questions": _("Question “%(key)s”"),
        "choices": _("Choice “%(key)s”"),
    }
    return labels[part] % {"key": f"{parent}.{key}" if parent else key}


def _nul_problems(body: Any) -> list[str]:
    """A NUL character anywhere (a text or a key): PostgreSQL cannot store one."""
    problems, stack = [], [("", body)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str) and "\x00" in value:
            problems.append(_("%(where)s contains a NUL character.") % {"where": path or "/"})
        elif isinstance(value, dict):
            for key, entry in value.items():
                name = str(key)
                if "\x00" in name:
                    problems.append(_("%(where)s contains a NUL character.") % {"where": f"{path}/{name!r}"})
                stack.append((f"{path}/{name}", entry))
        elif isinstance(value, list):
            stack.extend((f"{path}/{index}", entry) for index, entry in enumerate(value))
    return sorted(problems)


def shape_problems(body: Any, *, published: bool = False) -> list[str]:
    """Every way `body` departs from the snapshot format (docs/CONTENT_FORMAT.md, "Limits"):
    unknown or missing keys, wrong types, urgencies, kinds and sections the models do not
    know, numbers outside their field's (and the database's) range, texts longer than
    their field allows, NUL characters, a reversed scale, names of items that do not
    exist. `published`: only what the scorer reads (see _ShapeCheck)."""
    check = _ShapeCheck(published=published)
    if not check.item(_("The content"), body, contracts.Snapshot, "body"):
        return check.problems
    if not published:
        check.problems.extend(_nul_problems(body))
    if "schema" in body:
        schema = body["schema"]
        if not isinstance(schema, int) or isinstance(schema, bool) or not 1 <= schema <= SCHEMA:
            check.add(_("%(where)s must be from %(low)s to %(high)s."), where="schema", low=1, high=SCHEMA)
    _settings_shape(check, body["settings"])
    groups = _part_shape(check, body, "cause_groups")
    categories = _part_shape(check, body, "tip_categories")
    for index, tip in enumerate(body.get("tips") if isinstance(body.get("tips"), list) else []):
        _tip_references(check, _label("tips", tip, index), tip, groups, categories)
    _part_shape(check, body, "tips")
    for tip in body["tips"] if isinstance(body.get("tips"), list) else []:
        if isinstance(tip, dict) and "key" in tip:
            _show_if_shape(check, tip)
    for index, question in enumerate(_part_items(check, body, "questions")):
        _question_shape(check, _label("questions", question, index), question, groups)
    if not published and "translations" in body:
        _translations_shape(check, body["translations"])
    return check.problems


def _part_items(check: _ShapeCheck, body: dict, part: str) -> list:
    items = body.get(part)
    if part not in body and check.published and part not in SCORED_KEYS["body"]:
        return []
    if not isinstance(items, list):
        check.add(_("%(where)s must be %(kind)s."), where=part, kind=_("a list"))
        return []
    return items


def _part_shape(check: _ShapeCheck, body: dict, part: str) -> set[str]:
    """Check each item of a list of cause groups, tip categories or tips; their keys."""
    shape, model = _PARTS[part]
    keys = set()
    items = _part_items(check, body, part) if part != "questions" else []
    for index, item in enumerate(items):
        where = _label(part, item, index)
        if check.item(where, item, shape, part):
            check.fields(where, item, model, part)
            if isinstance(item.get("key"), str):
                keys.add(item["key"])
    return keys


def _settings_shape(check: _ShapeCheck, settings: Any) -> None:
    where = _("Site settings")
    if not check.item(where, settings, contracts.Settings, "settings"):
        return
    check.fields(where, settings, SiteSettings, "settings")
    actions = settings.get("actions")
    if check.published:
        return
    # Every tier's action; the actions a sign names (check v3) only where a version has them.
    required, _optional = _keys_of(contracts.Actions)
    if not isinstance(actions, dict) or not required <= set(actions) <= set(translation.ACTION_FIELDS):
        check.add(_("%(where)s must be %(kind)s."), where=f"{where} (actions)", kind=_("an object"))
        return
    for name, value in actions.items():
        field = _field(SiteSettings, translation.ACTION_FIELDS[name])
        check.value(f"{where} (actions)", value, field, "settings", name)


def _show_if_shape(check: _ShapeCheck, item: dict) -> None:
    """A question's or a tip's `show_if`: null, or one question and a list of its choices."""
    condition = item.get("show_if")
    if condition is not None and not (
        isinstance(condition, dict)
        and set(condition) == {"question", "choices"}
        and isinstance(condition["question"], str)
        and isinstance(condition["choices"], list)
        and bool(condition["choices"])
        and all(isinstance(key, str) for key in condition["choices"])
    ):
        check.add(_('“Show only if” of “%(key)s” must look like {"question": "…", "choices": ["…"]}.'), key=item["key"])


def _tip_references(check: _ShapeCheck, where: str, tip: Any, groups: set[str], categories: set[str]) -> None:
    if not isinstance(tip, dict):
        return
    if "cause_groups" in tip:
        for key in check.list_of(f"{where} (cause_groups)", tip["cause_groups"], str, _("a list of keys")):
            if key not in groups and not check.published:
                check.add(
                    _("%(where)s names the cause group “%(key)s”, which the content does not have."),
                    where=where,
                    key=key,
                )
    category = tip.get("category")
    if not check.published and category is not None:
        if not isinstance(category, str):
            check.add(_("%(where)s must be %(kind)s."), where=f"{where} (category)", kind=_("text"))
        elif category not in categories:
            check.add(
                _("%(where)s names the tip category “%(key)s”, which the content does not have."),
                where=where,
                key=category,
            )


def _question_shape(check: _ShapeCheck, where: str, question: Any, groups: set[str]) -> None:
    if not check.item(where, question, contracts.Question, "questions"):
        return
    check.fields(where, question, Question, "questions")
    _show_if_shape(check, question)
    if question["kind"] == Question.Kind.SCALE:
        low, high = question["scale_min"], question["scale_max"]
        numbers = all(isinstance(end, int) and not isinstance(end, bool) for end in (low, high))
        if not Question.scale_is_valid(low, high) and not (check.published and numbers):
            check.add(_("%(where)s: %(message)s"), where=where, message=Question.scale_message(low, high))
    for index, choice in enumerate(check.list_of(f"{where} (choices)", question["choices"], object, _("a list"))):
        choice_where = _label("choices", choice, index, parent=str(question["key"]))
        if not check.item(choice_where, choice, contracts.Choice, "choices"):
            continue
        check.fields(choice_where, choice, Choice, "choices")
        weights = choice["weights"]
        if not isinstance(weights, dict):
            check.add(_("%(where)s must be %(kind)s."), where=f"{choice_where} (weights)", kind=_("an object"))
            continue
        weight_field = _field(ChoiceWeight, "weight")
        for group, weight in weights.items():
            check.value(f"{choice_where} (weights)", weight, weight_field, "choices", "weights")
            if group not in groups and not check.published:
                check.add(
                    _("%(where)s names the cause group “%(key)s”, which the content does not have."),
                    where=choice_where,
                    key=group,
                )


def _translations_shape(check: _ShapeCheck, translations: Any) -> None:
    """Each language's texts: known languages and parts, text within the field's limits."""
    if not isinstance(translations, dict):
        check.add(_("%(where)s must be %(kind)s."), where="translations", kind=_("an object"))
        return
    for language, texts in translations.items():
        where = f"translations ({language})"
        if language not in translation.translated_languages():
            check.add(_("%(where)s has an unknown field “%(name)s”."), where="translations", name=language)
            continue
        if not check.item(where, texts, contracts.Translation, "translations"):
            continue
        settings = texts["settings"]
        if not isinstance(settings, dict):
            check.add(_("%(where)s must be %(kind)s."), where=f"{where} settings", kind=_("an object"))
        else:
            actions = settings.get("actions", {})
            fields = {name: name for name in translation.SITE_TEXTS}
            _translated_texts(
                check,
                language,
                f"{where} settings",
                {name: text for name, text in settings.items() if name != "actions"},
                SiteSettings,
                fields,
            )
            _translated_texts(
                check, language, f"{where} settings (actions)", actions, SiteSettings, translation.ACTION_FIELDS
            )
        for part, (model, names) in translation.ITEM_TEXTS.items():
            items = texts[part]
            if not isinstance(items, dict):
                check.add(_("%(where)s must be %(kind)s."), where=f"{where} {part}", kind=_("an object"))
                continue
            for key, item_texts in items.items():
                item_where = f"{where} {part} “{key}”"
                if part == "questions" and isinstance(item_texts, dict) and "choices" in item_texts:
                    item_texts = dict(item_texts)
                    choices = item_texts.pop("choices")
                    choice_fields = {name: "text" for name in choices} if isinstance(choices, dict) else {}
                    if not isinstance(choices, dict):
                        check.add(
                            _("%(where)s must be %(kind)s."), where=f"{item_where} (choices)", kind=_("an object")
                        )
                    else:
                        _translated_texts(check, language, f"{item_where} (choices)", choices, Choice, choice_fields)
                _translated_texts(check, language, item_where, item_texts, model, {name: name for name in names})


def _translated_texts(
    check: _ShapeCheck, language: str, where: str, texts: Any, model: type[models.Model], fields: dict[str, str]
) -> None:
    """`texts` maps names to texts in `language`; each is stored in `model`'s field `fields[name]` in it."""
    if not isinstance(texts, dict):
        check.add(_("%(where)s must be %(kind)s."), where=where, kind=_("an object"))
        return
    for name, text in texts.items():
        if name not in fields:
            check.add(_("%(where)s has an unknown field “%(name)s”."), where=where, name=name)
        else:
            field = _field(model, translation.field_name(fields[name], language))
            check.value(where, text, field, "translations", str(name))


def _question_problems(question: contracts.Question) -> list[str]:
    problems = []
    key = question["key"]
    choices = question["choices"]
    if question["kind"] != Question.Kind.SCALE and len(choices) < 2:
        problems.append(_("Question “%(key)s” has fewer than two choices.") % {"key": key})
    for dup in _duplicates(c["key"] for c in choices):
        problems.append(_("Question “%(key)s” has two choices with the key “%(dup)s”.") % {"key": key, "dup": dup})
    if question["section"] == Question.Section.WARNING and not any(c["urgency"] for c in choices):
        problems.append(_("Warning-sign question “%(key)s” has no choice that raises urgency.") % {"key": key})
    for choice in choices:
        if choice["stops_quiz"] and choice["urgency"] != "emergency":
            problems.append(
                _("Choice “%(key)s.%(choice)s” stops the check but is not an emergency.")
                % {"key": key, "choice": choice["key"]}
            )
        problems.extend(_choice_flag_problems(question, choice))
    if question["section"] == Question.Section.FACTS and any(c["weights"] for c in choices):
        # Age alone (or any fact) never points to a cause: a symptom must.
        problems.append(_("Fact question “%(key)s” gives weight to a cause group.") % {"key": key})
    return problems


def _choice_flag_problems(question: contracts.Question, choice: contracts.Choice) -> list[str]:
    where = {"key": question["key"], "choice": choice["key"]}
    # A schema-1 file (an old export) has neither flag: both mean "no".
    exclusive, unsure = choice.get("exclusive", False), choice.get("unsure", False)
    problems = []
    if exclusive and question["kind"] != Question.Kind.MULTIPLE:
        problems.append(
            _("Choice “%(key)s.%(choice)s” excludes the others but the question is not multiple choice.") % where
        )
    if exclusive and (choice["urgency"] or unsure):
        problems.append(_("“None of these” choice “%(key)s.%(choice)s” cannot raise urgency.") % where)
    if unsure and question["section"] != Question.Section.WARNING:
        problems.append(_("“Not sure” choice “%(key)s.%(choice)s” is only for warning-sign questions.") % where)
    if unsure and (choice["urgency"] or choice["stops_quiz"]):
        problems.append(
            _("“Not sure” choice “%(key)s.%(choice)s” gets its urgency from the question's signs; leave it empty.")
            % where
        )
    return problems


def _sign_action_problems(body: contracts.Snapshot) -> list[str]:
    """A sign's own action (the midwife in pregnancy, support when struggling to cope) is
    said only with a sign, and only when the site settings hold its text: a sign naming an
    empty action would show the person nothing about who to call."""
    actions = body["settings"]["actions"]
    problems = []
    for question in body["questions"]:
        for choice in question["choices"]:
            action = choice.get("action")
            if not action:
                continue
            where = {"key": question["key"], "choice": choice["key"], "action": action}
            is_sign = question["section"] == Question.Section.WARNING and (choice["urgency"] or choice.get("unsure"))
            if not is_sign:
                message = _("Choice “%(key)s.%(choice)s” has an action of its own but is not a warning sign.")
                problems.append(message % where)
            elif not str(actions.get(action) or "").strip():
                message = _("Choice “%(key)s.%(choice)s” names the action “%(action)s”, which has no text.")
                problems.append(message % where)
    return problems


def _show_if_problems(body: contracts.Snapshot) -> list[str]:
    """`show_if` names an earlier choice question and some of its choices (its shape is
    checked with the rest of the snapshot's, by shape_problems). A tip comes after every
    question: its condition may name any of them, and only them."""
    problems = []
    earlier: dict[str, contracts.Question] = {}
    for question in body["questions"]:
        problems.extend(_condition_problems(question["key"], question.get("show_if"), earlier))
        earlier[question["key"]] = question
    for tip in body["tips"]:
        problems.extend(_condition_problems(tip["key"], tip.get("show_if"), earlier))
    return problems


def _condition_problems(
    key: str, condition: contracts.ShowIf | None, earlier: dict[str, contracts.Question]
) -> list[str]:
    if not condition:
        return []
    target = earlier.get(condition["question"])
    if target is None or target["kind"] == Question.Kind.SCALE:
        return [_("“Show only if” of “%(key)s” must name an earlier choice question.") % {"key": key}]
    if not set(condition["choices"]) <= {c["key"] for c in target["choices"]}:
        return [_("“Show only if” of “%(key)s” names a choice its question does not have.") % {"key": key}]
    return []


def verdict_phrases(language: str) -> list[str]:
    """The verdict phrases a text in `language` must not use, lower-cased: the English ones
    and, for another language, every variant its catalogue gives (none where it has no
    translation of a phrase yet)."""
    phrases: dict[str, None] = {}
    for reading in dict.fromkeys((translation.SOURCE_LANGUAGE, language)):
        with override(reading):
            for phrase in FORBIDDEN_PHRASES:
                for variant in str(phrase).split(VERDICT_PHRASE_SEPARATOR):
                    if variant.strip():
                        phrases[variant.strip().lower()] = None
    return list(phrases)


def every_verdict_phrase() -> list[str]:
    """The verdict phrases of every language (for wording that is not content: the interface)."""
    return list(dict.fromkeys(chain.from_iterable(verdict_phrases(language) for language in translation.languages())))


def forbidden_wording(body: contracts.Snapshot) -> list[str]:
    """A problem for each verdict-style phrase found in the content's wording: the English
    texts read for the English phrases, each language's texts for that language's."""
    problems = []
    for language in translation.languages():
        phrases = verdict_phrases(language)
        for where, text in translation.texts_in(body, language):
            lowered = text.lower()
            for phrase in phrases:
                if phrase in lowered:
                    problems.append(
                        _("“%(where)s” uses the wording “%(phrase)s”: BackCare never gives a verdict.")
                        % {"where": where, "phrase": phrase}
                    )
    return problems


def validate_snapshot(body: contracts.Snapshot) -> list[str]:
    """Every reason the content cannot be published; empty when it can. The one check of
    every way content is published (the admin, import_content, the data migrations)."""
    problems = shape_problems(body)
    if problems:
        # The rules below read the snapshot as the format promises it.
        return problems
    for label, items in (
        (_("question"), body["questions"]),
        (_("tip"), body["tips"]),
        (_("cause group"), body["cause_groups"]),
        (_("tip category"), body["tip_categories"]),
    ):
        for dup in _duplicates(item["key"] for item in items):
            problems.append(_("Two items of type %(label)s share the key “%(dup)s”.") % {"label": label, "dup": dup})
    if not body["questions"]:
        problems.append(_("There are no active questions."))
    for question in body["questions"]:
        problems.extend(_question_problems(question))
    problems.extend(_show_if_problems(body))
    problems.extend(_sign_action_problems(body))
    for tip in body["tips"]:
        if not tip["category"]:
            problems.append(_("Tip “%(key)s” has no category.") % {"key": tip["key"]})
    problems.extend(forbidden_wording(body))
    problems.extend(translation.translation_problems(body))
    return problems


def read_seed(path: Path = SEED_PATH) -> dict:
    """The shipped content, its other languages' texts (kept in a file of their own beside
    the English, translations.json) under `translations`."""
    body = json.loads(path.read_text(encoding="utf-8"))
    translations_path = path.with_name(SEED_TRANSLATIONS_NAME)
    if "translations" not in body and translations_path.exists():
        texts = json.loads(translations_path.read_text(encoding="utf-8"))
        body["translations"] = translation.shaped(body, texts)
    return body


# The course thresholds (optional in a snapshot: versions before them read as the defaults).
COURSE_SETTINGS = ("course_weeks", "course_change", "follow_up_days")


def _load_settings(values: dict) -> None:
    actions = values["actions"]
    SiteSettings.objects.update_or_create(
        pk=1,
        defaults={
            "emergency_number": values["emergency_number"],
            "emergency_label": values["emergency_label"],
            "non_emergency_number": values["non_emergency_number"],
            "non_emergency_label": values["non_emergency_label"],
            "disclaimer": values["disclaimer"],
            "cause_threshold": values["cause_threshold"],
            # Every tier's action (checked present); files from before the check v3 have
            # no sign actions.
            **{field: actions.get(name, "") for name, field in translation.ACTION_FIELDS.items()},
            "limits": values["limits"],
            "severe_pain_from": values.get("severe_pain_from"),
            # Files from before the course advice have none: the model's defaults.
            **{name: values[name] for name in COURSE_SETTINGS if name in values},
        },
    )


def _provenance_fields(item: dict) -> dict:
    return {"source_paragraph": item.get("source_paragraph"), "source_note": item.get("source_note") or ""}


def _load_question(item: dict, groups: dict[str, CauseGroup]) -> None:
    question = Question.objects.create(
        key=item["key"],
        text=item["text"],
        help_text=item.get("help_text", ""),
        kind=item["kind"],
        section=item["section"],
        order=item["order"],
        scale_min=item["scale_min"] if item.get("scale_min") is not None else 0,
        scale_max=item["scale_max"] if item.get("scale_max") is not None else 10,
        show_if=item.get("show_if"),
        **_provenance_fields(item),
    )
    for choice_item in item["choices"]:
        choice = Choice.objects.create(
            question=question,
            key=choice_item["key"],
            text=choice_item["text"],
            order=choice_item["order"],
            urgency=choice_item.get("urgency") or "",
            stops_quiz=choice_item.get("stops_quiz", False),
            exclusive=choice_item.get("exclusive", False),
            unsure=choice_item.get("unsure", False),
            action=choice_item.get("action") or "",
        )
        ChoiceWeight.objects.bulk_create(
            ChoiceWeight(choice=choice, cause_group=groups[group_key], weight=weight)
            for group_key, weight in choice_item.get("weights", {}).items()
        )


@transaction.atomic
def load_content(body: dict) -> None:
    """Create the editable content from a snapshot body. Only for an empty database."""
    # The models store a text in the active language (django-modeltranslation): the body is English.
    with override(translation.SOURCE_LANGUAGE):
        _load_english(body)
    translation.load_translations(body)


def _load_english(body: dict) -> None:
    _load_settings(body["settings"])
    groups = {
        item["key"]: CauseGroup.objects.create(
            key=item["key"],
            name=item["name"],
            explanation=item["explanation"],
            order=item["order"],
            **_provenance_fields(item),
        )
        for item in body["cause_groups"]
    }
    categories = {
        item["key"]: TipCategory.objects.create(
            key=item["key"], name=item["name"], description=item.get("description", ""), order=item["order"]
        )
        for item in body["tip_categories"]
    }
    for item in body["tips"]:
        tip = Tip.objects.create(
            key=item["key"],
            title=item["title"],
            body=item["body"],
            category=categories[item["category"]],
            order=item["order"],
            for_severe_pain=item.get("for_severe_pain", False),
            show_if=item.get("show_if"),
            **_provenance_fields(item),
        )
        tip.cause_groups.set([groups[key] for key in item["cause_groups"]])
    for item in body["questions"]:
        _load_question(item, groups)
