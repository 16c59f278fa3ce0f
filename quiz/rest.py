"""DRF plumbing for the API: device tokens, the device permission, throttles, the size-
limited JSON parser and the exception handler that gives every error a stable code.

Kept apart from `api.py` because settings name these classes and DRF imports them
while `APIView` itself is being defined.
"""

import functools
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import OperationalError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, parsers, permissions, renderers, throttling
from rest_framework.settings import api_settings
from rest_framework.utils import json

from . import services
from .health import CACHE_ERRORS
from .ingest_fastpath import count_in_redis, device_by_public_id
from .json_values import nests_deeper_than
from .models import Device

logger = logging.getLogger(__name__)

# -- tokens -------------------------------------------------------------------------


def split_token(token: str) -> tuple[uuid.UUID, str] | None:
    """A token is `<device uuid>.<secret>`: the uuid finds the row, the secret proves it."""
    device_part, _dot, secret = token.partition(".")
    if not secret:
        return None
    try:
        return uuid.UUID(device_part), secret
    except ValueError:
        return None


class DeviceTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <device uuid>.<secret>`; the server holds only sha256(secret)."""

    keyword = "Token"
    invalid_token = _("Unknown or revoked device token.")

    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        keyword, _space, token = header.partition(" ")
        if keyword != self.keyword:
            return None
        device = _device_holding(token.strip())
        if device is None:
            _count_failed_token(request)
            raise exceptions.AuthenticationFailed(self.invalid_token, code="invalid_token")
        services.device_seen(device)
        return device, None

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) with WWW-Authenticate, so the phone re-registers.
        return self.keyword


def _device_holding(token: str) -> Device | None:
    """The device this token belongs to, or None for a malformed, unknown or wrong one."""
    parts = split_token(token)
    if parts is None:
        return None
    public_id, secret = parts
    device = device_by_public_id(public_id)
    return device if device is not None and device.has_token_secret(secret) else None


def _count_failed_token(request) -> None:
    """Guessing tokens costs the guesser's IP the same budget as registering devices."""
    throttle = FailedTokenThrottle()
    if not throttle.allow_request(request, view=None):  # rate throttles never read the view
        raise exceptions.Throttled(throttle.wait())


class IsRegisteredDevice(permissions.BasePermission):
    message = _("Register this device first (POST /api/devices/) and send its token.")

    def has_permission(self, request, view):
        return isinstance(request.user, Device)


# -- throttles ----------------------------------------------------------------------

# After a cache error, count in this process for this long before trying the shared cache
# again: a silent Redis then costs one socket timeout per worker every interval, not one
# per request.
SHARED_CACHE_RETRY_SECONDS = 10
# Where counts go while the shared cache is unreachable: this process only, so each
# worker allows the full limit (limits loosen by the number of workers). Looser limits
# for a while beat refusing every phone, and "Delete my data" must never fail for a cache.
_local_counts = LocMemCache("backcare-throttle-fallback", {})
_shared_cache_retry_at = 0.0


@functools.cache
def parse_rate(rate: str) -> tuple[int, int]:
    """ "20/hour" → (20, 3600); the period's first letter counts, as in DRF. Each rate
    is parsed once per process (settings only checked its form at startup)."""
    count, _slash, period = rate.partition("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


class AtomicRateThrottle(throttling.BaseThrottle):
    """At most `count` requests per period, counted atomically in the default cache.

    DRF's SimpleRateThrottle reads a list of timestamps, appends and writes it back: two
    workers reading at once both pass, so parallel requests overshot the limit (37 of 40
    registrations passed a limit of 20). Here each request is one atomic increment
    (Redis INCR), so exactly `count` pass, across workers and servers.

    A fixed window: it opens with the first request counted and lasts one period; then
    the count starts again. A client can therefore send up to twice the limit around
    the end of one window and the start of the next — a bound, not a rate, which is
    what these limits (device registrations, token guesses, syncs) need.

    The rate is looked up in settings on every request (throttles are built per
    request), so a changed setting (a test, a reload) takes effect.
    """

    scope = ""

    def __init__(self):
        self.num_requests, self.duration = parse_rate(str(api_settings.DEFAULT_THROTTLE_RATES[self.scope]))
        self.retry_after: float | None = None

    def get_cache_key(self, request, view) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.retry_after = _count_request(key, self.duration, self.num_requests)
        return self.retry_after is None

    def wait(self) -> float | None:
        return self.retry_after


def _count_request(key: str, duration: int, limit: int) -> float | None:
    """Count one request against `key`: None if it is within the limit, else the seconds
    until the window ends. The shared cache when it answers, this process's otherwise."""
    global _shared_cache_retry_at
    if time.monotonic() >= _shared_cache_retry_at:
        try:
            wait = _count_in(caches[DEFAULT_CACHE_ALIAS], key, duration, limit)
        except CACHE_ERRORS as error:
            if _shared_cache_retry_at == 0.0:
                logger.error(
                    "The cache is unreachable (%s); throttling counts in this process only until it answers.",
                    type(error).__name__,
                )
            _shared_cache_retry_at = time.monotonic() + SHARED_CACHE_RETRY_SECONDS
        else:
            if _shared_cache_retry_at != 0.0:
                logger.info("The cache answers again; throttling counts in it again.")
                _shared_cache_retry_at = 0.0
            return wait
    return _count_in(_local_counts, key, duration, limit)


def _count_in(store, key: str, duration: int, limit: int) -> float | None:
    if isinstance(store, RedisCache):
        return _count_in_redis(store, key, duration, limit)
    now = time.time()
    window_end_key = f"{key}:ends"
    try:
        count = store.incr(key)  # Redis INCR: atomic, and it keeps the key's expiry
    except ValueError:
        # No window yet, or it has just ended: this request opens one. Of several racing
        # requests exactly one adds the key (counting itself); the others count in it.
        if store.add(key, 1, duration):
            store.set(window_end_key, now + duration, duration)
            count = 1
        else:
            count = store.incr(key)
    if count <= limit:
        return None
    window_end = store.get(window_end_key)
    return max(window_end - now, 1) if window_end else duration


def _count_in_redis(store: RedisCache, key: str, duration: int, limit: int) -> float | None:
    """`_count_in` in one round trip to Redis; of several racing requests exactly one
    opens the window, as above."""
    count, seconds_left = count_in_redis(store, key, duration)
    if count <= limit:
        return None
    return max(seconds_left, 1)


class DeviceRegistrationThrottle(AtomicRateThrottle):
    """Per client IP: how many devices one address may register."""

    scope = "devices"

    def get_cache_key(self, request, view):
        return f"throttle:{self.scope}:register:{self.get_ident(request)}"


class FailedTokenThrottle(AtomicRateThrottle):
    """Per client IP, counted only on a wrong token (see `_count_failed_token`)."""

    scope = "devices"

    def get_cache_key(self, request, view):
        return f"throttle:{self.scope}:failed_token:{self.get_ident(request)}"


class DeviceThrottle(AtomicRateThrottle):
    """Per registered device: how often it may sync, list or erase."""

    scope = "results"

    def get_cache_key(self, request, view):
        if not isinstance(request.user, Device):
            return None
        return f"throttle:{self.scope}:device:{request.user.public_id}"


# -- parsing and errors -------------------------------------------------------------


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = _("The request body is too large.")
    default_code = "payload_too_large"


class LengthRequired(exceptions.APIException):
    status_code = 411
    default_detail = _("Send the request body with a Content-Length header, not in chunks.")
    default_code = "length_required"


def refuse_unmeasured_body(request) -> None:
    """A body sent in chunks (Transfer-Encoding, no Content-Length) is refused with 411.
    Django reads a body only as far as Content-Length says: without one it read such a
    body as empty, so a sync counted as an empty batch and a registration as `{}`. No
    phone sends one (fetch gives a length), and a proxy that buffers bodies adds it."""
    # Empty counts as none: wsgiref (runserver, the live test server) sets CONTENT_LENGTH "".
    if "transfer-encoding" in request.headers and not request.headers.get("content-length"):
        raise LengthRequired()


# How deep a request's JSON may nest. Python 3.11's json.loads recurses once per level
# against the interpreter's limit of 1000 frames, ~150 of which the request's own stack
# already uses; past it, it raises RecursionError (a 500 until caught here). Anything
# that later walks the data recursively (DRF formatting a value into a message) needs the
# same headroom, so 400 keeps well clear, yet lets a batch through whose one result nests
# hundreds deep: that result alone is rejected (serializers.MAX_FIELD_DEPTH), the others
# are stored. Checked after parsing, by an iterative walk (quiz/json_values.py), and
# only when the text holds enough brackets to nest that deep.
MAX_JSON_DEPTH = 400


class TooDeep(exceptions.ParseError):
    default_detail = _("The JSON is nested too deeply.")
    default_code = "too_deep"


def _may_nest_deeper_than(text: str, limit: int) -> bool:
    """False when the JSON `text` cannot nest more than `limit` levels: each level opens
    with a bracket, so fewer brackets than levels (counted in C, strings included) rule
    it out, and a sync of a dozen results is never walked."""
    return text.count("[") + text.count("{") > limit


class LimitedJSONParser(parsers.BaseParser):
    """JSON, refused with 413 past `API_MAX_BODY_BYTES` before any of it is read, and
    with 400 `too_deep` past `MAX_JSON_DEPTH` levels.

    Not a subclass of DRF's JSONParser on purpose: for that class DRF reads the whole
    body through Django's `request.body` first (rest_framework/request.py, `_parse`),
    which refuses anything over DATA_UPLOAD_MAX_MEMORY_SIZE with Django's HTML 400
    before this limit could answer. Given the raw stream, this parser reads at most one
    byte more than the limit.
    """

    media_type = "application/json"
    renderer_class = renderers.JSONRenderer

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        limit = settings.API_MAX_BODY_BYTES
        request = parser_context.get("request")
        declared = request.headers.get("content-length") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge()
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise PayloadTooLarge()
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = body.decode(encoding)
        except LookupError:  # a codec that is not a text encoding: `charset=rot13`, `base64`
            raise exceptions.UnsupportedMediaType(request.content_type if request else media_type) from None
        except UnicodeError as error:
            raise exceptions.ParseError(_("JSON parse error - %(error)s") % {"error": error}) from None
        try:
            data = json.loads(text, parse_constant=json.strict_constant)
        except RecursionError:
            raise TooDeep() from None
        except ValueError as error:
            raise exceptions.ParseError(_("JSON parse error - %(error)s") % {"error": error}) from None
        if (
            isinstance(data, (dict, list))
            and _may_nest_deeper_than(text, MAX_JSON_DEPTH)
            and nests_deeper_than(data, MAX_JSON_DEPTH)
        ):
            raise TooDeep()
        return data


class DatabaseUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = _("The server cannot reach its database right now. Nothing was lost: try again later.")
    default_code = "database_unavailable"


def api_exception_handler(exc, context):
    """Every API error body is `{"code": ..., "detail": ...}` (+ `errors` or `retry_after`)."""
    # Imported here: rest_framework.views reads the parser setting, which names this module.
    from rest_framework.views import exception_handler

    # Down, restarting, too slow (DB_STATEMENT_TIMEOUT_MS) or a lost race retried once
    # already: a passing condition, so 503 and the phone sends again later. The reason
    # goes to the log only (it may name hosts).
    if isinstance(exc, OperationalError):
        logger.error("The database failed an API request.", exc_info=exc)
        exc = DatabaseUnavailable()
    # Django's own 404/403 become DRF's, so they get a code too.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = [
            {"field": field or api_settings.NON_FIELD_ERRORS_KEY, "code": detail.code, "message": str(detail)}
            for field, detail in flatten_errors(exc.detail)
        ]
        body: dict[str, Any] = {"code": "invalid", "detail": str(_("The request is not valid.")), "errors": errors}
        codes = {error["code"] for error in body["errors"]}
        if len(codes) == 1:
            body["code"] = codes.pop()
    else:
        code = exc.get_codes()
        body = {"code": code if isinstance(code, str) else "error", "detail": str(exc.detail)}
    if isinstance(exc, exceptions.Throttled):
        body["retry_after"] = int(exc.wait or 0)  # type: ignore[attr-defined]  # DRF sets it; the stubs omit it
    response.data = body
    return response


def flatten_errors(detail, prefix: str = "") -> Iterator[tuple[str, exceptions.ErrorDetail]]:
    """DRF's nested errors (a ValidationError's detail) as (dotted field path, error) pairs,
    one per message: `{"outcome": {"tips": {0: [e]}}}` gives ("outcome.tips.0", e). The path
    is "" for an error about the whole body."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from flatten_errors(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(detail, list) and all(isinstance(item, str) for item in detail):
        for message in detail:
            yield prefix, message
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            yield from flatten_errors(value, f"{prefix}.{index}" if prefix else str(index))
    else:
        yield prefix, detail
