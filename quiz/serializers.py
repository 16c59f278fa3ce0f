"""API input and output shapes. Validation only: what a request must look like.

Whether a result is new, a resend or a conflict, and what it scores, is decided in
`quiz/services.py`. Every problem with one result is reported as an error with a
stable `code` (see `ITEM_ERROR_CODES`), so the phone can act on it.
"""

import math
import re
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.settings import api_settings

from .contracts import OUTCOME_KEYS, FieldError, InvalidResult, ResultData
from .models import OutcomeUrgency
from .rest import flatten_errors

MAX_BATCH = 100
# Phones' clocks drift; a result "completed" a little in the future is still believable.
# Further ahead, the receipt says `retry_later` (README, Sync API): the server's clock catches up.
CLOCK_SKEW = timedelta(minutes=5)
# BackCare did not exist before this: an earlier date is a phone clock that was wrong (a
# reset to 1970) or made up, and no later attempt can make it right.
EARLIEST_COMPLETED_AT = datetime(2026, 1, 1, tzinfo=UTC)

# Stable error codes for one result, by field. DRF's own codes ("invalid", "max_value"
# ...) vary by field type; the phone gets one code per field instead.
FIELD_ERROR_CODES = {
    "uuid": "invalid_uuid",
    "content_version": "unknown_content_version",
    "answers": "invalid_answers",
    "outcome": "invalid_outcome",
    "completed_at": "invalid_completed_at",
    "language": "invalid_language",
}
MISSING_CODES = {"required", "null"}
ITEM_ERROR_CODES = (
    "missing_field",
    "unexpected_field",
    "invalid_uuid",
    "invalid_content_version",
    "unknown_content_version",
    # A version published broken, before every way in was checked (quiz/services.py).
    "unusable_content_version",
    "invalid_answers",
    "invalid_outcome",
    "invalid_completed_at",
    "invalid_language",
    "completed_in_future",
    "completed_too_early",
    "completed_without_timezone",
    "stored_meanwhile",
    "not_an_object",
    "too_deep",
    "number_out_of_range",
)

# Codes of a query the history read (GET /api/results/) does not take; `unexpected_field`
# for a parameter it does not know is shared with the results' own.
QUERY_ERROR_CODES = ("invalid_limit", "invalid_cursor")


class ErrorSerializer(serializers.Serializer):
    """The body of every API error response."""

    code = serializers.CharField(help_text=_("Stable machine code, e.g. `throttled`, `not_authenticated`."))
    detail = serializers.CharField(help_text=_("A message for people."))


class ThrottledErrorSerializer(ErrorSerializer):
    retry_after = serializers.IntegerField(help_text=_("Seconds to wait; also in the Retry-After header."))


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField()
    code = serializers.ChoiceField(choices=[(code, code) for code in (*ITEM_ERROR_CODES, *QUERY_ERROR_CODES)])
    message = serializers.CharField()
    answer_code = serializers.CharField(
        required=False, help_text=_("For invalid_answers: the scorer's code, e.g. `unknown_choice`.")
    )
    answer_key = serializers.CharField(
        required=False, help_text=_("For invalid_answers: the question (or question.choice) at fault.")
    )


class ValidationErrorSerializer(ErrorSerializer):
    # A declared field, though Serializer has an `errors` property: DRF's metaclass takes
    # fields off the class, so both work; the stubs cannot know.
    errors = FieldErrorSerializer(many=True, required=False)  # type: ignore[assignment]


class DeviceRegisterSerializer(serializers.Serializer):
    """Registration takes nothing: no name, no e-mail, no account. `{}` or an empty body."""

    def validate(self, attrs):
        unexpected = sorted(set(self.initial_data) if isinstance(self.initial_data, dict) else ())
        if unexpected:
            raise serializers.ValidationError(
                {unexpected[0]: [_("Registration takes no fields.")]}, code="unexpected_field"
            )
        return attrs


