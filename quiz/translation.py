"""Content in every language of `settings.LANGUAGES`: which texts are translated, and the
one walk over a snapshot's texts that everything else uses.

django-modeltranslation (which imports this module at start-up) gives each text below a
field per language on its model, `text_en` and so on (`field_name`). `texts_of`
reads an item's text in every language. English is the source language: the admin
writes it first, and a text with no translation shows the English.

A published snapshot keeps its English texts where they always were (the scorers and the
admin read those) and carries every other language's texts under `translations`, keyed by
the items' stable keys (docs/CONTENT_FORMAT.md). `texts` walks those texts once; building
the translations, shaping a file's, handing a person one language (`localize`), comparing
versions (`inline`), the missing-translation checks and loading a file all follow it.
"""

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from modeltranslation import settings as languages_settings
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname

from . import contracts
from .models import CauseGroup, Choice, Question, SiteSettings, Tip, TipCategory
from .tiers import URGENCY_ORDER

SOURCE_LANGUAGE: str = languages_settings.DEFAULT_LANGUAGE

SITE_TEXTS = ("emergency_label", "non_emergency_label", "disclaimer", "limits")
# The settings' "actions" by urgency tier (highest first), then the actions a sign names
# (`Choice.action`), and the model field holding each.
ACTION_FIELDS: dict[str, str] = {
    **{tier: f"action_{tier}" for tier in reversed(URGENCY_ORDER)},
    "pregnancy": "action_pregnancy",
    "coping": "action_coping",
}
# The translated texts of each list of the snapshot, named as there, and their model.
ITEM_TEXTS: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "cause_groups": (CauseGroup, ("name", "explanation")),
    "tip_categories": (TipCategory, ("name", "description")),
    "tips": (Tip, ("title", "body")),
    "questions": (Question, ("text", "help_text")),
}
# Every model field a person reads, by model: each has a field per language.
TRANSLATED_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    SiteSettings: (*SITE_TEXTS, *ACTION_FIELDS.values()),
    **{model: names for model, names in ITEM_TEXTS.values()},
    Choice: ("text",),
}


def _register_translated_fields() -> None:
    for model, names in TRANSLATED_FIELDS.items():
        # The English text is as required as it always was; a translation may wait. An
        # empty one is "" (not NULL), as an English text left empty.
        translator.register(model, fields=names, empty_values="", required_languages=(SOURCE_LANGUAGE,))


_register_translated_fields()


# -- languages and fields ---------------------------------------------------------------


def languages() -> list[str]:
    """Every content language, the source language first."""
    others = [language for language in languages_settings.AVAILABLE_LANGUAGES if language != SOURCE_LANGUAGE]
    return [SOURCE_LANGUAGE, *others]


def translated_languages() -> list[str]:
    """The languages the content is translated into (every one but the source)."""
    return languages()[1:]


def field_name(field: str, language: str) -> str:
    """The model field holding `field`'s text in `language` (`text` in English: `text_en`)."""
    return build_localized_fieldname(field, language)


def texts_of(item: models.Model, field: str) -> dict[str, str]:
    """The text of `item`'s `field` in every language ("" where it has none)."""
    return {language: getattr(item, field_name(field, language)) or "" for language in languages()}


# -- the walk over a snapshot's texts ---------------------------------------------------


@dataclass(frozen=True)
class Text:
    """One text a person reads in a snapshot body."""

    where: str  # how a message names it: "settings.disclaimer", "w_emergency.text", "w_emergency.saddle"
    holder: dict  # the English dict holding it (the settings, their actions, an item or a choice)
    name: str  # its name in `holder`
    path: tuple[str, ...]  # where a language's translation of it sits under `translations[language]`
    model: type[models.Model]  # the model storing it,
    field: str  # in this field (the English one; `field_name` gives each language's)
    row: tuple[tuple[str, str], ...]  # and the row: lookups by key (none for the site settings)
    warning: bool  # part of a warning-sign question (refused unpublished if untranslated)

    @property
    def english(self) -> str:
        return str(self.holder.get(self.name) or "")


def texts(body: Mapping[str, Any]) -> Iterator[Text]:
    """Every text of `body` a person reads, in the snapshot's order. Each settings text and
    action is walked even where `body` lacks it (a file from before it existed, or nothing
    published yet): its English is then empty."""
    settings = body.get("settings", {})
    actions = settings.get("actions", {})
    for name in SITE_TEXTS:
        yield Text(f"settings.{name}", settings, name, ("settings", name), SiteSettings, name, (), False)
    for tier, field in ACTION_FIELDS.items():
        where, path = f"settings.actions.{tier}", ("settings", "actions", tier)
        yield Text(where, actions, tier, path, SiteSettings, field, (), False)
    for part, (model, fields) in ITEM_TEXTS.items():
        for item in body.get(part, []):
            key = item["key"]
            warning = part == "questions" and item["section"] == Question.Section.WARNING
            for name in fields:
                yield Text(f"{key}.{name}", item, name, (part, key, name), model, name, (("key", key),), warning)
            for choice in item.get("choices", []) if part == "questions" else []:
                row = (("question__key", key), ("key", choice["key"]))
                choice_path = (part, key, "choices", choice["key"])
                yield Text(f"{key}.{choice['key']}", choice, "text", choice_path, Choice, "text", row, warning)


def _empty_translation() -> dict[str, Any]:
    return {"settings": {"actions": {}}, **{part: {} for part in ITEM_TEXTS}}


def _put(tree: dict, path: tuple[str, ...], value: str) -> None:
    for step in path[:-1]:
        tree = tree.setdefault(step, {})
    tree[path[-1]] = value


