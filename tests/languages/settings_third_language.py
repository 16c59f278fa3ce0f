"""BackCare's settings with a third content language, as an installation adds one: the
`LANGUAGES` entry is the only change (tests/test_third_language.py)."""

from backcare.settings import *  # noqa: F403
from backcare.settings import LANGUAGES

LANGUAGES = [*LANGUAGES, ("fr", "Français")]
