"""BackCare's settings with a third content language, as an installation adds one: the
`LANGUAGES` entry is the only change to BackCare's settings (tests/test_third_language.py).

The rest says where the test keeps what an installation would keep in the project: the
migrations (a copy of quiz/migrations, where `makemigrations quiz` writes the French
fields' migration) and the French catalogue, both in the test's folder, THIRD_LANGUAGE_DIR,
which is on the child's PYTHONPATH."""

import os
from pathlib import Path

from backcare.settings import *  # noqa: F403
from backcare.settings import LANGUAGES, LOCALE_PATHS

LANGUAGES = [*LANGUAGES, ("fr", "Français")]

THIRD_LANGUAGE_DIR = Path(os.environ["THIRD_LANGUAGE_DIR"])
MIGRATION_MODULES = {"quiz": "quiz_migrations"}
LOCALE_PATHS = [*LOCALE_PATHS, THIRD_LANGUAGE_DIR / "locale"]