class DeviceCreatedSerializer(serializers.Serializer):
    device_id = serializers.UUIDField()
    token = serializers.CharField(help_text=_("Shown once. Send it as `Authorization: Token <token>`."))


# Answers and the phone's outcome are checked as JSON shapes only: the scorer checks every
# answer key, and the server's own outcome is compared with the phone's. DRF's DictField
# and ListField validate each entry through a child field, about half of validating a
# result (bench/NOTES.md); these check the same shapes in one pass and keep DRF's
# messages. The declared children still describe the shape in the schema.


UNSTORABLE_TEXT = _("Text may not contain the NUL character or unpaired surrogates.")
TOO_DEEP = _("Nested too deeply.")
NUMBER_OUT_OF_RANGE = _("A number is too large to store (it reads as infinity).")
# How deep answers and each outcome list may nest (the field itself is level 1). The
# phone's deepest is 2 (a list of causes, each an object); the margin is for new content.
MAX_FIELD_DEPTH = 10


def json_problem(value) -> str | None:
    """Why `value` (answers, an outcome list) cannot be stored, as an error key, or None:
    `too_deep` past MAX_FIELD_DEPTH levels; `unstorable_text` when a string anywhere
    inside (keys too) cannot go into PostgreSQL's jsonb: the NUL character or a lone
    surrogate (not UTF-8), either a 500 there; `number_out_of_range` for a number JSON
    reads as infinity (`1e400`), which jsonb refuses too (and with it the whole batch's
    insert). One iterative walk: the recursive one it replaces ran out of stack on a
    result nested ~300 deep and failed the whole batch."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if _unstorable(node):
                return "unstorable_text"
            continue
        if isinstance(node, float):
            if not math.isfinite(node):
                return "number_out_of_range"
            continue
        children: Iterable[Any]
        if isinstance(node, dict):
            if any(_unstorable(key) for key in node if isinstance(key, str)):
                return "unstorable_text"
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > MAX_FIELD_DEPTH:
            return "too_deep"
        stack.extend((child, depth + 1) for child in children)
    return None


def _unstorable(text: str) -> bool:
    return "\x00" in text or (not text.isascii() and not _is_utf8(text))


def _is_utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


class JSONObjectField(serializers.DictField):
    """A JSON object, kept as sent."""

    default_error_messages = {
        "unstorable_text": UNSTORABLE_TEXT,
        "too_deep": TOO_DEEP,
        "number_out_of_range": NUMBER_OUT_OF_RANGE,
    }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_a_dict", input_type=type(data).__name__)
        problem = json_problem(data)
        if problem:
            self.fail(problem)
        return data


class JSONListField(serializers.ListField):
    """A JSON array whose items all have the JSON type of `child` (object or string)."""

    default_error_messages = {
        "unstorable_text": UNSTORABLE_TEXT,
        "too_deep": TOO_DEEP,
        "number_out_of_range": NUMBER_OUT_OF_RANGE,
    }
    ITEM_TYPES = {serializers.DictField: (dict, "not_a_dict"), serializers.CharField: (str, "invalid")}

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        item_type, message_key = self.ITEM_TYPES[type(self.child)]
        errors = {
            str(index): [self.child.error_messages[message_key].format(input_type=type(item).__name__)]
            for index, item in enumerate(data)
            if not isinstance(item, item_type)
        }
        if errors:
            raise serializers.ValidationError(errors)
        problem = json_problem(data)
        if problem:
            self.fail(problem)
        return data


# The time as the phone writes it (`new Date().toISOString()`, 2026-03-01T10:00:00.123Z)
# or with an offset, in ASCII digits and nothing after it. Django's parser alone also
# reads other digits (`２０２６`, by `\d`) and a trailing newline; the offset (and the
# time) are left optional here so a time without a zone gets its own code below.
CANONICAL_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)?(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)


class CompletedAtField(serializers.DateTimeField):
    """An ISO 8601 time with its offset: without one, the instant is a guess."""

    default_error_messages = {
        "completed_without_timezone": _("Give the time with its time zone, e.g. 2026-03-01T10:00:00Z."),
        "not_canonical": _("Give the time as 2026-03-01T10:00:00Z: ASCII digits, a T, nothing after the zone."),
    }

    def to_internal_value(self, value):
        if isinstance(value, str) and not CANONICAL_TIME.fullmatch(value):
            self.fail("not_canonical")
        return super().to_internal_value(value)

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("completed_without_timezone")
        return super().enforce_timezone(value)


def check_completed_at(value: datetime) -> datetime:
    if value > timezone.now() + CLOCK_SKEW:
        raise serializers.ValidationError(
            _("Completed in the future: the phone's clock is ahead of the server's."), code="completed_in_future"
        )
    if value < EARLIEST_COMPLETED_AT:
        raise serializers.ValidationError(
            _("Completed before BackCare existed: the phone's clock was wrong."), code="completed_too_early"
        )
    return value


class CanonicalUUIDField(serializers.UUIDField):
    """A UUID as the phone writes it (`crypto.randomUUID()`): 36 characters, lowercase,
    hyphenated. DRF also reads an integer, braces, `urn:uuid:`, capitals and no hyphens;
    the receipt would then name a form the phone cannot match to its check."""

    default_error_messages = {
        "not_canonical": _("Give the UUID in its usual form: 36 lowercase characters with hyphens."),
    }

    def to_internal_value(self, data):
        if not isinstance(data, str) or not is_canonical_uuid(data):
            self.fail("not_canonical")
        return super().to_internal_value(data)


def is_canonical_uuid(text: str) -> bool:
    """Whether `text` is a UUID in the form str(uuid) gives (no other digits either)."""
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


class ContentVersionField(serializers.IntegerField):
    """A JSON whole number only. DRF's IntegerField also reads text, and Python's int()
    reads other scripts' digits (`"١"`, `"１"`), spaces and underscores: forms no phone
    sends."""

    default_error_messages = {"invalid_content_version": _("Give the content version as a JSON whole number, e.g. 3.")}

    def to_internal_value(self, data):
        if type(data) is not int:
            self.fail("invalid_content_version")
        return super().to_internal_value(data)


class OutcomeSerializer(serializers.Serializer):
    """The outcome as `score()` returns it (docs/CONTENT_FORMAT.md)."""

    content_version = ContentVersionField(allow_null=True)
    urgency = serializers.ChoiceField(choices=OutcomeUrgency.choices)
    warning_signs = JSONListField(child=serializers.DictField())
    causes = JSONListField(child=serializers.DictField())
    tips = JSONListField(child=serializers.CharField())


class ResultItemSerializer(serializers.Serializer):
    """One finished check as the phone stored it."""

    uuid = CanonicalUUIDField(help_text=_("Generated on the phone; the same result always has the same UUID."))
    content_version = ContentVersionField(min_value=1, max_value=2**31 - 1)
    answers = JSONObjectField(help_text=_("Question key to choice key, list of choice keys, or number."))
    outcome = OutcomeSerializer(help_text=_("What the phone showed."))
    completed_at = CompletedAtField()
    language = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES],
        default=settings.LANGUAGE_CODE,
        help_text=_("The language the check was read in. Scoring never depends on it."),
    )

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unexpected = sorted(str(key) for key in data if key not in self.fields)
            if unexpected:
                raise serializers.ValidationError(
                    {unexpected[0]: [_("Unexpected field.")]},
                    code="unexpected_field",
                )
        return super().to_internal_value(data)

    def validate_completed_at(self, value):
        return check_completed_at(value)

    def validate(self, attrs):
        named = attrs["outcome"].get("content_version")
        if named is not None and named != attrs["content_version"]:
            raise serializers.ValidationError(
                {"outcome": [_("The outcome names a different content version than the result.")]},
                code="invalid_outcome",
            )
        return attrs


def validate_results(items: list[Any]) -> list[ResultData | InvalidResult]:
    """Each item of a batch checked on its own: its clean data, or why it is not valid."""
    # One serializer for the whole batch, as DRF's ListSerializer does: building its
    # fields (a deep copy of each) per item was 40% of ingest time (bench/NOTES.md). It
    # is built only for the first result the quick check leaves to it (about 1 ms a
    # request of a batch that needs none).
    validator: ResultItemSerializer | None = None
    checked: list[ResultData | InvalidResult] = []
    for item in items:
        clean = plainly_valid(item)
        if clean is not None:
            checked.append(clean)
            continue
        validator = validator or ResultItemSerializer()
        try:
            checked.append(validator.run_validation(item))
        except serializers.ValidationError as error:
            checked.append(InvalidResult(_raw_uuid(item), item_errors(error.detail)))
    return checked


# The quick check: what a phone sends nearly always, accepted without DRF's per-field
# machinery (about a third of ingest time at batches of 100; bench/NOTES.md). It never
# rejects anything: whatever it is not sure of (a missing, null, extra or oddly typed
# value, a number DRF would coerce, any problem at all) it leaves to the serializer,
# which gives the errors and their codes and messages. What it accepts, it returns
# exactly as the serializer would (tests/test_api_input.py holds the two equal).
ITEM_FIELDS = frozenset({"uuid", "content_version", "answers", "outcome", "completed_at", "language"})
URGENCIES = frozenset(OutcomeUrgency.values)
LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)
MAX_VERSION = 2**31 - 1


_COMPLETED_AT = CompletedAtField()  # the field's own parsing, for the quick check


def plainly_valid(item: Any) -> ResultData | None:
    """`item`'s clean data, as `ResultItemSerializer().run_validation(item)` returns it,
    when it is plainly valid; None when the serializer has to look at it."""
    if type(item) is not dict or not ITEM_FIELDS.issuperset(item) or len(item) < len(ITEM_FIELDS) - 1:
        return None
    version, language = item.get("content_version"), item.get("language", settings.LANGUAGE_CODE)
    if type(version) is not int or not 1 <= version <= MAX_VERSION:
        return None
    if type(language) is not str or language not in LANGUAGES:
        return None
    raw_uuid, answers = item.get("uuid"), item.get("answers")
    if type(raw_uuid) is not str or type(answers) is not dict or not _storable(answers):
        return None
    outcome = _plain_outcome(item.get("outcome"), version)
    if outcome is None or type(item.get("completed_at")) is not str:
        return None
    try:
        result_uuid = uuid.UUID(raw_uuid)
        completed_at = check_completed_at(_COMPLETED_AT.to_internal_value(item["completed_at"]))
    except (ValueError, serializers.ValidationError):
        return None
    if str(result_uuid) != raw_uuid:  # braces, `urn:`, capitals: CanonicalUUIDField's to refuse
        return None
    return cast(
        ResultData,
        {
            "uuid": result_uuid,
            "content_version": version,
            "answers": answers,
            "outcome": outcome,
            "completed_at": completed_at,
            "language": language,
        },
    )


# Not float: a phone's numbers are whole (scores, scale answers), and a float may be one
# JSON read as infinity, which `json_problem` looks for.
SCALAR_TYPES = frozenset({int, bool, type(None)})


def _storable(value: dict | list) -> bool:
    """`json_problem(value) is None`, answered faster for the shapes a phone sends: an
    object or array of plain values (strings, whole numbers, booleans, null), lists of
    them and objects of them.
    Every string inside such a shape is gathered and checked at once; anything deeper is
    walked by `json_problem` itself."""
    strings: list[str] = []
    for child in value.values() if type(value) is dict else value:
        kind = type(child)
        if kind is str:
            strings.append(child)
        elif kind is list or kind is dict:
            for grandchild in child.values() if kind is dict else child:
                if type(grandchild) is str:
                    strings.append(grandchild)
                elif type(grandchild) not in SCALAR_TYPES:
                    return json_problem(value) is None
            if kind is dict:
                strings.extend(child)
        elif kind not in SCALAR_TYPES:
            return json_problem(value) is None
    if type(value) is dict:
        strings.extend(value)
    try:
        joined = "".join(strings)  # no two strings join into a NUL or mend a lone surrogate
    except TypeError:  # a key that is not a string (never from JSON)
        return json_problem(value) is None
    return not _unstorable(joined)


def _plain_outcome(outcome: Any, version: int) -> dict | None:
    """The outcome's five fields (the serializer drops any other), or None."""
    if type(outcome) is not dict or not outcome.keys() >= set(OUTCOME_KEYS):
        return None
    named, urgency = outcome["content_version"], outcome["urgency"]
    if not (named is None or (type(named) is int and named == version)) or type(urgency) is not str:
        return None
    if urgency not in URGENCIES:
        return None
    lists = [outcome["warning_signs"], outcome["causes"], outcome["tips"]]
    if any(type(value) is not list for value in lists):
        return None
    signs, causes, tips = lists
    if not all(type(entry) is dict for entry in signs + causes) or not all(type(tip) is str for tip in tips):
        return None
    if not all(_storable(value) for value in lists):
        return None
    return {"content_version": named, "urgency": urgency, "warning_signs": signs, "causes": causes, "tips": tips}


