"""Settings fail loudly: production refuses to start without a real secret and hosts."""

import subprocess
import sys

from django.conf import settings

from harness.production_server import clean_environment

STRONG_KEY = "k" * 50


def start_django(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=clean_environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_to_start_in_production_without_a_secret_key():
    result = start_django(DEBUG="false", ALLOWED_HOSTS="backcare.example")

    assert result.returncode != 0
    assert "set SECRET_KEY" in result.stderr


def test_it_refuses_to_start_in_production_without_allowed_hosts():
    result = start_django(DEBUG="false", SECRET_KEY=STRONG_KEY)

    assert result.returncode != 0
    assert "set ALLOWED_HOSTS" in result.stderr


def test_it_names_a_malformed_boolean():
    result = start_django(DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_it_starts_in_production_with_a_secret_and_hosts():
    result = start_django(DEBUG="false", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="backcare.example")

    assert result.returncode == 0, result.stderr


def test_it_takes_variables_set_to_nothing_as_not_set():
    result = start_django(DATABASE_URL="", SECRET_KEY=" ", ALLOWED_HOSTS="")

    assert result.returncode == 0, result.stderr


def test_it_refuses_a_blank_secret_key_in_production():
    result = start_django(DEBUG="false", SECRET_KEY="  ", ALLOWED_HOSTS="backcare.example")

    assert result.returncode != 0
    assert "set SECRET_KEY" in result.stderr


def test_it_starts_in_development_with_no_environment_at_all():
    result = start_django()

    assert result.returncode == 0, result.stderr


def test_it_takes_a_blank_boolean_as_not_set_like_every_other_variable(monkeypatch):
    from backcare.settings import env_bool

    monkeypatch.setenv("BACKCARE_TEST_FLAG", "  ")

    assert env_bool("BACKCARE_TEST_FLAG", True) is True
    assert env_bool("BACKCARE_TEST_FLAG", False) is False
