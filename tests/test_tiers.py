"""One wording per tier: the urgency tiers are defined once for Python (quiz/tiers.py)
and once for JavaScript (static/js/tiers.js), and a clinic's admin words each tier as
the person's phone does, in every language."""

import json
import shutil
import subprocess
from pathlib import Path
from typing import get_args

import pytest
from django.conf import settings
from django.utils import translation

from quiz import contracts, results_report, scoring, tiers
from quiz.i18n import catalogue_source
from quiz.models import Choice, OutcomeUrgency, Result

ROOT = Path(settings.BASE_DIR)
NODE = shutil.which("node") or "/usr/bin/node"
LANGUAGES = [code for code, _name in settings.LANGUAGES]

# Loads Django's JavaScript catalogue for a language as the page does (a classic script
# defining `gettext` globally), then words each tier as the phone's result page does.
PHONE_WORDING = """
import { readFileSync } from "node:fs";
import vm from "node:vm";
vm.runInThisContext(readFileSync(process.argv[1], "utf8"));
const { URGENCY_ORDER, URGENCY_LABELS } = await import("./static/js/tiers.js");
const { gettext } = await import("./static/js/i18n.js");
console.log(JSON.stringify(URGENCY_ORDER.map((key) => [key, gettext(URGENCY_LABELS[key])])));
"""


def phone_wording(language: str, tmp_path) -> list[list[str]]:
    catalogue = tmp_path / f"catalogue-{language}.js"
    catalogue.write_bytes(catalogue_source(language))
    run = subprocess.run(
        [NODE, "--input-type=module", "-e", PHONE_WORDING, str(catalogue)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def python_wording(language: str) -> list[list[str]]:
    with translation.override(language):
        return [[key, translation.gettext(label)] for key, label in tiers.TIERS]


def admin_wording(language: str, choices) -> list[list[str]]:
    with translation.override(language):
        return [[key, str(label)] for key, label in choices]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_phone_words_each_tier_as_python_does(language, tmp_path):
    assert phone_wording(language, tmp_path) == python_wording(language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_admin_words_each_tier_as_the_phone_does(language, tmp_path):
    phone = phone_wording(language, tmp_path)

    assert admin_wording(language, OutcomeUrgency.choices) == phone
    assert admin_wording(language, Result._meta.get_field("urgency").choices) == phone
    assert admin_wording(language, Choice._meta.get_field("urgency").choices) == phone[1:]
    with translation.override(language):
        assert [[key, str(results_report.URGENCY_LABELS[key])] for key, _label in phone] == phone


def test_every_tier_reads_in_chinese():
    english = dict(python_wording("en"))
    chinese = dict(python_wording("zh-hans"))

    assert [key for key in tiers.URGENCY_ORDER if chinese[key] == english[key]] == []


def test_the_scorer_and_the_contract_name_the_tiers_in_the_one_order():
    assert scoring.URGENCY_ORDER == tiers.URGENCY_ORDER == ("self_care", "soon", "urgent", "emergency")
    assert get_args(contracts.Urgency) == tiers.URGENCY_ORDER
    assert tiers.URGENCY_ORDER[1:] == tiers.RAISED_URGENCIES
    assert list(results_report.URGENCY_ORDER) == list(reversed(tiers.URGENCY_ORDER))
    assert set(results_report.URGENCY_COLOURS) == set(tiers.URGENCY_ORDER)


def test_the_tiers_module_needs_no_django_so_the_pure_scorer_can_read_it():
    from test_layers import imported_modules

    imported = imported_modules(ROOT / "quiz" / "tiers.py")

    assert sorted(name for name in imported if name.startswith("django")) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_emergency_page_heads_its_lists_with_the_tiers_words(client, published, language):
    with translation.override(language):
        page = client.get("/emergency/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        words = dict(python_wording(language))

    assert f'<h2 id="emergency-now">{words["emergency"]}</h2>' in page
    assert f'<h2 id="urgent-now">{words["urgent"]}</h2>' in page
