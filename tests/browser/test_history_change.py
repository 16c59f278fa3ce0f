"""History that shows change: a chart of the pain score and urgency of every saved check
(each point opening its summary), dated without repeating a day, with the list of checks
holding the same values; "Export my checks" as JSON equal to what the device holds and as
a CSV a person can read; "Sync now" only while a check waits; "Delete my data" behind a
dialog whose Delete is red. Offline."""

import csv
import io
import json
from pathlib import Path

import pytest
from playwright.sync_api import expect
from steps import (
    calm_answers,
    choice_words,
    open_app,
    save_check,
    saved_checks,
    signs_in_words,
    wait_until_resolves_true,
    warning_signs,
)

pytestmark = pytest.mark.browser

URGENCY_WORDS = {"self_care": "Self-care", "soon": "See a doctor soon", "urgent": "Urgent: get medical advice today"}
READABLE_COLUMNS = [
    "Date",
    "Result",
    "Pain score",
    "Warning signs reported",
    "What may be contributing",
    "Tips that fit",
    "Answers",
    "Sync state",
]


@pytest.fixture
def browser_context_args(browser_context_args):
    """A phone whose clock reads UTC, so local times are the saved ones."""
    return {**browser_context_args, "timezone_id": "UTC"}


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


def test_the_chart_has_one_point_per_check_and_the_list_the_same_values(page, three_checks):
    points = page.locator("#history-chart circle.chart-point")
    expect(points).to_have_count(3)
    drawn = points.evaluate_all("(circles) => circles.map((c) => [c.dataset.uuid, c.dataset.pain, c.dataset.urgency])")
    first, second, third = three_checks
    assert drawn == [[first, "7", "urgent"], [second, "", "soon"], [third, "3", "self_care"]]
    # A higher pain score is drawn higher up.
    heights = points.evaluate_all("(circles) => circles.map((c) => Number(c.getAttribute('cy')))")
    assert heights[0] < heights[2]

    cards = page.locator(".history-item")
    expect(cards).to_have_count(3)
    # Newest first, each with its pain score (the chart's values, for everyone).
    assert cards.evaluate_all("(cards) => cards.map((c) => c.dataset.uuid)") == three_checks[::-1]
    expect(cards.locator(".pain")).to_have_text(
        ["Pain score: 3 out of 10", "Pain score: not given", "Pain score: 7 out of 10"]
    )
    urgencies = [URGENCY_WORDS["self_care"], URGENCY_WORDS["soon"], URGENCY_WORDS["urgent"]]
    expect(cards.locator(".urgency")).to_have_text(urgencies)
    expect(page.locator("#history-table")).to_have_count(0)
    expect(page.locator("#history-chart text.chart-date")).to_have_text(["1 Mar", "8 Mar", "15 Mar"])

    page.locator(f'#history-chart circle[data-uuid="{three_checks[1]}"]').click()
    expect(page.locator("#summary-urgency")).to_contain_text("See a doctor soon")
    page.go_back()
    page.locator(f'#history-chart circle[data-uuid="{three_checks[2]}"]').click()
    expect(page.locator("#summary-urgency")).to_contain_text("Self-care")
    expect(page.locator("#summary-pain")).to_have_text("3 out of 10")


def test_export_downloads_a_json_equal_to_the_saved_checks_and_a_csv_a_person_can_read(page, three_checks, published):
    checks = saved_checks(page)

    with page.expect_download() as json_download:
        page.get_by_role("button", name="Download JSON").click()
    assert json_download.value.suggested_filename == "backcare-checks.json"
    exported = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    # The checks exactly as saved (the device's own records beside them, under "device").
    assert exported["checks"] == checks

    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Download CSV").click()
    assert csv_download.value.suggested_filename == "backcare-checks.csv"
    # utf-8-sig: the file starts with a byte-order mark, so spreadsheets read it as UTF-8.
    text = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [*READABLE_COLUMNS, "uuid", "completed_at_utc", "content_version", "urgency"]
    assert [row["uuid"] for row in rows] == [check["uuid"] for check in checks]
    for row, check in zip(rows, checks, strict=True):
        assert row["completed_at_utc"] == check["completed_at"]
        assert row["content_version"] == str(check["content_version"])
        assert row["urgency"] == check["outcome"]["urgency"]
        assert row["Result"] == URGENCY_WORDS[check["outcome"]["urgency"]]
        assert row["Sync state"] in {"Waiting to sync", "Synced"}
        # Words, not keys or JSON: every answer as "question → answer", one a line.
        assert len(row["Answers"].splitlines()) == len(check["answers"])
        assert "{" not in row["Answers"]
    # Local times with the month as a word (the phone's clock here is UTC).
    assert [row["Date"] for row in rows] == ["15 Mar 2026, 08:00", "8 Mar 2026, 08:00", "1 Mar 2026, 08:00"]
    assert [row["Pain score"] for row in rows] == ["3", "", "7"]
    snapshot = published.snapshot
    sign = signs_in_words(snapshot, warning_signs(snapshot, "urgent"))[0]
    question, choice = sign.split("?", 1)
    assert rows[2]["Warning signs reported"] == f"{question}? → {choice.strip()}"
    assert rows[0]["Warning signs reported"] == ""
    tips = {tip["key"]: tip["title"] for tip in snapshot["tips"]}
    assert rows[0]["Tips that fit"].splitlines() == [tips[key] for key in checks[0]["outcome"]["tips"]]
    expected_answers = [f"{q} → {a}" for q, a in choice_words(snapshot, checks[0]["answers"]).items()]
    assert rows[0]["Answers"].splitlines() == expected_answers


