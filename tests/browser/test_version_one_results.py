"""A phone that saved checks with the first version of the check still shows them, on
their own version's wording, after the check version 2 is published."""

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect
from steps import open_app

from quiz import content, services
from quiz.scoring import score

pytestmark = pytest.mark.browser

VERSION_ONE = json.loads((Path(settings.BASE_DIR) / "tests" / "data" / "content_v1.json").read_text(encoding="utf-8"))
CALM_V1 = {
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
    "h_pain_now": 3,
}


@pytest.fixture
def upgraded_url(live_server, transactional_db):
    """An installation that ran the first check, upgraded as the data migration does."""
    content.load_content(VERSION_ONE)
    version_one = services.content_publish()
    services.content_upgrade_to_seed()
    return live_server.url, version_one


def test_a_check_saved_with_version_one_shows_its_own_outcome_and_wording(page, upgraded_url):
    url, version_one = upgraded_url
    record = {
        "uuid": str(uuid.uuid4()),
        "content_version": 1,
        "answers": CALM_V1,
        "outcome": score(version_one.snapshot, CALM_V1),
        "completed_at": datetime.now(UTC).isoformat(),
        "sync": {"state": "pending", "message": None},
    }
    open_app(page, url + "/")
    page.evaluate("(record) => import('/static/js/outbox.js').then((outbox) => outbox.saveCheck(record))", record)

    page.goto(f"{url}/history/")
    entry = page.locator(f'.history-item[data-uuid="{record["uuid"]}"]')
    expect(entry).to_contain_text("Self-care")
    entry.get_by_role("link").click()

    urgency = page.locator("#result-urgency")
    expect(urgency).to_contain_text(VERSION_ONE["settings"]["actions"]["self_care"])
    expect(urgency).not_to_contain_text("Ask a pharmacist about pain relief")
    posture = next(g for g in VERSION_ONE["cause_groups"] if g["key"] == "posture_load")
    expect(page.locator("#result-causes")).to_contain_text(posture["name"])
