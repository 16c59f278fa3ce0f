// The sync engine (static/js/sync.js) against a server that takes a request and never
// answers: the attempt ends at the deadline as a retry, the check stays waiting, and the
// sync lock is free for the next attempt. fake-indexeddb stands in for IndexedDB.
import "fake-indexeddb/auto";
import assert from "node:assert/strict";
import { afterEach, mock, test } from "node:test";

import { getCheck, saveCheck, writeDeviceRecord } from "../../static/js/outbox.js";
import { REQUEST_TIMEOUT_MS, syncNow } from "../../static/js/sync.js";

const realFetch = globalThis.fetch;

afterEach(() => {
  globalThis.fetch = realFetch;
  mock.timers.reset();
});

function check(uuid) {
  return {
    uuid,
    content_version: 1,
    answers: { sitting: "yes" },
    outcome: { urgency: "self_care", causes: [], tips: [], warning_signs: [] },
    completed_at: new Date().toISOString(),
    language: "en",
  };
}

/** A server that never answers: each request hangs until its signal aborts it. */
function silentServer() {
  const requests = [];
  let heard;
  const firstRequest = new Promise((resolve) => (heard = resolve));
  globalThis.fetch = (url, init) => {
    requests.push({ url, signal: init.signal });
    heard();
    return new Promise((_resolve, reject) => {
      init.signal.addEventListener("abort", () => reject(init.signal.reason));
    });
  };
  return { requests, firstRequest };
}

test("a sync the server never answers ends at the deadline as a retry, the check still waiting", async () => {
  await writeDeviceRecord("this-device", { device_id: "d-1", token: "t-1" });
  await saveCheck(check("never-answered"));
  mock.timers.enable({ apis: ["setTimeout"] });
  const server = silentServer();

  let settled = false;
  const attempt = syncNow().finally(() => (settled = true));
  await server.firstRequest;
  mock.timers.tick(REQUEST_TIMEOUT_MS - 1);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(settled, false, "the attempt gave up before the deadline");

  mock.timers.tick(1);
  const result = await attempt;

  assert.equal(result.status, "retry");
  assert.equal(result.network, true);
  assert.equal(server.requests.length, 1);
  assert.ok(server.requests[0].url.endsWith("/api/results/"));
  assert.equal((await getCheck("never-answered")).sync.state, "pending");
});