def _raw_uuid(item: Any) -> str | None:
    value = item.get("uuid") if isinstance(item, dict) else None
    return value if isinstance(value, str) else None


def item_errors(detail) -> list[FieldError]:
    """Flatten DRF's nested errors (a ValidationError's detail, as `serializer.errors`
    would hold it) into [{field, code, message}] with our stable codes."""
    if isinstance(detail, list):  # a null item: Serializer.errors files it the same way
        detail = {api_settings.NON_FIELD_ERRORS_KEY: detail}
    return [
        {"field": field, "code": _stable_code(field.split(".")[0], error.code or "invalid"), "message": str(error)}
        for field, error in flatten_errors(detail)
    ]


def _stable_code(field: str, code: str) -> str:
    if code in ITEM_ERROR_CODES:
        return code
    if code in MISSING_CODES:
        return "missing_field"
    if field == "non_field_errors":
        return "not_an_object"
    return FIELD_ERROR_CODES.get(field, "invalid_outcome" if field.startswith("outcome") else code)


class ResultBatchSerializer(serializers.Serializer):
    """For the schema: the batch the phone posts. The view checks its shape itself, so
    that one bad result is a receipt, not a failed request."""

    results = serializers.ListField(child=ResultItemSerializer(), min_length=1, max_length=MAX_BATCH)


