"""Rewrite the scoring vectors that are derived from the shipped seed content.

Run from the project root after changing `quiz/seed/content.json` or the rules:

    .venv/bin/python tests/vectors/generate.py

It writes three files, all scored by `quiz/scoring.py` (the JavaScript evaluator must
then agree with every one of them):

- `seed_warning_signs.json`: one case per choice that raises urgency, every other
  warning question answered with its first neutral choice.
- `generated.json`: random, valid answer sets (seeded, so the file only changes when
  the content or the rules do).
- `generated_errors.json`: the same kind of answer sets with one to three things
  broken, so both evaluators are held to the same validation order.

`tests/test_scoring.py` regenerates these in memory and fails when a file is stale.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VECTORS_DIR = ROOT / "tests" / "vectors"
SEED_PATH = ROOT / "quiz" / "seed" / "content.json"

# The script runs by path, so the project root is not on sys.path by itself.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from quiz.scoring import AnswerError, score, unsure_urgency, visible_questions  # noqa: E402

RANDOM_SEED = 20251124
VALID_CASES = 320
ERROR_CASES = 160
COMPACT: dict[str, Any] = {"separators": (",", ":"), "ensure_ascii": False}


# -- answer sets ----------------------------------------------------------------------


REQUIRED_SECTIONS = ("facts", "warning")


def raises_urgency(choice: dict) -> bool:
    """A choice that scores as a warning sign ("Not sure" always does)."""
    return choice["urgency"] is not None or bool(choice.get("unsure"))


def neutral_choices(question: dict) -> list[str]:
    """Choices of a question that raise no urgency (the "no" answers), "None of these" first."""
    calm = [c for c in question["choices"] if not raises_urgency(c)]
    return [c["key"] for c in sorted(calm, key=lambda c: not c.get("exclusive"))]


def neutral_answer(question: dict) -> Any:
    """The first neutral choice, shaped for the question's kind."""
    first = neutral_choices(question)[0]
    return [first] if question["kind"] == "multiple" else first


def choice_urgency(question: dict, choice: dict) -> str | None:
    return unsure_urgency(question) if choice.get("unsure") else choice["urgency"]


def calm_answers(snapshot: dict, fixed: dict) -> dict:
    """`fixed`, plus every other shown facts or warning question answered calmly."""
    answers: dict[str, Any] = {}
    for question in snapshot["questions"]:
        if question not in visible_questions(snapshot, answers):
            continue
        if question["key"] in fixed:
            answers[question["key"]] = fixed[question["key"]]
        elif question["section"] in REQUIRED_SECTIONS:
            answers[question["key"]] = neutral_answer(question)
    return answers


def revealing_answers(snapshot: dict, question: dict) -> dict:
    """The answers that make `question` shown: each `show_if` up the chain satisfied."""
    by_key = {q["key"]: q for q in snapshot["questions"]}
    answers: dict[str, Any] = {}
    condition = question.get("show_if")
    while condition:
        parent = by_key[condition["question"]]
        answers[parent["key"]] = answer_with(parent, condition["choices"][0])
        condition = parent.get("show_if")
    return answers


def answer_with(question: dict, choice_key: str) -> Any:
    return [choice_key] if question["kind"] == "multiple" else choice_key


def random_answer(question: dict, rng: random.Random, pool: list[str]) -> Any:
    """A valid random answer drawing choices from `pool`."""
    if question["kind"] == "scale":
        return rng.randint(question["scale_min"], question["scale_max"])
    if question["kind"] == "multiple":
        exclusive = {c["key"] for c in question["choices"] if c.get("exclusive")}
        alone = [key for key in pool if key in exclusive]
        together = [key for key in pool if key not in exclusive]
        if alone and (not together or rng.random() < 0.3):
            return [rng.choice(alone)]
        # Shuffled on purpose: list order must not change the outcome.
        return rng.sample(together, rng.randint(1, len(together)))
    return rng.choice(pool)


