"""GET /healthz for load balancers: can this server answer a phone right now?"""

import logging

from django.core.cache import cache
from django.db import DatabaseError
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from redis.exceptions import RedisError

from .models import ContentVersion

logger = logging.getLogger(__name__)

# What an unreachable or misbehaving cache raises: Redis refusing, not answering within
# CACHE_TIMEOUT_MS, out of memory. (quiz/rest.py's throttles catch the same.)
CACHE_ERRORS = (RedisError, OSError)


@never_cache
@require_safe
def healthz(request):
    """200 when the database answers and content is published, else 503.

    The cache (throttle counts) is reported but never makes the server unhealthy: without
    it the API still answers, with throttling counted per process (quiz/rest.py). A
    balancer that took every server out because their shared Redis is down would turn a
    degraded service into none. So a broken cache answers 200 with `"status": "degraded"`
    and `"cache": "degraded"`, for monitoring to alert on (docs/DEPLOY.md).

    No authentication and nothing an outsider could use: a status word per check and the
    current content version number, which the public content API shows anyway. Exempt
    from the HTTPS redirect (SECURE_REDIRECT_EXEMPT) so a balancer can probe over HTTP.
    """
    cache_status = _cache_status()
    try:
        version = ContentVersion.objects.current()
    except DatabaseError:
        logger.exception("Health check: the database is unreachable.")
        body = {"status": "unavailable", "database": "error", "cache": cache_status, "content": "unknown"}
        return JsonResponse(body, status=503)
    if version is None:
        body = {"status": "unavailable", "database": "ok", "cache": cache_status, "content": "missing"}
        return JsonResponse(body, status=503)
    return JsonResponse(
        {
            "status": "ok" if cache_status == "ok" else "degraded",
            "database": "ok",
            "cache": cache_status,
            "content": "ok",
            "content_version": version.number,
        }
    )


def _cache_status() -> str:
    try:
        cache.get("healthz")  # a round trip; the answer does not matter
    except CACHE_ERRORS as error:
        logger.warning("Health check: the cache is unreachable (%s).", type(error).__name__)
        return "degraded"
    return "ok"
