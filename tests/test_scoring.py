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

from quiz.scoring import (
    URGENCY_ORDER,
    AnswerError,
    emergency_stop_choices,
    score,
    stops_quiz,
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
    codes = {case["error"]["code"] for case in RULES["cases"] if "error" in case}
    assert codes == ERROR_CODES


def test_it_has_hand_written_vectors_for_every_urgency_tier():
    urgencies = {c["expected"]["urgency"] for c in RULES["cases"] if "expected" in c}
    assert urgencies == set(URGENCY_ORDER)


def test_it_has_a_warning_sign_vector_for_every_urgency_choice_in_the_seed():
    cases = VECTOR_FILES["seed_warning_signs.json"]["cases"]
    missing = []
    for question in SEED["questions"]:
        for choice in question["choices"]:
            if choice["urgency"] is None:
                continue
            sign = {
                "question": question["key"],
                "choice": choice["key"],
                "urgency": choice["urgency"],
            }
            if not any(
                case.get("expected", {}).get("urgency") == choice["urgency"]
                and case["expected"]["warning_signs"] == [sign]
                for case in cases
            ):
                missing.append(f"{question['key']}.{choice['key']}")
    assert missing == [], "run .venv/bin/python tests/vectors/generate.py"


def test_it_has_at_least_300_generated_vectors():
    assert len(VECTOR_FILES["generated.json"]["cases"]) >= 300


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


def choice_keys(question: dict) -> list[str]:
    return [choice["key"] for choice in question["choices"]]


def answer_strategy(question: dict, calm: bool = False) -> st.SearchStrategy:
    """Any valid answer to `question`; with `calm`, only choices raising no urgency."""
    if question["kind"] == "scale":
        return st.integers(question["scale_min"], question["scale_max"])
    keys = [choice["key"] for choice in question["choices"] if not calm or choice["urgency"] is None]
    if question["kind"] == "multiple":
        return st.lists(st.sampled_from(keys), min_size=1, unique=True)
    return st.sampled_from(keys)


@st.composite
def complete_answers(draw) -> dict:
    """Every warning question answered (mostly calmly), habits questions optional."""
    answers = {}
    for question in SEED["questions"]:
        if question["section"] == "warning":
            calm = draw(st.booleans())
            answers[question["key"]] = draw(answer_strategy(question, calm))
        elif draw(st.booleans()):
            answers[question["key"]] = draw(answer_strategy(question))
    return answers


@st.composite
def extended(draw, answers: dict) -> dict:
    """`answers` plus more: extra choices in multiple questions, skipped questions."""
    bigger = copy.deepcopy(answers)
    for key, question in QUESTIONS.items():
        if key not in bigger:
            if draw(st.booleans()):
                bigger[key] = draw(answer_strategy(question))
        elif question["kind"] == "multiple":
            unpicked = [k for k in choice_keys(question) if k not in bigger[key]]
            extra = draw(st.lists(st.sampled_from(unpicked), unique=True)) if unpicked else []
            bigger[key] = bigger[key] + extra
    return bigger


def with_choice(answers: dict, question_key: str, choice_key: str) -> dict:
    question = QUESTIONS[question_key]
    if question["kind"] == "multiple":
        kept = [k for k in answers.get(question_key, []) if k != choice_key]
        return {**answers, question_key: [*kept, choice_key]}
    return {**answers, question_key: choice_key}


def chosen_urgencies(answers: dict) -> list[str]:
    urgencies = []
    for key, answer in answers.items():
        picked = answer if isinstance(answer, list) else [answer]
        for choice in QUESTIONS[key]["choices"]:
            if choice["key"] in picked and choice["urgency"] is not None:
                urgencies.append(choice["urgency"])
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


@given(st.data())
def test_it_gives_no_weight_to_scale_answers(data):
    answers = data.draw(complete_answers())
    rescaled = {
        key: data.draw(answer_strategy(QUESTIONS[key])) if QUESTIONS[key]["kind"] == "scale" else value
        for key, value in answers.items()
    }
    assert score(SEED, rescaled) == score(SEED, answers)


@settings(max_examples=50)
@given(st.data())
def test_it_accepts_a_check_stopped_at_an_emergency_answer(data):
    question_key, choice_key = data.draw(st.sampled_from(EMERGENCY_CHOICES))
    answers = {}
    for key, question in QUESTIONS.items():
        if key == question_key:
            break
        if question["section"] == "warning":
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
