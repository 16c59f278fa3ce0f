"""GET /healthz for load balancers: can this server answer a phone right now?"""

import logging

from django.db import DatabaseError
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .models import ContentVersion

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    """200 when the database answers and content is published, else 503.

    No authentication and nothing an outsider could use: a status word per check and the
    current content version number, which the public content API shows anyway. Exempt
    from the HTTPS redirect (SECURE_REDIRECT_EXEMPT) so a balancer can probe over HTTP.
    """
    try:
        version = ContentVersion.objects.current()
    except DatabaseError:
        logger.exception("Health check: the database is unreachable.")
        return JsonResponse({"status": "unavailable", "database": "error", "content": "unknown"}, status=503)
    if version is None:
        return JsonResponse({"status": "unavailable", "database": "ok", "content": "missing"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "content": "ok", "content_version": version.number})
