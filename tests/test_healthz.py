"""GET /healthz tells a load balancer whether this server can serve phones."""

import pytest
from django.db import OperationalError

from quiz.models import ContentVersion


def test_it_reports_ok_when_the_database_answers_and_content_is_published(client, published):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "content": "ok", "content_version": 1}


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
    assert response.json() == {"status": "unavailable", "database": "ok", "content": "missing"}


def test_it_reports_unavailable_without_details_when_the_database_is_down(client, published, monkeypatch, caplog):
    def database_down(self):
        raise OperationalError('connection to server at "10.0.0.5", port 5432 failed: password authentication')

    monkeypatch.setattr(type(ContentVersion.objects.all()), "current", database_down)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "error", "content": "unknown"}
    assert b"10.0.0.5" not in response.content  # the reason goes to the log, not to the prober
    assert "database is unreachable" in caplog.text
