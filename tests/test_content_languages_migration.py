"""Migration 0014 moves the content to a field per language (django-modeltranslation)
without losing a word: content written at 0011 in English and Chinese reads the same in
both languages after it, and publishes unchanged."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from quiz import content
from quiz.models import CauseGroup, Choice, Question, SiteSettings

BEFORE = ("quiz", "0011_publish_tip_conditions")
AFTER = ("quiz", "0014_content_languages")


def migrate(target: tuple[str, str]):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.fixture
def at_0011(transactional_db):
    """The database as 0011 left it; every migration applied again afterwards."""
    old_apps = migrate(BEFORE)
    yield old_apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def write_content_at_0011(old_apps) -> None:
    site = old_apps.get_model("quiz", "SiteSettings")
    site.objects.create(pk=1, disclaimer="Not a diagnosis.", disclaimer_zh_hans="这不是诊断。")
    group = old_apps.get_model("quiz", "CauseGroup").objects.create(
        key="posture_load", name="Posture and load", name_zh_hans="姿势与负荷", explanation="Long sitting."
    )
    question = old_apps.get_model("quiz", "Question").objects.create(
        key="h_sitting",
        text="How long do you sit?",
        text_zh_hans="你一次坐多久？",
        kind="single",
        section="habits",
    )
    old_apps.get_model("quiz", "Choice").objects.create(
        question=question, key="long", text="Hours", text_zh_hans="几个小时", order=1
    )
    assert group.pk


def test_english_and_chinese_texts_read_the_same_after_the_migration(at_0011):
    write_content_at_0011(at_0011)

    migrate(AFTER)

    question = Question.objects.get(key="h_sitting")
    choice = Choice.objects.get(question=question, key="long")
    group = CauseGroup.objects.get(key="posture_load")
    site = SiteSettings.objects.get(pk=1)
    assert (question.text_en, question.text_zh_hans) == ("How long do you sit?", "你一次坐多久？")
    assert (choice.text_en, choice.text_zh_hans) == ("Hours", "几个小时")
    assert (group.name_en, group.name_zh_hans, group.explanation_en) == (
        "Posture and load",
        "姿势与负荷",
        "Long sitting.",
    )
    assert (site.disclaimer_en, site.disclaimer_zh_hans) == ("Not a diagnosis.", "这不是诊断。")
    # Publishing reads them as before: the English in place, the Chinese under translations.
    body = content.build_snapshot()
    assert body["questions"][0]["text"] == "How long do you sit?"
    assert body["questions"][0]["choices"][0]["text"] == "Hours"
    chinese = body["translations"]["zh-hans"]
    assert chinese["questions"]["h_sitting"] == {
        "text": "你一次坐多久？",
        "help_text": "",
        "choices": {"long": "几个小时"},
    }
    assert chinese["settings"]["disclaimer"] == "这不是诊断。"


def test_the_migration_reverses_with_every_english_text_back_in_place(at_0011):
    write_content_at_0011(at_0011)
    migrate(AFTER)
    Question.objects.filter(key="h_sitting").update(text_en="How long do you sit in one go?")

    old_apps = migrate(BEFORE)

    question = old_apps.get_model("quiz", "Question").objects.get(key="h_sitting")
    assert (question.text, question.text_zh_hans) == ("How long do you sit in one go?", "你一次坐多久？")
