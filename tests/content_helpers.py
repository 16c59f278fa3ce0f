"""Answer sets and items picked from whatever content is published, so admin tests hold for
any content version (the shipped content changes; the admin must not care)."""

from sync_helpers import CALM_ANSWERS


def urgent_answers(snapshot: dict) -> dict:
    """The calm answers plus the first warning-sign answer that raises "urgent" urgency."""
    for question in snapshot["questions"]:
        for choice in question["choices"]:
            if choice.get("urgency") == "urgent" and not choice.get("stops_quiz"):
                answer = [choice["key"]] if question["kind"] == "multiple" else choice["key"]
                return {**CALM_ANSWERS, question["key"]: answer}
    raise AssertionError("the published content has no urgent warning sign")
