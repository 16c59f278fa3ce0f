"""Content in two languages: the English text of every item, and its Simplified Chinese
text beside it (`<field>_zh_hans` on the models).

A published snapshot keeps its English texts where they always were (the scorers and
the admin read those) and carries every other language's texts under `translations`,
keyed by the items' stable keys (docs/CONTENT_FORMAT.md). The API and the pages hand a
person the snapshot in their language (`localize`). Scoring reads keys only, so a check
answered in either language scores the same.
"""

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _

from . import contracts
from .models import CauseGroup, Choice, Question, SiteSettings, Tip, TipCategory
from .tiers import URGENCY_ORDER

SOURCE_LANGUAGE = "en"
# Languages content is translated into, with the suffix of their model fields.
CONTENT_LANGUAGES = {"zh-hans": "_zh_hans"}

SITE_TEXTS = ("emergency_label", "non_emergency_label", "disclaimer", "limits")
# The settings' "actions" by urgency tier (highest first), then the actions a sign names
# (`Choice.action`), and the model field holding each.
ACTION_FIELDS: dict[str, str] = {
    **{tier: f"action_{tier}" for tier in reversed(URGENCY_ORDER)},
    "pregnancy": "action_pregnancy",
    "coping": "action_coping",
}
# The translated fields of each model, named as in the snapshot.
ITEM_TEXTS: dict[str, tuple[str, ...]] = {
    "cause_groups": ("name", "explanation"),
    "tip_categories": ("name", "description"),
    "tips": ("title", "body"),
    "questions": ("text", "help_text"),
}
# Fields that may be empty in English too (then nothing is missing in Chinese).
OPTIONAL_TEXTS = {"description", "help_text"}


def translated_field_names() -> dict[type, list[str]]:
    """Every model field holding a translation, by model (for the admin and migrations)."""
    names: dict[type, list[str]] = {
        SiteSettings: [*SITE_TEXTS, *ACTION_FIELDS.values()],
        CauseGroup: list(ITEM_TEXTS["cause_groups"]),
        TipCategory: list(ITEM_TEXTS["tip_categories"]),
        Tip: list(ITEM_TEXTS["tips"]),
        Question: list(ITEM_TEXTS["questions"]),
        Choice: ["text"],
    }
    return {
        model: [f"{name}{suffix}" for name in fields for suffix in CONTENT_LANGUAGES.values()]
        for model, fields in names.items()
    }


def _text(item, field: str, suffix: str) -> str:
    return getattr(item, f"{field}{suffix}", "") or ""


def build_translations() -> dict[str, contracts.Translation]:
    """Every language's texts of the working copy, keyed by item key (a snapshot part)."""
    return {language: _language_texts(suffix) for language, suffix in CONTENT_LANGUAGES.items()}


def _language_texts(suffix: str) -> contracts.Translation:
    site = SiteSettings.load()
    rows = {
        "cause_groups": CauseGroup.objects.all(),
        "tip_categories": TipCategory.objects.all(),
        "tips": Tip.objects.active(),
    }
    parts: dict[str, dict[str, dict]] = {
        part: {row.key: {f: _text(row, f, suffix) for f in ITEM_TEXTS[part]} for row in part_rows}
        for part, part_rows in rows.items()
    }
    parts["questions"] = {
        question.key: {
            **{f: _text(question, f, suffix) for f in ITEM_TEXTS["questions"]},
            "choices": {choice.key: _text(choice, "text", suffix) for choice in question.choices.all()},
        }
        for question in Question.objects.active().prefetch_related("choices")
    }
    settings: contracts.SettingsTexts = {
        "emergency_label": _text(site, "emergency_label", suffix),
        "non_emergency_label": _text(site, "non_emergency_label", suffix),
        "disclaimer": _text(site, "disclaimer", suffix),
        "limits": _text(site, "limits", suffix),
        "actions": {tier: _text(site, field, suffix) for tier, field in ACTION_FIELDS.items()},
    }
    return _translation(settings, parts)


def _translation(settings: contracts.SettingsTexts, parts: dict[str, dict[str, dict]]) -> contracts.Translation:
    return {
        "settings": settings,
        "cause_groups": parts["cause_groups"],
        "tip_categories": parts["tip_categories"],
        "tips": parts["tips"],
        "questions": parts["questions"],
    }


def shaped(body: Mapping[str, Any], translations: dict) -> dict[str, contracts.Translation]:
    """`translations` in the exact shape publishing gives them for `body`: every item of
    the body, "" where a text is missing, nothing for items the body does not have."""
    shaped_texts: dict[str, contracts.Translation] = {}
    for language in CONTENT_LANGUAGES:
        texts = translations.get(language, {})
        given = texts.get("settings", {})
        settings: contracts.SettingsTexts = {
            "emergency_label": given.get("emergency_label", ""),
            "non_emergency_label": given.get("non_emergency_label", ""),
            "disclaimer": given.get("disclaimer", ""),
            "limits": given.get("limits", ""),
            "actions": {tier: (given.get("actions") or {}).get(tier, "") for tier in ACTION_FIELDS},
        }
        parts: dict[str, dict[str, dict]] = {}
        for part, fields in ITEM_TEXTS.items():
            part_texts = texts.get(part, {})
            parts[part] = {}
            for item in body[part]:
                item_texts = part_texts.get(item["key"], {})
                parts[part][item["key"]] = {field: item_texts.get(field, "") for field in fields}
                if part == "questions":
                    choice_texts = item_texts.get("choices", {})
                    parts[part][item["key"]]["choices"] = {
                        choice["key"]: choice_texts.get(choice["key"], "") for choice in item["choices"]
                    }
        shaped_texts[language] = _translation(settings, parts)
    return shaped_texts


