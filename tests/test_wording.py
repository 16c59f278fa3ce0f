"""BackCare never gives a verdict: no diagnosis, no reassurance, no probability.

The same phrase list guards publishing (quiz.content.FORBIDDEN_PHRASES); these tests
hold the shipped content, every published version and the UI templates to it.
"""

from pathlib import Path

import pytest
from django.conf import settings

from quiz.content import FORBIDDEN_PHRASES, forbidden_wording, read_seed
from quiz.models import ContentVersion

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates"]
JS_DIR = Path(settings.BASE_DIR) / "static" / "js"


def ui_files():
    for directory in TEMPLATE_DIRS:
        yield from sorted(p for p in directory.rglob("*") if p.is_file())
    yield from sorted(JS_DIR.rglob("*.js"))


def test_it_ships_content_free_of_verdict_wording():
    assert forbidden_wording(read_seed()) == []


def test_it_has_published_no_version_with_verdict_wording(published):
    for version in ContentVersion.objects.all():
        assert forbidden_wording(version.snapshot) == [], version.number


@pytest.mark.parametrize("path", list(ui_files()), ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_it_keeps_verdict_wording_out_of_the_interface(path):
    text = path.read_text(encoding="utf-8").lower()

    assert [phrase for phrase in FORBIDDEN_PHRASES if phrase in text] == []


def test_it_catches_a_verdict_hidden_in_a_choice():
    body = read_seed()
    body["questions"][-2]["choices"][0]["text"] = "Low risk, nothing to do"

    problems = forbidden_wording(body)

    assert len(problems) == 1
    assert "low risk" in problems[0]


def test_it_shows_the_disclaimer_at_the_start_of_the_check(client, published):
    disclaimer = ContentVersion.objects.current().snapshot["settings"]["disclaimer"]

    response = client.get("/check/")

    assert disclaimer in response.content.decode()
