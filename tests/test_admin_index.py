"""The admin index: what an administrator sees first."""


def test_the_admin_index_shows_what_healthz_answers(admin_client, published):
    healthz = admin_client.get("/healthz").json()

    page = admin_client.get("/admin/").content.decode()

    assert "/healthz answers “ok” (HTTP 200)." in page
    assert f"Content version: {healthz['content_version']}" in page
    assert "Database: ok" in page


def test_the_admin_index_shows_when_healthz_fails(admin_client, db):
    page = admin_client.get("/admin/").content.decode()

    assert "/healthz answers “unavailable” (HTTP 503)." in page
    assert "Content: missing" in page
