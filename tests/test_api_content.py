"""GET /api/content/: the published content bundle, cacheable by ETag."""

from quiz.models import ContentVersion, Tip


def test_it_serves_the_current_content_with_a_strong_etag(client, published):
    response = client.get("/api/content/")

    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert response["ETag"] == ContentVersion.objects.current().etag
    assert not response["ETag"].startswith("W/")


def test_it_answers_304_when_the_phone_already_has_the_current_version(client, published):
    etag = client.get("/api/content/")["ETag"]

    response = client.get("/api/content/", headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""


def test_it_sends_the_bundle_compressed_and_still_answers_304_to_the_weak_etag(client, published):
    gzip = {"Accept-Encoding": "gzip"}
    response = client.get("/api/content/", headers=gzip)

    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) < len(client.get("/api/content/").content) / 2
    assert response["ETag"] == f"W/{ContentVersion.objects.current().etag}"
    again = client.get("/api/content/", headers={**gzip, "If-None-Match": response["ETag"]})
    assert again.status_code == 304


def test_it_serves_the_new_version_after_a_publish(client, published, admin_client):
    etag = client.get("/api/content/")["ETag"]
    Tip.objects.filter(key="walk_daily").update(title="Walk a little every day")
    admin_client.post("/admin/quiz/contentversion/publish/")

    response = client.get("/api/content/", headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert response.json()["version"] == 2


def test_it_keeps_serving_old_versions_by_number(client, published, admin_client):
    Tip.objects.filter(key="walk_daily").update(title="Walk a little every day")
    admin_client.post("/admin/quiz/contentversion/publish/")

    response = client.get("/api/content/1/")

    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert client.get("/api/content/99/").status_code == 404


def test_it_says_clearly_when_nothing_is_published(client, db):
    response = client.get("/api/content/")

    assert response.status_code == 404
    assert response.json()["code"] == "no_content"


def test_the_bundle_carries_the_course_thresholds_a_clinic_set(client, published, admin_client):
    from quiz.models import SiteSettings

    assert client.get("/api/content/").json()["settings"]["course_weeks"] == 3
    SiteSettings.objects.update(course_weeks=4, course_change=3, follow_up_days=14)
    admin_client.post("/admin/quiz/contentversion/publish/")

    settings = client.get("/api/content/").json()["settings"]

    assert (settings["course_weeks"], settings["course_change"], settings["follow_up_days"]) == (4, 3, 14)
    # The version published before keeps its own figures: versions never change.
    assert client.get("/api/content/1/").json()["settings"]["course_weeks"] == 3
