"""A phone with more checks than the history lists at once: the newest are listed first and
"Show older checks" lists the rest, a page at a time, until every check is in the list; the
charts and the downloads hold every check from the start. Offline."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from steps import calm_answers, open_app, saved_checks

pytestmark = pytest.mark.browser

LISTED_AT_FIRST = 50
CHECKS = 120

SAVE_MANY_JS = """async ({answers, count}) => {
  const [{ score }, outbox, content] = await Promise.all([
    import('/static/js/scoring.js'), import('/static/js/outbox.js'), import('/static/js/content.js')]);
  const snapshot = await content.fetchContent();
  await content.rememberContentVersion(snapshot);
  for (let day = 0; day < count; day += 1) {
    const pain = day % 11;
    const completed = new Date(Date.UTC(2026, 0, 1 + day, 8)).toISOString();
    await outbox.saveCheck({uuid: crypto.randomUUID(), content_version: snapshot.version,
      answers: {...answers, h_pain_now: pain}, outcome: score(snapshot, {...answers, h_pain_now: pain}),
      completed_at: completed, sync: {state: 'synced', message: null}});
  }
}"""


@pytest.fixture
def many_checks(page, context, app_url):
    """120 checks a day apart, newest last; then the phone goes offline."""
    open_app(page, app_url + "/history/")
    page.evaluate(SAVE_MANY_JS, {"answers": calm_answers(page, 0), "count": CHECKS})
    context.set_offline(True)
    page.reload()
    return [check["uuid"] for check in saved_checks(page)]


def test_the_list_shows_the_newest_checks_and_show_older_checks_lists_the_rest(page, many_checks):
    newest_first = many_checks
    cards = page.locator(".history-item")
    more = page.get_by_role("button", name="Show older checks")
    expect(cards).to_have_count(LISTED_AT_FIRST)
    assert cards.evaluate_all("(cards) => cards.map((c) => c.dataset.uuid)") == newest_first[:LISTED_AT_FIRST]
    # The chart holds every check from the start.
    expect(page.locator("#history-chart circle.chart-point")).to_have_count(CHECKS)

    more.click()
    expect(cards).to_have_count(2 * LISTED_AT_FIRST)
    expect(more).to_be_visible()
    more.click()
    expect(cards).to_have_count(CHECKS)
    expect(more).to_be_hidden()
    # Every check, newest first, each once; the oldest opens its own result.
    assert cards.evaluate_all("(cards) => cards.map((c) => c.dataset.uuid)") == newest_first
    cards.last.get_by_role("link").click()
    expect(page.locator("#result-urgency")).to_be_visible()
    assert page.url.endswith(f"#{newest_first[-1]}")


def test_printing_the_history_lists_every_check(page, many_checks):
    cards = page.locator(".history-item")
    expect(cards).to_have_count(LISTED_AT_FIRST)

    # What the browser fires before it lays the page out for printing (Ctrl+P, Share > Print).
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")

    expect(cards).to_have_count(CHECKS)
    assert cards.evaluate_all("(cards) => cards.map((c) => c.dataset.uuid)") == many_checks
    expect(page.get_by_role("button", name="Show older checks")).to_be_hidden()


def test_the_csv_download_holds_every_check_while_the_list_shows_the_newest(page, many_checks):
    expect(page.locator(".history-item")).to_have_count(LISTED_AT_FIRST)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert [row["uuid"] for row in rows] == many_checks
