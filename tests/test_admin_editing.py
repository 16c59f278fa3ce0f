"""Editing comfort: texts in boxes that show them whole, fields only where they apply, keys
fixed once published, and choice weights readable on the question's page."""

import re

import pytest
from django.urls import reverse

from quiz.models import CauseGroup, Choice, ChoiceWeight, Question, Tip


@pytest.fixture
def editor_client(client, published, editor):
    client.force_login(editor)
    return client


def question_page(client, question) -> str:
    response = client.get(reverse("admin:quiz_question_change", args=[question.pk]))
    assert response.status_code == 200
    return response.content.decode()


def question_form_data(question) -> dict:
    """The question's change form as a browser posts it, every choice row included."""
    choices = list(question.choices.order_by("order", "key"))
    data = {
        "key": question.key,
        "text_en": question.text,
        "help_text_en": question.help_text,
        "kind": question.kind,
        "section": question.section,
        "order": question.order,
        "is_active": "on",
        "source_note": question.source_note,
        "source_paragraph": question.source_paragraph or "",
        "choices-TOTAL_FORMS": len(choices),
        "choices-INITIAL_FORMS": len(choices),
    }
    for index, choice in enumerate(choices):
        data.update(
            {
                f"choices-{index}-id": choice.pk,
                f"choices-{index}-question": question.pk,
                f"choices-{index}-key": choice.key,
                f"choices-{index}-text_en": choice.text,
                f"choices-{index}-order": choice.order,
                f"choices-{index}-urgency": choice.urgency,
            }
        )
    return data


def test_it_edits_question_help_and_choice_texts_in_multi_line_boxes(editor_client):
    question = Question.objects.exclude(kind="scale").filter(choices__isnull=False).first()

    page = question_page(editor_client, question)

    assert '<textarea name="text_en" cols="60" rows="3"' in page
    assert '<textarea name="help_text_en" cols="60" rows="4"' in page
    assert '<textarea name="choices-0-text_en" cols="30" rows="2"' in page


def test_it_edits_tip_texts_in_multi_line_boxes(editor_client):
    tip = Tip.objects.first()

    page = editor_client.get(reverse("admin:quiz_tip_change", args=[tip.pk])).content.decode()

    assert '<textarea name="title_en" cols="60" rows="2"' in page
    assert '<textarea name="body_en" cols="60" rows="6"' in page


def test_it_shows_scale_fields_only_on_a_scale_question_and_choices_only_on_the_others(editor_client):
    scale = Question.objects.filter(kind="scale").first()
    single = Question.objects.filter(kind="single").first()

    scale_page = question_page(editor_client, scale)
    single_page = question_page(editor_client, single)

    assert 'name="scale_min"' in scale_page
    assert 'name="choices-TOTAL_FORMS"' not in scale_page
    assert 'name="scale_min"' not in single_page
    assert 'name="choices-TOTAL_FORMS"' in single_page


def test_it_makes_a_published_question_key_read_only_and_keeps_it_when_posted(editor_client):
    question = Question.objects.get(key="h_sitting")
    assert '<input type="text" name="key"' not in question_page(editor_client, question)

    data = {**question_form_data(question), "key": "renamed_key", "text_en": "How long do you sit in one go?"}
    response = editor_client.post(reverse("admin:quiz_question_change", args=[question.pk]), data)

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.key == "h_sitting"
    assert question.text == "How long do you sit in one go?"


def test_it_keeps_a_new_question_key_editable_until_it_is_published(editor_client):
    question = Question.objects.create(key="h_new_question", text="A new question", order=50)

    assert '<input type="text" name="key"' in question_page(editor_client, question)


def test_it_makes_a_published_choice_key_read_only_in_the_question_page(editor_client):
    question = Question.objects.filter(choices__isnull=False).distinct().order_by("key").first()
    published_count = question.choices.count()
    first = question.choices.order_by("order", "key").first()
    Choice.objects.create(question=question, key="not_yet_published", text="Not yet", order=98)

    page = question_page(editor_client, question)
    data = question_form_data(question)
    data["choices-0-key"] = "renamed_choice"
    response = editor_client.post(reverse("admin:quiz_question_change", args=[question.pk]), data)

    key_inputs = re.findall(r'<input[^>]*name="choices-\d-key"[^>]*>', page)
    assert f'name="choices-0-key" value="{first.key}"' in key_inputs[0]
    rows = [("disabled" in tag, 'value="not_yet_published"' in tag) for tag in key_inputs]
    assert rows == [(True, False)] * published_count + [(False, True)]
    assert response.status_code == 302
    assert Choice.objects.get(pk=first.pk).key == first.key
    assert not Choice.objects.filter(key="renamed_choice").exists()


def test_it_makes_published_cause_group_and_tip_keys_read_only(editor_client):
    group = CauseGroup.objects.first()
    tip = Tip.objects.first()

    group_page = editor_client.get(reverse("admin:quiz_causegroup_change", args=[group.pk])).content.decode()
    tip_page = editor_client.get(reverse("admin:quiz_tip_change", args=[tip.pk])).content.decode()

    assert '<input type="text" name="key"' not in group_page
    assert '<input type="text" name="key"' not in tip_page
    assert f'<div class="readonly">{group.key}</div>' in group_page


def test_it_shows_each_choice_weight_by_cause_group_name_on_the_question_page(editor_client):
    weight = ChoiceWeight.objects.select_related("choice__question", "cause_group").first()

    page = question_page(editor_client, weight.choice.question)

    assert f"{weight.cause_group.name}: {weight.weight}<br>" in page.replace("&#x27;", "'")


def test_it_makes_a_published_choice_key_read_only_on_the_choice_page(editor_client):
    choice = Choice.objects.select_related("question").order_by("pk").first()

    page = editor_client.get(reverse("admin:quiz_choice_change", args=[choice.pk])).content.decode()

    assert '<input type="text" name="key"' not in page
    assert '<textarea name="text_en" cols="60" rows="2"' in page
