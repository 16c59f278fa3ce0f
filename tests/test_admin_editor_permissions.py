"""The Content editors group: it can preview, review and publish content and read results;
it cannot manage users, lift sign-in pauses, or change results."""

import pytest
from django.urls import reverse
from sync_helpers import post_results, register, result_item

from quiz.models import ContentVersion, Question, Result

PREVIEW_URL = reverse("admin:quiz_contentversion_preview")
DRAFT_URL = reverse("admin:quiz_contentversion_draft")


@pytest.fixture
def editor_client(client, published, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def one_result(client, published):
    _device_id, token = register(client)
    item = result_item(published.snapshot)
    post_results(client, token, [item])
    return Result.objects.get(uuid=item["uuid"])


def test_an_editor_previews_the_unpublished_working_copy(editor_client):
    Question.objects.filter(key="h_sitting").update(text="How long do you sit in one go?")

    page = editor_client.get(PREVIEW_URL)
    draft = editor_client.get(DRAFT_URL)

    assert page.status_code == 200
    assert f'data-content-url="{DRAFT_URL}"' in page.content.decode()
    assert 'data-preview="true"' in page.content.decode()
    assert "Nothing you answer here is saved or sent" in page.content.decode()
    body = draft.json()
    assert body["preview"] is True and body["version"] is None
    assert any(question["text"] == "How long do you sit in one go?" for question in body["questions"])
    assert "no-store" in draft["Cache-Control"]
    assert "How long do you sit in one go?" not in editor_client.get("/api/content/").content.decode()


def test_the_draft_content_is_for_staff_only(client, published, django_user_model):
    assert client.get(DRAFT_URL).status_code == 302
    person = django_user_model.objects.create_user(username="not_staff", password="pw")
    client.force_login(person)
    assert client.get(DRAFT_URL).status_code == 302
    assert client.get(PREVIEW_URL).status_code == 302


def test_a_result_answered_on_the_draft_is_never_stored(client, editor_client):
    draft = editor_client.get(DRAFT_URL).json()
    _device_id, token = register(client)

    response = post_results(client, token, [result_item(draft)])

    # The draft has no version number, so a result can never name it.
    receipt = response.json()["receipts"][0]
    assert receipt["status"] == "rejected"
    assert receipt["errors"][0]["field"] == "content_version"
    assert Result.objects.count() == 0


def test_an_editor_reviews_and_publishes(editor_client):
    Question.objects.filter(key="h_sitting").update(text="How long do you sit in one go?")

    assert editor_client.get(reverse("admin:quiz_contentversion_review")).status_code == 200
    editor_client.post(reverse("admin:quiz_contentversion_publish"))

    assert ContentVersion.objects.current().number == 2


def test_an_editor_reads_results_their_dashboard_and_export(editor_client, one_result):
    assert editor_client.get(reverse("admin:quiz_result_changelist")).status_code == 200
    assert editor_client.get(reverse("admin:quiz_result_change", args=[one_result.pk])).status_code == 200
    assert editor_client.get(reverse("admin:quiz_result_dashboard")).status_code == 200
    assert editor_client.get(reverse("admin:quiz_result_export")).status_code == 200


def test_an_editor_cannot_change_or_delete_a_result(editor_client, one_result):
    change = editor_client.post(reverse("admin:quiz_result_change", args=[one_result.pk]), {"urgency": "emergency"})
    delete = editor_client.post(reverse("admin:quiz_result_delete", args=[one_result.pk]), {"post": "yes"})

    assert change.status_code == 403
    assert delete.status_code == 403
    assert Result.objects.get(pk=one_result.pk).urgency == one_result.urgency


@pytest.mark.parametrize(
    "url",
    [
        "admin:auth_user_changelist",
        "admin:auth_user_add",
        "admin:auth_group_changelist",
        "admin:axes_accessattempt_changelist",
    ],
)
def test_an_editor_cannot_manage_users_groups_or_sign_in_pauses(editor_client, url):
    assert editor_client.get(reverse(url)).status_code == 403


def test_an_editor_cannot_edit_a_published_version(editor_client):
    version = ContentVersion.objects.get(number=1)

    response = editor_client.post(reverse("admin:quiz_contentversion_delete", args=[version.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert ContentVersion.objects.filter(pk=version.pk).exists()
