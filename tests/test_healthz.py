"""GET /healthz tells a load balancer whether this server can serve phones."""

import socket

import pytest
from django.db import OperationalError
from django.test import override_settings

from quiz.models import ContentVersion


def test_it_reports_ok_when_the_database_answers_and_content_is_published(client, published):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "content": "ok", "content_version": 1}


def test_it_needs_no_login_and_sets_no_cookie_and_is_never_cached(client, published):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert not response.cookies
    assert "no-store" in response.headers["Cache-Control"]


def test_it_answers_a_head_probe_and_refuses_writes(client, published):
    probe = client.head("/healthz")
    write = client.post("/healthz")

    assert probe.status_code == 200
    assert probe.content == b""
    assert write.status_code == 405
    assert "GET" in write.headers["Allow"]


@pytest.mark.django_db
def test_it_reports_unavailable_before_any_content_is_published(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "cache": "ok", "content": "missing"}


def test_it_reports_unavailable_without_details_when_the_database_is_down(client, published, monkeypatch, caplog):
    def database_down(self):
        raise OperationalError('connection to server at "10.0.0.5", port 5432 failed: password authentication')

    monkeypatch.setattr(type(ContentVersion.objects.all()), "current", database_down)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "error", "cache": "ok", "content": "unknown"}
    assert b"10.0.0.5" not in response.content  # the reason goes to the log, not to the prober
    assert "database is unreachable" in caplog.text


def _redis_cache_at(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


@pytest.fixture
def refused_port():
    """A port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_port():
    """A port that accepts connections and never answers, as a hung Redis does."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_it_stays_up_but_reports_a_degraded_cache_when_redis_refuses(client, published, refused_port, caplog):
    with override_settings(CACHES=_redis_cache_at(refused_port)):
        response = client.get("/healthz")

    # 200: the API works without the cache (throttling counts per process), so a balancer
    # must not take every server out; monitoring reads "degraded" (docs/DEPLOY.md).
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "degraded",
        "content": "ok",
        "content_version": 1,
    }
    assert "the cache is unreachable (ConnectionError)" in caplog.text


def test_it_reports_a_degraded_cache_when_redis_accepts_but_never_answers(client, published, silent_port, caplog):
    with override_settings(CACHES=_redis_cache_at(silent_port)):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["cache"] == "degraded"
    assert "the cache is unreachable (TimeoutError)" in caplog.text


def test_it_reports_both_when_the_database_and_the_cache_are_down(client, published, refused_port, monkeypatch):
    def database_down(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(type(ContentVersion.objects.all()), "current", database_down)
    with override_settings(CACHES=_redis_cache_at(refused_port)):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "error", "cache": "degraded", "content": "unknown"}
