"""The check, version 3 (issue 25, parts 1-3), through its real surfaces: the rest of the
NHS "see a GP" list, the signs in pregnancy (asked only of a person who is pregnant) with
the midwife's action, sudden back and tummy pain or feeling faint on the emergency screen,
publishing, the emergency page, and results stored against version 2."""

import importlib
import json
import re
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.urls import reverse
from sync_helpers import post_results, register, result_item
from test_check_v2 import SEED, person_without_warning_signs, walk

from quiz import content, services
from quiz.models import Choice, ContentVersion, Result, SiteSettings
from quiz.scoring import score

ROOT = Path(django_settings.BASE_DIR)
VERSION_TWO = json.loads((ROOT / "tests" / "data" / "content_v2.json").read_text(encoding="utf-8"))
QUESTIONS = {question["key"]: question for question in SEED["questions"]}
PREGNANCY_SIGNS = ["tightening", "bleeding", "fever", "peeing", "side_pain"]


def choice_of(snapshot: dict, question_key: str, choice_key: str) -> dict:
    question = next(q for q in snapshot["questions"] if q["key"] == question_key)
    return next(c for c in question["choices"] if c["key"] == choice_key)


def choice_of_question(snapshot: dict, question_key: str) -> list[dict]:
    return next(q for q in snapshot["questions"] if q["key"] == question_key)["choices"]


def asked(womb: str) -> list[str]:
    screens, _answers = walk(SEED, person_without_warning_signs(womb))
    return [question["key"] for question in screens]


# -- who is asked what ----------------------------------------------------------------------


def test_a_pregnant_person_is_asked_the_signs_in_pregnancy_instead_of_the_period_question():
    assert "w_pregnancy" in asked("pregnant")
    assert "w_gynae" not in asked("pregnant")


@pytest.mark.parametrize("womb", ["yes", "no"])
def test_a_person_who_is_not_pregnant_is_never_asked_the_signs_in_pregnancy(womb):
    assert "w_pregnancy" not in asked(womb)


def test_the_see_a_gp_list_is_asked_of_everyone_at_see_a_doctor_soon():
    everyone = set(asked("yes")) & set(asked("no")) & set(asked("pregnant"))

    assert "w_soon" in everyone
    for key in ("severe_or_worse", "stops_activities", "struggling", "not_improving"):
        assert choice_of(SEED, "w_soon", key)["urgency"] == "soon"


def test_sudden_back_and_tummy_pain_or_feeling_faint_stops_the_check_at_the_emergency_screen():
    choice = choice_of(SEED, "w_emergency", "sudden_tummy_faint")

    assert (choice["urgency"], choice["stops_quiz"]) == ("emergency", True)
    outcome = score(SEED, {"h_age": "age_65_plus", "f_womb": "no", "w_emergency": ["sudden_tummy_faint"]})
    assert outcome["urgency"] == "emergency"


# -- the actions a sign names ---------------------------------------------------------------


@pytest.mark.parametrize("sign", PREGNANCY_SIGNS)
def test_every_sign_in_pregnancy_is_urgent_and_names_the_midwife_action(sign):
    choice = choice_of(SEED, "w_pregnancy", sign)

    assert (choice["urgency"], choice["action"]) == ("urgent", "pregnancy")
    answers = {"h_age": "under_45", "f_womb": "pregnant", "w_emergency": ["none"], "w_urgent": ["none"]}
    outcome = score(SEED, {**answers, "w_soon": ["none"], "w_pregnancy": [sign]})
    assert outcome["urgency"] == "urgent"


def test_not_sure_of_a_sign_in_pregnancy_also_names_the_midwife():
    assert choice_of(SEED, "w_pregnancy", "not_sure")["action"] == "pregnancy"


def test_the_pregnancy_action_names_the_midwife_or_maternity_unit_in_both_languages():
    english = SEED["settings"]["actions"]["pregnancy"]
    chinese = SEED["translations"]["zh-hans"]["settings"]["actions"]["pregnancy"]

    assert "midwife" in english and "maternity unit" in english
    assert "助产士" in chinese and "产科" in chinese


def test_struggling_to_cope_gets_advice_on_support_in_both_languages_not_only_a_tier():
    english = SEED["settings"]["actions"]["coping"]
    chinese = SEED["translations"]["zh-hans"]["settings"]["actions"]["coping"]

    assert choice_of(SEED, "w_soon", "struggling")["action"] == "coping"
    assert "GP" in english and "CBT" in english and "NICE NG59" in english
    assert "全科医生" in chinese and "认知行为疗法" in chinese


def test_the_admin_edits_the_pregnancy_and_coping_actions_beside_their_chinese(admin_client, published):
    page = admin_client.get(reverse("admin:quiz_sitesettings_change", args=[SiteSettings.load().pk])).content.decode()

    for field in ("action_pregnancy_en", "action_pregnancy_zh_hans", "action_coping_en", "action_coping_zh_hans"):
        assert f'name="{field}"' in page
    assert SEED["translations"]["zh-hans"]["settings"]["actions"]["pregnancy"] in page