def random_warning_answer(question: dict, rng: random.Random, alarm: float) -> Any:
    """Mostly neutral, as in real use, so every urgency tier shows up often."""
    all_keys = [c["key"] for c in question["choices"]]
    neutral = neutral_choices(question)
    pool = all_keys if rng.random() < alarm or not neutral else neutral
    return random_answer(question, rng, pool)


def picks_stop(question: dict, answer: Any) -> bool:
    picked = answer if isinstance(answer, list) else [answer]
    return any(c["stops_quiz"] for c in question["choices"] if c["key"] in picked)


def random_answers(snapshot: dict, rng: random.Random) -> dict:
    """A complete answer set, as the quiz would produce it, in shuffled key order."""
    stop_early = rng.random() < 0.2
    alarm = rng.choice((0.0, 0.1, 0.3))
    answers: dict[str, Any] = {}
    for question in snapshot["questions"]:
        # Shown-ness is decided by earlier answers only, so one pass in order works.
        if question not in visible_questions(snapshot, answers):
            continue
        keys = [c["key"] for c in question["choices"]]
        if question["section"] == "warning":
            answers[question["key"]] = random_warning_answer(question, rng, alarm)
            if stop_early and picks_stop(question, answers[question["key"]]):
                return shuffled(answers, rng)
        elif question["section"] == "facts" or rng.random() < 0.75:
            answers[question["key"]] = random_answer(question, rng, keys)
    return shuffled(answers, rng)


def shuffled(answers: dict, rng: random.Random) -> dict:
    keys = list(answers)
    rng.shuffle(keys)
    return {key: answers[key] for key in keys}


# -- breaking answer sets -------------------------------------------------------------


def wrong_type_answer(question: dict, rng: random.Random) -> Any:
    """A value of the wrong JSON type for the question (never a whole float: JSON
    parsers in JavaScript cannot tell 4.0 from 4)."""
    first = question["choices"][0]["key"] if question["choices"] else "x"
    by_kind = {
        "single": [[first], 1, None, True],
        "multiple": [first, 2, None, [first, 3]],
        "scale": [str(question.get("scale_min")), 4.5, None, False],
    }
    return rng.choice(by_kind[question["kind"]])


FAULTS = {
    # fault: (weight, which questions it applies to)
    "unknown_question": (1, lambda q: True),
    "other_choice": (3, lambda q: q["kind"] != "scale"),
    "wrong_type": (2, lambda q: True),
    "drop_warning": (2, lambda q: q["section"] in REQUIRED_SECTIONS),
    "with_exclusive": (2, lambda q: any(c.get("exclusive") for c in q["choices"])),
    "answer_hidden": (2, lambda q: bool(q.get("show_if"))),
    "bad_list": (2, lambda q: q["kind"] == "multiple"),
    "out_of_range": (2, lambda q: q["kind"] == "scale"),
}


def break_answer(snapshot: dict, answers: dict, rng: random.Random) -> None:
    """Apply one random fault to `answers`, in place."""
    fault = rng.choices(list(FAULTS), [weight for weight, _ in FAULTS.values()])[0]
    eligible = [q for q in snapshot["questions"] if FAULTS[fault][1](q)]
    if not eligible:
        fault, eligible = "wrong_type", snapshot["questions"]
    question = rng.choice(eligible)
    key = question["key"]
    if fault == "unknown_question":
        answers[rng.choice(("zz_extra", "a_extra", key + "_x"))] = "no"
    elif fault == "other_choice":
        others = [c["key"] for q in snapshot["questions"] if q is not question for c in q["choices"]]
        bad = rng.choice([*others, "unknown"])
        answers[key] = [bad] if question["kind"] == "multiple" else bad
    elif fault == "wrong_type":
        answers[key] = wrong_type_answer(question, rng)
    elif fault == "drop_warning":
        answers.pop(key, None)
    elif fault == "with_exclusive":
        exclusive = next(c["key"] for c in question["choices"] if c.get("exclusive"))
        other = rng.choice([c["key"] for c in question["choices"] if c["key"] != exclusive])
        answers[key] = rng.sample([exclusive, other], 2)
    elif fault == "answer_hidden":
        answers[key] = random_answer(question, rng, [c["key"] for c in question["choices"]])
    elif fault == "bad_list":
        keys = [c["key"] for c in question["choices"]]
        answers[key] = rng.choice(([], [keys[0], *keys, keys[-1]]))
    else:
        low, high = question["scale_min"], question["scale_max"]
        answers[key] = rng.choice((low - 1, high + 1, high + 7))


