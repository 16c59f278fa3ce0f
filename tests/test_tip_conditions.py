"""Tips only where they fit, and each cause represented (issue 25, part 4).

A tip about one symptom or history carries a `show_if` (the shape of a question's) and is
shown only to the people whose answers meet it; with two or more contributing causes the
first five tips hold one tip of each of the two strongest. Checked on the shipped content
over many answer sets, through publishing (admin and import_content) and the admin form.
"""

import copy
import itertools
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from quiz import content
from quiz.models import ContentVersion, Tip
from quiz.scoring import score, visible_questions

ROOT = Path(__file__).resolve().parent.parent
SEED = content.read_seed()
TIPS = {tip["key"]: tip for tip in SEED["tips"]}
LEADING = 5
CALM = {"h_age": "under_45", "f_womb": "no", "w_emergency": ["none"], "w_urgent": ["none"], "w_soon": ["none"]}
# What a person reports of the warning questions, with the follow-up each one asks.
REPORTS = [
    {},
    {"w_soon": ["sciatica"], "w_sciatica_weeks": "no"},
    {"w_soon": ["walking_ache"]},
    {"w_soon": ["stiff_mornings"], "w_pain_began": "under_45"},
    {"w_soon": ["swollen_joints"]},
    {"w_urgent": ["bone_risk"]},
    {"w_urgent": ["urine"]},
    {"f_womb": "yes", "w_gynae": "yes"},
]


def habit_answers() -> list[dict]:
    patterns = [c["key"] for c in question("h_pattern")["choices"] if c["key"] != "none_of_these"]
    pattern_sets = [[key] for key in patterns] + [list(pair) for pair in itertools.combinations(patterns, 2)]
    sittings = [c["key"] for c in question("h_sitting")["choices"]]
    histories = [["none"], ["sprain"], ["kidney"], ["sprain", "kidney"]]
    return [
        {"h_pattern": pattern, "h_sitting": sitting, "h_history": history}
        for pattern in pattern_sets
        for sitting in sittings
        for history in histories
    ]


def question(key: str) -> dict:
    return next(q for q in SEED["questions"] if q["key"] == key)


def answer_sets() -> list[dict]:
    """Every report with every habit answer, and the random valid sets of the vectors."""
    generated = json.loads((ROOT / "tests" / "vectors" / "generated.json").read_text(encoding="utf-8"))
    built = [{**CALM, **report, **habits} for report in REPORTS for habits in habit_answers()]
    return built + [case["answers"] for case in generated["cases"]]


ANSWER_SETS = answer_sets()


def condition_met(condition: dict, answers: dict) -> bool:
    shown = {q["key"] for q in visible_questions(SEED, answers)}
    answer = answers.get(condition["question"]) if condition["question"] in shown else None
    picked = answer if isinstance(answer, list) else [answer]
    return any(key in condition["choices"] for key in picked)


# -- symptom tips reach only the people who reported the symptom -------------------------


def test_every_tip_about_one_symptom_or_history_in_the_shipped_content_has_its_condition():
    conditions = {key: tip["show_if"] for key, tip in TIPS.items() if tip["show_if"]}

    assert conditions["sciatica_care"] == {"question": "w_soon", "choices": ["sciatica"]}
    assert conditions["walking_leg_ache"] == {"question": "w_soon", "choices": ["walking_ache"]}
    assert conditions["ease_back_after_sprain"] == {"question": "h_history", "choices": ["sprain"]}
    assert conditions["urinary_history"] == {"question": "h_history", "choices": ["kidney"]}
    assert set(conditions["urinary_signs"]["choices"]) >= {"urine", "loin_groin"}
    assert conditions["gynae_check"] == {"question": "w_gynae", "choices": ["yes"]}
    assert conditions["morning_stiffness_check"] == {"question": "w_soon", "choices": ["stiff_mornings"]}
    assert conditions["move_for_morning_stiffness"] == {"question": "h_pattern", "choices": ["mornings"]}
    assert conditions["cover_lower_back"] == {"question": "h_pattern", "choices": ["cold_damp"]}


