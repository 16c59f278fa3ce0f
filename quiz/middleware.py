"""Small middleware for production: request ids, a Permissions-Policy header, and static
files without the policies that govern only documents."""

import re
import uuid

from django.conf import settings

from .logs import request_id_var

# A proxy's id is reused only when it is short and plain, so it cannot forge log lines.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


class RequestIdMiddleware:
    """Give every request an id (the proxy's X-Request-ID, or a new one), echo it back and
    make it available to log lines written while the request is handled."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


STATIC_PREFIX = "/static/"


class PermissionsPolicyMiddleware:
    """Send `Permissions-Policy` (Django has no setting for it): BackCare needs none of the
    powerful browser features, so settings.PERMISSIONS_POLICY denies each of them."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allow)})" for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        # Like CSP, the policy governs documents: static files (about 360 bytes each, on
        # every file the service worker precaches) go without it.
        if self.header and not request.path.startswith(STATIC_PREFIX):
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class StaticFilesWithoutDocumentPoliciesMiddleware:
    """Take Cross-Origin-Opener-Policy off static files. It governs the browsing context a
    document opens in; on a stylesheet, a module or an image it does nothing, yet it costs
    about 45 bytes on each file the service worker precaches (CSP and Permissions-Policy
    stay off them for the same reason). Listed before SecurityMiddleware, which adds it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(STATIC_PREFIX):
            del response["Cross-Origin-Opener-Policy"]
        return response