def localize(snapshot: Mapping[str, Any], language: str) -> dict[str, Any]:
    """The snapshot as a person reading `language` gets it: its texts in that language
    (English where a text has no translation), no other language's texts."""
    localized = {key: value for key, value in snapshot.items() if key != "translations"}
    localized["language"] = language if language in CONTENT_LANGUAGES else SOURCE_LANGUAGE
    texts = (snapshot.get("translations") or {}).get(language)
    if not texts:
        return localized
    localized = copy.deepcopy(localized)
    settings, wanted = localized["settings"], texts.get("settings", {})
    for field in SITE_TEXTS:
        settings[field] = wanted.get(field) or settings[field]
    for tier, text in (wanted.get("actions") or {}).items():
        if text and tier in settings["actions"]:
            settings["actions"][tier] = text
    for part, fields in ITEM_TEXTS.items():
        part_texts = texts.get(part, {})
        for item in localized[part]:
            item_texts = part_texts.get(item["key"], {})
            for field in fields:
                item[field] = item_texts.get(field) or item[field]
            if part == "questions":
                choice_texts = item_texts.get("choices", {})
                for choice in item["choices"]:
                    choice["text"] = choice_texts.get(choice["key"]) or choice["text"]
    return localized


def inline(body: Mapping[str, Any]) -> dict[str, Any]:
    """The snapshot with each translation beside its English text as the model names it
    (`text_zh_hans`), and no `translations`: how the admin's change review compares versions."""
    flat = copy.deepcopy({key: value for key, value in body.items() if key != "translations"})
    for language, suffix in CONTENT_LANGUAGES.items():
        texts = (body.get("translations") or {}).get(language)
        if not texts:
            continue
        given = texts.get("settings", {})
        for field in SITE_TEXTS:
            flat["settings"][f"{field}{suffix}"] = given.get(field, "")
        for tier, text in (given.get("actions") or {}).items():
            flat["settings"]["actions"][f"{tier}{suffix}"] = text
        for part, fields in ITEM_TEXTS.items():
            for item in flat.get(part, []):
                item_texts = texts.get(part, {}).get(item["key"], {})
                item.update({f"{field}{suffix}": item_texts.get(field, "") for field in fields})
                for choice in item.get("choices", []) if part == "questions" else []:
                    choice[f"text{suffix}"] = item_texts.get("choices", {}).get(choice["key"], "")
    return flat


def _pairs(body: Mapping[str, Any], language: str) -> Iterator[tuple[str, str, str, bool]]:
    """(where, English, translation, is a warning sign) for every text of the content."""
    texts = (body.get("translations") or {}).get(language, {})
    settings, wanted = body["settings"], texts.get("settings", {})
    for field in SITE_TEXTS:
        yield f"settings.{field}", settings[field], wanted.get(field, ""), False
    for tier, english in settings["actions"].items():
        yield f"settings.actions.{tier}", english, (wanted.get("actions") or {}).get(tier, ""), False
    for part, fields in ITEM_TEXTS.items():
        part_texts = texts.get(part, {})
        for item in body[part]:
            item_texts = part_texts.get(item["key"], {})
            warning = part == "questions" and item["section"] == Question.Section.WARNING
            for field in fields:
                yield f"{item['key']}.{field}", item[field], item_texts.get(field, ""), warning
            if part == "questions":
                for choice in item["choices"]:
                    translated = item_texts.get("choices", {}).get(choice["key"], "")
                    yield f"{item['key']}.{choice['key']}", choice["text"], translated, warning


def missing_translations(body: Mapping[str, Any]) -> list[tuple[str, str, bool]]:
    """(language, where, is a warning sign) for every English text without its translation."""
    missing = []
    for language in CONTENT_LANGUAGES:
        for where, english, translated, warning in _pairs(body, language):
            if english.strip() and not translated.strip():
                missing.append((language, where, warning))
    return missing


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


def translated_texts(body: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Every translated text with where it is (for the verdict-wording scan)."""
    for language in CONTENT_LANGUAGES:
        for where, _english, translated, _warning in _pairs(body, language):
            if translated:
                yield f"{where} ({language})", translated


def load_translations(translations: dict[str, Any]) -> None:
    """Set the translated fields of the working copy from a snapshot's `translations`."""
    for language, texts in translations.items():
        suffix = CONTENT_LANGUAGES[language]
        _load_language(texts, suffix)


def _load_language(texts: dict, suffix: str) -> None:
    settings = texts.get("settings", {})
    site_values = {f"{field}{suffix}": settings.get(field, "") for field in SITE_TEXTS}
    site_values.update(
        {f"{field}{suffix}": (settings.get("actions") or {}).get(tier, "") for tier, field in ACTION_FIELDS.items()}
    )
    SiteSettings.objects.update(**site_values)
    for part, model in (("cause_groups", CauseGroup), ("tip_categories", TipCategory), ("tips", Tip)):
        for key, item_texts in texts.get(part, {}).items():
            model.objects.filter(key=key).update(
                **{f"{field}{suffix}": item_texts.get(field, "") for field in ITEM_TEXTS[part]}
            )
    for key, item_texts in texts.get("questions", {}).items():
        Question.objects.filter(key=key).update(
            **{f"{field}{suffix}": item_texts.get(field, "") for field in ITEM_TEXTS["questions"]}
        )
        for choice_key, text in item_texts.get("choices", {}).items():
            Choice.objects.filter(question__key=key, key=choice_key).update(**{f"text{suffix}": text})
