// The outbox (static/js/outbox.js) when the browser closes its database: it reopens and
// runs the operation once more; what still fails is reported with a reason.
// fake-indexeddb (dev only, pinned in package.json) stands in for the browser's IndexedDB.
import "fake-indexeddb/auto";
import { forceCloseDatabase } from "fake-indexeddb";
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { allChecks, getCheck, openDb, OutboxError, saveCheck } from "../../static/js/outbox.js";

const realTransaction = IDBDatabase.prototype.transaction;

afterEach(() => {
  IDBDatabase.prototype.transaction = realTransaction;
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

/** Make the next `times` calls of transaction() throw `name`, counting every call. */
function transactionsThrow(name, times = Infinity) {
  const calls = { count: 0 };
  IDBDatabase.prototype.transaction = function (...args) {
    calls.count += 1;
    if (calls.count <= times) throw new DOMException(`${name} (test)`, name);
    return realTransaction.apply(this, args);
  };
  return calls;
}

test("it saves a check in a reopened database after the browser closed the connection", async () => {
  const first = await openDb();
  await saveCheck(check("before-the-close"));

  forceCloseDatabase(first);
  await saveCheck(check("after-the-close"));

  assert.notEqual(await openDb(), first);
  assert.deepEqual((await allChecks()).map((c) => c.uuid).sort(), ["after-the-close", "before-the-close"]);
  assert.equal((await getCheck("after-the-close")).sync.state, "pending");
});

test("it reopens and retries once when transaction() says the connection is closing", async () => {
  const first = await openDb();
  // Closed without a close event reaching us (as after iOS Safari drops the connection).
  first.close();

  await saveCheck(check("closed-quietly"));

  assert.notEqual(await openDb(), first);
  assert.equal((await getCheck("closed-quietly")).uuid, "closed-quietly");
});

test("it retries a closed connection only once, then reports the reason", async () => {
  const calls = transactionsThrow("InvalidStateError");

  const error = await saveCheck(check("never-saved")).catch((e) => e);

  assert.ok(error instanceof OutboxError);
  assert.equal(error.reason, "closed");
  assert.equal(calls.count, 2);
  IDBDatabase.prototype.transaction = realTransaction;
  assert.equal(await getCheck("never-saved"), null);
});

test("it succeeds when the one retry gets a working connection", async () => {
  const calls = transactionsThrow("InvalidStateError", 1);

  await saveCheck(check("second-try"));

  assert.equal(calls.count, 2);
  assert.equal((await getCheck("second-try")).uuid, "second-try");
});

test("it reports a full quota at once, without retrying", async () => {
  const calls = transactionsThrow("QuotaExceededError");

  const error = await saveCheck(check("no-room")).catch((e) => e);

  assert.ok(error instanceof OutboxError);
  assert.equal(error.reason, "quota");
  assert.equal(calls.count, 1);
});

test("it runs a write again when the browser closes the database while the write is under way", async () => {
  let closed = 0;
  IDBDatabase.prototype.transaction = function (...args) {
    const transaction = realTransaction.apply(this, args);
    if (closed === 0) {
      closed += 1;
      // After the put is placed, before it commits.
      queueMicrotask(() => forceCloseDatabase(this));
    }
    return transaction;
  };

  await saveCheck(check("closed-mid-write"));

  assert.equal(closed, 1);
  assert.equal((await getCheck("closed-mid-write")).uuid, "closed-mid-write");
});