def broken_answers(snapshot: dict, rng: random.Random) -> dict:
    answers = random_answers(snapshot, rng)
    for _ in range(rng.choice((1, 1, 2, 3))):
        break_answer(snapshot, answers, rng)
    return shuffled(answers, rng)


# -- cases and files ------------------------------------------------------------------


def scored_case(name: str, snapshot: dict, answers: Any) -> dict:
    """A vector case whose expectation is whatever the Python evaluator says."""
    try:
        return {"name": name, "answers": answers, "expected": score(snapshot, answers)}
    except AnswerError as error:
        return {
            "name": name,
            "answers": answers,
            "error": {"code": error.code, "key": error.key},
        }


def warning_sign_cases(snapshot: dict) -> list[dict]:
    """One case per urgency-raising choice ("Not sure" included), with nothing else
    raising urgency; a question shown only after an earlier answer gets that answer."""
    cases = []
    for question in snapshot["questions"]:
        for choice in question["choices"]:
            urgency = choice_urgency(question, choice)
            if urgency is None:
                continue
            fixed = {**revealing_answers(snapshot, question), question["key"]: answer_with(question, choice["key"])}
            answers = calm_answers(snapshot, fixed)
            name = f"{question['key']}.{choice['key']} raises {urgency}"
            case = scored_case(name, snapshot, answers)
            if case.get("expected", {}).get("urgency") != urgency:
                raise SystemExit(f"{name}: scored {case}; fix the rules or content.")
            cases.append(case)
    return cases


def generated_cases(snapshot: dict) -> list[dict]:
    rng = random.Random(RANDOM_SEED)
    return [
        scored_case(f"random answer set {n}", snapshot, random_answers(snapshot, rng))
        for n in range(1, VALID_CASES + 1)
    ]


def generated_error_cases(snapshot: dict) -> list[dict]:
    rng = random.Random(RANDOM_SEED + 1)
    return [
        scored_case(f"broken answer set {n}", snapshot, broken_answers(snapshot, rng))
        for n in range(1, ERROR_CASES + 1)
    ]


def render(description: str, cases: list[dict]) -> str:
    """Vector-file JSON with one case per line: reviewable diffs, modest size."""
    head = {
        "description": description,
        "generator": "tests/vectors/generate.py",
        "snapshot_ref": "seed",
    }
    lines = [f"  {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
    body = ",\n".join(f"    {json.dumps(c, **COMPACT)}" for c in cases)
    return "{\n" + "\n".join(lines) + '\n  "cases": [\n' + body + "\n  ]\n}\n"


def render_all(snapshot: dict) -> dict[str, str]:
    """File name -> file text for every derived vector file."""
    return {
        "seed_warning_signs.json": render(
            "Seed content: each choice that raises urgency, all other warning "
            "questions answered with their first neutral choice.",
            warning_sign_cases(snapshot),
        ),
        "generated.json": render(
            f"Seed content: {VALID_CASES} random valid answer sets "
            f"(random.Random({RANDOM_SEED})), expected = quiz.scoring.score().",
            generated_cases(snapshot),
        ),
        "generated_errors.json": render(
            f"Seed content: {ERROR_CASES} random answer sets with one to three "
            f"faults (random.Random({RANDOM_SEED + 1})), expected = quiz.scoring.",
            generated_error_cases(snapshot),
        ),
    }


def load_seed() -> dict:
    return json.loads(SEED_PATH.read_text(encoding="utf-8"))


def main() -> None:
    for name, text in render_all(load_seed()).items():
        (VECTORS_DIR / name).write_text(text, encoding="utf-8")
        print(f"wrote tests/vectors/{name}")


if __name__ == "__main__":
    main()
