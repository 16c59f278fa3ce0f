// The follow-through's device records (static/js/outbox.js's FOLLOW_THROUGH_RECORDS): the
// one list covers every device record a module writes but the sync engine's own, the JSON
// download reads it, and "Delete my data" (sync.js) erases it with the checks.
// fake-indexeddb stands in for IndexedDB.
import "fake-indexeddb/auto";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { afterEach, test } from "node:test";

import * as outbox from "../../static/js/outbox.js";
import { deleteMyData } from "../../static/js/sync.js";

const { FOLLOW_THROUGH_RECORDS, allChecks, followThroughRecords, readDeviceRecord, saveCheck, writeDeviceRecord } =
  outbox;
const JS_DIR = new URL("../../static/js/", import.meta.url);
// The sync engine's own records (its token, the server's pause): not the person's data
// between checks; deleteMyData forgets the token itself.
const SYNC_ENGINE = "sync.js";
const realFetch = globalThis.fetch;

afterEach(async () => {
  globalThis.fetch = realFetch;
  await outbox.clearChecksAndFollowThrough();
});

/** Every first argument of writeDeviceRecord(…) in a module's source, as written. */
function writtenIds(source) {
  return [...source.matchAll(/writeDeviceRecord\(\s*([^,)]+)/g)].map((match) => match[1].trim());
}

/** What a module passes as the id: outbox.js's exported name, or a string literal; else null. */
function idValue(argument) {
  const literal = argument.match(/^(["'])([^"']*)\1$/);
  if (literal) return literal[2];
  return typeof outbox[argument] === "string" ? outbox[argument] : null;
}

test("every device record a module writes is on the one list, and the list holds nothing unwritten", () => {
  const written = new Map();
  for (const file of readdirSync(JS_DIR).filter((name) => name.endsWith(".js"))) {
    if (file === "outbox.js" || file === SYNC_ENGINE) continue;
    for (const argument of writtenIds(readFileSync(new URL(file, JS_DIR), "utf8"))) {
      const id = idValue(argument);
      assert.ok(
        FOLLOW_THROUGH_RECORDS.includes(id),
        `${file} writes the device record ${argument}, which is not on outbox.js's FOLLOW_THROUGH_RECORDS`,
      );
      written.set(id, [...(written.get(id) || []), file]);
    }
  }
  assert.deepEqual([...written.keys()].sort(), [...FOLLOW_THROUGH_RECORDS].sort());
  // The modules the follow-through is built of each write their own.
  assert.deepEqual(Object.fromEntries([...written].map(([id, files]) => [id, [...new Set(files)].sort()])), {
    "follow-up": ["follow-up.js"],
    episode: ["follow-up.js"],
    activities: ["activities.js"],
    plan: ["today.js"],
  });
});

test("the sync engine's own records are not on the list", () => {
  const source = readFileSync(new URL(SYNC_ENGINE, JS_DIR), "utf8");
  const constants = Object.fromEntries([...source.matchAll(/const (\w+) = "([^"]+)";/g)].map((m) => [m[1], m[2]]));
  const ids = [...source.matchAll(/(?:read|write|delete)DeviceRecord\((\w+)/g)].map((m) => constants[m[1]]);
  assert.deepEqual([...new Set(ids)].sort(), ["sync-pause", "this-device"]);
  for (const id of ids) assert.ok(!FOLLOW_THROUGH_RECORDS.includes(id), id);
});

async function keepEverything() {
  await writeDeviceRecord("this-device", { device_id: "d-1", token: "t-1" });
  await saveCheck({
    uuid: "c-1",
    content_version: 1,
    answers: { sitting: "yes" },
    outcome: { urgency: "self_care", causes: [], tips: [], warning_signs: [] },
    completed_at: "2027-03-01T09:00:00.000Z",
    language: "en",
  });
  for (const id of FOLLOW_THROUGH_RECORDS) await writeDeviceRecord(id, { kept: id });
}

test("the download reads every follow-through record by id, null where none was kept", async () => {
  await writeDeviceRecord("plan", { items: ["walk"], ticks: {} });

  assert.deepEqual(await followThroughRecords(), {
    "follow-up": null,
    episode: null,
    activities: null,
    plan: { id: "plan", items: ["walk"], ticks: {} },
  });
});

test("Delete my data erases every follow-through record with the checks once the server has", async () => {
  await keepEverything();
  const asked = [];
  globalThis.fetch = async (url, init) => {
    asked.push([init.method, url]);
    return new Response(null, { status: 204 });
  };

  assert.equal(await deleteMyData(), true);

  assert.deepEqual(asked, [["DELETE", "/api/devices/me/"]]);
  assert.deepEqual(await allChecks(), []);
  for (const id of FOLLOW_THROUGH_RECORDS) assert.equal(await readDeviceRecord(id), null, id);
  assert.equal(await readDeviceRecord("this-device"), null);
});

test("Delete my data with the server out of reach erases nothing, the follow-through included", async () => {
  await keepEverything();
  globalThis.fetch = async () => {
    throw new TypeError("Failed to fetch");
  };

  assert.equal(await deleteMyData(), false);

  assert.equal((await allChecks()).length, 1);
  for (const id of FOLLOW_THROUGH_RECORDS) assert.deepEqual(await readDeviceRecord(id), { id, kept: id });
});
