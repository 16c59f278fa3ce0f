"""Score a self-check: turn an answer set into an outcome, against one content snapshot.

This is one of two evaluators of the same rules; `static/js/scoring.js` is the other
and runs on the phone, offline. The server re-scores every synced result with this
module, so both must agree byte for byte on every outcome and on every error (code
and key). The shared vectors in `tests/vectors/` hold them to that. Change a rule in
both files and in the vectors, never in one place.

The snapshot and answer formats are described in `docs/CONTENT_FORMAT.md`. The
snapshot is trusted (publishing validated it); the answers are not.

No Django imports: the rules are plain data in, plain data out.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .tiers import URGENCY_ORDER

_URGENCY_RANK = {name: rank for rank, name in enumerate(URGENCY_ORDER)}

WARNING_SECTION = "warning"
FACTS_SECTION = "facts"
# Sections whose questions must be answered whenever they are shown, with the error
# code a missing answer gets. Facts come first because warning questions depend on them.
REQUIRED_SECTIONS = {FACTS_SECTION: "missing_fact_answer", WARNING_SECTION: "missing_warning_answer"}
# Snapshots from this schema on rank tips for the person; older ones keep the order
# their results were first scored with, so a stored result re-scores the same.
RANKED_TIPS_SCHEMA = 2
# From this schema on a tip's `show_if` is honoured and the first tips cover each of the
# two strongest causes; older snapshots have no tip conditions and keep their order.
FITTED_TIPS_SCHEMA = 3
# How many tips lead the result page: the two strongest causes each get one of them.
LEADING_TIPS = 5


class AnswerError(ValueError):
    """An answer set the snapshot cannot score.

    `code` is a stable machine code a client can act on; `key` names what is wrong:
    the question key, or "question.choice" for a bad choice. The message is for people.
    """

    def __init__(self, code: str, key: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.key = key


# -- public API ---------------------------------------------------------------------


def score(snapshot: dict, answers: dict) -> dict:
    """Return the outcome of `answers` against `snapshot`, or raise `AnswerError`.

    The outcome depends only on which choices were picked, not on the order the
    answers (or a multiple-choice list) arrive in, so the phone and the server agree.
    """
    return Rules(snapshot).score(answers)


class Rules:
    """A snapshot's rules, indexed once: what `score` looks up for every answer set.

    The server keeps one per published version (versions never change) and scores every
    synced result with it; `score()` builds one per call. Building it reads the snapshot
    only, so it never fails on answers, and the outcome is the same either way.
    """

    def __init__(self, snapshot: dict) -> None:
        self.snapshot = snapshot
        self.questions: list[dict] = snapshot["questions"]
        self.by_key = _questions_by_key(snapshot)
        self.known_choices = {q["key"]: {c["key"] for c in q["choices"]} for q in self.questions}
        self.exclusive_choices = {
            q["key"]: sorted(c["key"] for c in q["choices"] if c.get("exclusive")) for q in self.questions
        }
        self.stop_choices = emergency_stop_choices(snapshot)
        self.group_position = {group["key"]: index for index, group in enumerate(snapshot["cause_groups"])}
        self.choice_urgency = {
            (q["key"], c["key"]): _choice_urgency(q, c) for q in self.questions for c in q["choices"]
        }
        self.scale_keys = [q["key"] for q in self.questions if q["kind"] == "scale"]
        self.tips_by_group: dict[str, list[int]] = {}
        for index, tip in enumerate(snapshot["tips"]):
            for group_key in tip["cause_groups"]:
                self.tips_by_group.setdefault(group_key, []).append(index)

    def score(self, answers: dict) -> dict:
        snapshot = self.snapshot
        chosen = self._validate(answers)
        picked = self._chosen_choices(chosen)
        warning_signs = self._warning_signs(picked)
        urgency = _highest_urgency(warning_signs)
        causes = self._causes(picked)
        if snapshot.get("schema", 1) >= RANKED_TIPS_SCHEMA:
            tips = self._ranked_tips(answers, picked, urgency, warning_signs, causes)
        else:
            tips = _tips(snapshot, [cause["key"] for cause in causes])
        return {
            "content_version": snapshot.get("version"),
            "urgency": urgency,
            "warning_signs": warning_signs,
            "causes": causes,
            "tips": tips,
        }

    # -- validation: the order of checks is the contract described below -------------

    def _validate(self, answers: Any) -> dict[str, set[str]]:
        """Check the answers; return the chosen choice keys per answered question."""
        if not isinstance(answers, dict):
            raise AnswerError("invalid_answer_type", "", "Answers must map question keys to answers.")
        unknown = sorted(str(key) for key in answers if key not in self.by_key)
        if unknown:
            raise AnswerError("unknown_question", unknown[0], f"Unknown question '{unknown[0]}'.")
        chosen = {
            question["key"]: self._chosen_keys(question, answers[question["key"]])
            for question in self.questions
            if question["key"] in answers
        }
        shown = visible_questions(self.snapshot, answers)
        _refuse_hidden_answers(self.snapshot, answers, shown)
        if not self._any_stop_chosen(chosen):
            _require_shown_answers(shown, chosen)
        return chosen

    def _chosen_keys(self, question: dict, answer: Any) -> set[str]:
        """Validate one answer against its question; return the choice keys it picks."""
        kind = question["kind"]
        if kind == "single":
            if not isinstance(answer, str):
                raise _wrong_type(question, "one choice key")
            self._check_known_choices(question, [answer])
            return {answer}
        if kind == "multiple":
            return self._multiple_choices(question, answer)
        if kind == "scale":
            _check_scale(question, answer)
            return set()
        raise ValueError(f"Question '{question['key']}' has unknown kind '{kind}'.")

    def _multiple_choices(self, question: dict, answer: Any) -> set[str]:
        if not isinstance(answer, list) or not all(isinstance(c, str) for c in answer):
            raise _wrong_type(question, "a list of choice keys")
        if not answer:
            raise AnswerError(
                "empty_choice_list",
                question["key"],
                f"Question '{question['key']}' needs at least one choice.",
            )
        self._check_known_choices(question, answer)
        picked = set(answer)
        if len(picked) != len(answer):
            repeated = sorted(key for key, count in Counter(answer).items() if count > 1)
            dotted = f"{question['key']}.{repeated[0]}"
            raise AnswerError("duplicate_choice", dotted, f"Choice '{dotted}' is repeated.")
        exclusive = [key for key in self.exclusive_choices[question["key"]] if key in picked]
        if exclusive and len(answer) > 1:
            dotted = f"{question['key']}.{exclusive[0]}"
            raise AnswerError("exclusive_choice", dotted, f"Choice '{dotted}' cannot be picked with another choice.")
        return picked

    def _check_known_choices(self, question: dict, keys: list[str]) -> None:
        known = self.known_choices[question["key"]]
        unknown = sorted(key for key in keys if key not in known)
        if unknown:
            dotted = f"{question['key']}.{unknown[0]}"
            raise AnswerError("unknown_choice", dotted, f"Unknown choice '{dotted}'.")

    def _any_stop_chosen(self, chosen: dict[str, set[str]]) -> bool:
        return any(choice_key in chosen.get(question_key, ()) for question_key, choice_key in self.stop_choices)

    # -- outcome ----------------------------------------------------------------------

    def _chosen_choices(self, chosen: dict[str, set[str]]) -> list[tuple[dict, dict]]:
        """(question, choice) for every picked choice, in snapshot order."""
        return [
            (question, choice)
            for question in self.questions
            if question["key"] in chosen
            for choice in question["choices"]
            if choice["key"] in chosen[question["key"]]
        ]

    def _warning_signs(self, picked: list[tuple[dict, dict]]) -> list[dict]:
        """Chosen choices that raise urgency, in question order then choice order."""
        signs = []
        for question, choice in picked:
            urgency = self.choice_urgency[question["key"], choice["key"]]
            if urgency is not None:
                signs.append({"question": question["key"], "choice": choice["key"], "urgency": urgency})
        return signs

    def _causes(self, picked: list[tuple[dict, dict]]) -> list[dict]:
        """Cause groups whose summed weight reaches the threshold, strongest first.

        A group no chosen answer points to is never contributing, even with a threshold
        of 0: "can be linked to" needs at least one answer behind it.
        """
        position = self.group_position
        totals: dict[str, int] = {}
        for _question, choice in picked:
            for group_key, weight in (choice.get("weights") or {}).items():
                # Publishing rejects weights on unknown groups; ignore rather than crash
                # the server when re-scoring an old version.
                if group_key in position:
                    totals[group_key] = totals.get(group_key, 0) + weight
        threshold = self.snapshot["settings"]["cause_threshold"]
        contributing = [key for key, total in totals.items() if total >= threshold]
        contributing.sort(key=lambda key: (-totals[key], position[key]))
        return [{"key": key, "score": totals[key]} for key in contributing]

    def _ranked_tips(
        self, answers: dict, picked: list[tuple[dict, dict]], urgency: str, signs: list[dict], causes: list[dict]
    ) -> list[str]:
        """Tips ranked for the person, once each.

        1. On a self-care result with a severe pain score: the severe-pain advice.
        2. Tips of the cause groups that the signs which set the urgency point to.
        3. The other tips of contributing causes, heaviest first: a tip's weight is the sum
           of the scores of the contributing causes it is linked to.
        Ties keep the tips' own order.
        """
        scores = {cause["key"]: cause["score"] for cause in causes}
        sign_groups = self._groups_of_signs(picked, urgency, signs, scores)
        ranked = []
        tips = self.snapshot["tips"]
        # Only tips linked to a contributing cause can rank; in the tips' own order.
        linked_tips = sorted({index for key in scores for index in self.tips_by_group.get(key, ())})
        sign_position = {key: position for position, key in enumerate(sign_groups)}
        for index in linked_tips:
            # The first sign group among the tip's contributing causes (none: after them
            # all), and the sum of those causes' scores, heaviest first.
            sign_rank, weight = len(sign_groups), 0
            for key in tips[index]["cause_groups"]:
                if key in scores:
                    weight -= scores[key]
                    sign_rank = min(sign_rank, sign_position.get(key, sign_rank))
            ranked.append(((sign_rank, weight, index), tips[index]["key"]))
        ranked.sort()
        picked_tips = self._severe_pain_tips(answers, urgency)
        rest = [key for _rank, key in ranked if key not in picked_tips]
        if self.snapshot.get("schema", 1) < FITTED_TIPS_SCHEMA:
            return picked_tips + rest
        # The cover is worked out after the severe-pain advice, so a pain score changes
        # only whether that advice leads (never the order of the other tips).
        rest = self._cover_top_causes(self._fitting_tips(rest, answers), causes)
        return self._fitting_tips(picked_tips, answers) + rest

    def _fitting_tips(self, keys: list[str], answers: dict) -> list[str]:
        """Drop the tips whose `show_if` the answers do not meet: a tip about pain down a
        leg is for the people who said so. Evaluated as a question's `show_if`."""
        shown = {question["key"] for question in visible_questions(self.snapshot, answers)}
        conditions = {tip["key"]: tip.get("show_if") for tip in self.snapshot["tips"]}
        return [key for key in keys if _condition_met(conditions[key], answers, shown)]

    def _cover_top_causes(self, keys: list[str], causes: list[dict]) -> list[str]:
        """Reorder so the first LEADING_TIPS tips hold a tip of each of the two strongest
        causes, keeping the ranking otherwise. Each cause's tip is its first-ranked one
        not linked to the other cause (any of its tips when all are shared): a desk worker
        who also lifts then reads a lifting tip, not five posture tips and a general one."""
        groups = {tip["key"]: tip["cause_groups"] for tip in self.snapshot["tips"]}
        top = [cause["key"] for cause in causes[:2]]
        needed: list[str] = []
        for cause_key in top:
            others = [key for key in top if key != cause_key]
            linked = [key for key in keys if cause_key in groups[key]]
            own = [key for key in linked if not any(other in groups[key] for other in others)]
            candidates = own or linked
            if candidates and candidates[0] not in needed:
                needed.append(candidates[0])
        needed.sort(key=keys.index)
        # The severe-pain advice may lead the page: leave room for it, whatever the pain.
        severe = sum(1 for tip in self.snapshot["tips"] if tip.get("for_severe_pain"))
        slots = max(len(needed), LEADING_TIPS - severe)
        head: list[str] = []
        for key in keys:
            if len(head) == slots:
                break
            missing = [need for need in needed if need not in head]
            # Take a tip in its rank unless the slots left are owed to a missing cause.
            if key in missing or slots - len(head) > len(missing):
                head.append(key)
        return head + [key for key in keys if key not in head]

    def _groups_of_signs(
        self, picked: list[tuple[dict, dict]], urgency: str, signs: list[dict], scores: dict[str, int]
    ) -> list[str]:
        """Contributing groups the urgency-setting signs point to, heaviest weight first."""
        position = self.group_position
        setting = {(sign["question"], sign["choice"]) for sign in signs if sign["urgency"] == urgency}
        groups: list[str] = []
        for question, choice in picked:
            if (question["key"], choice["key"]) not in setting:
                continue
            weights = choice.get("weights") or {}
            for key in sorted(weights, key=lambda key: (-weights[key], position.get(key, 0))):
                if key in scores and key not in groups:
                    groups.append(key)
        return groups

    def _severe_pain_tips(self, answers: dict, urgency: str) -> list[str]:
        """With no warning sign and a pain score at or above `severe_pain_from`, the
        severe-pain advice (tips marked `for_severe_pain`) comes first."""
        threshold = self.snapshot["settings"].get("severe_pain_from")
        if urgency != "self_care" or threshold is None:
            return []
        severe = any(key in answers and answers[key] >= threshold for key in self.scale_keys)
        return [tip["key"] for tip in self.snapshot["tips"] if severe and tip.get("for_severe_pain")]


