"""The content BackCare ships: every cause group, tip category and warning sign, with provenance."""

import pytest

from quiz.content import read_seed, validate_snapshot
from quiz.models import ContentVersion

# Every warning sign of the product brief ("Safety rules", docs/SAFETY.md), as the shipped question
# and choice that asks about it, and the urgency tier the product brief gives it.
PRODUCT_WARNING_SIGNS = {
    "saddle numbness": ("w_emergency", "saddle", "emergency"),
    "new trouble passing urine, loss of bladder or bowel control": ("w_emergency", "bladder_bowel", "emergency"),
    "pain, tingling, weakness or numbness in both legs, worsening leg weakness": (
        "w_emergency",
        "both_legs",
        "emergency",
    ),
    "a new change in sexual function": ("w_emergency", "sexual_function", "emergency"),
    "chest pain with the back pain": ("w_emergency", "chest_pain", "emergency"),
    "pain after a serious accident": ("w_emergency", "serious_accident", "emergency"),
    "kidney-infection signs with confusion or drowsiness": ("w_emergency", "fever_confused", "emergency"),
    "fever or shivering": ("w_urgent", "fever", "urgent"),
    "weight loss without trying": ("w_urgent", "weight_loss", "urgent"),
    "past cancer": ("w_urgent", "cancer", "urgent"),
    "a lump or change in back shape": ("w_urgent", "lump", "urgent"),
    "pain worse at night or not eased by rest": ("w_urgent", "night_pain", "urgent"),
    "pain worse on coughing, sneezing or straining": ("w_urgent", "cough_strain", "urgent"),
    "pain between the shoulder blades": ("w_urgent", "shoulder_blades", "urgent"),
    "osteoporosis or steroid tablets with a minor fall or lift, or sudden severe pain": (
        "w_urgent",
        "bone_risk",
        "urgent",
    ),
    "infection risk without fever": ("w_urgent", "infection_risk", "urgent"),
    "burning, cloudy or bloody urine with pain under the ribs": ("w_urgent", "urine", "urgent"),
    "pain from the loin to the groin in waves": ("w_urgent", "loin_groin", "urgent"),
    "leg ache when walking that eases on sitting or bending forward": ("w_soon", "walking_ache", "soon"),
    "new swollen or hot joints": ("w_soon", "swollen_joints", "soon"),
    "inflammatory pattern, by the age the pain began": ("w_pain_began", "under_45", "soon"),
    "sciatica not better after a few weeks": ("w_sciatica_weeks", "yes", "soon"),
    "gynaecological symptoms with back or pelvic pain": ("w_gynae", "yes", "soon"),
    "pain not improving after a few weeks": ("w_soon", "not_improving", "soon"),
    # The check v3 (issue 25): the rest of the NHS "see a GP" list, the signs in pregnancy
    # (asked only of a person who said they are pregnant), and the aortic-aneurysm 999 sign.
    "sudden severe pain in the back and tummy, or feeling faint": ("w_emergency", "sudden_tummy_faint", "emergency"),
    "pain very severe or getting worse over time": ("w_soon", "severe_or_worse", "soon"),
    "pain that stops day-to-day activities": ("w_soon", "stops_activities", "soon"),
    "worried about the pain or struggling to cope": ("w_soon", "struggling", "soon"),
    "in pregnancy: regular tightening or cramping before 37 weeks": ("w_pregnancy", "tightening", "urgent"),
    "in pregnancy: vaginal bleeding": ("w_pregnancy", "bleeding", "urgent"),
    "in pregnancy: a high temperature": ("w_pregnancy", "fever", "urgent"),
    "in pregnancy: pain or burning when peeing": ("w_pregnancy", "peeing", "urgent"),
    "in pregnancy: pain in the side under the ribs": ("w_pregnancy", "side_pain", "urgent"),
}

CAUSE_GROUPS = {
    "posture_load",
    "heavy_carrying",
    "muscle_strain",
    "sprain_disc",
    "urinary",
    "reproductive",
    "rheumatic_cold",
    "degeneration",
    "inflammatory",
}


@pytest.fixture
def snapshot(published):
    return ContentVersion.objects.get(number=1).snapshot


