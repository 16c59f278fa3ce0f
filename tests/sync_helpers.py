"""Helpers for the sync tests: real answer sets, scored results, registered devices."""

import uuid
from datetime import UTC, datetime

from quiz import scoring

# The facts, every warning-sign screen answered "None of these", a few habits that point
# to posture and load.
CALM_ANSWERS = {
    "h_age": "age_45_to_64",
    "f_womb": "no",
    "w_emergency": ["none"],
    "w_urgent": ["none"],
    "w_soon": ["none"],
    "h_pattern": ["after_lifting"],
    "h_sitting": "over_2_hours",
    "h_activity": "rarely",
    "h_pain_now": 4,
}


def result_item(snapshot: dict, answers: dict | None = None, **overrides) -> dict:
    """A result as the phone sends it, scored like the phone scores it."""
    answers = dict(CALM_ANSWERS if answers is None else answers)
    item = {
        "uuid": str(uuid.uuid4()),
        "content_version": snapshot["version"],
        "answers": answers,
        "outcome": scoring.score(snapshot, answers),
        "completed_at": datetime.now(UTC).isoformat(),
    }
    item.update(overrides)
    return item


def register(client) -> tuple[str, str]:
    body = client.post("/api/devices/", {}, content_type="application/json").json()
    return body["device_id"], body["token"]


def token_header(token: str) -> dict:
    return {"Authorization": f"Token {token}"}


def post_results(client, token: str, items: list) -> "object":
    return client.post(
        "/api/results/", {"results": items}, content_type="application/json", headers=token_header(token)
    )
