"""The shapes that cross a boundary, typed: the content snapshot, the outcome of a check
and the receipt a synced result gets (docs/CONTENT_FORMAT.md, and the API's schema).

They are plain JSON (dicts, lists, strings, numbers) on the wire, in the database and
in both scorers; these TypedDicts let the type checker hold the Python side to the
documented shape. No Django here: the pure scorer may use them too.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, NotRequired, TypedDict

# Urgency tiers, lowest first. A choice raises one of the upper three; an outcome has any.
RaisedUrgency = Literal["soon", "urgent", "emergency"]
Urgency = Literal["self_care", "soon", "urgent", "emergency"]

# -- the content snapshot -----------------------------------------------------------


class Actions(TypedDict):
    """What to do now, by urgency tier (shown on the result), then the actions a sign
    names (`Choice.action`; versions before the check v3 have neither)."""

    emergency: str
    urgent: str
    soon: str
    self_care: str
    pregnancy: NotRequired[str]
    coping: NotRequired[str]


class Settings(TypedDict):
    emergency_number: str
    emergency_label: str
    non_emergency_number: str
    non_emergency_label: str
    disclaimer: str
    cause_threshold: int
    actions: Actions
    limits: str
    # Schema 2 on (older versions lack the keys below).
    severe_pain_from: NotRequired[int | None]
    # Read on the phone only, for the course over several checks (absent before them).
    course_weeks: NotRequired[int]
    course_change: NotRequired[int]
    follow_up_days: NotRequired[int]


class Provenance(TypedDict):
    """Where an item's wording comes from: a paragraph of docs/source/back-pain-document.txt
    (1-based, the title being 1) or, for safety rules, the guidance named in the note."""

    source_paragraph: int | None
    source_note: str


class CauseGroup(Provenance):
    key: str
    name: str
    explanation: str
    order: int


class TipCategory(TypedDict):
    key: str
    name: str
    description: str
    order: int


class ShowIf(TypedDict):
    """Ask a question only when an earlier one's answer picks one of `choices`."""

    question: str
    choices: list[str]


class Tip(Provenance):
    key: str
    title: str
    body: str
    category: str | None
    cause_groups: list[str]
    order: int
    for_severe_pain: NotRequired[bool]
    # Schema 3: shown only to people whose answers meet it (a question's `show_if`).
    show_if: NotRequired[ShowIf | None]


class Choice(TypedDict):
    key: str
    text: str
    order: int
    urgency: str | None  # a RaisedUrgency (models.Urgency), or None when it raises none
    stops_quiz: bool
    exclusive: NotRequired[bool]  # "None of these": never with another choice
    unsure: NotRequired[bool]  # "Not sure": urgency from the question's signs (docs/SAFETY.md)
    action: NotRequired[str]  # an action of its own, named in settings.actions (check v3)
    weights: dict[str, int]


class Question(Provenance):
    key: str
    text: str
    help_text: str
    kind: str  # "single" | "multiple" | "scale" (models.Question.Kind)
    section: str  # "facts" (first) | "warning" (always) | "habits" (models.Question.Section)
    order: int
    scale_min: int | None
    scale_max: int | None
    show_if: NotRequired[ShowIf | None]
    choices: list[Choice]


class SettingsTexts(TypedDict, total=False):
    emergency_label: str
    non_emergency_label: str
    disclaimer: str
    limits: str
    actions: dict[str, str]


class Translation(TypedDict):
    """One language's texts of a snapshot, by item key ("" where not translated yet).
    Items are {field: text}; a question's `choices` is {choice key: text}."""

    settings: SettingsTexts
    cause_groups: dict[str, dict[str, str]]
    tip_categories: dict[str, dict[str, str]]
    tips: dict[str, dict[str, str]]
    questions: dict[str, dict]


class Snapshot(TypedDict):
    """Everything a phone needs to run a check offline. `version` and `hash` are set when
    it is published; the seed file and a working copy being checked have neither."""

    schema: int
    version: NotRequired[int]
    hash: NotRequired[str]
    settings: Settings
    cause_groups: list[CauseGroup]
    tip_categories: list[TipCategory]
    tips: list[Tip]
    questions: list[Question]
    # Every other language's texts beside the English above ("zh-hans": ...); the API
    # and the pages hand a person one language (quiz/translation.py `localize`), with
    # `language` naming it.
    translations: NotRequired[dict[str, Translation]]
    language: NotRequired[str]


# -- answers and the outcome --------------------------------------------------------

