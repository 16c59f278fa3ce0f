"""The check, version 2 (issue 11), through its real surfaces: the shipped content walked as
a person would take it, the causes and tips it gives, publishing, the emergency page, and
results stored against version 1."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from sync_helpers import post_results, register, result_item

from quiz import content, services
from quiz.models import Choice, ContentVersion, Question, Result, SiteSettings
from quiz.scoring import score, visible_questions

ROOT = Path(django_settings.BASE_DIR)
SEED = content.read_seed()
VERSION_ONE = json.loads((ROOT / "tests" / "data" / "content_v1.json").read_text(encoding="utf-8"))

# What the start screen promises, and what the walk below measures.
MAX_SCREENS = 12
MAX_WORDS = 450
READING_WORDS_PER_MINUTE = 238  # average adult silent reading of non-fiction (Brysbaert, 2019)
SECONDS_PER_SCREEN = 5  # tick, press Next
PROMISED_MINUTES = 3

QUESTIONS = {question["key"]: question for question in SEED["questions"]}
CORE_SELF_CARE = ("keep moving", "pharmacist", "heat")


def words(text: str) -> int:
    return len(re.findall(r"\S+", text or ""))


def screen_words(question: dict) -> int:
    return words(question["text"]) + words(question["help_text"]) + sum(words(c["text"]) for c in question["choices"])


def calm_answer(question: dict):
    """No warning sign: "None of these" on a grouped screen, "No" on a single one."""
    if question["kind"] == "scale":
        return question["scale_min"]
    calm = [c for c in question["choices"] if not c["urgency"] and not c["unsure"]]
    none = [c["key"] for c in calm if c["exclusive"]]
    if question["kind"] == "multiple":
        return none[:1] or [calm[0]["key"]]
    return calm[0]["key"]


def walk(snapshot: dict, choose) -> tuple[list[dict], dict]:
    """Take the check as the phone runs it: every shown question in order, until the end
    or an answer that stops the check. `choose(question)` gives each answer."""
    answers: dict = {}
    screens: list[dict] = []
    for question in snapshot["questions"]:
        if question not in visible_questions(snapshot, answers):
            continue
        screens.append(question)
        answers[question["key"]] = choose(question)
        picked = answers[question["key"]] if isinstance(answers[question["key"]], list) else [answers[question["key"]]]
        if any(c["stops_quiz"] and c["key"] in picked for c in question["choices"]):
            break
    return screens, answers


def person_without_warning_signs(womb: str):
    def choose(question):
        return womb if question["key"] == "f_womb" else calm_answer(question)

    return choose


def minutes(screens: list[dict]) -> float:
    reading = sum(screen_words(q) for q in screens) / READING_WORDS_PER_MINUTE
    return reading + len(screens) * SECONDS_PER_SCREEN / 60


# -- a short check -----------------------------------------------------------------------


@pytest.mark.parametrize("womb", ["yes", "pregnant", "no"])
def test_a_person_with_no_warning_signs_answers_at_most_12_screens_and_450_words(womb):
    screens, answers = walk(SEED, person_without_warning_signs(womb))

    assert len(screens) <= MAX_SCREENS
    assert sum(screen_words(q) for q in screens) <= MAX_WORDS
    assert minutes(screens) <= PROMISED_MINUTES
    assert score(SEED, answers)["urgency"] == "self_care"


def test_every_warning_sign_is_asked_explicitly_on_the_short_path():
    """Every sign is its own choice on a screen everyone sees, or on a follow-up that
    the sign's own screen opens (sciatica's weeks, the age the pain began, womb questions)."""
    screens, _answers = walk(SEED, person_without_warning_signs("yes"))
    shown = {q["key"] for q in screens}
    for question in SEED["questions"]:
        if question["section"] != "warning":
            continue
        condition = question["show_if"]
        assert question["key"] in shown or condition["question"] in shown, question["key"]


EMERGENCY_SIGNS = [(q["key"], c["key"]) for q in SEED["questions"] for c in q["choices"] if c["urgency"] == "emergency"]


@pytest.mark.parametrize(("question_key", "choice_key"), EMERGENCY_SIGNS)
def test_a_person_with_an_emergency_sign_reaches_the_emergency_screen_within_the_limits(question_key, choice_key):
    def choose(question):
        if question["key"] == question_key:
            return [choice_key] if question["kind"] == "multiple" else choice_key
        return person_without_warning_signs("yes")(question)

    screens, answers = walk(SEED, choose)

    assert screens[-1]["key"] == question_key
    assert len(screens) <= MAX_SCREENS
    assert sum(screen_words(q) for q in screens) <= MAX_WORDS
    assert score(SEED, answers)["urgency"] == "emergency"


def test_the_start_screen_promises_what_the_walk_measures(client, published):
    page = client.get(reverse("check")).content.decode()

    promise = re.search(r'<p id="check-promise">([^<]*)</p>', page).group(1)
    assert "under three minutes" in promise and PROMISED_MINUTES == 3
    assert f"at most {MAX_SCREENS} short screens" in promise


def test_it_asks_age_once_and_the_pain_score_once():
    texts = " ".join(q["text"].lower() for q in SEED["questions"])

    assert len([q for q in SEED["questions"] if q["kind"] == "scale"]) == 1
    assert texts.count("how old") == 2  # today's age band, and the age the pain began (a sign)
    assert [q["key"] for q in SEED["questions"] if "how old are you" in q["text"].lower()] == ["h_age"]


# -- causes and tips -----------------------------------------------------------------------


def calm_with(**extra) -> dict:
    _screens, answers = walk(SEED, person_without_warning_signs("no"))
    answers = {key: value for key, value in answers.items() if QUESTIONS[key]["section"] != "habits"}
    return {**answers, **extra}


@pytest.mark.parametrize("pattern", ["after_exercise", "after_walking"])
def test_ache_after_exercise_or_walking_leads_to_muscle_strain_and_its_tips(pattern):
    outcome = score(SEED, calm_with(h_pattern=[pattern]))

    assert [cause["key"] for cause in outcome["causes"]] == ["muscle_strain"]
    assert outcome["tips"][:2] == ["build_up_gradually", "warm_up_first"]


def test_walking_leg_ache_that_eases_on_sitting_leads_to_its_cause_and_tip_first():
    outcome = score(SEED, calm_with(w_soon=["walking_ache"], h_pattern=["after_walking"]))

    assert outcome["urgency"] == "soon"
    assert {"degeneration", "muscle_strain"} == {cause["key"] for cause in outcome["causes"]}
    assert "walking_leg_ache" in outcome["tips"][:5]


@pytest.mark.parametrize("choice", [c["key"] for c in QUESTIONS["h_pattern"]["choices"] if not c["exclusive"]])
def test_every_pattern_of_ache_leads_to_a_cause_and_tips(choice):
    outcome = score(SEED, calm_with(h_pattern=[choice]))

    assert outcome["causes"] and outcome["tips"]


@pytest.mark.parametrize("age", [c["key"] for c in QUESTIONS["h_age"]["choices"]])
def test_age_alone_gives_no_cause(age):
    outcome = score(SEED, calm_with(h_age=age))

    assert outcome["causes"] == []
    assert outcome["tips"] == []


def test_sciatica_at_any_stage_reaches_the_disc_group_and_its_tips():
    for weeks in ("no", "yes", "not_sure"):
        outcome = score(SEED, calm_with(w_soon=["sciatica"], w_sciatica_weeks=weeks))

        assert "sprain_disc" in [cause["key"] for cause in outcome["causes"]]
        assert "sciatica_care" in outcome["tips"][:5]


def test_the_self_care_action_always_carries_the_core_self_care_advice():
    action = SEED["settings"]["actions"]["self_care"].lower()

    assert all(advice in action for advice in CORE_SELF_CARE)


@pytest.mark.parametrize("pain", [7, 10])
def test_severe_pain_with_no_warning_sign_puts_pain_relief_and_see_a_gp_or_pharmacist_first(pain):
    outcome = score(SEED, calm_with(h_pain_now=pain, h_pattern=["after_walking"]))

    assert outcome["urgency"] == "self_care"
    assert outcome["tips"][0] == "severe_pain_relief"
    tip = next(t for t in SEED["tips"] if t["key"] == "severe_pain_relief")
    assert "pharmacist" in tip["body"] and "not easing" in tip["body"]


def test_moderate_pain_or_a_warning_sign_gives_no_severe_pain_advice():
    assert "severe_pain_relief" not in score(SEED, calm_with(h_pain_now=6))["tips"]
    assert "severe_pain_relief" not in score(SEED, calm_with(h_pain_now=9, w_urgent=["fever"]))["tips"]


def test_the_tips_of_the_sign_that_set_the_urgency_come_first():
    # Kidney stones before: the history tip fits this person too (tips have conditions now).
    outcome = score(
        SEED,
        calm_with(w_urgent=["urine"], h_pattern=["after_sitting_standing", "after_lifting"], h_history=["kidney"]),
    )

    assert outcome["urgency"] == "urgent"
    assert outcome["tips"][:2] == ["urinary_signs", "urinary_history"]


# -- every sign: a hand-written vector and a hazard-log row -------------------------------------

SEED_SIGN_VECTORS = json.loads((ROOT / "tests" / "vectors" / "seed_signs.json").read_text(encoding="utf-8"))["cases"]
SIGN_ROW = re.compile(r"^\| (S\d+) \| (.+?) \| `(\w+)\.(\w+)` \| (\w+) \| vector “([^”]+)”", re.M)


def sign_rows() -> list[tuple[str, ...]]:
    return SIGN_ROW.findall((ROOT / "docs" / "SAFETY.md").read_text(encoding="utf-8"))


def test_every_warning_sign_of_the_product_brief_has_a_hand_written_vector():
    from test_shipped_content import PRODUCT_WARNING_SIGNS

    for sign, (question, choice, urgency) in PRODUCT_WARNING_SIGNS.items():
        expected = {"question": question, "choice": choice, "urgency": urgency}
        assert any(case["expected"]["warning_signs"] == [expected] for case in SEED_SIGN_VECTORS), sign


def test_every_not_sure_choice_has_a_hand_written_vector():
    unsure = [(q["key"], c["key"]) for q in SEED["questions"] for c in q["choices"] if c["unsure"]]

    for question, choice in unsure:
        assert any(
            [(s["question"], s["choice"]) for s in case["expected"]["warning_signs"]] == [(question, choice)]
            for case in SEED_SIGN_VECTORS
        ), f"{question}.{choice}"


def test_the_hazard_log_has_a_row_for_every_sign_naming_its_vector():
    from test_shipped_content import PRODUCT_WARNING_SIGNS

    rows = sign_rows()
    by_choice = {(question, choice): (tier, vector) for _n, _sign, question, choice, tier, vector in rows}
    vector_names = {case["name"]: case for case in SEED_SIGN_VECTORS}
    for question, choice, urgency in PRODUCT_WARNING_SIGNS.values():
        tier, vector = by_choice[(question, choice)]
        assert tier == urgency
        assert vector in vector_names
        assert vector_names[vector]["expected"]["urgency"] == urgency


# -- publishing ----------------------------------------------------------------------------


def problems_after(edit) -> list[str]:
    body = json.loads(json.dumps(SEED))
    edit(body)
    return content.validate_snapshot(body)


def question_in(body: dict, key: str) -> dict:
    return next(q for q in body["questions"] if q["key"] == key)


def test_the_shipped_content_publishes_without_problems():
    assert content.validate_snapshot(SEED) == []


def test_a_version_one_file_without_the_new_flags_still_checks_cleanly():
    assert content.validate_snapshot(VERSION_ONE) == []


def test_publishing_refuses_a_fact_that_points_to_a_cause():
    def edit(body):
        question_in(body, "h_age")["choices"][2]["weights"] = {"degeneration": 4}

    assert "Fact question “h_age” gives weight to a cause group." in problems_after(edit)


def test_publishing_refuses_a_show_if_that_names_a_later_question():
    def edit(body):
        question_in(body, "f_womb")["show_if"] = {"question": "w_gynae", "choices": ["yes"]}

    assert "“Show only if” of “f_womb” must name an earlier choice question." in problems_after(edit)


@pytest.mark.parametrize("show_if", [{"question": ["f_womb"], "choices": ["yes"]}, {"question": "f_womb"}, ["f_womb"]])
def test_publishing_refuses_a_show_if_of_the_wrong_shape(show_if):
    def edit(body):
        question_in(body, "w_gynae")["show_if"] = show_if

    assert any("“Show only if” of “w_gynae” must look like" in p for p in problems_after(edit))


def test_publishing_refuses_a_show_if_naming_an_unknown_choice():
    def edit(body):
        question_in(body, "w_gynae")["show_if"] = {"question": "f_womb", "choices": ["maybe"]}

    assert "“Show only if” of “w_gynae” names a choice its question does not have." in problems_after(edit)


def test_publishing_refuses_a_not_sure_choice_with_its_own_urgency():
    def edit(body):
        choice = next(c for c in question_in(body, "w_urgent")["choices"] if c["key"] == "not_sure")
        choice["urgency"] = "soon"

    assert any("“Not sure” choice “w_urgent.not_sure” gets its urgency" in p for p in problems_after(edit))


def test_publishing_refuses_a_none_of_these_that_raises_urgency():
    def edit(body):
        choice = next(c for c in question_in(body, "w_soon")["choices"] if c["key"] == "none")
        choice["urgency"] = "soon"

    assert "“None of these” choice “w_soon.none” cannot raise urgency." in problems_after(edit)


def test_it_publishes_show_if_and_choice_flags_edited_in_the_models(published):
    Question.objects.filter(key="w_gynae").update(show_if=None)
    Choice.objects.filter(question__key="w_soon", key="none").update(exclusive=False)

    version = services.content_publish()

    questions = {q["key"]: q for q in version.snapshot["questions"]}
    assert questions["w_gynae"]["show_if"] is None
    assert {c["key"]: c["exclusive"] for c in questions["w_soon"]["choices"]}["none"] is False
    assert {c["key"]: c["unsure"] for c in questions["w_soon"]["choices"]}["not_sure"] is True


# -- the emergency page comes from published content -----------------------------------------


def test_the_emergency_page_lists_every_emergency_and_urgent_sign_of_the_published_version(client, published):
    page = client.get(reverse("emergency")).content.decode()

    emergency = re.search(r'<ul id="emergency-signs">(.*?)</ul>', page, re.S).group(1)
    urgent = re.search(r'<ul id="urgent-signs">(.*?)</ul>', page, re.S).group(1)
    # The signs in pregnancy are urgent too, listed apart with the midwife's action (check v3).
    pregnancy = re.search(r'<ul id="pregnancy-signs">(.*?)</ul>', page, re.S).group(1)
    for question in published.snapshot["questions"]:
        for choice in question["choices"]:
            listed = f"<li>{choice['text']}</li>".replace("'", "&#x27;")
            if choice["urgency"] == "emergency":
                assert listed in emergency
            elif choice["urgency"] == "urgent":
                assert listed in (pregnancy if choice.get("action") == "pregnancy" else urgent)
            else:
                assert listed not in emergency + urgent + pregnancy
    assert "Not sure" not in emergency + urgent + pregnancy


def test_an_edited_warning_sign_reaches_the_emergency_page_when_published(client, published):
    Choice.objects.filter(question__key="w_emergency", key="chest_pain").update(text="Chest pain or tightness")

    assert "Chest pain or tightness" not in client.get(reverse("emergency")).content.decode()
    services.content_publish()
    page = client.get(reverse("emergency")).content.decode()

    assert "<li>Chest pain or tightness</li>" in page
    assert "<li>Chest pain as well as back pain</li>" not in page


def test_a_new_published_version_makes_a_new_service_worker_that_precaches_the_emergency_page(client, published):
    before = client.get("/serviceworker.js").content.decode()
    Choice.objects.filter(question__key="w_emergency", key="chest_pain").update(text="Chest pain or tightness")
    services.content_publish()
    after = client.get("/serviceworker.js").content.decode()

    assert "/emergency/" in after
    assert re.search(r'CACHE_VERSION = "([^"]+)"', before).group(1) != re.search(
        r'CACHE_VERSION = "([^"]+)"', after
    ).group(1)


# -- results stored against version 1 ---------------------------------------------------------

V1_FEVER = {
    "w_saddle": "no",
    "w_bladder_bowel": "no",
    "w_legs": "no",
    "w_injury": "no",
    "w_fever": "yes",
    "w_urine": "no",
    "w_weight_loss": "no",
    "w_cancer": "no",
    "w_lump": "no",
    "w_night_pain": "no",
    "w_inflammatory": "no",
    "w_gynae": "not_relevant",
    "w_duration": "few_days",
    "h_sitting": "over_2_hours",
    "h_age": "age_65_plus",
    "h_pain_now": 4,
}


@pytest.fixture
def version_one_with_a_result(db, client):
    """An installation that ran the first check: version 1 published, one result stored,
    then upgraded to the shipped content as the data migration does."""
    content.load_content(VERSION_ONE)
    version_one = services.content_publish()
    SiteSettings.objects.update(emergency_number="112", emergency_label="Call 112")
    _device, token = register(client)
    item = result_item(version_one.snapshot, V1_FEVER)
    assert post_results(client, token, [item]).status_code == 200
    version_two = services.content_upgrade_to_seed()
    return version_one, version_two, item


def test_the_upgrade_publishes_the_shipped_content_as_a_new_version(version_one_with_a_result):
    version_one, version_two, _item = version_one_with_a_result

    assert (version_one.number, version_two.number) == (1, 2)
    assert ContentVersion.objects.current() == version_two
    body = {key: value for key, value in version_two.snapshot.items() if key not in ("version", "hash")}
    seed_without_numbers = {**SEED, "settings": {**SEED["settings"], "emergency_number": "112"}}
    seed_without_numbers["settings"]["emergency_label"] = "Call 112"
    assert body == seed_without_numbers


def test_the_upgrade_keeps_the_sites_phone_numbers(version_one_with_a_result):
    _one, version_two, _item = version_one_with_a_result

    assert version_two.snapshot["settings"]["emergency_number"] == "112"
    assert SiteSettings.load().emergency_label == "Call 112"


def test_a_version_one_result_keeps_its_own_outcome_and_re_scores_the_same(version_one_with_a_result):
    version_one, _two, item = version_one_with_a_result
    stored = Result.objects.get()

    assert stored.content_version == version_one
    assert stored.server_outcome == item["outcome"]
    assert score(version_one.snapshot, V1_FEVER) == item["outcome"]
    assert stored.urgency == "urgent"


def test_the_admin_shows_a_version_one_result_with_its_own_questions(version_one_with_a_result, admin_client):
    stored = Result.objects.get()

    page = admin_client.get(reverse("admin:quiz_result_change", args=[stored.pk])).content.decode()

    fever = next(q for q in VERSION_ONE["questions"] if q["key"] == "w_fever")
    assert fever["text"].replace("'", "&#x27;") in page
    assert "Do any of these apply to you?" not in page


def test_the_phone_can_still_read_version_one_to_show_its_results(version_one_with_a_result, client):
    response = client.get("/api/content/1/")

    assert response.status_code == 200
    assert [q["key"] for q in response.json()["questions"]] == [q["key"] for q in VERSION_ONE["questions"]]
    assert response.json()["version"] == 1


def test_a_phone_still_on_version_one_can_sync_a_check_after_the_upgrade(version_one_with_a_result, client):
    version_one, _two, _item = version_one_with_a_result
    _device, token = register(client)
    item = result_item(version_one.snapshot, {**V1_FEVER, "w_fever": "no"})

    receipt = post_results(client, token, [item]).json()["receipts"][0]

    assert receipt["status"] == "created"
    assert receipt["verdict_mismatch"] is False
