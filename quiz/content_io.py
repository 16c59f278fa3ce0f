"""Content as a file: export the working copy (or a published version) in the snapshot
format of docs/CONTENT_FORMAT.md, and import such a file as the new working copy.

An import is checked exactly as publishing checks content (`content.validate_snapshot`,
the same messages), and it never silently replaces edits nobody has published.
"""

import json
import re
from typing import Any, cast

from django.db import transaction

from . import content, content_diff
from .contracts import Snapshot
from .models import CauseGroup, ContentVersion, Question, Tip, TipCategory, key_validator

SECTIONS = {"settings": dict, "cause_groups": list, "tip_categories": list, "tips": list, "questions": list}


class ImportRefused(Exception):
    """The file cannot be imported. `problems` lists every reason, in plain words."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


KEY_PATTERN = re.compile(key_validator.regex)


def export_body(version: ContentVersion | None = None) -> dict[str, Any]:
    """A published version's snapshot, or the working copy, without version and hash."""
    body = dict(version.snapshot if version is not None else content.build_snapshot())
    body.pop("version", None)
    body.pop("hash", None)
    return body


def dumps(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def parse(text: str) -> dict:
    """The file's JSON, refused with a plain reason when it is not a content snapshot."""
    try:
        body = json.loads(text)
    except ValueError as error:
        raise ImportRefused([f"The file is not valid JSON: {error}."]) from None
    if not isinstance(body, dict):
        raise ImportRefused(["The file must hold one JSON object (docs/CONTENT_FORMAT.md)."])
    problems = [
        f"The file has no “{name}” {kind.__name__ if kind is list else 'object'}."
        for name, kind in SECTIONS.items()
        if not isinstance(body.get(name), kind)
    ]
    if problems:
        raise ImportRefused(problems)
    return body


def _malformed(error: Exception) -> ImportRefused:
    return ImportRefused([f"The file does not follow docs/CONTENT_FORMAT.md: {error!r} is missing or wrong."])


def _key_problems(body: dict) -> list[str]:
    """Keys the admin's forms would refuse (publishing only sees keys the forms let in)."""
    keys = [item.get("key") for name in ("cause_groups", "tip_categories", "tips", "questions") for item in body[name]]
    keys += [choice.get("key") for question in body["questions"] for choice in question.get("choices", [])]
    return [
        f"“{key}” is not a valid key: {key_validator.message}"
        for key in keys
        if not isinstance(key, str) or not KEY_PATTERN.match(key)
    ]


def _replace_working_copy(body: dict) -> None:
    Question.objects.all().delete()  # choices and their weights go with them
    Tip.objects.all().delete()
    CauseGroup.objects.all().delete()
    TipCategory.objects.all().delete()
    try:
        content.load_content(body)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise _malformed(error) from None


@transaction.atomic
def import_body(
    body: dict, *, force: bool = False, publish: bool = True, user=None
) -> tuple[ContentVersion | None, bool]:
    """Make `body` the working copy, then publish it (unless `publish` is False).

    Returns (the current version, whether this import published it). Refuses content that
    publishing would refuse, with publishing's own messages, and refuses to replace a
    working copy that holds unpublished changes unless `force`. Nothing changes when it
    refuses."""
    try:
        # Checked as a snapshot, which it is once its shape is (parse() checked the sections).
        problems = _key_problems(body) + content.validate_snapshot(cast(Snapshot, body))
    except (KeyError, TypeError, AttributeError) as error:
        raise _malformed(error) from None
    if problems:
        raise ImportRefused(problems)
    if not force and Question.objects.exists():
        pending = content_diff.unpublished_changes()
        if pending:
            raise ImportRefused(
                [
                    f"The working copy has {len(pending)} unpublished change(s) that the import would replace. "
                    "Publish or review them first, or import with --force to discard them."
                ]
            )
    _replace_working_copy(body)
    if not publish:
        return None, False
    try:
        return content.publish(user=user), True
    except content.PublishError as error:
        raise ImportRefused(error.problems) from None
    except content.NothingToPublish as unchanged:
        return unchanged.version, False