def visible_questions(snapshot: dict, answers: dict) -> list[dict]:
    """The questions a person with these answers is shown, in order.

    A question with `show_if` is shown only when the question it names is itself shown
    and its answer picks one of the listed choices. Publishing makes `show_if` name an
    earlier question, so one pass in snapshot order decides every question.
    """
    shown: list[dict] = []
    shown_keys: set[str] = set()
    for question in snapshot["questions"]:
        if _condition_met(question.get("show_if"), answers, shown_keys):
            shown.append(question)
            shown_keys.add(question["key"])
    return shown


def unsure_urgency(question: dict) -> str:
    """What "Not sure" scores on a warning question: one tier below the question's
    highest sign, never below "soon" (docs/SAFETY.md, "Not sure")."""
    highest = max(
        (_URGENCY_RANK[c["urgency"]] for c in question["choices"] if c.get("urgency") and not c.get("unsure")),
        default=0,
    )
    return URGENCY_ORDER[max(_URGENCY_RANK["soon"], highest - 1)]


def stops_quiz(snapshot: dict, question_key: str, choice_key: str) -> bool:
    """Whether picking this choice ends the check at once (an emergency answer)."""
    question = _questions_by_key(snapshot).get(question_key)
    if question is None:
        return False
    choice = _choice(question, choice_key)
    return bool(choice is not None and choice.get("stops_quiz"))


