"""History that shows change: a chart of the pain score and urgency of every saved check
with a table of the same values, each check opening its summary; "Export my checks" as CSV
and JSON equal to what the device holds; "Delete my data" behind a dialog. Offline."""

import csv
import io
import json
from pathlib import Path

import pytest
from playwright.sync_api import expect
from steps import calm_answers, open_app, save_check, saved_checks, wait_until_resolves_true, warning_signs

pytestmark = pytest.mark.browser

URGENCY_WORDS = {"self_care": "Self-care", "soon": "See a doctor soon", "urgent": "Urgent: get medical advice today"}


@pytest.fixture
def three_checks(page, context, app_url, published):
    """Three checks a week apart, saved while online; then the phone goes offline."""
    open_app(page, app_url + "/history/")
    snapshot = published.snapshot
    uuids = [
        save_check(page, calm_answers(page, 7, warning_signs(snapshot, "urgent")), "2026-03-01T08:00:00.000Z"),
        save_check(page, calm_answers(page, None, warning_signs(snapshot, "soon")), "2026-03-08T08:00:00.000Z"),
        save_check(page, calm_answers(page, 3), "2026-03-15T08:00:00.000Z"),
    ]
    context.set_offline(True)
    page.reload()
    return uuids


def test_the_chart_has_one_point_per_check_and_the_table_the_same_values(page, three_checks):
    points = page.locator("#history-chart circle.chart-point")
    expect(points).to_have_count(3)
    drawn = points.evaluate_all("(circles) => circles.map((c) => [c.dataset.uuid, c.dataset.pain, c.dataset.urgency])")
    first, second, third = three_checks
    assert drawn == [[first, "7", "urgent"], [second, "", "soon"], [third, "3", "self_care"]]
    # A higher pain score is drawn higher up.
    heights = points.evaluate_all("(circles) => circles.map((c) => Number(c.getAttribute('cy')))")
    assert heights[0] < heights[2]

    rows = page.locator("#history-table tbody tr")
    expect(rows).to_have_count(3)
    assert rows.evaluate_all("(rows) => rows.map((r) => r.dataset.uuid)") == three_checks
    assert rows.locator("td.pain").all_inner_texts() == ["7", "not given", "3"]
    urgencies = rows.locator("td.urgency").all_inner_texts()
    assert urgencies == [URGENCY_WORDS["urgent"], URGENCY_WORDS["soon"], URGENCY_WORDS["self_care"]]

    rows.nth(1).get_by_role("link").click()
    expect(page.locator("#summary-urgency")).to_contain_text("See a doctor soon")
    page.go_back()
    page.locator(f'#history-chart circle[data-uuid="{three_checks[2]}"]').click()
    expect(page.locator("#summary-urgency")).to_contain_text("Self-care")
    expect(page.locator("#summary-pain")).to_have_text("3 out of 10")


def test_export_downloads_a_csv_and_a_json_whose_rows_equal_the_saved_checks(page, three_checks):
    checks = saved_checks(page)

    with page.expect_download() as json_download:
        page.get_by_role("button", name="Download JSON").click()
    assert json_download.value.suggested_filename == "backcare-checks.json"
    exported = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert exported == checks

    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Download CSV").click()
    assert csv_download.value.suggested_filename == "backcare-checks.csv"
    rows = list(csv.DictReader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8"))))
    assert [row["uuid"] for row in rows] == [check["uuid"] for check in checks]
    for row, check in zip(rows, checks, strict=True):
        assert row["completed_at"] == check["completed_at"]
        assert row["content_version"] == str(check["content_version"])
        assert row["urgency"] == check["outcome"]["urgency"]
        assert json.loads(row["answers"]) == check["answers"]
        assert row["tips"].split(";") == (check["outcome"]["tips"] or [""])
        signs = check["outcome"]["warning_signs"]
        assert row["warning_signs"] == ";".join(f"{sign['question']}={sign['choice']}" for sign in signs)
        assert row["sync_state"] == check["sync"]["state"]
    assert [row["pain_score"] for row in rows] == ["3", "", "7"]


def test_delete_my_data_asks_in_a_dialog_and_keeps_everything_when_the_person_says_no(page, three_checks):
    page.get_by_role("button", name="Delete my data").click()
    dialog = page.get_by_role("dialog", name="Delete every check?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Keep my checks").click()

    expect(dialog).to_be_hidden()
    expect(page.locator("#delete-my-data-status")).to_have_text("")
    assert len(saved_checks(page)) == 3


OFFLINE_SYNC_TEXT = "You are offline: your checks stay on this device and are sent when the connection is back."


def test_sync_now_while_offline_says_so(page, three_checks):
    page.get_by_role("button", name="Sync now").click()

    expect(page.locator("#sync-now-status")).to_have_text(OFFLINE_SYNC_TEXT)


def test_sync_now_while_offline_says_so_when_every_check_was_already_sent(page, context, app_url, published):
    # Nothing waits to be sent, so the sync the button starts finishes without the
    # network: it must still not claim "Sync finished." while the phone is offline.
    open_app(page, app_url + "/history/")
    save_check(page, calm_answers(page, 3), "2026-03-15T08:00:00.000Z")
    wait_until_resolves_true(
        page, "() => import('/static/js/outbox.js').then((o) => o.pendingChecks()).then((p) => p.length === 0)"
    )
    context.set_offline(True)
    page.reload()

    page.evaluate(
        "() => { window.__syncAnswered = new Promise((resolve) =>"
        " document.addEventListener('backcare:sync', resolve, { once: true })); }"
    )
    page.get_by_role("button", name="Sync now").click()
    page.evaluate("() => window.__syncAnswered.then(() => true)")  # the sync's own answer came

    expect(page.locator("#sync-now-status")).to_have_text(OFFLINE_SYNC_TEXT)
