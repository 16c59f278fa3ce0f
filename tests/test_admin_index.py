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


def test_the_content_pages_explain_themselves_before_any_content_exists(admin_client, db):
    versions = admin_client.get("/admin/quiz/contentversion/")
    review = admin_client.get("/admin/quiz/contentversion/review/")

    assert versions.status_code == 200
    assert b"unpublished change" not in versions.content
    assert review.status_code == 404
