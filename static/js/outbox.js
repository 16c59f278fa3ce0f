/**
 * The device's record of finished checks, in IndexedDB: saved first, synced later. The
 * one owner of BackCare's IndexedDB database: every read and write of it goes through
 * here, the sync engine's own small records (the device token, the server's pause)
 * included.
 *
 * Usable from pages and from the service worker (no `window` or DOM here). Every
 * change to the checks is announced on a BroadcastChannel (`onOutboxChange`) so open
 * pages (history, sync status) refresh themselves.
 *
 * Check: {uuid, content_version, answers, outcome, completed_at (ISO string), language,
 *         sync: {state: "pending"|"synced"|"conflict"|"rejected", message}}
 * Device record: {id, ...} in its own store, read and written by key.
 *
 * The browser may close the database under a running page or worker (iOS Safari under
 * memory pressure, Chromium when site data is cleared): the connection is then dropped
 * and every operation that met a closed connection is run once more on a reopened one.
 * What still fails rejects with an OutboxError naming the reason.
 */

const DB_NAME = "backcare";
const DB_VERSION = 1;
const CHECKS = "checks";
const DEVICE = "device";
const CHANNEL = "backcare-outbox";

// Errors a closed or lost connection gives: InvalidStateError from transaction() after a
// close, AbortError for a transaction cut short by it, UnknownError for Safari's
// "Connection to Indexed Database server lost". Another connection usually works.
const CONNECTION_LOST = new Set(["InvalidStateError", "AbortError", "UnknownError"]);

/** Why the outbox could not do what was asked: reason "quota", "closed" or "unavailable". */
export class OutboxError extends Error {
  constructor(reason, cause) {
    super(`outbox ${reason}: ${cause && cause.message}`);
    this.name = "OutboxError";
    this.reason = reason;
    this.cause = cause;
  }
}

let dbPromise = null;
let openConnection = null;

/** Open (and on first use create) the database; the connection is shared until closed. */
export function openDb() {
  if (dbPromise === null) {
    const opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(CHECKS)) {
          const checks = db.createObjectStore(CHECKS, { keyPath: "uuid" });
          checks.createIndex("completed_at", "completed_at");
        }
        if (!db.objectStoreNames.contains(DEVICE)) db.createObjectStore(DEVICE, { keyPath: "id" });
      };
      request.onsuccess = () => {
        const db = request.result;
        openConnection = db;
        // Another tab with a newer version wants the database: step aside.
        db.onversionchange = () => forgetConnection(db);
        // Closed by the browser: the next operation opens a new connection.
        db.onclose = () => forgetConnection(db);
        resolve(db);
      };
      request.onerror = () => reject(request.error);
    });
    dbPromise = opening;
    // A failed open is not kept: the next operation tries again.
    opening.catch(() => {
      if (dbPromise === opening) dbPromise = null;
    });
  }
  return dbPromise;
}

/** Drop `db` as the shared connection (if it still is) and close it. */
function forgetConnection(db) {
  if (openConnection === db) {
    openConnection = null;
    dbPromise = null;
  }
  try {
    db.close();
  } catch {
    // Already closed: nothing to do.
  }
}

/**
 * Save a finished check; resolves only once the transaction has committed. Rejects with
 * an OutboxError (its reason: "quota", "closed", "unavailable") when it could not be saved.
 */
export async function saveCheck(record) {
  const stored = { ...record, sync: record.sync || { state: "pending", message: null } };
  await write((store) => store.put(stored));
  return stored;
}

/** Every saved check, newest first. */
export async function allChecks() {
  const checks = await transact(CHECKS, "readonly", (store) => store.index("completed_at").getAll());
  return checks.reverse();
}

export async function getCheck(uuid) {
  return (await transact(CHECKS, "readonly", (store) => store.get(uuid))) || null;
}

/** Checks the server has not acknowledged yet, oldest first (the order to send them). */
export async function pendingChecks() {
  const checks = await allChecks();
  return checks.filter((check) => check.sync.state === "pending").reverse();
}

export async function markSynced(uuid, serverOutcome) {
  return update(uuid, (record) => ({
    ...record,
    server_outcome: serverOutcome === undefined ? null : serverOutcome,
    sync: { state: "synced", message: null },
  }));
}

export async function markProblem(uuid, state, message) {
  return update(uuid, (record) => ({ ...record, sync: { state, message: message || null } }));
}

/** Add the device's own fields to a saved check (function ratings): toPayload never sends them. */
export async function annotateCheck(uuid, fields) {
  return update(uuid, (record) => ({ ...record, ...fields }));
}

