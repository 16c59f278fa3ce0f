"""What changed: unpublished changes counted, reviewed item by item, confirmed when publishing,
and kept on each published version's page."""

import re

import pytest
from django.urls import reverse

from quiz import services
from quiz.models import CauseGroup, Choice, ChoiceWeight, ContentVersion, Question, Tip

REVIEW_URL = reverse("admin:quiz_contentversion_review")
PUBLISH_URL = reverse("admin:quiz_contentversion_publish")
VERSIONS_URL = reverse("admin:quiz_contentversion_changelist")


@pytest.fixture
def editor_client(client, published, editor):
    client.force_login(editor)
    return client


def change_rows(page: str) -> list[list[str]]:
    """The review table's rows as the cells' text."""
    table = page.split('<table class="content-changes">', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)] for row in rows]


def test_it_counts_one_unpublished_change_on_the_index_and_the_versions_list(editor_client):
    assert "0 unpublished changes" in editor_client.get("/admin/").content.decode()
    Question.objects.filter(key="h_sitting").update(text="How long do you sit in one go?")

    assert "1 unpublished change" in editor_client.get("/admin/").content.decode()
    assert "1 unpublished change" in editor_client.get(VERSIONS_URL).content.decode()


def test_it_reviews_each_kind_of_change_against_the_last_published_version(editor_client, published):
    sitting = Question.objects.get(key="h_sitting")
    old_text = sitting.text
    sitting.text = "How long do you sit in one go?"
    sitting.save()
    weight = ChoiceWeight.objects.select_related("choice__question").order_by("pk").first()
    old_weight = weight.weight
    weight.weight = old_weight % 10 + 1
    weight.save()
    Choice.objects.create(question=sitting, key="never_sit", text="I hardly ever sit", order=99)
    removed_tip = Tip.objects.order_by("key").first()
    removed_tip.is_active = False
    removed_tip.save()

    rows = change_rows(editor_client.get(REVIEW_URL).content.decode())

    assert ["Question", "h_sitting", "text changed", "text", old_text, "How long do you sit in one go?"] in rows
    assert ["Choice", "h_sitting.never_sit", "added", "", "", "I hardly ever sit"] in rows
    assert ["Tip", removed_tip.key, "removed", "", removed_tip.title, ""] in rows
    assert [
        "Choice",
        f"{weight.choice.question.key}.{weight.choice.key}",
        "weight changed",
        weight.cause_group.key,
        str(old_weight),
        str(weight.weight),
    ] in rows
    # Nothing else is listed: unchanged questions, choices and tips are left out.
    assert len(rows) == 4


def test_it_publishes_what_was_reviewed_and_then_has_nothing_unpublished(editor_client):
    CauseGroup.objects.filter(key="posture_load").update(name="Long sitting or standing")
    review = editor_client.get(REVIEW_URL).content.decode()
    reviewed_hash = re.search(r'name="reviewed_hash" value="([0-9a-f]+)"', review).group(1)
    assert "Publish as version 2" in review

    response = editor_client.post(PUBLISH_URL, {"reviewed_hash": reviewed_hash}, follow=True)

    assert "Published content version 2." in response.content.decode()
    assert ContentVersion.objects.current().content_hash == reviewed_hash
    assert "0 unpublished changes" in editor_client.get(VERSIONS_URL).content.decode()


def test_it_refuses_to_publish_when_the_content_changed_after_the_review(editor_client):
    CauseGroup.objects.filter(key="posture_load").update(name="Long sitting or standing")
    review = editor_client.get(REVIEW_URL).content.decode()
    reviewed_hash = re.search(r'name="reviewed_hash" value="([0-9a-f]+)"', review).group(1)
    CauseGroup.objects.filter(key="posture_load").update(name="Sitting or standing a lot")

    response = editor_client.post(PUBLISH_URL, {"reviewed_hash": reviewed_hash}, follow=True)

    assert "the content changed while you were reviewing it" in response.content.decode()
    assert ContentVersion.objects.count() == 1


def test_it_shows_the_problems_instead_of_a_publish_button_when_content_is_not_fit(editor_client):
    Tip.objects.filter(key="lift_close").update(category=None)

    page = editor_client.get(REVIEW_URL).content.decode()

    assert "Tip “lift_close” has no category." in page
    assert 'name="reviewed_hash"' not in page


def test_it_says_there_is_nothing_to_review_when_nothing_changed(editor_client):
    page = editor_client.get(REVIEW_URL).content.decode()

    assert "No unpublished changes" in page
    assert 'name="reviewed_hash"' not in page


def test_a_published_version_shows_its_changes_from_the_version_before(editor_client, admin_client):
    Question.objects.filter(key="h_sitting").update(help_text="Count the longest stretch.")
    second = services.content_publish()

    page = admin_client.get(reverse("admin:quiz_contentversion_change", args=[second.pk])).content.decode()

    rows = change_rows(page)
    assert len(rows) == 1
    assert rows[0][:3] == ["Question", "h_sitting", "text changed"]
    assert rows[0][-1] == "Count the longest stretch."
