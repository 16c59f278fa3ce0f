// The sync rules (static/js/sync-rules.js): backoff, Retry-After, statuses, receipts, status text.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  backoffDelay,
  batches,
  classifyStatus,
  MAX_DELAY_MS,
  nextDelay,
  pauseLeft,
  receiptOutcome,
  retryAfterMs,
  statusText,
  syncCounts,
  toPayload,
} from "../../static/js/sync-rules.js";

const lowest = () => 0;
const highest = () => 1;

test("it starts retrying after about a second and doubles each time", () => {
  assert.deepEqual([0, 1, 2, 3].map((n) => backoffDelay(n, highest)), [1000, 2000, 4000, 8000]);
  assert.deepEqual([0, 1, 2, 3].map((n) => backoffDelay(n, lowest)), [500, 1000, 2000, 4000]);
});

test("it never waits more than five minutes between attempts", () => {
  assert.equal(backoffDelay(9, highest), MAX_DELAY_MS);
  assert.equal(backoffDelay(50, highest), MAX_DELAY_MS);
  assert.equal(backoffDelay(1000, lowest), MAX_DELAY_MS / 2);
});

test("it spreads retries with jitter", () => {
  const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(4)));
  assert.ok(delays.size > 1);
  for (const delay of delays) assert.ok(delay >= 8000 && delay <= 16000, `${delay}`);
});

test("it reads Retry-After in seconds or as an HTTP date", () => {
  const now = Date.parse("2026-11-24T20:00:00Z");
  assert.equal(retryAfterMs("30", now), 30000);
  assert.equal(retryAfterMs("Tue, 24 Nov 2026 20:01:00 GMT", now), 60000);
  assert.equal(retryAfterMs(null, now), null);
  assert.equal(retryAfterMs("soon", now), null);
});

test("it never retries sooner than the server asked", () => {
  assert.equal(nextDelay(0, 30000, highest), 30000);
  assert.equal(nextDelay(5, 1000, highest), 32000);
  assert.equal(nextDelay(0, null, highest), 1000);
});

test("it keeps to the server's pause until it is over, and no longer", () => {
  const pause = { until: 1_000_000 + 30_000, asked: 30_000 };
  assert.equal(pauseLeft(pause, 1_000_000), 30_000);
  assert.equal(pauseLeft(pause, 1_000_000 + 29_000), 1000);
  assert.equal(pauseLeft(pause, 1_000_000 + 30_000), 0);
  assert.equal(pauseLeft(null, 1_000_000), 0);
});

test("a phone clock set back does not stretch the server's pause", () => {
  const pause = { until: 1_000_000 + 30_000, asked: 30_000 };
  assert.equal(pauseLeft(pause, 1_000_000 - 60 * 60 * 1000), 0);
});

test("it retries network trouble, server errors, timeouts and throttling, and re-registers on 401/403", () => {
  assert.equal(classifyStatus(200), "ok");
  for (const status of [500, 502, 503, 408, 429, 400]) assert.equal(classifyStatus(status), "retry", `${status}`);
  assert.equal(classifyStatus(401), "reauth");
  assert.equal(classifyStatus(403), "reauth");
  assert.equal(classifyStatus(413), "too_large");
});

test("it marks a check synced only on a created or duplicate receipt", () => {
  const outcome = { urgency: "self_care" };
  assert.deepEqual(receiptOutcome({ uuid: "a", status: "created", server_outcome: outcome }), {
    state: "synced",
    serverOutcome: outcome,
  });
  assert.equal(receiptOutcome({ uuid: "a", status: "duplicate" }).state, "synced");
  assert.equal(receiptOutcome({ uuid: "a", status: "surprise" }), null);
  assert.equal(receiptOutcome({ uuid: null, status: "rejected", errors: [] }), null);
});

test("it keeps the server's message for a rejected or conflicting check", () => {
  const rejected = receiptOutcome({
    uuid: "a",
    status: "rejected",
    errors: [{ field: "content_version", code: "unknown_content_version", message: "Version 7 is unknown." }],
  });
  assert.deepEqual(rejected, { state: "rejected", message: "Version 7 is unknown." });
  const conflict = receiptOutcome({ uuid: "a", status: "conflict", message: "Another check has this id." });
  assert.deepEqual(conflict, { state: "conflict", message: "Another check has this id." });
});

test("it keeps a check the server can only take later waiting, not needing attention", () => {
  const errors = [{ field: "completed_at", code: "completed_in_future", message: "The phone's clock is ahead." }];
  assert.deepEqual(receiptOutcome({ uuid: "a", status: "retry_later", retry_after: 300, errors }), {
    state: "pending",
    retryAfter: 300_000,
    message: "The phone's clock is ahead.",
  });
  assert.equal(receiptOutcome({ uuid: "a", status: "retry_later", errors }).retryAfter, null);
  assert.equal(receiptOutcome({ uuid: "a", status: "retry_later", retry_after: 86_400 }).retryAfter, MAX_DELAY_MS);
  assert.equal(statusText(syncCounts([{ sync: { state: "pending" } }])), "1 check waiting to sync");
});

test("it sends at most 100 checks per request, and only what the server needs", () => {
  const checks = Array.from({ length: 250 }, (_, n) => ({ uuid: String(n) }));
  assert.deepEqual(batches(checks).map((batch) => batch.length), [100, 100, 50]);
  const check = { uuid: "u", content_version: 1, answers: {}, outcome: {}, completed_at: "t", sync: {}, server_outcome: {} };
  assert.deepEqual(Object.keys(toPayload(check)), ["uuid", "content_version", "answers", "outcome", "completed_at"]);
  assert.equal(toPayload({ ...check, language: "zh-hans" }).language, "zh-hans");
});

test("it says plainly how many checks wait, need attention, or that all are saved", () => {
  const check = (state) => ({ sync: { state, message: null } });
  assert.equal(statusText(syncCounts([check("pending"), check("pending"), check("synced")])), "2 checks waiting to sync");
  assert.equal(statusText(syncCounts([check("pending")])), "1 check waiting to sync");
  assert.equal(statusText(syncCounts([check("synced")])), "All saved");
  assert.equal(statusText(syncCounts([check("rejected"), check("synced")])), "1 check needs attention");
  assert.equal(
    statusText(syncCounts([check("pending"), check("conflict"), check("rejected")])),
    "1 check waiting to sync · 2 checks need attention",
  );
  assert.equal(statusText(syncCounts([])), "No checks saved yet");
});
