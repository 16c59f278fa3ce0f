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
 */

const DB_NAME = "backcare";
const DB_VERSION = 1;
const CHECKS = "checks";
const DEVICE = "device";
const CHANNEL = "backcare-outbox";

let dbPromise = null;

/** Open (and on first use create) the database; the connection is shared. */
export function openDb() {
  if (dbPromise === null) {
    dbPromise = new Promise((resolve, reject) => {
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
        // Another tab with a newer version wants the database: step aside.
        db.onversionchange = () => {
          db.close();
          dbPromise = null;
        };
        resolve(db);
      };
      request.onerror = () => {
        dbPromise = null;
        reject(request.error);
      };
    });
  }
  return dbPromise;
}

/** Save a finished check; resolves only once the transaction has committed. */
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

/** Remove every saved check from this device ("Delete my data", after the server's copy). */
export async function clearChecks() {
  await write((store) => store.clear());
}

/** Call `listener` whenever the checks change (here, in another tab or in the worker). */
export function onOutboxChange(listener) {
  if (typeof BroadcastChannel === "undefined") return;
  new BroadcastChannel(CHANNEL).addEventListener("message", listener);
}

// -- the device's own records (the sync engine's token and pause) ---------------------

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
 * Run `operation(store)` in one transaction on `storeName`; resolves with the result of
 * the request it returns (if any) once the transaction has committed.
 */
async function transact(storeName, mode, operation) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(storeName, mode);
    const request = operation(transaction.objectStore(storeName));
    transaction.oncomplete = () => resolve(request ? request.result : undefined);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error || new Error("Transaction aborted."));
  });
}

function announce() {
  if (typeof BroadcastChannel === "undefined") return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage({ type: "changed" });
  channel.close();
}
