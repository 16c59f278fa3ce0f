"""The API's OpenAPI detail, kept apart so each view in `api.py` reads as what it does:
the documented responses and examples, the device-token scheme and the schema hook.
Served at /api/schema/ (drf-spectacular) and checked by schemathesis in the tests.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from .serializers import (
    RESULTS_PAGE_MAX,
    RESULTS_PAGE_SIZE,
    ErrorSerializer,
    ReceiptsSerializer,
    ResultBatchSerializer,
    StoredResultsSerializer,
    ThrottledErrorSerializer,
    ValidationErrorSerializer,
)

# -- content ------------------------------------------------------------------------

CONTENT_RESPONSES = {
    200: OpenApiResponse(OpenApiTypes.OBJECT, description="The content snapshot (docs/CONTENT_FORMAT.md)."),
    304: OpenApiResponse(description="Not modified: the phone's copy (If-None-Match) is current."),
    404: OpenApiResponse(ErrorSerializer, description="`no_content` or `not_found`."),
}
IF_NONE_MATCH = OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER, required=False)
content_current = extend_schema(operation_id="content_current", parameters=[IF_NONE_MATCH], responses=CONTENT_RESPONSES)
content_version = extend_schema(operation_id="content_version", parameters=[IF_NONE_MATCH], responses=CONTENT_RESPONSES)


# -- devices and results ------------------------------------------------------------

THROTTLED = OpenApiResponse(ThrottledErrorSerializer, description="`throttled`; wait Retry-After seconds.")
UNAUTHENTICATED = OpenApiResponse(
    ErrorSerializer, description="`not_authenticated` or `invalid_token`: register again and retry."
)
UNAVAILABLE = OpenApiResponse(
    ErrorSerializer, description="`database_unavailable`: nothing was stored; send the same request again later."
)

# POST /api/results/: one receipt per result, and what each kind looks like.
results_sync = extend_schema(
    operation_id="results_sync",
    request=ResultBatchSerializer,
    responses={
        200: OpenApiResponse(
            ReceiptsSerializer,
            description=(
                "One receipt per result, in the order sent: created, duplicate, conflict, rejected, "
                "or retry_later (not stored yet: send it again after `retry_after` seconds)."
            ),
        ),
        400: OpenApiResponse(
            ErrorSerializer,
            description="The batch is malformed: `invalid_batch`, `batch_too_large`, `parse_error`, `too_deep`.",
        ),
        401: UNAUTHENTICATED,
        411: OpenApiResponse(ErrorSerializer, description="`length_required`: a body sent in chunks."),
        413: OpenApiResponse(ErrorSerializer, description="`payload_too_large`."),
        415: ErrorSerializer,
        429: THROTTLED,
        503: UNAVAILABLE,
    },
    examples=[
        OpenApiExample(
            "A receipt for each result",
            response_only=True,
            value={
                "receipts": [
                    {"uuid": "5b0c…", "status": "created", "server_outcome": {}, "verdict_mismatch": False},
                    {
                        "uuid": "9e41…",
                        "status": "rejected",
                        "errors": [
                            {
                                "field": "completed_at",
                                "code": "completed_too_early",
                                "message": "Completed before BackCare existed: the phone's clock was wrong.",
                            }
                        ],
                    },
                    {
                        "uuid": "c7d2…",
                        "status": "retry_later",
                        "retry_after": 300,
                        "errors": [
                            {
                                "field": "content_version",
                                "code": "unknown_content_version",
                                "message": "Content version 7 has not been published.",
                            }
                        ],
                    },
                ]
            },
        )
    ],
)


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "quiz.rest.DeviceTokenAuthentication"
    name = "deviceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>` as returned once by `POST /api/devices/`.",
        }


# Request bodies whose views refuse any field they do not name; the schema says so, so
# clients (and schemathesis) know an extra field is an error, not ignored.
CLOSED_REQUEST_COMPONENTS = ("DeviceRegisterRequest", "ResultBatchRequest")


def close_strict_request_bodies(result, generator, request, public):
    """drf-spectacular postprocessing hook: `additionalProperties: false` on those bodies."""
    schemas = result.get("components", {}).get("schemas", {})
    for name in CLOSED_REQUEST_COMPONENTS:
        if name in schemas:
            schemas[name]["additionalProperties"] = False
    return result


# GET /api/results/: the device's results a page at a time.
results_list = extend_schema(
    operation_id="results_list",
    description=(
        f"This device's results, newest first, {RESULTS_PAGE_SIZE} a page (`limit` up to {RESULTS_PAGE_MAX}). "
        "Follow `next` until it is null to read them all."
    ),
    parameters=[
        OpenApiParameter(
            "cursor",
            str,
            OpenApiParameter.QUERY,
            required=False,
            description="From a `next` or `previous` link, as given (any other: 400 `invalid_cursor`).",
        ),
        OpenApiParameter(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": RESULTS_PAGE_MAX},
            OpenApiParameter.QUERY,
            required=False,
            description=f"Results a page, 1 to {RESULTS_PAGE_MAX} (default {RESULTS_PAGE_SIZE}).",
        ),
    ],
    responses={
        200: StoredResultsSerializer,
        400: OpenApiResponse(
            ValidationErrorSerializer,
            description=(
                "`unexpected_field`, `invalid_limit` or `invalid_cursor` (a cursor this server did not give): "
                "a query it does not take."
            ),
        ),
        401: UNAUTHENTICATED,
        429: THROTTLED,
        503: UNAVAILABLE,
    },
)
