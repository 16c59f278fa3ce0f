"""`manage.py check --deploy` is clean with the production settings an operator would use."""

import subprocess
import sys

from django.conf import settings

from harness.production_server import clean_environment

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "backcare.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://backcare.example.org",
    "SECURE_PROXY_SSL_HEADER": "true",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def check_deploy(**overrides) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=clean_environment(**{**PRODUCTION_ENV, **overrides}),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_passes_the_deploy_check_with_no_warnings_in_production():
    result = check_deploy()

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_it_fails_the_deploy_check_when_an_operator_weakens_a_protection():
    result = check_deploy(SECURE_HSTS_SECONDS="0", SESSION_COOKIE_SECURE="false")

    assert result.returncode != 0
    assert "security.W004" in result.stderr  # HSTS
    assert "security.W012" in result.stderr  # session cookie without Secure


def test_it_warns_when_throttling_counts_would_stay_inside_each_worker():
    result = check_deploy(REDIS_URL="")

    assert result.returncode != 0
    assert "backcare.W001" in result.stderr
    assert "REDIS_URL" in result.stderr


def test_it_refuses_a_cache_url_it_cannot_use_without_echoing_its_password():
    result = check_deploy(REDIS_URL="memcached://user:hunter2-secret@10.0.0.20:11211")

    assert result.returncode != 0
    assert "CACHE_URL/REDIS_URL must start with redis://" in result.stderr
    assert "hunter2-secret" not in result.stderr