/**
 * Remove every saved check and every follow-through record (FOLLOW_THROUGH_RECORDS) from
 * this device ("Delete my data", after the server's copy): one transaction, so either
 * all of it goes or none.
 */
export async function clearChecksAndFollowThrough() {
  await transact([CHECKS, DEVICE], "readwrite", (transaction) => {
    transaction.objectStore(CHECKS).clear();
    for (const id of FOLLOW_THROUGH_RECORDS) transaction.objectStore(DEVICE).delete(id);
  });
  announce();
}

/** Call `listener` whenever the checks change (here, in another tab or in the worker). */
export function onOutboxChange(listener) {
  if (typeof BroadcastChannel === "undefined") return;
  new BroadcastChannel(CHANNEL).addEventListener("message", listener);
}

// -- the device's own records (the follow-through's, the sync engine's token and pause) --

/**
 * The follow-through between checks, kept on this device only and never sent: the
 * follow-up check asked for (follow-up.js), when this episode of back pain began, the
 * everyday activities named (activities.js) and My plan (today.js). The one list of
 * them: the JSON download holds them and "Delete my data" erases them with the checks.
 * tests/js/follow-through-records.test.mjs holds every module's writes to this list.
 */
export const FOLLOW_UP_RECORD = "follow-up";
export const EPISODE_RECORD = "episode";
export const ACTIVITIES_RECORD = "activities";
export const PLAN_RECORD = "plan";
export const FOLLOW_THROUGH_RECORDS = [FOLLOW_UP_RECORD, EPISODE_RECORD, ACTIVITIES_RECORD, PLAN_RECORD];

/** The follow-through records by id, each null where none was kept (the JSON download). */
export async function followThroughRecords() {
  const records = await Promise.all(FOLLOW_THROUGH_RECORDS.map(readDeviceRecord));
  return Object.fromEntries(FOLLOW_THROUGH_RECORDS.map((id, index) => [id, records[index]]));
}

/** The device record stored under `id`, or null. */
export async function readDeviceRecord(id) {
  return (await transact(DEVICE, "readonly", (store) => store.get(id))) || null;
}

/** Store `fields` as the device record `id`, replacing what was there. */
export async function writeDeviceRecord(id, fields) {
  await transact(DEVICE, "readwrite", (store) => store.put({ ...fields, id }));
}

export async function deleteDeviceRecord(id) {
  await transact(DEVICE, "readwrite", (store) => store.delete(id));
}

// -- helpers -------------------------------------------------------------------------

async function update(uuid, change) {
  let updated = null;
  await write((store) => {
    const request = store.get(uuid);
    request.onsuccess = () => {
      if (request.result) {
        updated = change(request.result);
        store.put(updated);
      }
    };
  });
  return updated;
}

/** Change the checks and tell every open page once the change has committed. */
async function write(operation) {
  await transact(CHECKS, "readwrite", operation);
  announce();
}

/**
 * Run `operation(store)` in one transaction on `storeName` (`operation(transaction)` for a
 * list of store names); resolves with the result of the request it returns (if any) once
 * the transaction has committed. Run once more on a reopened connection when the first
 * one was closed under it (a whole transaction aborts or never starts, so running it
 * again writes nothing twice).
 */
async function transact(storeName, mode, operation) {
  try {
    return await transactOnce(storeName, mode, operation);
  } catch (error) {
    if (!connectionLost(error)) throw new OutboxError(failureReason(error), error);
  }
  try {
    return await transactOnce(storeName, mode, operation);
  } catch (error) {
    throw new OutboxError(failureReason(error), error);
  }
}

async function transactOnce(storeName, mode, operation) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const fail = (error) => {
      if (connectionLost(error)) forgetConnection(db);
      reject(error);
    };
    let transaction;
    try {
      transaction = db.transaction(storeName, mode);
    } catch (error) {
      fail(error);
      return;
    }
    const request = operation(Array.isArray(storeName) ? transaction : transaction.objectStore(storeName));
    transaction.oncomplete = () => resolve(request ? request.result : undefined);
    transaction.onerror = (event) => {
      const error = (event.target && event.target.error) || transaction.error;
      // A request cut short by the transaction's abort: the abort says why (quota, close).
      if (error && error.name === "AbortError") return;
      fail(error);
    };
    transaction.onabort = () => fail(transaction.error);
  });
}

/** A connection closed or lost under us (no error at all: an abort nobody asked for). */
function connectionLost(error) {
  return !error || CONNECTION_LOST.has(error.name);
}

function failureReason(error) {
  if (error && error.name === "QuotaExceededError") return "quota";
  return connectionLost(error) ? "closed" : "unavailable";
}

function announce() {
  if (typeof BroadcastChannel === "undefined") return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage({ type: "changed" });
  channel.close();
}
