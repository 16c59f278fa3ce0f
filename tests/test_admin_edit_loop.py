"""The edit loop a clinic editor can trust (issue 25, part 5): every save says it is not
live until published and links to the review; the review marks the changed words and
warns of a translation older than its source; publishing warns of it too."""

import copy

import pytest
from django.urls import reverse
from django.utils.html import escape

from quiz import content
from quiz.content_diff import marked_changes, stale_translations
from quiz.models import ContentVersion, Tip, TipCategory

REVIEW_URL = reverse("admin:quiz_contentversion_review")
PUBLISH_URL = reverse("admin:quiz_contentversion_publish")


@pytest.fixture
def editor_client(client, published, editor):
    client.force_login(editor)
    return client


def tip_category_form(category: TipCategory, **changes) -> dict:
    data = {
        "key": category.key,
        "name_en": category.name_en,
        "name_zh_hans": category.name_zh_hans,
        "description_en": category.description_en,
        "description_zh_hans": category.description_zh_hans,
        "order": category.order,
    }
    return {**data, **changes}


def messages_shown_in(page: str) -> str:
    return page.split('<ul class="messagelist">', 1)[1].split("</ul>", 1)[0]


def messages_shown(response) -> str:
    return messages_shown_in(response.content.decode())


def test_saving_a_content_item_says_it_is_not_live_until_published_and_links_to_the_review(editor_client):
    category = TipCategory.objects.first()

    response = editor_client.post(
        reverse("admin:quiz_tipcategory_change", args=[category.pk]),
        tip_category_form(category, name_en="Moving more"),
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
        {"key": "new_category", "name_en": "New", "description_en": "", "order": 99},
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
        reverse("admin:quiz_tipcategory_change", args=[category.pk]), tip_category_form(category, name_en="")
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


# -- the changed words, marked ------------------------------------------------------------


def test_it_marks_only_the_english_words_that_changed():
    before, after = marked_changes("After a sprain, ease back in gently.", "After a sprain, ease back into it gently.")

    assert before == "After a sprain, ease back <del>in</del> gently."
    assert after == "After a sprain, ease back <ins>into it</ins> gently."


def test_it_marks_chinese_by_character_as_it_has_no_spaces():
    before, after = marked_changes("久坐后腰痛加重。", "久站后腰痛明显加重。")

    assert before == "久<del>坐</del>后腰痛加重。"
    assert after == "久<ins>站</ins>后腰痛<ins>明显</ins>加重。"


def test_it_escapes_the_texts_it_marks_and_leaves_a_whole_new_item_unmarked():
    assert marked_changes("a <b>", "a <i>") == ("a &lt;<del>b</del>&gt;", "a &lt;<ins>i</ins>&gt;")
    assert marked_changes("", "A new tip") == ("", "A new tip")


def test_the_review_page_marks_the_changed_words_and_says_how_they_are_marked(editor_client):
    tip = Tip.objects.get(key="ease_back_after_sprain")
    Tip.objects.filter(pk=tip.pk).update(title_en=f"{tip.title_en} slowly", title_zh_hans=f"{tip.title_zh_hans}慢慢")

    page = editor_client.get(REVIEW_URL).content.decode()

    assert f"<td>{escape(tip.title)} <ins>slowly</ins></td>" in page
    assert f"<td>{escape(tip.title_zh_hans)}<ins>慢慢</ins></td>" in page
    assert "removed words are struck through and added words are underlined" in page


# -- a translation older than its source ----------------------------------------------


def snapshot_with(snapshot: dict, title: str, chinese: str) -> dict:
    """`snapshot` with the first tip's title and its Chinese title set."""
    changed = copy.deepcopy(snapshot)
    tip = changed["tips"][0]
    tip["title"] = title
    changed["translations"]["zh-hans"]["tips"][tip["key"]]["title"] = chinese
    return changed


def stale_places(history, working) -> list[tuple[str, str, str]]:
    return [(stale.model.__name__, stale.key, stale.field) for stale in stale_translations(history, working)]


def test_an_english_text_changed_under_an_unchanged_translation_makes_it_stale(published):
    first = published.snapshot
    key = first["tips"][0]["key"]
    chinese = first["translations"]["zh-hans"]["tips"][key]["title"]

    assert stale_places([first], snapshot_with(first, "A new English title", chinese)) == [("Tip", key, "title")]
    assert stale_places([first], snapshot_with(first, "A new English title", "新的标题")) == []
    assert stale_places([first], first) == []


def test_a_stale_translation_stays_stale_once_published_until_its_text_is_edited(published):
    first = published.snapshot
    key = first["tips"][0]["key"]
    chinese = first["translations"]["zh-hans"]["tips"][key]["title"]
    second = snapshot_with(first, "A new English title", chinese)

    assert stale_places([first, second], second) == [("Tip", key, "title")]
    assert stale_places([first, second], snapshot_with(first, "A new English title", "新的标题")) == []
    # The English put back as it was: the translation fits it again.
    assert stale_places([first, second], first) == []


def test_a_missing_translation_is_not_called_stale(published):
    first = published.snapshot

    assert stale_places([first], snapshot_with(first, "A new English title", "")) == []


def test_review_and_publish_warn_of_a_stale_translation_naming_the_item_and_field(editor_client):
    tip = Tip.objects.get(key="ease_back_after_sprain")
    Tip.objects.filter(pk=tip.pk).update(body=f"{tip.body} Go slowly.")
    warning = f"Tip “{escape(tip.title)}”, body: the Simplified Chinese text is a translation older than its source"

    review = editor_client.get(REVIEW_URL).content.decode()
    published = editor_client.post(PUBLISH_URL, {"reviewed_hash": content.content_hash(content.build_snapshot())})
    shown = editor_client.get(published.url).content.decode()

    assert warning in review.split('class="stale-translations"', 1)[1]
    assert warning in messages_shown_in(shown)
    assert ContentVersion.objects.current().snapshot["tips"] != []  # published all the same
    assert "Published content version 2." in shown


def test_a_chinese_speaking_editor_reads_the_stale_translation_warning_in_chinese(editor_client):
    editor_client.cookies["django_language"] = "zh-hans"
    tip = Tip.objects.get(key="ease_back_after_sprain")
    Tip.objects.filter(pk=tip.pk).update(body=f"{tip.body} Go slowly.")

    review = editor_client.get(REVIEW_URL).content.decode()

    assert "比原文旧的译文" in review
    assert "的正文：简体中文文本是比原文旧的译文" in review


# -- the preview ---------------------------------------------------------------------


def test_the_preview_reads_the_unpublished_texts_in_the_editors_language(editor_client):
    tip = Tip.objects.get(key="ease_back_after_sprain")
    Tip.objects.filter(pk=tip.pk).update(body_zh_hans="诊所今天改过的建议。")
    editor_client.cookies["django_language"] = "zh-hans"

    draft = editor_client.get(reverse("admin:quiz_contentversion_draft")).json()

    assert draft["version"] is None and draft["language"] == "zh-hans"
    assert next(item for item in draft["tips"] if item["key"] == tip.key)["body"] == "诊所今天改过的建议。"


def test_the_preview_result_page_is_the_real_result_page_marked_as_a_preview(editor_client):
    page = editor_client.get(reverse("admin:quiz_contentversion_preview_result")).content.decode()

    assert '<div id="result" data-preview="true" hidden></div>' in page
    assert "result.js" in page
    assert f'href="{REVIEW_URL}">Back to the review</a>' in page
