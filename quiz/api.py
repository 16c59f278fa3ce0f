"""The REST API the PWA talks to (Django REST Framework)."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .models import ContentVersion
from .rest import DeviceRegistrationThrottle, DeviceThrottle, DeviceTokenAuthentication, IsRegisteredDevice
from .serializers import (
    MAX_BATCH,
    DeviceCreatedSerializer,
    DeviceRegisterSerializer,
    ErrorSerializer,
    ReceiptsSerializer,
    ResultBatchSerializer,
    StoredResultSerializer,
    StoredResultsSerializer,
    ThrottledErrorSerializer,
    ValidationErrorSerializer,
)


def _etag_matches(request, etag: str) -> bool:
    """Weak comparison (RFC 9110): GZipMiddleware turns the ETag of a compressed reply
    into `W/"…"`, and the phone sends that back."""
    header = request.headers.get("If-None-Match", "")
    candidates = [candidate.strip().removeprefix("W/") for candidate in header.split(",")]
    return etag.removeprefix("W/") in candidates or header.strip() == "*"


def _content_response(request, version: ContentVersion) -> Response:
    if _etag_matches(request, version.etag):
        response = Response(status=status.HTTP_304_NOT_MODIFIED)
    else:
        response = Response(version.snapshot)
    response["ETag"] = version.etag
    # Phones revalidate every time (cheap with a 304) so a new version is seen at once.
    patch_cache_control(response, no_cache=True)
    return response


_CONTENT_RESPONSES = {
    200: OpenApiResponse(OpenApiTypes.OBJECT, description="The content snapshot (docs/CONTENT_FORMAT.md)."),
    304: OpenApiResponse(description="Not modified: the phone's copy (If-None-Match) is current."),
    404: OpenApiResponse(ErrorSerializer, description="`no_content` or `not_found`."),
}
_IF_NONE_MATCH = OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER, required=False)


class CurrentContentView(APIView):
    """GET the current published content snapshot; `If-None-Match` with its ETag gets 304."""

    @extend_schema(operation_id="content_current", parameters=[_IF_NONE_MATCH], responses=_CONTENT_RESPONSES)
    def get(self, request):
        version = ContentVersion.objects.current()
        if version is None:
            return Response(
                {"code": "no_content", "detail": "No content has been published yet."},
                status=status.HTTP_404_NOT_FOUND,
            )
        return _content_response(request, version)


class ContentVersionView(APIView):
    """GET any published content version by number (results answered against old versions)."""

    @extend_schema(operation_id="content_version", parameters=[_IF_NONE_MATCH], responses=_CONTENT_RESPONSES)
    def get(self, request, number: int):
        return _content_response(request, get_object_or_404(ContentVersion, number=number))


# -- devices and results ------------------------------------------------------------

_THROTTLED = OpenApiResponse(ThrottledErrorSerializer, description="`throttled`; wait Retry-After seconds.")
_UNAUTHENTICATED = OpenApiResponse(
    ErrorSerializer, description="`not_authenticated` or `invalid_token`: register again and retry."
)


class BadBatch(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _('Send {"results": [...]} with 1 to 100 results.')
    default_code = "invalid_batch"


class DeviceRegisterView(APIView):
    """Register an anonymous device. The token is in this reply only; the server keeps its hash."""

    throttle_classes = [DeviceRegistrationThrottle]

    @extend_schema(
        operation_id="device_register",
        request=DeviceRegisterSerializer,
        responses={
            201: DeviceCreatedSerializer,
            400: OpenApiResponse(
                ValidationErrorSerializer, description="`unexpected_field`, `parse_error` or `too_deep`."
            ),
            413: ErrorSerializer,
            415: ErrorSerializer,
            429: _THROTTLED,
        },
    )
    def post(self, request):
        DeviceRegisterSerializer(data=request.data or {}).is_valid(raise_exception=True)
        registered = services.device_register()
        body = {"device_id": registered.device.public_id, "token": registered.token}
        return Response(DeviceCreatedSerializer(body).data, status=status.HTTP_201_CREATED)


class DeviceMeView(APIView):
    """The calling device itself."""

    authentication_classes = [DeviceTokenAuthentication]
    permission_classes = [IsRegisteredDevice]
    throttle_classes = [DeviceThrottle]

    @extend_schema(
        operation_id="device_erase",
        description="Delete my data: erase this device and every result it sent. The token stops working.",
        responses={204: None, 401: _UNAUTHENTICATED, 429: _THROTTLED},
    )
    def delete(self, request):
        services.device_erase(device=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ResultsView(APIView):
    """Sync finished checks (POST a batch, get one receipt per result) and list this device's own."""

    authentication_classes = [DeviceTokenAuthentication]
    permission_classes = [IsRegisteredDevice]
    throttle_classes = [DeviceThrottle]

    @extend_schema(
        operation_id="results_list",
        responses={200: StoredResultsSerializer, 401: _UNAUTHENTICATED, 429: _THROTTLED},
    )
    def get(self, request):
        results = services.results_for_device(device=request.user)
        return Response({"results": StoredResultSerializer(results, many=True).data})

    @extend_schema(
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
            401: _UNAUTHENTICATED,
            413: OpenApiResponse(ErrorSerializer, description="`payload_too_large`."),
            415: ErrorSerializer,
            429: _THROTTLED,
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
    def post(self, request):
        items = _batch_items(request.data)
        try:
            receipts = services.results_ingest(device=request.user, items=items)
        except services.DeviceGone:
            # Erased by "Delete my data" while this sync was on the way: the same answer
            # as the token gets from now on.
            raise exceptions.AuthenticationFailed(
                DeviceTokenAuthentication.invalid_token, code="invalid_token"
            ) from None
        return Response({"receipts": receipts})


def _batch_items(data) -> list:
    """The batch's shape is checked here, not per item: a bad item becomes a receipt."""
    if not isinstance(data, dict) or set(data) != {"results"}:
        raise BadBatch()
    items = data["results"]
    if not isinstance(items, list) or not items:
        raise BadBatch()
    if len(items) > MAX_BATCH:
        raise BadBatch(_("At most %(max)d results per request.") % {"max": MAX_BATCH}, code="batch_too_large")
    return items


# -- errors outside DRF's views ---------------------------------------------------------
# Django's handlers (backcare/urls.py). Under /api/ they answer like every other API
# error, `{"code": ..., "detail": ...}` in JSON; pages keep Django's HTML pages.


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _api_error(code: str, detail, status_code: int) -> JsonResponse:
    return JsonResponse({"code": code, "detail": str(detail)}, status=status_code)


def bad_request(request, exception):
    """A request Django itself refused (e.g. an unknown Host header)."""
    if _is_api(request):
        return _api_error("bad_request", _("The request could not be understood."), status.HTTP_400_BAD_REQUEST)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _is_api(request):
        detail = exceptions.PermissionDenied.default_detail
        return _api_error(exceptions.PermissionDenied.default_code, detail, status.HTTP_403_FORBIDDEN)
    return defaults.permission_denied(request, exception)


def not_found(request, exception):
    """A path under /api/ that matches no route (`/api/content/1.5/`) gets the API's JSON
    error body, like every other API error; pages get the 404 page."""
    if _is_api(request):
        return _api_error(
            exceptions.NotFound.default_code, exceptions.NotFound.default_detail, status.HTTP_404_NOT_FOUND
        )
    return defaults.page_not_found(request, exception)


def server_error(request):
    """An error in the server's own code (logged with its traceback by Django). The phone
    retries a 5xx later; its checks stay on the device until a receipt says stored."""
    if _is_api(request):
        detail = _("Something went wrong on the server. Try again later.")
        return _api_error("server_error", detail, status.HTTP_500_INTERNAL_SERVER_ERROR)
    return defaults.server_error(request)
