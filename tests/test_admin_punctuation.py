"""No doubled punctuation in the admin: Django puts ":" after each label, so a label, a
help text or a shown value that ends with "?" or ":" reads "…to you?:". Every content
model's add and change pages, and a synced result's page, in both languages."""

import re

import pytest
from content_helpers import urgent_answers
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from sync_helpers import post_results, register, result_item

from quiz.models import CauseGroup, Choice, Question, Result, SiteSettings, Tip, TipCategory

CONTENT_MODELS = [Question, Choice, Tip, TipCategory, CauseGroup, SiteSettings]
# A punctuation mark, then the label suffix Django adds (in either script).
DOUBLED = re.compile(r"[?？.。!！:：]\s*[:：]")


def page_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html.split("<main", 1)[-1])


def doubled_in(html: str) -> list[str]:
    text = page_text(html)
    return [text[max(match.start() - 40, 0) : match.end()].strip() for match in DOUBLED.finditer(text)]


def admin_pages() -> list[str]:
    pages = []
    for model in CONTENT_MODELS:
        name = model._meta.model_name
        if model is not SiteSettings:
            pages.append(reverse(f"admin:quiz_{name}_add"))
        pages += [
            reverse(f"admin:quiz_{name}_change", args=[pk]) for pk in model.objects.values_list("pk", flat=True)[:3]
        ]
    # The warning-sign questions: their texts end with "?" and their choices are shown beside them.
    question = Question.objects.get(key="w_urgent")
    pages.append(reverse("admin:quiz_question_change", args=[question.pk]))
    pages.append(reverse("admin:quiz_choice_change", args=[question.choices.first().pk]))
    pages += [reverse("admin:quiz_result_change", args=[pk]) for pk in Result.objects.values_list("pk", flat=True)]
    return pages


@pytest.fixture
def urgent_result(client, published):
    _device_id, token = register(client)
    post_results(client, token, [result_item(published.snapshot, urgent_answers(published.snapshot))])
    return Result.objects.get()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_admin_page_doubles_punctuation_after_a_label(admin_client, urgent_result, language):
    doubled = {}
    # The middleware activates the page's language in this thread: give it back afterwards.
    with translation.override(language):
        for url in admin_pages():
            response = admin_client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, url
            if found := doubled_in(response.content.decode()):
                doubled[url] = found

    assert doubled == {}


def test_no_field_label_ends_with_punctuation_django_adds_a_colon_to():
    endings = tuple("?？:：")
    labelled = [
        f"{model.__name__}.{field.name}: {field.verbose_name}"
        for model in apps.get_app_config("quiz").get_models()
        for field in model._meta.get_fields()
        if str(getattr(field, "verbose_name", "")).rstrip().endswith(endings)
    ]

    assert labelled == []


def test_it_would_see_a_question_mark_before_the_colon():
    found = doubled_in("<main><label>Warning signs:</label><p>Do any of these apply to you?: A fever</p></main>")

    assert [text.endswith("apply to you?:") for text in found] == [True]
