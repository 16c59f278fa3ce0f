"""The service worker, built for the current content and static files.

A template (templates/serviceworker.js) that names every URL the app needs offline (its
precache list) and a version naming their bytes: any change to content, pages or a
static file makes new worker bytes, so browsers install it and refresh their caches.
"""

import functools
import hashlib
import json
import os

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse

from .i18n import catalogue_urls, language_codes
from .models import ContentVersion

# Static folders the app needs offline; screenshots are for install dialogs only, and
# staff/ holds the admin's styles, which a phone never needs.
PRECACHED_STATIC_FOLDERS = ("css/", "js/", "icons/")

# The worker's own logic (static/js/service-worker.js): the browser keeps the modules a
# worker imports with the worker itself, and no page loads it, so a copy in the precache
# would only cost bytes. Its bytes are still in the version, so changing it updates the
# worker. Browsers fetch a worker's imports through the HTTP cache: in production the
# import names the hashed file (a new one for new bytes); in development WhiteNoise
# serves it with max-age=0, so it is revalidated.
WORKER_MODULES = ("js/service-worker.js",)


# Pages the worker keeps in each language. Tip category and tip pages are not among
# them: offline the worker answers those with the tips shell, which renders them from
# the content bundle (static/js/tips-view.js), so their number costs no bytes.
PRECACHED_PAGES = ("home", "check", "result", "history", "emergency", "offline", "tips", "tips-shell")


def page_urls() -> list[str]:
    """Every page the worker keeps for offline use, in each language."""
    return [reverse(name) for name in PRECACHED_PAGES]


def static_paths() -> list[str]:
    """Our own static files (not the admin's), relative to STATIC_URL, sorted."""
    found = set()
    for finder in finders.get_finders():
        if not isinstance(finder, finders.FileSystemFinder):
            continue
        for path, _storage in finder.list(ignore_patterns=["*.map", ".*"]):
            path = path.replace("\\", "/")
            if path.startswith(PRECACHED_STATIC_FOLDERS):
                found.add(path)
    return sorted(found)


def _files_digest(paths: list[str]) -> str:
    # In development static names are not hashed, so the worker names a digest of the
    # files' bytes: any change to CSS or JS makes a new worker (and new caches). The
    # bytes are read again only when a file's size or modification time says it changed:
    # every page load asks for the worker, and reading ~50 files each time is waste.
    return _digest_of(tuple(_stamp(path) for path in paths))


def _stamp(path: str) -> tuple[str, str | None, int, int]:
    location = finders.find(path)
    if not location:
        return (path, None, 0, 0)
    status = os.stat(location)
    return (path, location, status.st_mtime_ns, status.st_size)


@functools.lru_cache(maxsize=8)
def _digest_of(stamps: tuple[tuple[str, str | None, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for _path, location, _mtime, _size in stamps:
        if location:
            with open(location, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()


def render_service_worker() -> str:
    """The worker's source for the content published now and the static files deployed."""
    version = ContentVersion.objects.current()
    paths = static_paths()
    # Pages, the manifest and the bundle differ by language (cached per language by the
    # worker); static files do not. Each language's catalogue is kept with its pages.
    pages = [*page_urls(), "/manifest.json"]
    precached = [static(path) for path in paths if path not in WORKER_MODULES]
    precache = [*pages, reverse("api-content"), *precached]
    fingerprint = hashlib.sha256(
        json.dumps([precache, catalogue_urls(), _files_digest(paths), version.number if version else 0]).encode()
    ).hexdigest()[:12]
    return render_to_string(
        "serviceworker.js",
        {
            "cache_version": f"{version.number if version else 0}-{fingerprint}",
            "content_version": version.number if version else 0,
            "precache_json": json.dumps(precache),
            "page_urls_json": json.dumps(pages),
            "languages_json": json.dumps(language_codes()),
            "catalogues_json": json.dumps(dict(zip(language_codes(), catalogue_urls(), strict=True))),
            "offline_url": reverse("offline"),
            "tips_shell_url": reverse("tips-shell"),
            "debug": settings.DEBUG,
        },
    )
