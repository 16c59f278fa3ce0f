"""Server-rendered pages and the service worker (built in quiz/serviceworker.py).

Tips and the emergency numbers are read from the current *published* content version,
never from the working copy: an admin's edits reach people only when published. The
self-check, its result and the history are rendered in the browser from the cached
content bundle and IndexedDB, so these views only serve their shells.
"""

import re

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from .models import ContentVersion
from .serviceworker import render_service_worker
from .tiers import URGENCY_LABELS
from .translation import localize

BREAK_TIMER_CATEGORY = "posture_breaks"


def _snapshot() -> dict | None:
    """The published content in the language of the page (English where not translated)."""
    version = ContentVersion.objects.current()
    return localize(version.snapshot, get_language()) if version else None


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
    return _page(request, "quiz/history.html", urgency_labels=URGENCY_LABELS)


def signs_by_urgency(snapshot: dict | None) -> dict[str, list[str]]:
    """The warning signs the published check asks about, worded as its choices, by tier.

    The emergency page lists these, so an edit to a warning-sign question reaches it
    when published (and offline: the service worker precaches the page per version).
    "Not sure" answers are not signs and are left out. The signs in pregnancy are listed
    apart, with their own action (the midwife or maternity unit, not the GP).
    """
    signs: dict[str, list[str]] = {"emergency": [], "urgent": [], "pregnancy": []}
    for question in snapshot["questions"] if snapshot else []:
        if question["section"] != "warning":
            continue
        for choice in question["choices"]:
            if choice.get("urgency") in signs and not choice.get("unsure"):
                tier = "pregnancy" if choice.get("action") == "pregnancy" else choice["urgency"]
                signs[tier].append(choice["text"])
    return signs


def emergency(request):
    snapshot = _snapshot()
    return _page(
        request,
        "quiz/emergency.html",
        snapshot=snapshot,
        signs=signs_by_urgency(snapshot),
        urgency_labels=URGENCY_LABELS,
    )


def offline(request):
    return _page(request, "quiz/offline.html")


def tips(request):
    snapshot = _require_snapshot()
    counts: dict[str, int] = {}
    for tip in snapshot["tips"]:
        counts[tip["category"]] = counts.get(tip["category"], 0) + 1
    categories = [{**category, "tip_count": counts.get(category["key"], 0)} for category in snapshot["tip_categories"]]
    return _page(request, "quiz/tips.html", snapshot=snapshot, categories=categories)


def _category(snapshot: dict, category_key: str) -> dict:
    for category in snapshot["tip_categories"]:
        if category["key"] == category_key:
            return category
    raise Http404("No such tip category.")


# As static/js/check-record.js's firstSentence, which renders the same cards offline: a
# Latin full stop ends a sentence only before a space (so "3.5" does not), a Chinese one always.
FIRST_SENTENCE = re.compile(r"^(.+?(?:[.!?](?=\s|$)|[。！？]))\s*([\s\S]*)$")


def first_sentence(text: str) -> str:
    match = FIRST_SENTENCE.match(text.strip())
    return match.group(1) if match else text.strip()


def tip_category(request, category_key: str):
    snapshot = _require_snapshot()
    category = _category(snapshot, category_key)
    # A card leads with the tip's first sentence; its own page holds the whole tip.
    category_tips = [
        {**tip, "lead": first_sentence(tip["body"])} for tip in snapshot["tips"] if tip["category"] == category_key
    ]
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


def tips_shell(request):
    """The page the service worker answers tip and tip category pages with offline
    (static/js/tips-view.js renders them from the content bundle)."""
    return render(request, "quiz/tips_shell.html", {"break_timer_category": BREAK_TIMER_CATEGORY})


@require_GET
def service_worker(request):
    response = HttpResponse(render_service_worker(), content_type="application/javascript; charset=utf-8")
    # Browsers revalidate workers anyway; no-cache makes every update check see a new version.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
