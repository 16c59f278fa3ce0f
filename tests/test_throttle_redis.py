"""The API's throttles counting in a real Redis, as in production (quiz/rest.py): one round
trip a request, exact under races, and a window that ends."""

import threading
import time
import uuid

import pytest
import redis
from django.test import override_settings
from gunicorn_helpers import REDIS_TEST_URL

from quiz import rest
from quiz.models import Device


@pytest.fixture
def redis_cache():
    """The default cache in Redis, under a prefix of this test's own; its keys deleted after."""
    prefix = f"backcare-test-throttle-{uuid.uuid4().hex}"
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": prefix,
        }
    }
    server = redis.Redis.from_url(REDIS_TEST_URL)
    with override_settings(CACHES=caches):
        yield server, prefix
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def test_registrations_past_the_limit_get_429_with_the_windows_time_left(client, db, settings, redis_cache):
    server, prefix = redis_cache
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"devices": "2/hour", "results": "100/minute"},
    }
    statuses = [client.post("/api/devices/", {}, content_type="application/json").status_code for _ in range(3)]

    assert statuses == [201, 201, 429]
    [key] = server.keys(f"{prefix}:*register*")
    assert int(server.get(key)) == 3
    assert 3590 <= server.ttl(key) <= 3600  # the window ends an hour after it opened
    throttled = client.post("/api/devices/", {}, content_type="application/json")
    assert 3590 <= int(throttled["Retry-After"]) <= 3600
    assert throttled.json() == {
        "code": "throttled",
        "detail": throttled.json()["detail"],
        "retry_after": int(throttled["Retry-After"]),
    }
    assert Device.objects.count() == 2


def test_racing_requests_pass_exactly_the_limit(redis_cache):
    passed: list[bool] = []
    start = threading.Barrier(40)

    def count_one() -> None:
        start.wait()
        passed.append(rest._count_request("throttle:race", 60, 20) is None)

    threads = [threading.Thread(target=count_one) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert passed.count(True) == 20
    assert passed.count(False) == 20


def test_counting_starts_again_when_the_window_ends(redis_cache):
    assert rest._count_request("throttle:window", 1, 1) is None
    wait = rest._count_request("throttle:window", 1, 1)
    assert wait == 1  # at least a second, as Retry-After counts whole seconds

    time.sleep(1.2)

    assert rest._count_request("throttle:window", 1, 1) is None
