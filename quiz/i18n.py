"""The interface in two languages: the JavaScript catalogue as a cacheable file per language,
and what every page needs to show the language switch.

The language itself is chosen by Django's LocaleMiddleware: the `django_language` cookie
(set by the switch, static/js/language.js) first, then the browser's Accept-Language.
"""

import functools
import hashlib
import re
from datetime import datetime

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET
from django.views.i18n import JavaScriptCatalog

# A date a person reads, the month as a word and no seconds, as static/js/dates.js writes
# it in the browser: "6 Dec 2026, 19:42", "2026年12月6日 19:42".
READABLE_DATETIME_FORMATS = {"en": "j M Y, H:i", "zh-hans": "Y年n月j日 H:i"}


def readable_datetime(value: datetime) -> str:
    """`value` in the server's time zone, in the shape above for the active language."""
    pattern = READABLE_DATETIME_FORMATS.get(translation.get_language() or "en", READABLE_DATETIME_FORMATS["en"])
    return dateformat.format(timezone.localtime(value), pattern)


# Each language named in its own language, as the switch shows it.
LANGUAGE_NAMES = {"en": "English", "zh-hans": "简体中文"}
CATALOGUE_PACKAGES = ["quiz"]
# The manifest's words from settings (PWA_APP_SHORTCUTS, PWA_APP_SCREENSHOTS), marked here
# for the catalogue and translated in templates/manifest.json. Their short names are the
# navigation's words ("Check", "Tips"), marked in templates/base.html.
MANIFEST_WORDS = (
    gettext_noop("Start a check"),
    gettext_noop("Start a low back pain self-check"),
    gettext_noop("Tips"),
    gettext_noop("Read the lifestyle tips"),
    gettext_noop("A question of the BackCare self-check on a phone"),
)
# A catalogue URL names a digest of its bytes, so its copy can be kept for a year.
IMMUTABLE = "public, max-age=31536000, immutable"


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


# Non-ASCII characters Django's catalogue writes as \uXXXX (six bytes for one character);
# surrogates stay escaped, as do ASCII escapes (quotes, backslashes, control characters).
ESCAPED_CHARACTER = re.compile(r"\\u(00[89a-f][0-9a-f]|0[1-9a-f][0-9a-f]{2}|[1-9a-c][0-9a-f]{3}|[ef][0-9a-f]{3})")


@functools.cache
def catalogue_source(language: str) -> bytes:
    """Django's JavaScript catalogue for `language`, built once per process (the .po files
    change only with a deploy, which restarts the processes). Only the project's own
    catalogue (LOCALE_PATHS): the scripts use no words of Django's, and the file is
    precached. Characters are written as UTF-8, not escapes: a third of the bytes."""
    view = JavaScriptCatalog(packages=CATALOGUE_PACKAGES)
    with translation.override(language):
        view.translation = translation.trans_real.DjangoTranslation(
            language, domain="djangojs", localedirs=[str(path) for path in settings.LOCALE_PATHS]
        )
        source = view.render_to_response(view.get_context_data()).content.decode()
    return ESCAPED_CHARACTER.sub(lambda match: chr(int(match.group(1), 16)), source).encode()


def catalogue_digest(language: str) -> str:
    return hashlib.sha256(catalogue_source(language)).hexdigest()[:12]


def catalogue_url(language: str) -> str:
    return reverse("javascript-catalog", args=[language, catalogue_digest(language)])


def catalogue_urls() -> list[str]:
    """Every language's catalogue: small, so the service worker keeps them all."""
    return [catalogue_url(language) for language in language_codes()]


@require_GET
def javascript_catalogue(request, language: str, digest: str):
    if language not in language_codes():
        raise Http404("No such language.")
    response = HttpResponse(catalogue_source(language), content_type="text/javascript; charset=utf-8")
    # An old digest (a page cached before a deploy) still gets today's words, but never
    # under a name that promises they will not change.
    response["Cache-Control"] = IMMUTABLE if digest == catalogue_digest(language) else "no-cache"
    response["Content-Language"] = language
    return response


def language_switch(request) -> dict:
    """Context for every page: the switch, and the catalogue of the language shown."""
    current = translation.get_supported_language_variant(translation.get_language() or settings.LANGUAGE_CODE)
    return {
        "javascript_catalogue_url": catalogue_url(current),
        "language_choices": [
            {"code": code, "name": LANGUAGE_NAMES.get(code, name), "current": code == current}
            for code, name in settings.LANGUAGES
        ],
    }
