"""outbox.js, the device's record of finished checks, as the sync code uses it."""

import pytest
from steps import open_app

pytestmark = pytest.mark.browser

EXERCISE_OUTBOX = """async () => {
  const outbox = await import('/static/js/outbox.js');
  const changes = [];
  const channel = new BroadcastChannel('backcare-outbox');
  channel.onmessage = (event) => changes.push(event.data);
  const record = (uuid, completed_at) => ({
    uuid, completed_at, content_version: 1, answers: {}, outcome: {urgency: 'self_care'},
    sync: {state: 'pending', message: null},
  });
  await outbox.saveCheck(record('oldest', '2025-12-01T08:00:00.000Z'));
  await outbox.saveCheck(record('older', '2026-01-01T08:00:00.000Z'));
  await outbox.saveCheck(record('newer', '2026-02-01T08:00:00.000Z'));
  await outbox.saveCheck(record('newest', '2026-03-01T08:00:00.000Z'));
  await outbox.markSynced('older', {urgency: 'self_care'});
  await outbox.markProblem('newer', 'rejected', 'Unknown question');
  const all = (await outbox.allChecks()).map((check) => check.uuid);
  const pending = (await outbox.pendingChecks()).map((check) => check.uuid);
  const rejected = await outbox.getCheck('newer');
  const synced = await outbox.getCheck('older');
  // Messages arrive asynchronously: wait for all six announcements.
  await new Promise((resolve) => {
    const check = () => (changes.length >= 6 ? resolve() : channel.addEventListener('message', check, {once: true}));
    check();
  });
  channel.close();
  return {all, pending, rejected: rejected.sync, synced: synced.sync,
          missing: await outbox.getCheck('nope'), changes: changes.length};
}"""


def test_the_outbox_keeps_checks_newest_first_with_their_sync_state(page, app_url):
    open_app(page, app_url + "/")

    result = page.evaluate(EXERCISE_OUTBOX)

    assert result["all"] == ["newest", "newer", "older", "oldest"]
    assert result["pending"] == ["oldest", "newest"]
    assert result["rejected"] == {"state": "rejected", "message": "Unknown question"}
    assert result["synced"] == {"state": "synced", "message": None}
    assert result["missing"] is None
    assert result["changes"] == 6
