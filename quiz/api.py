"""The REST API the PWA talks to (Django REST Framework)."""

from datetime import UTC

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, pagination, status
from rest_framework.response import Response
from rest_framework.views import APIView

from . import schema, services
from .contracts import MAX_BATCH
from .models import ContentVersion, Result
from .rest import (
    DeviceRegistrationThrottle,
    DeviceThrottle,
    DeviceTokenAuthentication,
    IsRegisteredDevice,
    refuse_unmeasured_body,
)
from .serializers import (
    RESULTS_PAGE_MAX,
    RESULTS_PAGE_SIZE,
    DeviceCreatedSerializer,
    DeviceRegisterSerializer,
    ErrorSerializer,
    StoredResultSerializer,
    ValidationErrorSerializer,
    validate_results,
)
from .translation import localize


def _etag_matches(request, etag: str) -> bool:
    """Weak comparison (RFC 9110): GZipMiddleware turns the ETag of a compressed reply
    into `W/"…"`, and the phone sends that back."""
    header = request.headers.get("If-None-Match", "")
    candidates = [candidate.strip().removeprefix("W/") for candidate in header.split(",")]
    return etag.removeprefix("W/") in candidates or header.strip() == "*"


def content_language(request) -> str:
    """`?lang=` when given (a known language, else 400), else the request's Accept-Language
    (LocaleMiddleware has activated the best match)."""
    asked = request.GET.get("lang")
    if asked is None:
        return translation.get_supported_language_variant(translation.get_language() or settings.LANGUAGE_CODE)
    try:
        return translation.get_supported_language_variant(asked)
    except LookupError:
        languages = ", ".join(code for code, _name in settings.LANGUAGES)
        raise exceptions.ValidationError(
            {"lang": [f"Unknown language {asked[:20]!r}: use one of {languages}."]}, code="unknown_language"
        ) from None


def _content_response(request, version: ContentVersion) -> Response:
    language = content_language(request)
    # Each language is its own representation, with its own ETag.
    etag = (
        version.etag if language == settings.LANGUAGE_CODE else f'"{version.number}-{version.content_hash}-{language}"'
    )
    if _etag_matches(request, etag):
        response = Response(status=status.HTTP_304_NOT_MODIFIED)
    else:
        response = Response(localize(version.snapshot, language))
    response["ETag"] = etag
    response["Content-Language"] = language
    patch_vary_headers(response, ["Accept-Language"])
    # Phones revalidate every time (cheap with a 304) so a new version is seen at once.
    patch_cache_control(response, no_cache=True)
    return response


class ApiView(APIView):
    """Every API view: a request whose body has no length is refused before anything else."""

    def initial(self, request, *args, **kwargs):
        refuse_unmeasured_body(request)
        super().initial(request, *args, **kwargs)


class CurrentContentView(ApiView):
    """GET the current published content snapshot; `If-None-Match` with its ETag gets 304."""

    @schema.content_current
    def get(self, request):
        version = ContentVersion.objects.current()
        if version is None:
            return Response(
                {"code": "no_content", "detail": "No content has been published yet."},
                status=status.HTTP_404_NOT_FOUND,
            )
        return _content_response(request, version)


class ContentVersionView(ApiView):
    """GET any published content version by number (results answered against old versions)."""

    @schema.content_version
    def get(self, request, number: int):
        return _content_response(request, get_object_or_404(ContentVersion, number=number))


# -- devices and results ------------------------------------------------------------


class ResultsPage(pagination.CursorPagination):
    """A device's results, newest first, a page at a time: a phone with years of checks
    gets them in pages of RESULTS_PAGE_SIZE (`?limit=` up to RESULTS_PAGE_MAX), each with
    a `next` link until the last, instead of one reply whose size grows without end."""

    page_size = RESULTS_PAGE_SIZE
    page_size_query_param = "limit"
    max_page_size = RESULTS_PAGE_MAX
    ordering = ("-completed_at", "-id")

    def decode_cursor(self, request):
        """The cursor, or a 400 `invalid_cursor` for one this server did not give. DRF
        checks its encoding (a 404 there) but not the position inside it, which goes
        into the query as a time: `p=x` failed it with a 500."""
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound:
            raise InvalidCursor() from None
        if cursor is not None and cursor.position is not None and not _is_aware_time(str(cursor.position)):
            raise InvalidCursor()
        return cursor