# Question key to a choice key (single), choice keys (multiple) or a number (scale).
Answers = dict[str, str | list[str] | int]


class WarningSign(TypedDict):
    question: str
    choice: str
    urgency: RaisedUrgency


class Cause(TypedDict):
    key: str
    score: int


class Outcome(TypedDict):
    """What `quiz.scoring.score` and static/js/scoring.js return for one answer set."""

    content_version: int | None
    urgency: Urgency
    warning_signs: list[WarningSign]
    causes: list[Cause]
    tips: list[str]


# The keys the scorer produces, in order: the phone's outcome is compared on these only,
# and any other key it sends is dropped.
OUTCOME_KEYS: tuple[str, ...] = tuple(Outcome.__annotations__)


# -- syncing: a result in, one receipt out -------------------------------------------

# The most results one sync request may hold (the phone sends them in batches this size).
MAX_BATCH = 100
# The largest content version a result may name: PostgreSQL's `integer`, the column's type.
MAX_CONTENT_VERSION = 2**31 - 1
# How deep answers and each outcome list may nest (the field itself is level 1). The
# phone's deepest is 2 (a list of causes, each an object); the margin is for new content.
MAX_FIELD_DEPTH = 10
# Phones' clocks drift; a result "completed" a little in the future is still believable.
# Further ahead, the receipt says `retry_later` (README, Sync API): the server's clock catches up.
CLOCK_SKEW = timedelta(minutes=5)
# BackCare did not exist before this: an earlier date is a phone clock that was wrong (a
# reset to 1970) or made up, and no later attempt can make it right.
EARLIEST_COMPLETED_AT = datetime(2026, 1, 1, tzinfo=UTC)
# The time as the phone writes it (`new Date().toISOString()`, 2026-03-01T10:00:00.123Z)
# or with an offset, in ASCII digits and nothing after it. Django's parser alone also
# reads other digits (`２０２６`, by `\d`) and a trailing newline; the offset (and the
# time) are left optional here so a time without a zone gets its own code.
CANONICAL_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)?(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)


ReceiptStatus = Literal["created", "duplicate", "conflict", "rejected", "retry_later"]


class FieldError(TypedDict):
    """One problem with one result: a stable `code` the phone acts on, a `message` for people."""

    field: str
    code: str
    message: str
    answer_code: NotRequired[str]  # invalid_answers only: the scorer's own code
    answer_key: NotRequired[str]  # invalid_answers only: the question (or question.choice)


class ResultData(TypedDict):
    """One result as the API layer hands it to ingest: its shape checked, values parsed.
    `outcome` is what the phone showed (it may carry keys of its own)."""

    uuid: uuid.UUID
    content_version: int
    answers: Answers
    outcome: Outcome
    completed_at: datetime
    language: NotRequired[str]  # settings.LANGUAGES; "en" when a phone sends none


@dataclass(frozen=True)
class InvalidResult:
    """A result the API layer could not read: the UUID as the phone sent it (if it was a
    string), and every problem found."""

    raw_uuid: str | None
    errors: list[FieldError]


class Receipt(TypedDict):
    uuid: str | None
    status: ReceiptStatus
    errors: NotRequired[list[FieldError]]  # rejected, retry_later
    retry_after: NotRequired[int]  # retry_later: seconds before sending it again
    message: NotRequired[str]  # conflict
    server_outcome: NotRequired[Outcome]  # created, duplicate
    verdict_mismatch: NotRequired[bool]  # created, duplicate


def receipt(
    status: ReceiptStatus,
    result_uuid: uuid.UUID | str | None,
    *,
    server_outcome: Outcome | None = None,
    verdict_mismatch: bool = False,
    message: str = "",
    errors: list[FieldError] | None = None,
    retry_after: int = 0,
) -> Receipt:
    """The one way a receipt is made, so each status carries exactly its own keys:
    created/duplicate the server's outcome and whether the phone's differed, conflict a
    message, rejected the errors, retry_later the errors and when to send it again.
    `result_uuid` as parsed, or as the phone sent it."""
    body: Receipt = {"uuid": None if result_uuid is None else str(result_uuid), "status": status}
    if status in ("created", "duplicate"):
        if server_outcome is None:
            raise ValueError(f"A {status} receipt carries the server's outcome.")
        body["server_outcome"] = server_outcome
        body["verdict_mismatch"] = verdict_mismatch
    elif status == "conflict":
        body["message"] = message
    elif status == "retry_later":
        body["retry_after"] = retry_after
        body["errors"] = errors or []
    else:
        body["errors"] = errors or []
    return body
