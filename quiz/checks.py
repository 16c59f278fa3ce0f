"""Deployment checks of our own, run by `manage.py check --deploy` beside Django's."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.caches, deploy=True)
def shared_cache_check(app_configs, **kwargs):
    """Throttling counts live in the default cache; in local memory each gunicorn worker
    would keep its own, multiplying every limit (token guessing included) by the number
    of workers and servers."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "The default cache is local to each process, so API throttling limits are per worker.",
                hint="Set REDIS_URL (or CACHE_URL) to a Redis shared by every worker and server.",
                id="backcare.W001",
            )
        ]
    return []