def emergency_stop_choices(snapshot: dict) -> list[tuple[str, str]]:
    """Every (question key, choice key) that stops the check, in question order."""
    return [
        (question["key"], choice["key"])
        for question in snapshot["questions"]
        for choice in question["choices"]
        if choice.get("stops_quiz")
    ]


# -- validation ---------------------------------------------------------------------
# The order of checks is part of the contract: with several problems, Python and
# JavaScript must report the same one. It never depends on the order of the answers.
#   1. answers is not a mapping                -> invalid_answer_type, key ""
#   2. unknown question keys, smallest first   -> unknown_question
#   3. each answered question, in snapshot order, checked by kind
#      (a multiple answer with an exclusive choice and another -> exclusive_choice)
#   4. answered questions that are hidden      -> hidden_question_answered
#   5. shown facts or warning questions left out, in order
#                                               -> missing_fact_answer / missing_warning_answer


def _check_scale(question: dict, answer: Any) -> None:
    # bool is an int in Python but not a number in JSON; reject it so both agree.
    if not isinstance(answer, int) or isinstance(answer, bool):
        raise _wrong_type(question, "a whole number")
    low, high = question["scale_min"], question["scale_max"]
    if not low <= answer <= high:
        raise AnswerError(
            "scale_out_of_range",
            question["key"],
            f"Question '{question['key']}' needs a number from {low} to {high}.",
        )