def _get(tree: Any, path: tuple[str, ...]) -> str:
    for step in path:
        tree = tree.get(step) if isinstance(tree, dict) else None
    return tree if isinstance(tree, str) else ""


def shaped(body: Mapping[str, Any], translations: Mapping[str, Any]) -> dict[str, contracts.Translation]:
    """`translations` in the exact shape publishing gives them for `body`: every text of
    the body in every translated language, "" where one is missing, nothing else."""
    shaped_texts: dict[str, Any] = {}
    for language in translated_languages():
        given, tree = translations.get(language) or {}, _empty_translation()
        for text in texts(body):
            _put(tree, text.path, _get(given, text.path))
        shaped_texts[language] = tree
    return shaped_texts


def build_translations(body: Mapping[str, Any]) -> dict[str, contracts.Translation]:
    """Every translated language's texts of the working copy `body` was built from."""
    stored: dict[str, Any] = {language: {} for language in translated_languages()}
    rows = _rows_by_text(body)
    for text in texts(body):
        row = rows.get((text.model, text.row))
        row_texts = texts_of(row, text.field) if row is not None else {}
        for language in stored:
            _put(stored[language], text.path, row_texts.get(language, ""))
    return shaped(body, stored)


def _rows_by_text(body: Mapping[str, Any]) -> dict[tuple, models.Model]:
    """The rows holding `body`'s texts, by (model, lookups): one query per model."""
    rows: dict[tuple, models.Model] = {(SiteSettings, ()): SiteSettings.load()}
    for model, _fields in ITEM_TEXTS.values():
        by_key = model._default_manager.in_bulk(field_name="key")
        rows.update({(model, (("key", key),)): row for key, row in by_key.items()})
    for choice in Choice.objects.select_related("question"):
        rows[(Choice, (("question__key", choice.question.key), ("key", choice.key)))] = choice
    return rows


def localize(snapshot: Mapping[str, Any], language: str) -> dict[str, Any]:
    """The snapshot as a person reading `language` gets it: its texts in that language
    (English where a text has no translation), no other language's texts."""
    localized = {key: value for key, value in snapshot.items() if key != "translations"}
    localized["language"] = language if language in translated_languages() else SOURCE_LANGUAGE
    wanted = (snapshot.get("translations") or {}).get(language)
    if not wanted:
        return localized
    localized = copy.deepcopy(localized)
    for text in texts(localized):
        translated = _get(wanted, text.path)
        if translated and text.name in text.holder:
            text.holder[text.name] = translated
    return localized


def inline(body: Mapping[str, Any]) -> dict[str, Any]:
    """The snapshot with each translation beside its English text as the model names it
    (`field_name`), and no `translations`: how the admin's change review compares versions."""
    flat = copy.deepcopy({key: value for key, value in body.items() if key != "translations"})
    translations = body.get("translations") or {}
    for text in texts(flat):
        for language, wanted in translations.items():
            if wanted:
                text.holder[field_name(text.name, language)] = _get(wanted, text.path)
    return flat


def missing_translations(body: Mapping[str, Any]) -> list[tuple[str, str, bool]]:
    """(language, where, is a warning sign) for every English text without its translation."""
    translations = body.get("translations") or {}
    return [
        (language, text.where, text.warning)
        for language in translated_languages()
        for text in texts(body)
        if text.english.strip() and not _get(translations.get(language), text.path).strip()
    ]


def translation_problems(body: Mapping[str, Any]) -> list[str]:
    """Missing translations that stop publishing: a warning sign must be readable by everyone.
    One problem per question, naming it and what is missing."""
    by_question: dict[tuple[str, str], list[str]] = {}
    for language, where, warning in missing_translations(body):
        if warning:
            key, _dot, part = where.partition(".")
            by_question.setdefault((language, key), []).append(part)
    return [
        _("Warning-sign question “%(key)s” has no %(language)s text for: %(parts)s. Translate it before publishing.")
        % {"key": key, "language": language, "parts": ", ".join(parts)}
        for (language, key), parts in by_question.items()
    ]


def translation_warnings(body: Mapping[str, Any]) -> list[str]:
    """Missing translations that publishing allows (the English text is shown instead)."""
    return [
        _("“%(where)s” has no %(language)s text yet; people reading %(language)s see the English.")
        % {"where": where, "language": language}
        for language, where, warning in missing_translations(body)
        if not warning
    ]


def texts_in(body: Mapping[str, Any], language: str) -> Iterator[tuple[str, str]]:
    """Every text of `body` written in `language` (none empty) with where it is: the English
    texts in place, a translated language's under `translations` (for the verdict-wording scan)."""
    if language == SOURCE_LANGUAGE:
        yield from ((text.where, text.english) for text in texts(body) if text.english)
        return
    translated = (body.get("translations") or {}).get(language)
    for text in texts(body):
        written = _get(translated, text.path)
        if written:
            yield f"{text.where} ({language})", written


def translated_texts(body: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Every translated text with where it is."""
    for language in translated_languages():
        yield from texts_in(body, language)


def load_translations(body: Mapping[str, Any]) -> None:
    """Set the translated fields of the working copy from `body`'s `translations`."""
    translations = body.get("translations") or {}
    values: dict[tuple, dict[str, str]] = {}
    for text in texts(body):
        for language, given in translations.items():
            row_values = values.setdefault((text.model, text.row), {})
            row_values[field_name(text.field, language)] = _get(given, text.path)
    for (model, row), row_values in values.items():
        model._default_manager.filter(**dict(row)).update(**row_values)
