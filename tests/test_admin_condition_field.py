"""“Show only if” in the admin: two dropdowns (a question, then any of its answers) that
store the content format's condition, show a stored one selected, and turn a mismatch
into a form error."""

import re

import pytest
from django.urls import reverse
from test_admin_editing import question_form_data

from quiz.admin_conditions import AskedQuestion, ConditionField
from quiz.models import Question, Tip

PAIN = AskedQuestion("w_soon", "Do any of these apply?", (("sciatica", "Pain down a leg"), ("none", "None")))
HISTORY = AskedQuestion("h_history", "Have you had any of these?", (("sprain", "A sprain"), ("kidney", "Kidney")))


@pytest.fixture
def editor_client(client, published, editor):
    client.force_login(editor)
    return client


def condition_field() -> ConditionField:
    return ConditionField([PAIN, HISTORY])


def round_trip(field: ConditionField, stored):
    """What saving the form gives back for a stored value shown in it and posted unchanged."""
    data = {}
    for index, value in enumerate(field.widget.decompress(stored)):
        data[f"show_if_{index}"] = value
    return field.clean(field.widget.value_from_datadict(data, {}, "show_if"))


def error_codes(field: ConditionField, value) -> list[str]:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        field.clean(value)
    return [error.code for error in caught.value.error_list]


# -- the form field ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "stored",
    [
        None,
        {"question": "w_soon", "choices": ["sciatica"]},
        {"question": "h_history", "choices": ["sprain", "kidney"]},
    ],
)
def test_a_stored_condition_comes_back_from_the_form_unchanged(stored):
    assert round_trip(condition_field(), stored) == stored


def test_it_stores_the_answers_in_their_questions_order_whatever_order_they_come_in():
    assert condition_field().clean(["h_history", ["h_history.kidney", "h_history.sprain"]]) == {
        "question": "h_history",
        "choices": ["sprain", "kidney"],
    }


def test_no_question_and_no_answers_means_always():
    assert condition_field().clean(["", []]) is None


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (["w_soon", []], "no_answers"),
        (["", ["w_soon.sciatica"]], "no_question"),
        (["w_soon", ["h_history.sprain"]], "other_question"),
        (["w_nope", ["w_soon.sciatica"]], "invalid_choice"),
        (["w_soon", ["w_soon.nope"]], "invalid_choice"),
    ],
)
def test_a_condition_that_does_not_fit_together_is_a_form_error(value, code):
    assert error_codes(condition_field(), value) == [code]


def test_every_shipped_condition_survives_the_admin_form(published):
    from quiz.admin_conditions import _choice_questions, asked_questions

    field = ConditionField(asked_questions(_choice_questions()))
    stored = [item.show_if for model in (Question, Tip) for item in model.objects.exclude(show_if=None)]

    assert len(stored) >= 10
    assert [round_trip(field, condition) for condition in stored] == stored


# -- the change forms, over HTTP -----------------------------------------------------------


def selected_options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert select, name
    return re.findall(r'<option value="([^"]*)" selected>', select.group(0))


