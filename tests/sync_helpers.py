"""Helpers for the sync tests: real answer sets, scored results, registered devices."""

import uuid
from datetime import UTC, datetime

from quiz import scoring

# Every warning sign answered "no", a few habits that point to posture and load.
CALM_ANSWERS = {
    "w_saddle": "no",
    "w_bladder_bowel": "no",
    "w_legs": "no",
    "w_injury": "no",
    "w_fever": "no",
    "w_urine": "no",
    "w_weight_loss": "no",
    "w_cancer": "no",
    "w_lump": "no",
    "w_night_pain": "no",
    "w_inflammatory": "no",
    "w_gynae": "not_relevant",
    "w_duration": "few_days",
    "h_sitting": "over_2_hours",
    "h_activity": "rarely",
    "h_carrying": "often",
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
