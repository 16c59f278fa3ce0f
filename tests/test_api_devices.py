"""POST /api/devices/ and DELETE /api/devices/me/: anonymous devices and "Delete my data"."""

import hashlib
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from sync_helpers import post_results, register, result_item, token_header

from harness.production_server import clean_environment
from quiz.models import Device, Result


def test_it_registers_an_anonymous_device_and_shows_its_token_once(client, db):
    response = client.post("/api/devices/", {}, content_type="application/json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"device_id", "token"}
    device = Device.objects.get()
    assert str(device.public_id) == body["device_id"]


def test_it_stores_only_a_hash_of_the_token(client, db):
    device_id, token = register(client)

    device = Device.objects.get(public_id=device_id)
    secret = token.split(".", 1)[1]
    assert device.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = " ".join(str(value) for value in Device.objects.values().get().values())
    assert secret not in stored
    assert token not in stored


def test_it_accepts_an_empty_body_for_registration(client, db):
    response = client.post("/api/devices/", content_type="application/json")

    assert response.status_code == 201
    assert str(Device.objects.get().public_id) == response.json()["device_id"]


def test_it_refuses_personal_details_at_registration(client, db):
    response = client.post("/api/devices/", {"email": "a@example.com"}, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "unexpected_field"
    assert not Device.objects.exists()


def test_it_answers_401_to_a_wrong_or_missing_token(client, db):
    device_id, _token = register(client)

    wrong = client.get("/api/results/", headers=token_header(f"{device_id}.not-the-secret"))
    garbage = client.get("/api/results/", headers=token_header("garbage"))
    missing = client.get("/api/results/")

    assert wrong.status_code == 401
    assert wrong.json()["code"] == "invalid_token"
    assert wrong["WWW-Authenticate"] == "Token"
    assert garbage.json()["code"] == "invalid_token"
    assert missing.status_code == 401
    assert missing.json()["code"] == "not_authenticated"


def test_it_erases_the_device_and_all_its_results(client, published):
    _device_id, token = register(client)
    post_results(client, token, [result_item(published.snapshot), result_item(published.snapshot)])
    assert Result.objects.count() == 2

    response = client.delete("/api/devices/me/", headers=token_header(token))

    assert response.status_code == 204
    assert not Device.objects.exists()
    assert not Result.objects.exists()
    assert client.get("/api/results/", headers=token_header(token)).status_code == 401


def test_it_erases_only_the_calling_device(client, published):
    _a, token_a = register(client)
    b_id, token_b = register(client)
    post_results(client, token_b, [result_item(published.snapshot)])

    client.delete("/api/devices/me/", headers=token_header(token_a))

    assert list(Device.objects.values_list("public_id", flat=True).all()) == [Device.objects.get().public_id]
    assert str(Device.objects.get().public_id) == b_id
    assert Result.objects.filter(device__public_id=b_id).count() == 1


def test_it_cannot_erase_another_device_with_its_id_and_a_wrong_secret(client, published):
    b_id, token_b = register(client)
    post_results(client, token_b, [result_item(published.snapshot)])

    response = client.delete("/api/devices/me/", headers=token_header(f"{b_id}.guessed"))

    assert response.status_code == 401
    assert Result.objects.filter(device__public_id=b_id).count() == 1


def test_it_throttles_registration_per_ip_with_retry_after(client, db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"devices": "2/hour", "results": "100/minute"},
    }
    for _ in range(2):
        assert client.post("/api/devices/", {}, content_type="application/json").status_code == 201

    response = client.post("/api/devices/", {}, content_type="application/json")

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 3600
    assert response.json()["retry_after"] == int(response["Retry-After"])
    assert Device.objects.count() == 2
    other_ip = client.post("/api/devices/", {}, content_type="application/json", REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 201


def test_it_throttles_guessing_tokens_per_ip(client, db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"devices": "3/hour", "results": "100/minute"},
    }
    device_id, token = register(client)
    guesses = [client.get("/api/results/", headers=token_header(f"{device_id}.guess{n}")) for n in range(4)]

    assert [guess.status_code for guess in guesses] == [401, 401, 401, 429]
    assert guesses[-1].json()["code"] == "throttled"
    assert int(guesses[-1]["Retry-After"]) > 0
    assert client.get("/api/results/", headers=token_header(token)).status_code == 200


def test_it_gives_every_api_error_a_stable_code_and_a_message(client, published):
    not_found = client.get("/api/content/99/")
    wrong_method = client.put("/api/devices/", {}, content_type="application/json")
    wrong_type = client.post("/api/devices/", "x=1", content_type="application/x-www-form-urlencoded")

    assert (not_found.status_code, not_found.json()["code"]) == (404, "not_found")
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "method_not_allowed")
    assert (wrong_type.status_code, wrong_type.json()["code"]) == (415, "unsupported_media_type")
    assert all(response.json()["detail"] for response in (not_found, wrong_method, wrong_type))


@pytest.mark.subprocess
def test_it_refuses_to_start_with_a_malformed_throttle_rate():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR,
        env=clean_environment(THROTTLE_RESULTS="lots"),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "THROTTLE_RESULTS must look like 20/hour" in result.stderr
