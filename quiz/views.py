"""Server-rendered pages and the service worker.

Tips and the emergency numbers are read from the current *published* content version,
never from the working copy: an admin's edits reach people only when published. The
self-check, its result and the history are rendered in the browser from the cached
content bundle and IndexedDB, so these views only serve their shells.
"""

import hashlib
import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from .models import ContentVersion

BREAK_TIMER_CATEGORY = "posture_breaks"
# Static folders the app needs offline; screenshots are for install dialogs only.
PRECACHED_STATIC_FOLDERS = ("css/", "js/", "icons/")


def _snapshot() -> dict | None:
    version = ContentVersion.objects.current()
    return version.snapshot if version else None


def _page(request, template: str, **context) -> HttpResponse:
    snapshot = context.pop("snapshot", None) or _snapshot()
    site = snapshot["settings"] if snapshot else None
    return render(request, template, {"snapshot": snapshot, "site": site, **context})


def _require_snapshot() -> dict:
    snapshot = _snapshot()
    if snapshot is None:
        raise Http404("No content has been published yet.")
    return snapshot


def home(request):
    return _page(request, "quiz/home.html")


def check(request):
    return _page(request, "quiz/check.html")


def result(request):
    return _page(request, "quiz/result.html")


def history(request):
    return _page(request, "quiz/history.html")


def emergency(request):
    return _page(request, "quiz/emergency.html")


def offline(request):
    return _page(request, "quiz/offline.html")


def tips(request):
    snapshot = _require_snapshot()
    counts = {}
    for tip in snapshot["tips"]:
        counts[tip["category"]] = counts.get(tip["category"], 0) + 1
    categories = [{**category, "tip_count": counts.get(category["key"], 0)} for category in snapshot["tip_categories"]]
    return _page(request, "quiz/tips.html", snapshot=snapshot, categories=categories)


def _category(snapshot: dict, category_key: str) -> dict:
    for category in snapshot["tip_categories"]:
        if category["key"] == category_key:
            return category
    raise Http404("No such tip category.")


def tip_category(request, category_key: str):
    snapshot = _require_snapshot()
    category = _category(snapshot, category_key)
    category_tips = [tip for tip in snapshot["tips"] if tip["category"] == category_key]
    return _page(
        request,
        "quiz/tip_category.html",
        snapshot=snapshot,
        category=category,
        tips=category_tips,
        break_timer=category_key == BREAK_TIMER_CATEGORY,
    )


def tip_detail(request, category_key: str, tip_key: str):
    snapshot = _require_snapshot()
    category = _category(snapshot, category_key)
    for tip in snapshot["tips"]:
        if tip["key"] == tip_key and tip["category"] == category_key:
            return _page(request, "quiz/tip.html", snapshot=snapshot, category=category, tip=tip)
    raise Http404("No such tip.")


def page_urls(snapshot: dict | None) -> list[str]:
    """Every page the app must open offline, tips included."""
    urls = [
        reverse(name)
        for name in ("home", "check", "result", "history", "emergency", "offline", "tips", "javascript-catalog")
    ]
    if snapshot:
        urls += [reverse("tip-category", args=[c["key"]]) for c in snapshot["tip_categories"]]
        urls += [reverse("tip", args=[t["category"], t["key"]]) for t in snapshot["tips"]]
    return urls


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
    # files' bytes: any change to CSS or JS makes a new worker (and new caches).
    digest = hashlib.sha256()
    for path in paths:
        location = finders.find(path)
        if location:
            with open(location, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()


@require_GET
def service_worker(request):
    version = ContentVersion.objects.current()
    snapshot = version.snapshot if version else None
    paths = static_paths()
    precache = [*page_urls(snapshot), "/manifest.json", reverse("api-content"), *(static(p) for p in paths)]
    fingerprint = hashlib.sha256(
        json.dumps([precache, _files_digest(paths), version.number if version else 0]).encode()
    ).hexdigest()[:12]
    body = render_to_string(
        "serviceworker.js",
        {
            "cache_version": f"{version.number if version else 0}-{fingerprint}",
            "content_version": version.number if version else 0,
            "precache_json": json.dumps(precache),
            "offline_url": reverse("offline"),
            "debug": settings.DEBUG,
        },
    )
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    # Browsers revalidate workers anyway; no-cache makes every update check see a new version.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