def _wrong_type(question: dict, expected: str) -> AnswerError:
    return AnswerError(
        "invalid_answer_type",
        question["key"],
        f"Question '{question['key']}' needs {expected}.",
    )


def _refuse_hidden_answers(snapshot: dict, answers: dict, shown_questions: list[dict]) -> None:
    """An answer to a question the person was never shown is a contradiction (a stale
    answer kept after an earlier one changed): refused, never silently scored or dropped."""
    shown = {question["key"] for question in shown_questions}
    for question in snapshot["questions"]:
        if question["key"] in answers and question["key"] not in shown:
            raise AnswerError(
                "hidden_question_answered",
                question["key"],
                f"Question '{question['key']}' is not shown with these answers, so it cannot be answered.",
            )


def _require_shown_answers(shown_questions: list[dict], chosen: dict[str, set[str]]) -> None:
    """Shown facts and warning questions always run (unless an emergency answer ended
    the check: the caller skips this then)."""
    for question in shown_questions:
        code = REQUIRED_SECTIONS.get(question["section"])
        if code is not None and question["key"] not in chosen:
            kind = "Warning-sign question" if question["section"] == WARNING_SECTION else "Question"
            raise AnswerError(code, question["key"], f"{kind} '{question['key']}' must be answered.")


# -- outcome ------------------------------------------------------------------------