def option_values(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert select, name
    return re.findall(r'<option value="([^"]*)"', select.group(0))


def test_a_question_page_shows_its_condition_selected_and_offers_only_earlier_questions(editor_client):
    question = Question.objects.get(key="w_pregnancy")
    page = editor_client.get(reverse("admin:quiz_question_change", args=[question.pk])).content.decode()

    assert selected_options(page, "show_if_0") == ["f_womb"]
    assert selected_options(page, "show_if_1") == ["f_womb.pregnant"]
    offered = [key for key in option_values(page, "show_if_0") if key]
    assert "f_womb" in offered
    assert offered == [
        q.key
        for q in sorted(Question.objects.active(), key=lambda q: q.place)
        if q.place < question.place and not q.is_scale
    ]
    assert '<label for="id_show_if_0">Question:</label>' in page
    assert '<label class="condition-answers" for="id_show_if_1">' in page
    assert "JSON" not in page.split('id="id_show_if_0_helptext"')[1][:400]


def test_saving_a_question_with_dropdowns_stores_the_condition_shape(editor_client):
    question = Question.objects.get(key="w_sciatica_weeks")
    data = {
        **question_form_data(question),
        "show_if_0": "w_soon",
        "show_if_1": ["w_soon.sciatica", "w_soon.walking_ache"],
    }

    response = editor_client.post(reverse("admin:quiz_question_change", args=[question.pk]), data)

    assert response.status_code == 302
    question.refresh_from_db()
    in_question_order = [c.key for c in Question.objects.get(key="w_soon").choices.order_by("order", "key")]
    picked = [key for key in in_question_order if key in ("sciatica", "walking_ache")]
    assert question.show_if == {"question": "w_soon", "choices": picked}


def test_clearing_the_question_stores_no_condition(editor_client):
    question = Question.objects.get(key="w_sciatica_weeks")
    data = {**question_form_data(question), "show_if_0": ""}

    response = editor_client.post(reverse("admin:quiz_question_change", args=[question.pk]), data)

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.show_if is None


def test_a_question_may_not_depend_on_a_later_one(editor_client):
    question = Question.objects.get(key="w_soon")
    later = Question.objects.get(key="h_history")
    data = {**question_form_data(question), "show_if_0": later.key, "show_if_1": ["h_history.sprain"]}

    response = editor_client.post(reverse("admin:quiz_question_change", args=[question.pk]), data)

    assert response.status_code == 200
    assert "cannot be chosen here" in response.content.decode()
    question.refresh_from_db()
    assert question.show_if is None


def test_moving_a_question_before_the_one_its_condition_names_is_a_form_error(editor_client):
    question = Question.objects.get(key="w_sciatica_weeks")
    data = {**question_form_data(question), "section": "facts", "order": 0}
    data.update({"show_if_0": "w_soon", "show_if_1": ["w_soon.sciatica"]})

    response = editor_client.post(reverse("admin:quiz_question_change", args=[question.pk]), data)

    assert response.status_code == 200
    assert "is not asked before this question" in response.content.decode()
    question.refresh_from_db()
    assert question.section == "warning"


def test_answers_of_another_question_are_a_form_error_not_a_crash(editor_client):
    tip = Tip.objects.get(key="ease_back_after_sprain")
    page = editor_client.get(reverse("admin:quiz_tip_change", args=[tip.pk])).content.decode()
    assert selected_options(page, "show_if_0") == ["h_history"]
    assert selected_options(page, "show_if_1") == ["h_history.sprain"]

    data = tip_form_data(tip)
    data.update({"show_if_0": "h_history", "show_if_1": ["w_soon.sciatica"]})
    response = editor_client.post(reverse("admin:quiz_tip_change", args=[tip.pk]), data)

    assert response.status_code == 200
    assert "Not answers of" in response.content.decode()
    tip.refresh_from_db()
    assert tip.show_if == {"question": "h_history", "choices": ["sprain"]}


def tip_form_data(tip: Tip) -> dict:
    return {
        "key": tip.key,
        "title_en": tip.title_en,
        "title_zh_hans": tip.title_zh_hans,
        "body_en": tip.body_en,
        "body_zh_hans": tip.body_zh_hans,
        "category": tip.category_id or "",
        "cause_groups": [group.pk for group in tip.cause_groups.all()],
        "order": tip.order,
        "is_active": "on",
        "source_note": tip.source_note,
        "source_paragraph": tip.source_paragraph or "",
        "show_if_0": (tip.show_if or {}).get("question", ""),
        "show_if_1": [f"{tip.show_if['question']}.{key}" for key in tip.show_if["choices"]] if tip.show_if else [],
    }


def test_an_unchanged_tip_saves_with_its_condition_as_it_was(editor_client):
    tip = Tip.objects.get(key="urinary_signs")
    before = tip.show_if

    response = editor_client.post(reverse("admin:quiz_tip_change", args=[tip.pk]), tip_form_data(tip))

    assert response.status_code == 302
    tip.refresh_from_db()
    assert tip.show_if == before


def test_a_condition_on_a_question_moved_later_stays_shown_and_saving_says_what_is_wrong(editor_client):
    question = Question.objects.get(key="w_sciatica_weeks")
    Question.objects.filter(key="w_soon").update(section="habits", order=999)
    url = reverse("admin:quiz_question_change", args=[question.pk])

    page = editor_client.get(url).content.decode()
    assert selected_options(page, "show_if_0") == ["w_soon"]
    assert selected_options(page, "show_if_1") == ["w_soon.sciatica"]

    data = {**question_form_data(question), "show_if_0": "w_soon", "show_if_1": ["w_soon.sciatica"]}
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "is not asked before this question" in response.content.decode()
    question.refresh_from_db()
    assert question.show_if == {"question": "w_soon", "choices": ["sciatica"]}
