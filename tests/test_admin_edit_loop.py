"""The edit loop a clinic editor can trust (issue 25, part 5): every save says it is not
live until published and links to the review; the review marks the changed words and
warns of a translation older than its source; publishing warns of it too."""

import pytest
from django.urls import reverse

from quiz.models import TipCategory

REVIEW_URL = reverse("admin:quiz_contentversion_review")


@pytest.fixture
def editor_client(client, published, editor):
    client.force_login(editor)
    return client


def tip_category_form(category: TipCategory, **changes) -> dict:
    data = {
        "key": category.key,
        "name": category.name,
        "name_zh_hans": category.name_zh_hans,
        "description": category.description,
        "description_zh_hans": category.description_zh_hans,
        "order": category.order,
    }
    return {**data, **changes}


def messages_shown(response) -> str:
    return response.content.decode().split('<ul class="messagelist">', 1)[1].split("</ul>", 1)[0]


def test_saving_a_content_item_says_it_is_not_live_until_published_and_links_to_the_review(editor_client):
    category = TipCategory.objects.first()

    response = editor_client.post(
        reverse("admin:quiz_tipcategory_change", args=[category.pk]),
        tip_category_form(category, name="Moving more"),
        follow=True,
    )

    shown = messages_shown(response)
    assert "was changed successfully" in shown
    assert "Saved — not live until you publish." in shown
    assert f'<a href="{REVIEW_URL}" class="review-link">Review changes and publish content</a>' in shown
    assert TipCategory.objects.get(pk=category.pk).name == "Moving more"


def test_adding_and_deleting_an_item_and_editing_a_list_say_it_too(editor_client):
    category = TipCategory.objects.order_by("order").first()
    added = editor_client.post(
        reverse("admin:quiz_tipcategory_add"),
        {"key": "new_category", "name": "New", "description": "", "order": 99},
        follow=True,
    )
    new = TipCategory.objects.get(key="new_category")
    deleted = editor_client.post(reverse("admin:quiz_tipcategory_delete", args=[new.pk]), {"post": "yes"}, follow=True)
    listed = editor_client.post(
        reverse("admin:quiz_tipcategory_changelist"),
        {
            "form-TOTAL_FORMS": 1,
            "form-INITIAL_FORMS": 1,
            "form-0-id": category.pk,
            "form-0-order": category.order + 1,
            "_save": "Save",
        },
        follow=True,
    )

    for response in (added, deleted, listed):
        assert "Saved — not live until you publish." in messages_shown(response)
    assert TipCategory.objects.get(pk=category.pk).order == category.order + 1


def test_a_page_that_saves_nothing_says_nothing_about_publishing(editor_client):
    category = TipCategory.objects.first()

    response = editor_client.post(
        reverse("admin:quiz_tipcategory_change", args=[category.pk]), tip_category_form(category, name="")
    )

    assert response.status_code == 200  # the form again, with its error
    assert "not live until you publish" not in response.content.decode()


def test_a_chinese_speaking_editor_reads_the_saved_notice_in_chinese(editor_client):
    editor_client.cookies["django_language"] = "zh-hans"
    category = TipCategory.objects.first()

    response = editor_client.post(
        reverse("admin:quiz_tipcategory_change", args=[category.pk]), tip_category_form(category), follow=True
    )

    shown = messages_shown(response)
    assert "已保存——发布之前不会生效。" in shown
    assert "审阅更改并发布内容</a>" in shown
