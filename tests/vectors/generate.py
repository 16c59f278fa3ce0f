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

from quiz.scoring import AnswerError, score  # noqa: E402

RANDOM_SEED = 20251124
VALID_CASES = 320
ERROR_CASES = 160
COMPACT: dict[str, Any] = {"separators": (",", ":"), "ensure_ascii": False}


# -- answer sets ----------------------------------------------------------------------


def neutral_choices(question: dict) -> list[str]:
    """Choices of a question that raise no urgency (the "no" answers)."""
    return [c["key"] for c in question["choices"] if c["urgency"] is None]


def neutral_answer(question: dict) -> Any:
    """The first neutral choice, shaped for the question's kind."""
    first = neutral_choices(question)[0]
    return [first] if question["kind"] == "multiple" else first


def answer_with(question: dict, choice_key: str) -> Any:
    return [choice_key] if question["kind"] == "multiple" else choice_key


def random_answer(question: dict, rng: random.Random, pool: list[str]) -> Any:
    """A valid random answer drawing choices from `pool`."""
    if question["kind"] == "scale":
        return rng.randint(question["scale_min"], question["scale_max"])
    if question["kind"] == "multiple":
        # Shuffled on purpose: list order must not change the outcome.
        return rng.sample(pool, rng.randint(1, len(pool)))
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
        if question["section"] != "warning":
            continue
        answers[question["key"]] = random_warning_answer(question, rng, alarm)
        if stop_early and picks_stop(question, answers[question["key"]]):
            return shuffled(answers, rng)
    for question in snapshot["questions"]:
        if question["section"] != "warning" and rng.random() < 0.75:
            keys = [c["key"] for c in question["choices"]]
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
    "drop_warning": (2, lambda q: q["section"] == "warning"),
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
    """One case per urgency-raising choice, with nothing else raising urgency."""
    calm = {q["key"]: neutral_answer(q) for q in snapshot["questions"] if q["section"] == "warning"}
    cases = []
    for question in snapshot["questions"]:
        for choice in question["choices"]:
            if choice["urgency"] is None:
                continue
            answers = {**calm, question["key"]: answer_with(question, choice["key"])}
            name = f"{question['key']}.{choice['key']} raises {choice['urgency']}"
            case = scored_case(name, snapshot, answers)
            if case.get("expected", {}).get("urgency") != choice["urgency"]:
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