class ReceiptSerializer(serializers.Serializer):
    uuid = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["created", "duplicate", "conflict", "rejected", "retry_later"])
    errors = FieldErrorSerializer(many=True, required=False, help_text=_("Rejected and retry_later only."))  # type: ignore[assignment]
    retry_after = serializers.IntegerField(
        required=False, help_text=_("retry_later only: send this result again after this many seconds.")
    )
    message = serializers.CharField(required=False, help_text=_("Conflict only: why nothing was stored."))
    server_outcome = OutcomeSerializer(required=False, help_text=_("Created and duplicate only."))
    verdict_mismatch = serializers.BooleanField(required=False)


class ReceiptsSerializer(serializers.Serializer):
    receipts = ReceiptSerializer(many=True)


class StoredResultSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    content_version = serializers.IntegerField(source="content_version.number")
    answers = serializers.DictField()
    outcome = serializers.DictField(source="client_outcome")
    server_outcome = serializers.DictField()
    verdict_mismatch = serializers.BooleanField()
    completed_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField()


RESULTS_PAGE_SIZE = 50
RESULTS_PAGE_MAX = 100


class StoredResultsSerializer(serializers.Serializer):
    """One page of the device's results, newest first."""

    results = StoredResultSerializer(many=True)
    next = serializers.URLField(
        allow_null=True, help_text=_("The next (older) page, or null on the last page: follow it to read them all.")
    )
    previous = serializers.URLField(allow_null=True, help_text=_("The page before this one, or null on the first."))
