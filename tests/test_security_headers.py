"""Security headers, HTTPS handling and cookies, through Django's test client.

The HTTPS switches default to on only when DEBUG is off (the test settings keep DEBUG
on), so `production` turns them on the way an operator's environment does; the header
policies themselves (CSP, Permissions-Policy, Referrer-Policy, COOP, nosniff) do not
depend on DEBUG. tests/test_gunicorn.py checks the same over real HTTP with the real
production settings.
"""

import pytest
from csp_policy import directives, enforced

HTTPS = {"secure": True, "headers": {"X-Forwarded-Proto": "https"}}


@pytest.fixture
def production(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


def csp_directives(response) -> dict[str, list[str]]:
    return directives(response.headers["Content-Security-Policy"])


def assert_strict_headers(response) -> None:
    header = response.headers["Content-Security-Policy"]
    csp = csp_directives(response)
    for fetched in ("default-src", "script-src", "script-src-elem", "style-src", "connect-src", "font-src"):
        assert enforced(header, fetched) == ["'self'"], fetched
    assert enforced(header, "worker-src") == ["'self'"]
    assert enforced(header, "manifest-src") == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    everything = " ".join(source for sources in csp.values() for source in sources)
    assert "unsafe-inline" not in everything
    assert "unsafe-eval" not in everything
    assert "*" not in everything
    assert "http:" not in everything and "https:" not in everything
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.parametrize("path", ["/", "/check/", "/tips/", "/api/content/", "/admin/login/", "/api/docs/"])
def test_it_sends_the_strict_headers_on_pages_the_api_the_admin_and_the_api_docs(client, production, published, path):
    response = client.get(path, **HTTPS)

    assert response.status_code == 200
    assert_strict_headers(response)


def test_it_denies_every_powerful_browser_feature(client, published):
    response = client.get("/")
    features = dict(item.strip().split("=", 1) for item in response.headers["Permissions-Policy"].split(","))

    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "serial", "hid"):
        assert features[feature] == "()"
    # BackCare uses none of them, so none is allowed to anyone.
    assert set(features.values()) == {"()"}


def test_it_serves_the_api_docs_from_its_own_static_files(client, published):
    response = client.get("/api/docs/")
    html = response.content.decode()

    assert "<script src=" in html
    assert "cdn" not in html.lower()
    assert "<script>" not in html
    assert "<style" not in html  # drf-spectacular's own inline style is overridden (templates/drf_spectacular)


def test_it_redirects_plain_http_to_https(client, production, published):
    response = client.get("/tips/?x=1")

    assert response.status_code == 301
    assert response.headers["Location"] == "https://testserver/tips/?x=1"
    assert "Strict-Transport-Security" not in response.headers  # HSTS is for HTTPS answers only


def test_it_answers_health_checks_over_plain_http(client, production, published):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_it_sets_secure_httponly_samesite_cookies_when_an_admin_logs_in(client, production, admin_user):
    form = client.get("/admin/login/", **HTTPS)
    response = client.post(
        "/admin/login/",
        {"username": "admin", "password": "password", "csrfmiddlewaretoken": form.cookies["csrftoken"].value},
        **HTTPS,
    )

    assert response.status_code == 302
    for name in ("sessionid", "csrftoken"):
        cookie = response.cookies[name]
        assert cookie["secure"] is True, name
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name


def test_it_keeps_the_admin_behind_a_login(client, production, published):
    response = client.get("/admin/", **HTTPS)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("path", ["/serviceworker.js", "/manifest.json"])
def test_it_has_phones_revalidate_the_worker_and_the_manifest_every_time(client, published, path):
    response = client.get(path)

    assert response.status_code == 200
    assert "no-cache" in response.headers["Cache-Control"]


def test_it_echoes_a_proxys_request_id(client, published):
    response = client.get("/", headers={"X-Request-ID": "lb-3f2a9c41-0001"})

    assert response.headers["X-Request-ID"] == "lb-3f2a9c41-0001"


@pytest.mark.parametrize("incoming", ["", "short", "has spaces in it", 'quote"injection"here', "x" * 200])
def test_it_replaces_a_missing_or_unsafe_request_id_with_its_own(client, published, incoming):
    response = client.get("/", headers={"X-Request-ID": incoming})

    assert response.headers["X-Request-ID"] != incoming
    assert len(response.headers["X-Request-ID"]) == 32
