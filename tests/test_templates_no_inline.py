"""No template holds inline script or style: the Content-Security-Policy forbids them.

`script-src 'self'` and `style-src 'self'` without 'unsafe-inline' make a browser refuse
inline code silently (a console message nobody reads), so it is caught here instead.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATE_ROOTS = [settings.BASE_DIR / "templates", settings.BASE_DIR / "quiz"]

# A start tag, allowing Django template tags and quoted values (which may hold ">").
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)((?:\"[^\"]*\"|'[^']*'|\{[%{#].*?[%}#]\}|[^>\"'{])*)>", re.DOTALL)
_EVENT_HANDLER = re.compile(r"(?:^|[\s\"'}])on[a-z]+\s*=", re.IGNORECASE)
_STYLE_ATTRIBUTE = re.compile(r"(?:^|[\s\"'}])style\s*=", re.IGNORECASE)
_SRC_ATTRIBUTE = re.compile(r"(?:^|[\s\"'}])src\s*=", re.IGNORECASE)
_JAVASCRIPT_URL = re.compile(r"=\s*[\"']?\s*javascript:", re.IGNORECASE)
# Template comments never reach the browser.
_TEMPLATE_COMMENT = re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}|\{#.*?#\}", re.DOTALL)


def inline_code(html: str) -> list[str]:
    """Describe every piece of inline script or style in a template's source."""
    problems = []
    html = _TEMPLATE_COMMENT.sub(lambda comment: "\n" * comment.group().count("\n"), html)
    for match in _TAG.finditer(html):
        name, attributes = match.group(1).lower(), match.group(2)
        line = html.count("\n", 0, match.start()) + 1
        if name == "script" and not _SRC_ATTRIBUTE.search(attributes):
            problems.append(f"line {line}: <script> without src")
        if name == "style":
            problems.append(f"line {line}: <style> element")
        if _STYLE_ATTRIBUTE.search(attributes):
            problems.append(f"line {line}: style= attribute on <{name}>")
        if _EVENT_HANDLER.search(attributes):
            problems.append(f"line {line}: on…= event handler on <{name}>")
        if _JAVASCRIPT_URL.search(attributes):
            problems.append(f"line {line}: javascript: URL on <{name}>")
    return problems


def all_templates() -> list[Path]:
    return sorted(path for root in TEMPLATE_ROOTS for path in root.rglob("*.html") if "migrations" not in path.parts)


def test_it_finds_the_templates_it_scans():
    names = {path.relative_to(settings.BASE_DIR).as_posix() for path in all_templates()}

    assert "templates/base.html" in names
    assert "templates/quiz/home.html" in names


@pytest.mark.parametrize("path", all_templates(), ids=lambda path: path.relative_to(settings.BASE_DIR).as_posix())
def test_it_finds_no_inline_script_or_style_in_a_template(path):
    assert inline_code(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<script type="module">import "./x.js";</script>',
        "<SCRIPT\n  defer>go()</SCRIPT>",
        "<style>p { color: red }</style>",
        '<p style="color: red">',
        '<div class="x" style="">',
        '<button type="button" onclick="go()">',
        '<body onload="go()">',
        "<img src=\"{% static 'x.png' %}\" onerror=go()>",
        '<a href="javascript:go()">',
        '<a {% if x %}class="y"{% endif %} onmouseover="go()">',
        "{# a note #}<style>p { color: red }</style>",
    ],
)
def test_it_catches_inline_code_when_someone_adds_it(snippet):
    assert inline_code(f"<main>{snippet}</main>") != []


@pytest.mark.parametrize(
    "snippet",
    [
        '<script type="module" src="{% static \'js/app.js\' %}"></script>',
        "<script src=\"{% url 'javascript-catalog' %}\"></script>",
        '<link rel="stylesheet" href="/static/css/app.css">',
        '<p class="stylesheet-note" data-online="yes">Styles and one-liners are fine as words.</p>',
        '<input type="text" name="onset" value="{{ onset }}">',
        "{% comment %}Moved out of an inline <style> into a file.{% endcomment %}",
        "{# <script>old()</script> #}",
    ],
)
def test_it_lets_external_scripts_and_stylesheets_through(snippet):
    assert inline_code(f"<main>{snippet}</main>") == []
