"""Template tags for BackCare's admin pages."""

import json

from django import template

from .. import content_diff
from ..health import healthz

register = template.Library()


@register.simple_tag(takes_context=True)
def service_health(context) -> dict:
    """What GET /healthz answers right now, read through the view itself so the admin shows
    exactly what a load balancer sees: its HTTP status and each check's word."""
    response = healthz(context["request"])
    answer = json.loads(response.content)
    checks = [(name.replace("_", " "), value) for name, value in answer.items() if name != "status"]
    return {"http_status": response.status_code, "status": answer.get("status", "unknown"), "checks": checks}


@register.simple_tag(takes_context=True)
def unpublished_change_count(context) -> int | None:
    """How many changes the working copy holds over the last published version; None for a
    person who cannot see content versions, or before any content exists."""
    user = context["request"].user
    if not user.has_perm("quiz.view_contentversion"):
        return None
    return content_diff.unpublished_count()
