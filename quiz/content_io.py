"""Content as a file: the working copy (or a published version) in the snapshot format
of docs/CONTENT_FORMAT.md, and such a file read back. A file is read only if it is small
and shallow enough to check; importing it is `services.content_import`.
"""

import json
from typing import Any

from . import content
from .content import PublishError
from .json_values import nests_deeper_than
from .models import ContentVersion

SECTIONS = {"settings": dict, "cause_groups": list, "tip_categories": list, "tips": list, "questions": list}
# The shipped content is about 60 KB, nested 6 levels (translations.zh-hans.questions.<key>
# .choices.<key>); a file far past either is not content, and deep nesting would exhaust
# Python's recursion while it is decoded or checked.
MAX_FILE_CHARS = 2_000_000
MAX_DEPTH = 12


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
        raise PublishError([f"The file has {len(text):,} characters; a content file has at most {MAX_FILE_CHARS:,}."])
    try:
        body = json.loads(text)
    except RecursionError:
        raise PublishError([f"The file nests lists or objects deeper than {MAX_DEPTH} levels."]) from None
    except ValueError as error:
        raise PublishError([f"The file is not valid JSON: {error}."]) from None
    if nests_deeper_than(body, MAX_DEPTH):
        raise PublishError([f"The file nests lists or objects deeper than {MAX_DEPTH} levels."])
    if not isinstance(body, dict):
        raise PublishError(["The file must hold one JSON object (docs/CONTENT_FORMAT.md)."])
    problems = [
        f"The file has no “{name}” {kind.__name__ if kind is list else 'object'}."
        for name, kind in SECTIONS.items()
        if not isinstance(body.get(name), kind)
    ]
    if problems:
        raise PublishError(problems)
    return body
