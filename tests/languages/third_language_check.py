"""Run by tests/test_third_language.py in a child pytest with
tests/languages/settings_third_language.py (French added to `LANGUAGES`), after that test
generated the French fields' migration with `makemigrations quiz` into a copy of BackCare's
migrations: the test database is made by `migrate` with them, as an installation's is."""

from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

import quiz.migrations
from quiz import content, services
from quiz.models import Choice, Question

SHIPPED_MIGRATIONS = {path.stem for path in Path(quiz.migrations.__file__).parent.glob("0*.py")}
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


def test_the_french_fields_come_from_the_generated_migration(db):
    loader = MigrationLoader(connection)
    (leaf,) = loader.graph.leaf_nodes("quiz")

    assert leaf[1] not in SHIPPED_MIGRATIONS
    assert leaf in loader.applied_migrations
    columns = {
        column.name for column in connection.introspection.get_table_description(connection.cursor(), "quiz_question")
    }
    assert {"text_fr", "help_text_fr"} <= columns


def test_french_verdict_wording_from_the_french_catalogue_is_refused(published_in_french):
    Question.objects.filter(key=QUESTION_KEY).update(help_text_fr="Risque faible : rien de grave.")

    with pytest.raises(content.PublishError) as refused:
        services.content_publish()

    where = f"{QUESTION_KEY}.help_text (fr)"
    assert [problem for problem in refused.value.problems if "never gives a verdict" in problem] == [
        f"“{where}” uses the wording “risque faible”: BackCare never gives a verdict.",
        f"“{where}” uses the wording “rien de grave”: BackCare never gives a verdict.",
    ]


@pytest.fixture
def published_in_french(db):
    content.load_content(content.read_seed())
    fill_warning_signs_in_french()
    return services.content_publish()
