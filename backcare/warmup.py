"""What Django would otherwise do on a process's first requests, done once at startup.

With gunicorn's preload_app the master imports the app and then forks the workers; Django
still imported the URLconf (and with it DRF's renderers and serializers, drf-spectacular
and everything they import) and loaded each language's translations lazily, on the first
request each worker served: about a quarter of a second of CPU in each worker's first
request, five workers at once, and again in every worker recycled after max_requests
(issue 28, bench/NOTES.md). Done here, in the master, it is done once and shared with
every worker by the fork.

Nothing here opens a database or cache connection, so nothing is shared across the fork.
"""

from django.conf import settings
from django.urls import resolve, reverse
from django.utils import translation


def warm() -> None:
    # Reversing imports the URLconf and fills the resolvers' lookup tables; resolving the
    # phones' paths compiles the patterns on their way, as their first requests would.
    for name in ("api-content", "api-devices", "api-results", "healthz"):
        resolve(reverse(name))
    # Each language's catalogues (Django's, the apps', LOCALE_PATHS), as LocaleMiddleware
    # activates them per request.
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            translation.gettext("Home")