def _is_aware_time(text: str) -> bool:
    """Whether `text` is a time with its offset, as a `next` link's position holds one."""
    try:
        value = parse_datetime(text)
        # The database compares in UTC: year 9999 at -14:00 is past the last day there.
        return value is not None and not timezone.is_naive(value) and value.astimezone(UTC) is not None
    except (ValueError, OverflowError):  # well formed, but no such day or hour
        return False


class InvalidCursor(exceptions.ValidationError):
    """A 400 like any other query DRF validates, so it carries `errors` too."""

    def __init__(self):
        super().__init__(
            {"cursor": [_("Use the cursor of a next or previous link as it was given.")]}, "invalid_cursor"
        )


class BadBatch(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_batch"

    def __init__(self, detail=None, code=None):
        if detail is None:  # worded when raised, in the request's language
            detail = _('Send {"results": [...]} with 1 to %(max)d results.') % {"max": MAX_BATCH}
        super().__init__(detail, code)


class DeviceRegisterView(ApiView):
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
            411: OpenApiResponse(ErrorSerializer, description="`length_required`: a body sent in chunks."),
            413: ErrorSerializer,
            415: ErrorSerializer,
            429: schema.THROTTLED,
            503: schema.UNAVAILABLE,
        },
    )
    def post(self, request):
        DeviceRegisterSerializer(data=request.data or {}).is_valid(raise_exception=True)
        registered = services.device_register()
        body = {"device_id": registered.device.public_id, "token": registered.token}
        return Response(DeviceCreatedSerializer(body).data, status=status.HTTP_201_CREATED)


class RegisteredDeviceView(ApiView):
    """A view for registered devices only: their token, and their own rate limit."""

    authentication_classes = [DeviceTokenAuthentication]
    permission_classes = [IsRegisteredDevice]
    throttle_classes = [DeviceThrottle]


class DeviceMeView(RegisteredDeviceView):
    """The calling device itself."""

    @extend_schema(
        operation_id="device_erase",
        description="Delete my data: erase this device and every result it sent. The token stops working.",
        responses={204: None, 401: schema.UNAUTHENTICATED, 429: schema.THROTTLED, 503: schema.UNAVAILABLE},
    )
    def delete(self, request):
        services.device_erase(device=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ResultsView(RegisteredDeviceView):
    """Sync finished checks (POST a batch, get one receipt per result) and list this device's own."""

    @schema.results_list
    def get(self, request):
        _check_page_query(request.query_params)
        paginator = ResultsPage()
        page = paginator.paginate_queryset(Result.objects.for_device(request.user), request, view=self)
        return Response(
            {
                "results": StoredResultSerializer(page, many=True).data,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
            }
        )

    @schema.results_sync
    def post(self, request):
        items = validate_results(_batch_items(request.data))
        try:
            receipts = services.results_ingest(device=request.user, items=items)
        except services.DeviceGone:
            # Erased by "Delete my data" while this sync was on the way: the same answer
            # as the token gets from now on.
            raise exceptions.AuthenticationFailed(
                DeviceTokenAuthentication.invalid_token, code="invalid_token"
            ) from None
        return Response({"receipts": receipts})


def _check_page_query(query) -> None:
    """Only `cursor` and `limit` (a whole number from 1 to RESULTS_PAGE_MAX): anything else
    is a client's mistake, said so, rather than silently read as the default."""
    unexpected = sorted(set(query) - {"cursor", "limit"})
    if unexpected:
        raise exceptions.ValidationError(
            {unexpected[0][:50]: [_("Unexpected query parameter.")]}, code="unexpected_field"
        )
    limit = query.get("limit")
    if limit is not None and not (limit.isascii() and limit.isdigit() and 1 <= int(limit) <= RESULTS_PAGE_MAX):
        message = _("Give a whole number from 1 to %(max)d.") % {"max": RESULTS_PAGE_MAX}
        raise exceptions.ValidationError({"limit": [message]}, code="invalid_limit")


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
