"""Run by tests/test_third_language.py in a child pytest with
tests/languages/settings_third_language.py (French added to `LANGUAGES`, nothing else),
on tables made from the models (`--no-migrations`): BackCare's migrations hold the
shipped languages' fields, and an installation adding one makes its own with
`makemigrations`."""

from django.urls import reverse

from quiz import content, services
from quiz.models import Choice, Question

FRENCH = "fr"
QUESTION_KEY = "w_emergency"
QUESTION_TEXT = "Avez-vous l'un de ces signes ?"


def fill_warning_signs_in_french() -> None:
    """As a translator would: every warning-sign text, which publishing requires in each language."""
    for question in Question.objects.filter(section=Question.Section.WARNING):
        question.text_fr = f"[fr] {question.text_en}"
        question.help_text_fr = f"[fr] {question.help_text_en}" if question.help_text_en else ""
        question.save()
    for choice in Choice.objects.filter(question__section=Question.Section.WARNING):
        choice.text_fr = f"[fr] {choice.text_en}"
        choice.save()


def question_form(question: Question) -> dict:
    """The question's change form as the admin shows it, every choice row included."""
    choices = list(question.choices.order_by("order", "key"))
    data = {
        "key": question.key,
        "kind": question.kind,
        "section": question.section,
        "order": question.order,
        "is_active": "on",
        "source_note": question.source_note,
        "source_paragraph": question.source_paragraph or "",
        "choices-TOTAL_FORMS": len(choices),
        "choices-INITIAL_FORMS": len(choices),
    }
    for language in ("en", "zh_hans", "fr"):
        data[f"text_{language}"] = getattr(question, f"text_{language}") or ""
        data[f"help_text_{language}"] = getattr(question, f"help_text_{language}") or ""
    for index, choice in enumerate(choices):
        data.update(
            {
                f"choices-{index}-id": choice.pk,
                f"choices-{index}-question": question.pk,
                f"choices-{index}-key": choice.key,
                f"choices-{index}-order": choice.order,
                f"choices-{index}-urgency": choice.urgency,
                **{f"choices-{index}-text_{lang}": getattr(choice, f"text_{lang}") for lang in ("en", "zh_hans", "fr")},
            }
        )
    return data


def test_a_question_filled_in_a_third_language_is_published_and_served_in_it(admin_client, client):
    content.load_content(content.read_seed())
    fill_warning_signs_in_french()
    question = Question.objects.get(key=QUESTION_KEY)

    # The editor types the French text into the admin, in its own box beside the others.
    page = admin_client.get(reverse("admin:quiz_question_change", args=[question.pk])).content.decode()
    assert 'name="text_fr"' in page
    saved = admin_client.post(
        reverse("admin:quiz_question_change", args=[question.pk]), {**question_form(question), "text_fr": QUESTION_TEXT}
    )
    assert saved.status_code == 302
    version = services.content_publish()

    french = client.get("/api/content/?lang=fr").json()
    english = client.get("/api/content/?lang=en").json()
    chinese = client.get("/api/content/?lang=zh-hans").json()
    by_key = {q["key"]: q for q in french["questions"]}
    assert french["language"] == FRENCH
    assert by_key[QUESTION_KEY]["text"] == QUESTION_TEXT
    # A text not translated yet reads in English; the other languages are as they were.
    habit = next(q for q in english["questions"] if q["section"] == "habits")
    assert by_key[habit["key"]]["text"] == habit["text"]
    assert {q["key"]: q["text"] for q in english["questions"]}[QUESTION_KEY] == question.text_en
    assert {q["key"]: q["text"] for q in chinese["questions"]}[QUESTION_KEY] == question.text_zh_hans
    assert version.snapshot["translations"][FRENCH]["questions"][QUESTION_KEY]["text"] == QUESTION_TEXT
    assert list(version.snapshot["translations"]) == ["zh-hans", FRENCH]
