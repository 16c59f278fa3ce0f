"""The scoring rules: Python evaluator, JavaScript evaluator, and the vectors binding them.

Pure tests: no database, no Django. The JavaScript side runs under Node, which must be
installed (a missing Node fails these tests rather than skipping them).
"""

from __future__ import annotations

import ast
import copy
import importlib.util
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_budget import examples

from quiz.scoring import (
    URGENCY_ORDER,
    AnswerError,
    emergency_stop_choices,
    score,
    stops_quiz,
    unsure_urgency,
    visible_questions,
)

ROOT = Path(__file__).resolve().parents[1]
VECTORS_DIR = ROOT / "tests" / "vectors"
SEED_PATH = ROOT / "quiz" / "seed" / "content.json"
NODE = shutil.which("node") or "/usr/bin/node"

ERROR_CODES = {
    "unknown_question",
    "unknown_choice",
    "missing_warning_answer",
    "invalid_answer_type",
    "scale_out_of_range",
    "duplicate_choice",
    "empty_choice_list",
    "exclusive_choice",
    "hidden_question_answered",
    "missing_fact_answer",
}


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def rank(urgency: str) -> int:
    return URGENCY_ORDER.index(urgency)


SEED = load_json(SEED_PATH)


def load_vector_files() -> dict[str, dict]:
    """Every vector file by name, with `snapshot_ref` resolved to a snapshot."""
    files = {}
    for path in sorted(VECTORS_DIR.glob("*.json")):
        vectors = load_json(path)
        if vectors.get("snapshot_ref") == "seed":
            vectors["snapshot"] = SEED
        files[path.name] = vectors
    return files


VECTOR_FILES = load_vector_files()
VECTOR_CASES = [
    pytest.param(vectors["snapshot"], case, id=f"{name}::{case['name']}")
    for name, vectors in VECTOR_FILES.items()
    for case in vectors["cases"]
]
ERROR_CASES = [param for param in VECTOR_CASES if "error" in param.values[1]]
RULES = VECTOR_FILES["rules.json"]


def run_case(snapshot: dict, answers: Any) -> dict:
    """The verdict in vector shape: {"expected": outcome} or {"error": {code, key}}."""
    try:
        return {"expected": score(snapshot, answers)}
    except AnswerError as error:
        return {"error": {"code": error.code, "key": error.key}}


def expected_result(case: dict) -> dict:
    if "error" in case:
        return {"error": case["error"]}
    return {"expected": case["expected"]}