@pytest.mark.parametrize("tip_key", sorted(key for key, tip in TIPS.items() if tip["show_if"]))
def test_no_symptom_tip_is_among_the_first_five_for_a_person_who_did_not_report_it(tip_key):
    condition = TIPS[tip_key]["show_if"]
    unmet = [answers for answers in ANSWER_SETS if not condition_met(condition, answers)]
    met = [answers for answers in ANSWER_SETS if condition_met(condition, answers)]

    shown_anyway = [answers for answers in unmet if tip_key in score(SEED, answers)["tips"][:LEADING]]

    assert len(unmet) > 100 and met
    assert shown_anyway == []
    # Nor further down the page: the tip is for the people who said so.
    assert not any(tip_key in score(SEED, answers)["tips"] for answers in unmet)


def test_a_twisted_back_reads_the_sprain_tip_and_no_leg_tips():
    tips = score(SEED, {**CALM, "h_history": ["sprain"], "h_pattern": ["after_exercise"]})["tips"]

    assert "ease_back_after_sprain" in tips[:LEADING]
    assert "sciatica_care" not in tips and "walking_leg_ache" not in tips


def test_osteoporosis_after_a_fall_shows_no_leg_ache_tip():
    tips = score(SEED, {**CALM, "w_urgent": ["bone_risk"]})["tips"]

    assert "walking_leg_ache" not in tips
    assert tips[0] == "stay_active_with_age"


# -- each of the two strongest causes leads with a tip --------------------------------------


def test_a_desk_worker_who_also_lifts_heavy_sacks_reads_a_lifting_tip_among_the_first_five():
    outcome = score(
        SEED, {**CALM, "h_pattern": ["after_sitting_standing", "after_lifting"], "h_sitting": "over_2_hours"}
    )

    assert [cause["key"] for cause in outcome["causes"]][:2] == ["posture_load", "heavy_carrying"]
    leading = outcome["tips"][:LEADING]
    # A lifting tip of its own: "Build strength" is linked to both, and is not one.
    assert any(TIPS[key]["cause_groups"] == ["heavy_carrying"] for key in leading)
    assert any("posture_load" in TIPS[key]["cause_groups"] for key in leading)


def test_with_two_or_more_causes_the_first_five_tips_hold_one_of_each_of_the_top_two():
    checked = 0
    uncovered = []
    for answers in ANSWER_SETS:
        outcome = score(SEED, answers)
        if len(outcome["causes"]) < 2:
            continue
        checked += 1
        leading = outcome["tips"][:LEADING]
        for cause in outcome["causes"][:2]:
            if not any(cause["key"] in TIPS[key]["cause_groups"] for key in leading):
                uncovered.append((answers, cause["key"], leading))

    assert checked > 500
    assert uncovered == []


def test_a_version_of_an_older_schema_keeps_the_tip_order_it_was_scored_with():
    old = copy.deepcopy(SEED)
    old["schema"] = 2
    answers = {**CALM, "h_history": ["sprain"], "h_pattern": ["after_sitting_standing"], "h_sitting": "over_2_hours"}

    tips = score(old, answers)["tips"]

    # Schema 2 knows no tip conditions and no cause cover: every linked tip, by weight.
    assert "sciatica_care" in tips and "walking_leg_ache" in tips
    assert not any("sprain_disc" in TIPS[key]["cause_groups"] for key in tips[:LEADING])


# -- the cause named for what the person said ------------------------------------------------


def test_in_the_morning_leads_to_a_cause_that_names_the_morning():
    outcome = score(SEED, {**CALM, "h_pattern": ["mornings"]})
    group = next(g for g in SEED["cause_groups"] if g["key"] == outcome["causes"][0]["key"])
    chinese = SEED["translations"]["zh-hans"]["cause_groups"][group["key"]]

    assert "morning" in group["name"].lower() and "cold" in group["name"].lower()
    assert "早晨" in chinese["name"] and "寒冷" in chinese["name"]


# -- publishing refuses a bad condition, whichever way it comes in ---------------------------