def choice_of(snapshot, question_key, choice_key):
    question = next(q for q in snapshot["questions"] if q["key"] == question_key)
    return question, next(c for c in question["choices"] if c["key"] == choice_key)


def has_provenance(item) -> bool:
    return item["source_paragraph"] is not None or bool(item["source_note"].strip())


def test_it_publishes_the_shipped_content_as_version_one(snapshot):
    assert snapshot["version"] == 1
    assert validate_snapshot(snapshot) == []
    assert len(snapshot["questions"]) >= 10
    assert len(snapshot["tips"]) >= 12


@pytest.mark.parametrize("sign", sorted(PRODUCT_WARNING_SIGNS))
def test_it_asks_about_every_warning_sign_of_the_product_brief_at_its_tier(snapshot, sign):
    question_key, choice_key, urgency = PRODUCT_WARNING_SIGNS[sign]

    question, choice = choice_of(snapshot, question_key, choice_key)

    assert question["section"] == "warning"
    assert choice["urgency"] == urgency
    assert choice["stops_quiz"] == (urgency == "emergency")


def test_it_asks_every_warning_sign_question_before_any_other(snapshot):
    sections = [q["section"] for q in snapshot["questions"]]
    first_warning, first_habit = sections.index("warning"), sections.index("habits")

    # Only a few facts (age band, whether womb questions apply) come before the warning signs.
    assert set(sections[:first_warning]) == {"facts"}
    assert set(sections[first_warning:first_habit]) == {"warning"}
    assert set(sections[first_habit:]) == {"habits"}
    facts = [q for q in snapshot["questions"] if q["section"] == "facts"]
    assert all(not c["urgency"] and not c["weights"] for q in facts for c in q["choices"])


def test_it_covers_every_cause_group_of_the_document(snapshot):
    assert {group["key"] for group in snapshot["cause_groups"]} == CAUSE_GROUPS


def test_it_has_tips_in_the_three_named_categories(snapshot):
    categories = {tip["category"] for tip in snapshot["tips"]}

    assert {"exercise", "heavy_loads", "posture_breaks"} <= categories


def test_it_links_every_cause_group_to_at_least_one_tip(snapshot):
    linked = {group for tip in snapshot["tips"] for group in tip["cause_groups"]}

    assert linked == CAUSE_GROUPS


@pytest.mark.parametrize("kind", ["cause_groups", "tips", "questions"])
def test_it_gives_every_item_its_provenance(snapshot, kind):
    missing = [item["key"] for item in snapshot[kind] if not has_provenance(item)]

    assert missing == []


def test_it_cites_only_paragraphs_that_exist_in_the_source_document(snapshot, settings):
    source = (settings.BASE_DIR / "docs" / "source" / "back-pain-document.txt").read_text()
    paragraph_count = len([p for p in source.split("\n") if p.strip()])
    cited = {
        item["source_paragraph"]
        for kind in ("cause_groups", "tips", "questions")
        for item in snapshot[kind]
        if item["source_paragraph"] is not None
    }

    assert cited
    assert cited <= set(range(1, paragraph_count + 1))


def test_it_bases_every_warning_sign_on_mainstream_guidance(snapshot):
    warning_questions = [q for q in snapshot["questions"] if q["section"] == "warning"]

    for question in warning_questions:
        assert any(name in question["source_note"] for name in ("NICE", "NHS")), question["key"]


def test_it_publishes_exactly_what_the_seed_file_holds(snapshot):
    published_body = {key: value for key, value in snapshot.items() if key not in ("version", "hash")}

    assert published_body == read_seed()


def test_it_leaves_existing_content_alone_when_seeding_again(published):
    from quiz.services import content_seed as seed

    assert seed() is None
    assert ContentVersion.objects.count() == 1


def test_every_self_care_result_says_when_to_see_a_gp_even_with_no_history_on_the_phone(snapshot):
    # The course advice needs earlier checks on the phone; cleared storage loses them
    # (docs/SAFETY.md H36). A single check still says it, in both languages.
    assert "not improving after a few weeks" in snapshot["settings"]["actions"]["self_care"]
    chinese = snapshot["translations"]["zh-hans"]["settings"]["actions"]["self_care"]
    assert "几周后疼痛没有好转" in chinese