def test_the_pregnancy_and_coping_actions_are_site_settings_published_in_both_languages(client, published):
    site = SiteSettings.load()
    site.action_pregnancy = "Ring the maternity unit at St Mary's now."
    site.action_pregnancy_zh_hans = "现在就打电话给圣玛丽医院的产科单位。"
    site.save()

    services.content_publish()

    english = client.get("/api/content/", HTTP_ACCEPT_LANGUAGE="en").json()["settings"]["actions"]
    chinese = client.get("/api/content/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["settings"]["actions"]
    assert english["pregnancy"] == "Ring the maternity unit at St Mary's now."
    assert chinese["pregnancy"] == "现在就打电话给圣玛丽医院的产科单位。"
    assert chinese["coping"] == SEED["translations"]["zh-hans"]["settings"]["actions"]["coping"]


# -- publishing ------------------------------------------------------------------------------


def problems_after(edit) -> list[str]:
    body = json.loads(json.dumps(SEED))
    edit(body)
    return content.validate_snapshot(body)


def test_publishing_refuses_a_sign_naming_an_action_with_no_text():
    def edit(body):
        body["settings"]["actions"]["pregnancy"] = " "

    problems = problems_after(edit)

    assert "Choice “w_pregnancy.bleeding” names the action “pregnancy”, which has no text." in problems


def test_publishing_refuses_an_action_on_an_answer_that_is_not_a_warning_sign():
    def edit(body):
        choice_of(body, "h_pattern", "mornings")["action"] = "coping"

    assert "Choice “h_pattern.mornings” has an action of its own but is not a warning sign." in problems_after(edit)


def test_an_action_chosen_in_the_admin_is_published_on_its_choice(admin_client, published):
    choice = Choice.objects.get(question__key="w_urgent", key="fever")
    form = {
        "question": choice.question_id,
        "key": choice.key,
        "text_en": choice.text_en,
        "text_zh_hans": choice.text_zh_hans,
        "order": choice.order,
        "urgency": choice.urgency,
        "action": "pregnancy",
        "weights-TOTAL_FORMS": "0",
        "weights-INITIAL_FORMS": "0",
    }

    response = admin_client.post(reverse("admin:quiz_choice_change", args=[choice.pk]), form)

    assert response.status_code == 302
    assert choice_of(services.content_publish().snapshot, "w_urgent", "fever")["action"] == "pregnancy"


# -- the emergency page ----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_emergency_page_lists_the_signs_in_pregnancy_apart_with_the_midwife_action(client, published, language):
    snapshot = published.snapshot
    texts = snapshot["translations"]["zh-hans"] if language == "zh-hans" else None

    page = client.get(reverse("emergency"), HTTP_ACCEPT_LANGUAGE=language).content.decode()

    listed = re.search(r'<ul id="pregnancy-signs">(.*?)</ul>', page, re.S).group(1)
    urgent = re.search(r'<ul id="urgent-signs">(.*?)</ul>', page, re.S).group(1)
    for sign in PREGNANCY_SIGNS:
        text = (
            texts["questions"]["w_pregnancy"]["choices"][sign]
            if texts
            else choice_of(snapshot, "w_pregnancy", sign)["text"]
        )
        assert f"<li>{text}</li>" in listed
        assert f"<li>{text}</li>" not in urgent
    action = texts["settings"]["actions"]["pregnancy"] if texts else snapshot["settings"]["actions"]["pregnancy"]
    assert f'<p id="pregnancy-action">{action}</p>' in page


# -- the data migration: version 2 results keep their own questions ---------------------------


V2_FEVER = {
    "h_age": "under_45",
    "f_womb": "yes",
    "w_emergency": ["none"],
    "w_urgent": ["fever"],
    "w_soon": ["none"],
    "w_gynae": "no",
}


@pytest.fixture
def version_two_with_a_result(db, client):
    """An installation that ran the check v2: it published, one result stored, then the
    migration that ships the check v3."""
    content.load_content(VERSION_TWO)
    version_two = services.content_publish()
    _device, token = register(client)
    item = result_item(version_two.snapshot, V2_FEVER)
    assert post_results(client, token, [item]).status_code == 200
    migration = importlib.import_module("quiz.migrations.0014_content_languages")
    migration.publish_tip_conditions_unless_published(django_apps, None)
    return version_two, item


def test_the_migration_publishes_the_check_v3_as_a_new_version(version_two_with_a_result):
    version_two, _item = version_two_with_a_result
    current = ContentVersion.objects.current()

    assert (version_two.number, current.number) == (1, 2)
    assert choice_of(current.snapshot, "w_pregnancy", "bleeding")["action"] == "pregnancy"
    assert current.snapshot["settings"]["actions"]["pregnancy"] == SEED["settings"]["actions"]["pregnancy"]


def test_a_version_two_result_keeps_its_own_outcome_and_wording(version_two_with_a_result, client):
    version_two, item = version_two_with_a_result
    stored = Result.objects.get()

    assert stored.content_version == version_two
    assert stored.server_outcome == item["outcome"] == score(version_two.snapshot, V2_FEVER)
    old = client.get(f"/api/content/{version_two.number}/").json()
    assert "w_pregnancy" not in [q["key"] for q in old["questions"]]
    assert [c["key"] for c in choice_of_question(old, "w_soon")] == [
        c["key"] for c in choice_of_question(VERSION_TWO, "w_soon")
    ]
    assert choice_of(old, "w_emergency", "not_sure")["text"] == "Not sure about one of these"