BAD_CONDITIONS = {
    "a question that does not exist": (
        {"question": "w_legs", "choices": ["yes"]},
        "“Show only if” of “sciatica_care” must name an earlier choice question.",
    ),
    "a scale question": (
        {"question": "h_pain_now", "choices": ["7"]},
        "“Show only if” of “sciatica_care” must name an earlier choice question.",
    ),
    "a choice its question does not have": (
        {"question": "w_soon", "choices": ["leg_pain"]},
        "“Show only if” of “sciatica_care” names a choice its question does not have.",
    ),
    "the wrong shape": (
        {"question": "w_soon"},
        '“Show only if” of “sciatica_care” must look like {"question": "…", "choices": ["…"]}.',
    ),
}


@pytest.mark.parametrize("name", list(BAD_CONDITIONS))
def test_import_content_refuses_a_tip_condition_that_names_no_earlier_question_or_choice(published, tmp_path, name):
    condition, expected = BAD_CONDITIONS[name]
    body = content.read_seed()
    next(tip for tip in body["tips"] if tip["key"] == "sciatica_care")["show_if"] = condition
    path = tmp_path / "content.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        call_command("import_content", str(path), "--force")

    assert expected in str(refused.value)
    assert ContentVersion.objects.count() == 1
    assert Tip.objects.get(key="sciatica_care").show_if == TIPS["sciatica_care"]["show_if"]


@pytest.fixture
def editor_client(client, published, editor):
    client.force_login(editor)
    return client


def tip_form_data(tip: Tip, show_if: dict | None) -> dict:
    """The tip's change form as a browser posts it: the condition as its two dropdowns."""
    question = show_if["question"] if show_if else ""
    return {
        "title_en": tip.title,
        "body_en": tip.body,
        "category": tip.category_id,
        "cause_groups": [group.pk for group in tip.cause_groups.all()],
        "order": tip.order,
        "is_active": "on",
        "show_if_0": question,
        "show_if_1": [f"{question}.{choice}" for choice in show_if["choices"]] if show_if else [],
        "source_paragraph": tip.source_paragraph or "",
        "source_note": tip.source_note,
    }


def test_an_editor_sets_a_tip_condition_in_the_admin_and_it_is_published(editor_client):
    tip = Tip.objects.get(key="not_improving")
    url = reverse("admin:quiz_tip_change", args=[tip.pk])
    page = editor_client.get(url).content.decode()
    assert '<select name="show_if_0"' in page

    condition = {"question": "w_soon", "choices": ["not_improving"]}
    response = editor_client.post(url, tip_form_data(tip, condition))
    assert response.status_code == 302
    editor_client.post(reverse("admin:quiz_contentversion_publish"), follow=True)

    assert Tip.objects.get(pk=tip.pk).show_if == condition
    published_tip = next(t for t in ContentVersion.objects.current().snapshot["tips"] if t["key"] == tip.key)
    assert published_tip["show_if"] == condition


def test_the_admin_form_refuses_a_tip_condition_naming_a_question_that_does_not_exist(editor_client):
    tip = Tip.objects.get(key="not_improving")
    url = reverse("admin:quiz_tip_change", args=[tip.pk])

    response = editor_client.post(url, tip_form_data(tip, {"question": "w_gone", "choices": ["yes"]}))

    assert response.status_code == 200
    assert "“w_gone” cannot be chosen here" in response.content.decode()
    assert Tip.objects.get(pk=tip.pk).show_if is None


def test_admin_publish_refuses_a_tip_condition_naming_a_question_that_does_not_exist(editor_client):
    # Stored some other way than the admin's form (an import, an older admin).
    Tip.objects.filter(key="not_improving").update(show_if={"question": "w_gone", "choices": ["yes"]})

    response = editor_client.post(reverse("admin:quiz_contentversion_publish"), follow=True)

    messages = [str(message) for message in response.context["messages"]]
    assert "“Show only if” of “not_improving” must name an earlier choice question." in messages
    assert ContentVersion.objects.count() == 1
