"""Content as a file: export the working copy (or a published version) in the snapshot
format of docs/CONTENT_FORMAT.md, and import such a file as the new working copy.

An import is checked exactly as publishing checks content (`content.validate_snapshot`,
the same messages) before anything is loaded, and it never silently replaces edits
nobody has published. A file is read only if it is small and shallow enough to check.
"""

import json
from typing import Any, cast

from django.db import DatabaseError, transaction

from . import content, content_diff
from .contracts import Snapshot
from .models import CauseGroup, ContentVersion, Question, Tip, TipCategory

SECTIONS = {"settings": dict, "cause_groups": list, "tip_categories": list, "tips": list, "questions": list}
# The shipped content is about 60 KB, nested 6 levels (translations.zh-hans.questions.<key>
# .choices.<key>); a file far past either is not content, and deep nesting would exhaust
# Python's recursion while it is decoded or checked.
MAX_FILE_CHARS = 2_000_000
MAX_DEPTH = 12


class ImportRefused(Exception):
    """The file cannot be imported. `problems` lists every reason, in plain words."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


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
    if len(text) > MAX_FILE_CHARS:
        raise ImportRefused([f"The file has {len(text):,} characters; a content file has at most {MAX_FILE_CHARS:,}."])
    try:
        body = json.loads(text)
    except RecursionError:
        raise ImportRefused([f"The file nests lists or objects deeper than {MAX_DEPTH} levels."]) from None
    except ValueError as error:
        raise ImportRefused([f"The file is not valid JSON: {error}."]) from None
    if _depth(body) > MAX_DEPTH:
        raise ImportRefused([f"The file nests lists or objects deeper than {MAX_DEPTH} levels."])
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


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in `value` (a plain value is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _replace_working_copy(body: dict) -> None:
    Question.objects.all().delete()  # choices and their weights go with them
    Tip.objects.all().delete()
    CauseGroup.objects.all().delete()
    TipCategory.objects.all().delete()
    try:
        content.load_content(body)
    # validate_snapshot checked all of it; should the database still refuse a row, the
    # import is refused (and rolled back) with its reason, not a traceback.
    except (KeyError, TypeError, ValueError, AttributeError, DatabaseError) as error:
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
    # The whole file, before anything is loaded: publishing checks the same again after.
    problems = content.validate_snapshot(cast(Snapshot, body))
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