def test_delete_my_data_asks_in_a_dialog_and_keeps_everything_when_the_person_says_no(page, three_checks):
    page.get_by_role("button", name="Delete my data").click()
    dialog = page.get_by_role("dialog", name="Delete every check?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Keep my checks").click()

    expect(dialog).to_be_hidden()
    expect(page.locator("#delete-my-data-status")).to_have_text("")
    assert len(saved_checks(page)) == 3


OFFLINE_SYNC_TEXT = "You are offline: your checks stay on this device and are sent when the connection is back."


def nothing_waits(page) -> None:
    wait_until_resolves_true(
        page, "() => import('/static/js/outbox.js').then((o) => o.pendingChecks()).then((p) => p.length === 0)"
    )


def test_sync_now_while_offline_says_so(page, context, app_url, published):
    open_app(page, app_url + "/history/")
    context.set_offline(True)
    save_check(page, calm_answers(page, 3), "2026-03-15T08:00:00.000Z")
    expect(page.locator("#sync-status")).to_have_text("1 check waiting to sync")

    page.get_by_role("button", name="Sync now").click()

    expect(page.locator("#sync-now-status")).to_have_text(OFFLINE_SYNC_TEXT)


def test_sync_now_is_offered_only_while_a_check_waits_to_be_sent(page, context, app_url, published):
    open_app(page, app_url + "/history/")
    expect(page.locator("#sync-status")).to_have_text("No checks saved yet")
    expect(page.get_by_role("button", name="Sync now")).to_be_hidden()
    save_check(page, calm_answers(page, 3), "2026-03-15T08:00:00.000Z")
    nothing_waits(page)
    page.reload()

    expect(page.locator("#sync-status")).to_have_text("All saved")
    expect(page.get_by_role("button", name="Sync now")).to_be_hidden()

    context.set_offline(True)
    save_check(page, calm_answers(page, 5), "2026-03-16T08:00:00.000Z")
    expect(page.locator("#sync-status")).to_have_text("1 check waiting to sync")
    expect(page.get_by_role("button", name="Sync now")).to_be_visible()


def test_the_delete_dialogs_delete_is_in_the_danger_colour(page, three_checks):
    page.get_by_role("button", name="Delete my data").click()
    dialog = page.get_by_role("dialog", name="Delete every check?")

    delete = dialog.get_by_role("button", name="Delete", exact=True)
    keep = dialog.get_by_role("button", name="Keep my checks")
    danger = page.evaluate("() => getComputedStyle(document.documentElement).getPropertyValue('--danger').trim()")
    assert danger == "#a4161a"
    assert delete.evaluate("(b) => getComputedStyle(b).backgroundColor") == "rgb(164, 22, 26)"
    assert keep.evaluate("(b) => getComputedStyle(b).backgroundColor") != "rgb(164, 22, 26)"


def test_checks_on_one_day_are_told_apart_on_the_chart_and_no_empty_lane_is_drawn(page, context, app_url, published):
    open_app(page, app_url + "/history/")
    for pain, time in ((6, "08:05"), (5, "13:30"), (4, "19:42")):
        save_check(page, calm_answers(page, pain), f"2026-12-06T{time}:00.000Z")
    context.set_offline(True)
    page.reload()

    expect(page.locator("#history-chart circle.chart-point")).to_have_count(3)
    # One "6 Dec", then the times: not three identical labels.
    expect(page.locator("#history-chart text.chart-date")).to_have_text(["6 Dec", "13:30", "19:42"])
    # Every check has a score: no "no score" lane.
    expect(page.locator("#history-chart")).not_to_contain_text("no score")
