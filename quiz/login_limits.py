"""Admin sign-in limits (django-axes): who the client is, and what a locked-out person reads."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_address(request: HttpRequest) -> str:
    """The address the API's throttles count by, so the admin and the API agree behind a proxy.

    DRF's rule for its throttles, read from the same NUM_PROXIES: with n proxies, the n-th
    X-Forwarded-For hop from the right (the one the nearest trusted proxy saw); with 0 or
    no header, the peer address. Whatever a client writes further left is never read.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.headers.get("x-forwarded-for")
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES")
    if not isinstance(proxies, int) or proxies <= 0 or not forwarded:
        return remote
    hops = forwarded.split(",")
    return hops[-min(proxies, len(hops))].strip()


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """429 with a page that says what happened, for how long, and what to do meanwhile."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        **admin.site.each_context(request),
        "title": "Sign-in paused",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": minutes,
    }
    return render(request, "admin/login_locked.html", context, status=429)
