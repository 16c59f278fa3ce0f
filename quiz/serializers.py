"""API input and output shapes. Validation only: what a request must look like.

Whether a result is new, a resend or a conflict, and what it scores, is decided in
`quiz/services.py`. Every problem with one result is reported as an error with a
stable `code` (see `ITEM_ERROR_CODES`), so the phone can act on it.
"""

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.settings import api_settings

from . import json_values
from .contracts import (
    CANONICAL_TIME,
    CLOCK_SKEW,
    EARLIEST_COMPLETED_AT,
    MAX_BATCH,
    MAX_CONTENT_VERSION,
    MAX_FIELD_DEPTH,
    FieldError,
    InvalidResult,
    ResultData,
)
from .ingest_fastpath import plainly_valid
from .models import OutcomeUrgency
from .rest import flatten_errors

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
# and ListField would validate each entry through a child field; these check the same
# shapes in one pass and keep DRF's messages. The declared children still describe the
# shape in the schema.


UNSTORABLE_TEXT = _("Text may not contain the NUL character or unpaired surrogates.")
TOO_DEEP = _("Nested too deeply.")
NUMBER_OUT_OF_RANGE = _("A number is too large to store (it reads as infinity).")
# Messages for each problem `json_values.json_problem` names.
JSON_VALUE_ERRORS: dict[str, Any] = {  # lazy texts; DRF formats them when it fails
    json_values.UNSTORABLE_TEXT: UNSTORABLE_TEXT,
    json_values.TOO_DEEP: TOO_DEEP,
    json_values.NUMBER_OUT_OF_RANGE: NUMBER_OUT_OF_RANGE,
}


def _storable(field: serializers.Field, data):
    """`data` as sent, or `field`'s error for what jsonb cannot store or nests too deep."""
    problem = json_values.json_problem(data, MAX_FIELD_DEPTH)
    if problem:
        field.fail(problem)
    return data


class JSONObjectField(serializers.DictField):
    """A JSON object, kept as sent."""

    default_error_messages = JSON_VALUE_ERRORS

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_a_dict", input_type=type(data).__name__)
        return _storable(self, data)


class JSONListField(serializers.ListField):
    """A JSON array whose items all have the JSON type of `child` (object or string)."""

    default_error_messages = JSON_VALUE_ERRORS
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
        return _storable(self, data)


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
    content_version = ContentVersionField(min_value=1, max_value=MAX_CONTENT_VERSION)
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
    # Most results pass the quick check (quiz/ingest_fastpath.py), which returns what the
    # serializer would. One serializer serves the rest of the batch, as DRF's
    # ListSerializer does: building its fields (a deep copy of each) per item would cost
    # more than validating them. It is built only when a result needs it.
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