def load_generator():
    spec = importlib.util.spec_from_file_location("vector_generator", VECTORS_DIR / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_node(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([NODE, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


# -- the vectors ----------------------------------------------------------------------


@pytest.mark.parametrize(("snapshot", "case"), VECTOR_CASES)
def test_it_scores_every_vector_as_expected(snapshot, case):
    assert run_case(snapshot, case["answers"]) == expected_result(case)


def test_it_has_hand_written_vectors_for_every_error_code():
    hand_written = [RULES, VECTOR_FILES["rules_v2.json"]]
    codes = {case["error"]["code"] for vectors in hand_written for case in vectors["cases"] if "error" in case}
    assert codes == ERROR_CODES


def test_it_has_hand_written_vectors_for_every_urgency_tier():
    urgencies = {c["expected"]["urgency"] for c in RULES["cases"] if "expected" in c}
    assert urgencies == set(URGENCY_ORDER)


def test_it_has_a_warning_sign_vector_for_every_urgency_choice_in_the_seed():
    cases = VECTOR_FILES["seed_warning_signs.json"]["cases"]
    missing = []
    for question in SEED["questions"]:
        for choice in question["choices"]:
            urgency = unsure_urgency(question) if choice["unsure"] else choice["urgency"]
            if urgency is None:
                continue
            sign = {
                "question": question["key"],
                "choice": choice["key"],
                "urgency": urgency,
            }
            if not any(
                case.get("expected", {}).get("urgency") == urgency and case["expected"]["warning_signs"] == [sign]
                for case in cases
            ):
                missing.append(f"{question['key']}.{choice['key']}")
    assert missing == [], "run .venv/bin/python tests/vectors/generate.py"


def test_it_has_at_least_300_generated_vectors():
    assert len(VECTOR_FILES["generated.json"]["cases"]) >= 300


def test_it_generates_vectors_over_every_show_if_branch_and_every_not_sure():
    cases = [case for case in VECTOR_FILES["generated.json"]["cases"] if "expected" in case]
    errors = VECTOR_FILES["generated_errors.json"]["cases"]
    conditional = [question for question in SEED["questions"] if question["show_if"]]
    unsure = {(q["key"], c["key"]) for q in SEED["questions"] for c in q["choices"] if c["unsure"]}
    signs = {(sign["question"], sign["choice"]) for case in cases for sign in case["expected"]["warning_signs"]}
    assert conditional
    for question in conditional:
        assert any(question["key"] in case["answers"] for case in cases), question["key"]
        assert any(
            question["show_if"]["question"] in case["answers"] and question["key"] not in case["answers"]
            for case in cases
        ), question["key"]
    assert unsure <= signs
    codes = {case["error"]["code"] for case in errors if "error" in case}
    assert {"hidden_question_answered", "exclusive_choice", "missing_fact_answer"} <= codes


def test_it_keeps_the_generated_vectors_up_to_date():
    rendered = load_generator().render_all(SEED)
    stale = [name for name, text in rendered.items() if (VECTORS_DIR / name).read_text(encoding="utf-8") != text]
    assert stale == [], "run .venv/bin/python tests/vectors/generate.py"


# -- the JavaScript evaluator ---------------------------------------------------------


def test_it_matches_the_javascript_evaluator_byte_for_byte_on_every_vector():
    result = run_node("tests/js/score_vectors.mjs")
    assert result.returncode == 0, result.stderr
    javascript = {}
    for line in result.stdout.splitlines():
        file, index, verdict = line.split("\t")
        javascript[(file, int(index))] = verdict
    python = {
        (name, index): canonical(run_case(vectors["snapshot"], case["answers"]))
        for name, vectors in VECTOR_FILES.items()
        for index, case in enumerate(vectors["cases"])
    }
    assert javascript.keys() == python.keys()
    differing = [key for key in python if javascript[key] != python[key]]
    assert differing == []


def test_it_passes_the_javascript_test_suite():
    result = run_node("--test", "tests/js/")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    assert "# fail 0" in result.stdout


# -- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(("snapshot", "case"), ERROR_CASES)
def test_it_names_the_offending_key_in_every_error(snapshot, case):
    with pytest.raises(AnswerError) as caught:
        score(snapshot, case["answers"])
    assert caught.value.code == case["error"]["code"]
    assert caught.value.key == case["error"]["key"]
    if case["error"]["key"]:
        assert f"'{case['error']['key']}'" in str(caught.value)


def test_it_names_a_choice_taken_from_another_question_as_question_dot_choice():
    answers = {"w_saddle": "no", "w_fever": "night_pain", "w_symptoms": ["none"]}
    with pytest.raises(AnswerError) as caught:
        score(RULES["snapshot"], answers)
    assert (caught.value.code, caught.value.key) == ("unknown_choice", "w_fever.night_pain")


def test_it_raises_answer_errors_as_value_errors():
    with pytest.raises(ValueError, match="w_fever"):
        score(RULES["snapshot"], {"w_saddle": "no", "w_symptoms": ["none"]})


# -- the emergency short-circuit ------------------------------------------------------


def test_it_lists_the_choices_that_stop_the_check_in_question_order():
    stops = emergency_stop_choices(RULES["snapshot"])
    assert stops == [("w_saddle", "yes"), ("w_symptoms", "bladder")]


def test_it_says_which_choices_stop_the_check():
    snapshot = RULES["snapshot"]
    assert stops_quiz(snapshot, "w_saddle", "yes")
    assert stops_quiz(snapshot, "w_symptoms", "bladder")
    assert not stops_quiz(snapshot, "w_fever", "yes")
    assert not stops_quiz(snapshot, "w_saddle", "maybe")
    assert not stops_quiz(snapshot, "w_nope", "yes")


def test_it_stops_the_seed_check_on_exactly_its_emergency_choices():
    emergencies = [
        (question["key"], choice["key"])
        for question in SEED["questions"]
        for choice in question["choices"]
        if choice["urgency"] == "emergency"
    ]
    assert emergencies
    assert emergency_stop_choices(SEED) == emergencies


def test_it_keeps_django_out_of_the_scoring_module():
    tree = ast.parse((ROOT / "quiz" / "scoring.py").read_text(encoding="utf-8"))
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names] + [
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    ]
    assert not [name for name in imported if name.split(".")[0] == "django"]


# -- properties over the seed content -------------------------------------------------

QUESTIONS = {question["key"]: question for question in SEED["questions"]}
EMERGENCY_CHOICES = [
    (question["key"], choice["key"])
    for question in SEED["questions"]
    for choice in question["choices"]
    if choice["urgency"] == "emergency"
]


REQUIRED = ("facts", "warning")
SEVERE_TIPS = {tip["key"] for tip in SEED["tips"] if tip["for_severe_pain"]}


def choice_keys(question: dict) -> list[str]:
    return [choice["key"] for choice in question["choices"]]


def is_calm(choice: dict) -> bool:
    return choice["urgency"] is None and not choice["unsure"]


def answer_strategy(question: dict, calm: bool = False) -> st.SearchStrategy:
    """Any valid answer to `question`; with `calm`, only choices raising no urgency.
    A "None of these" choice is picked alone or not at all."""
    if question["kind"] == "scale":
        return st.integers(question["scale_min"], question["scale_max"])
    usable = [choice for choice in question["choices"] if not calm or is_calm(choice)]
    if question["kind"] == "multiple":
        alone = [[choice["key"]] for choice in usable if choice["exclusive"]]
        together = [choice["key"] for choice in usable if not choice["exclusive"]]
        options = [st.sampled_from(alone)] if alone else []
        if together:
            options.append(st.lists(st.sampled_from(together), min_size=1, unique=True))
        return st.one_of(options)
    return st.sampled_from([choice["key"] for choice in usable])


@st.composite
def answered_where_shown(draw, answers: dict, optional_habits: bool = True) -> dict:
    """`answers` without answers to hidden questions, and every shown facts or warning
    question answered (drawing answers for the ones still open)."""
    result: dict = {}
    for question in SEED["questions"]:
        if question not in visible_questions(SEED, result):
            continue
        key = question["key"]
        if key in answers:
            result[key] = answers[key]
        elif question["section"] in REQUIRED:
            result[key] = draw(answer_strategy(question, calm=draw(st.booleans())))
        elif optional_habits and draw(st.booleans()):
            result[key] = draw(answer_strategy(question))
    return result


@st.composite
def complete_answers(draw) -> dict:
    """Every shown facts and warning question answered (mostly calmly), habits optional."""
    return draw(answered_where_shown({}))


@st.composite
def extended(draw, answers: dict) -> dict:
    """`answers` plus more: extra choices in multiple questions, skipped questions, and
    answers to the questions the extra choices reveal."""
    bigger = copy.deepcopy(answers)
    for key, question in QUESTIONS.items():
        if key in bigger and question["kind"] == "multiple" and not _exclusive_picked(question, bigger[key]):
            unpicked = [c["key"] for c in question["choices"] if c["key"] not in bigger[key] and not c["exclusive"]]
            extra = draw(st.lists(st.sampled_from(unpicked), unique=True)) if unpicked else []
            bigger[key] = bigger[key] + extra
    return draw(answered_where_shown(bigger))


def _exclusive_picked(question: dict, answer: list[str]) -> bool:
    return any(c["exclusive"] and c["key"] in answer for c in question["choices"])


def with_choice(answers: dict, question_key: str, choice_key: str) -> dict:
    question = QUESTIONS[question_key]
    if question["kind"] == "multiple":
        current = answers.get(question_key, [])
        kept = [] if _exclusive_picked(question, current) else [k for k in current if k != choice_key]
        return {**answers, question_key: [*kept, choice_key]}
    return {**answers, question_key: choice_key}


def chosen_urgencies(answers: dict) -> list[str]:
    urgencies = []
    for key, answer in answers.items():
        picked = answer if isinstance(answer, list) else [answer]
        for choice in QUESTIONS[key]["choices"]:
            if choice["key"] in picked and not is_calm(choice):
                urgencies.append(unsure_urgency(QUESTIONS[key]) if choice["unsure"] else choice["urgency"])
    return urgencies


@given(st.data())
def test_it_gives_emergency_for_any_answer_set_with_an_emergency_choice(data):
    question_key, choice_key = data.draw(st.sampled_from(EMERGENCY_CHOICES))
    answers = with_choice(data.draw(complete_answers()), question_key, choice_key)
    assert score(SEED, answers)["urgency"] == "emergency"


@given(complete_answers())
def test_it_gives_the_highest_urgency_of_the_chosen_choices(answers):
    highest = max(chosen_urgencies(answers), key=rank, default="self_care")
    assert score(SEED, answers)["urgency"] == highest


@given(st.data())
def test_it_never_lowers_urgency_or_causes_when_answers_are_added(data):
    smaller = data.draw(complete_answers())
    bigger = data.draw(extended(smaller))
    before, after = score(SEED, smaller), score(SEED, bigger)
    assert rank(after["urgency"]) >= rank(before["urgency"])
    assert all(sign in after["warning_signs"] for sign in before["warning_signs"])
    after_scores = {cause["key"]: cause["score"] for cause in after["causes"]}
    for cause in before["causes"]:
        assert after_scores[cause["key"]] >= cause["score"]


@given(st.data())
def test_it_ignores_the_order_of_answers_and_of_multiple_choices(data):
    answers = data.draw(complete_answers())
    reordered = {}
    for key in data.draw(st.permutations(list(answers))):
        value = answers[key]
        reordered[key] = data.draw(st.permutations(value)) if isinstance(value, list) else value
    assert canonical(score(SEED, reordered)) == canonical(score(SEED, answers))


@given(complete_answers())
def test_it_scores_deterministically_without_changing_its_inputs(answers):
    snapshot_before, answers_before = canonical(SEED), canonical(answers)
    first = canonical(score(SEED, answers))
    assert canonical(score(copy.deepcopy(SEED), copy.deepcopy(answers))) == first
    assert (canonical(SEED), canonical(answers)) == (snapshot_before, answers_before)


def without_severe_pain_tips(outcome: dict) -> dict:
    return {**outcome, "tips": [tip for tip in outcome["tips"] if tip not in SEVERE_TIPS]}


@given(st.data())
def test_it_lets_the_pain_score_change_only_the_severe_pain_advice(data):
    answers = data.draw(complete_answers())
    rescaled = {
        key: data.draw(answer_strategy(QUESTIONS[key])) if QUESTIONS[key]["kind"] == "scale" else value
        for key, value in answers.items()
    }
    assert without_severe_pain_tips(score(SEED, rescaled)) == without_severe_pain_tips(score(SEED, answers))


@settings(max_examples=examples(50))
@given(st.data())
def test_it_accepts_a_check_stopped_at_an_emergency_answer(data):
    question_key, choice_key = data.draw(st.sampled_from(EMERGENCY_CHOICES))
    answers = {}
    for key, question in QUESTIONS.items():
        if key == question_key:
            break
        if question["section"] in REQUIRED and question in visible_questions(SEED, answers):
            answers[key] = data.draw(answer_strategy(question, calm=True))
    outcome = score(SEED, with_choice(answers, question_key, choice_key))
    assert outcome["urgency"] == "emergency"


@given(complete_answers())
def test_it_outputs_only_whole_numbers_and_known_keys(answers):
    outcome = score(SEED, answers)
    assert outcome["content_version"] is None
    groups = [group["key"] for group in SEED["cause_groups"]]
    tips = [tip["key"] for tip in SEED["tips"]]
    for cause in outcome["causes"]:
        assert type(cause["score"]) is int
        assert cause["score"] >= SEED["settings"]["cause_threshold"]
        assert cause["key"] in groups
    assert set(outcome["tips"]) <= set(tips)
    assert len(outcome["tips"]) == len(set(outcome["tips"]))


# -- show_if and Not sure (the same checks as tests/js/scoring.test.mjs) ----------------------

RULES_V2 = VECTOR_FILES["rules_v2.json"]["snapshot"]


def shown_keys(answers: dict) -> list[str]:
    return [question["key"] for question in visible_questions(RULES_V2, answers)]


def test_it_shows_a_follow_up_only_after_the_answer_that_opens_it():
    assert shown_keys({}) == ["f_womb", "w_now", "w_day", "w_leg", "h_pattern", "h_pain"]
    assert "w_weeks" in shown_keys({"w_leg": ["sciatica", "soon_sign"]})
    assert "w_weeks" not in shown_keys({"w_leg": ["soon_sign"]})
    assert "w_gynae" in shown_keys({"f_womb": "yes"})
    assert "w_gynae" not in shown_keys({"f_womb": "no"})


def test_it_ignores_answers_it_cannot_read_when_deciding_what_is_shown():
    assert "w_weeks" not in shown_keys({"w_leg": [["sciatica"]]})
    assert "w_gynae" not in shown_keys({"f_womb": 1})


def test_it_scores_not_sure_one_tier_below_the_questions_highest_sign_never_below_soon():
    questions = {question["key"]: question for question in RULES_V2["questions"]}

    assert unsure_urgency(questions["w_now"]) == "urgent"
    assert unsure_urgency(questions["w_day"]) == "soon"
    assert unsure_urgency(questions["w_leg"]) == "soon"
