"""A third content language is configuration: French added to `LANGUAGES` (and nothing
else) is edited in the admin, published and served by `/api/content/?lang=fr`.

django-modeltranslation makes each text's fields per language when the models are
imported, so the check runs in a child pytest with those settings
(tests/languages/settings_third_language.py, tests/languages/third_language_check.py)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.subprocess


def test_a_language_added_in_settings_is_published_and_served():
    # SQLite in the child: its test database must not be the one this run is using.
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--ds=tests.languages.settings_third_language",
            "--no-migrations",
            "tests/languages/third_language_check.py",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert child.returncode == 0, child.stdout[-4000:] + child.stderr[-2000:]
    assert "1 passed" in child.stdout