def _choice_urgency(question: dict, choice: dict) -> str | None:
    if choice.get("unsure"):
        return unsure_urgency(question)
    return choice.get("urgency")


def _highest_urgency(warning_signs: list[dict]) -> str:
    return max(
        (sign["urgency"] for sign in warning_signs),
        key=_URGENCY_RANK.__getitem__,
        default="self_care",
    )


def _tips(snapshot: dict, cause_keys: list[str]) -> list[str]:
    """Tips for the contributing causes: by cause rank, then tip order, once each."""
    picked: list[str] = []
    for cause_key in cause_keys:
        for tip in snapshot["tips"]:
            if cause_key in tip["cause_groups"] and tip["key"] not in picked:
                picked.append(tip["key"])
    return picked


# -- helpers ------------------------------------------------------------------------


def _condition_met(condition: dict | None, answers: dict, shown_keys: set[str]) -> bool:
    if not condition:
        return True
    if condition["question"] not in shown_keys or condition["question"] not in answers:
        return False
    answer = answers[condition["question"]]
    picked = answer if isinstance(answer, list) else [answer]
    return any(isinstance(key, str) and key in condition["choices"] for key in picked)


def _questions_by_key(snapshot: dict) -> dict[str, dict]:
    return {question["key"]: question for question in snapshot["questions"]}


def _choice(question: dict, choice_key: str) -> dict | None:
    return next((c for c in question["choices"] if c["key"] == choice_key), None)
