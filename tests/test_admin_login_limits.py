"""Admin sign-in limits: failed passwords pause sign-in for one user name from one address."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings as django_settings
from django.utils import timezone

LOGIN_URL = "/admin/login/"
PAUSED = "Sign-in paused"


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    return 5


@pytest.fixture
def people(django_user_model):
    django_user_model.objects.create_superuser(username="admin", password="right-password")
    django_user_model.objects.create_user(username="clinic_editor", password="editor-password", is_staff=True)


def sign_in(client, username, password, **headers):
    return client.post(LOGIN_URL, {"username": username, "password": password, "next": "/admin/"}, **headers)


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_times(client, count, *, username="admin", **headers):
    """`count` wrong passwords; the ones below the limit get the admin's usual refusal."""
    responses = [
        sign_in(client, username if username else f"guess{attempt}", "wrong", **headers) for attempt in range(count)
    ]
    for response in responses[: django_settings.AXES_FAILURE_LIMIT - 1]:
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    return responses[-1]


def test_it_refuses_the_right_password_after_too_many_wrong_ones(client, people, limit):
    last_wrong = fail_times(client, limit, REMOTE_ADDR="198.51.100.7")
    assert last_wrong.status_code == 429

    response = sign_in(client, "admin", "right-password", REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 429
    page = response.content.decode()
    assert PAUSED in page
    assert "There were 5 failed sign-ins from this address or for this user name." in page
    assert "Signing in is paused for 15 minutes." in page
    assert not is_signed_in(client)
    assert client.get("/admin/").status_code == 302


def test_it_lets_the_right_password_in_below_the_limit(client, people, limit):
    fail_times(client, limit - 1, REMOTE_ADDR="198.51.100.7")

    response = sign_in(client, "admin", "right-password", REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 302
    assert is_signed_in(client)


def test_it_forgives_earlier_typos_after_a_successful_sign_in(client, people, limit):
    fail_times(client, limit - 1, REMOTE_ADDR="198.51.100.7")
    assert sign_in(client, "admin", "right-password", REMOTE_ADDR="198.51.100.7").status_code == 302
    client.post("/admin/logout/")

    fail_times(client, limit - 1, REMOTE_ADDR="198.51.100.7")
    response = sign_in(client, "admin", "right-password", REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 302
    assert is_signed_in(client)


def test_a_strangers_wrong_passwords_do_not_lock_out_the_same_user_signing_in_from_elsewhere(client, people, limit):
    assert fail_times(client, limit, REMOTE_ADDR="198.51.100.7").status_code == 429

    from_the_strangers_address = sign_in(client, "admin", "right-password", REMOTE_ADDR="198.51.100.7")
    from_elsewhere = sign_in(client, "admin", "right-password", REMOTE_ADDR="203.0.113.50")

    assert from_the_strangers_address.status_code == 429
    assert PAUSED in from_the_strangers_address.content.decode()
    assert from_elsewhere.status_code == 302
    assert is_signed_in(client)


def test_it_pauses_a_user_name_at_one_address_but_not_other_people_there(client, people, limit):
    fail_times(client, limit, REMOTE_ADDR="198.51.100.7")

    someone_else = sign_in(client, "clinic_editor", "editor-password", REMOTE_ADDR="198.51.100.7")

    assert someone_else.status_code == 302
    assert is_signed_in(client)


def test_it_counts_the_client_behind_the_proxy_not_the_proxy_or_a_forged_hop(client, people, limit, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for attempt in range(limit):
        # The attacker writes a new first hop each time; the proxy appends the real address.
        forwarded = f"192.0.2.{attempt}, 198.51.100.7"
        response = sign_in(client, "admin", "wrong", HTTP_X_FORWARDED_FOR=forwarded, **proxy)
        assert response.status_code == (200 if attempt < limit - 1 else 429)

    attacker = sign_in(client, "admin", "right-password", HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.7", **proxy)
    neighbour = sign_in(client, "admin", "right-password", HTTP_X_FORWARDED_FOR="203.0.113.50", **proxy)

    assert attacker.status_code == 429
    assert neighbour.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


def test_it_lets_the_right_password_in_again_once_the_cool_off_has_passed(client, people, limit):
    fail_times(client, limit, REMOTE_ADDR="198.51.100.7")
    assert sign_in(client, "admin", "right-password", REMOTE_ADDR="198.51.100.7").status_code == 429

    # Age the recorded failures past the cool-off, as the clock would.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = sign_in(client, "admin", "right-password", REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 302
    assert is_signed_in(client)


def test_it_pauses_at_the_configured_limit(client, people, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=3)
    fail_times(client, 2, REMOTE_ADDR="198.51.100.7")

    response = sign_in(client, "admin", "right-password", REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 429
    assert "There were 2 failed sign-ins" in response.content.decode()
    assert "paused for 3 minutes." in response.content.decode()


def test_it_reads_the_limit_and_cool_off_from_the_environment():
    printed = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME)",
        ],
        cwd=django_settings.BASE_DIR,
        env={**os.environ, "ADMIN_LOGIN_FAILURE_LIMIT": "7", "ADMIN_LOGIN_COOLOFF_MINUTES": "30"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.split()[-2:] == ["7", "0:30:00"]


def test_it_refuses_a_limit_of_zero():
    refused = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR,
        env={**os.environ, "ADMIN_LOGIN_FAILURE_LIMIT": "0"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert refused.returncode != 0
    assert "ADMIN_LOGIN_FAILURE_LIMIT and ADMIN_LOGIN_COOLOFF_MINUTES must be 1 or more." in refused.stderr


def test_another_administrator_lifts_the_pause_under_access_attempts(client, people, limit, admin_client):
    fail_times(client, limit, REMOTE_ADDR="198.51.100.7")
    assert sign_in(client, "admin", "right-password", REMOTE_ADDR="198.51.100.7").status_code == 429

    for attempt in AccessAttempt.objects.all():
        deleted = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
        assert deleted.status_code == 302
    response = sign_in(client, "admin", "right-password", REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 302
    assert is_signed_in(client)


def test_it_keeps_no_record_of_a_successful_sign_in(client, people, limit):
    fail_times(client, 1, REMOTE_ADDR="198.51.100.7")
    assert sign_in(client, "admin", "right-password", REMOTE_ADDR="198.51.100.7").status_code == 302

    assert AccessLog.objects.count() == 0
    assert AccessAttempt.objects.count() == 0
