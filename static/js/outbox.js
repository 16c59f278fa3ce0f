/**
 * The device's record of finished checks, in IndexedDB: saved first, synced later.
 *
 * Usable from pages and from the service worker (no `window` or DOM here). Every
 * change is announced on the "backcare-outbox" BroadcastChannel as {type: "changed"}
 * so open pages (history, sync status) refresh themselves.
 *
 * Record: {uuid, content_version, answers, outcome, completed_at (ISO string),
 *          sync: {state: "pending"|"synced"|"conflict"|"rejected", message}}
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
  const db = await openDb();
  const checks = await requestResult(db.transaction(CHECKS).objectStore(CHECKS).index("completed_at").getAll());
  return checks.reverse();
}

export async function getCheck(uuid) {
  const db = await openDb();
  const record = await requestResult(db.transaction(CHECKS).objectStore(CHECKS).get(uuid));
  return record || null;
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

async function write(operation) {
  const db = await openDb();
  await new Promise((resolve, reject) => {
    const transaction = db.transaction(CHECKS, "readwrite");
    operation(transaction.objectStore(CHECKS));
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error || new Error("Transaction aborted."));
  });
  announce();
}

function announce() {
  if (typeof BroadcastChannel === "undefined") return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage({ type: "changed" });
  channel.close();
}

function requestResult(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}
