/**
 * Sync: carry saved checks from IndexedDB to the server, exactly once.
 *
 * `syncNow()` is the engine; pages and the service worker both call it. It holds the
 * Web Lock "backcare-sync", so only one sync runs at a time across tabs and the worker.
 * A check stays "pending" until the server's receipt for its UUID says created or
 * duplicate; the server is idempotent by UUID, so sending one twice (a reply lost after
 * the server committed) is harmless.
 *
 * `startSyncing()` wires a page: it syncs on start, on `online`, when the page becomes
 * visible, on the "Sync now" button and when a check is saved, retries failures on a
 * backoff timer (whatever `navigator.onLine` says: it is a hint, not the truth), asks
 * for Background Sync where the browser has it, and keeps the status line current.
 */

import { allChecks, clearChecks, openDb, markProblem, markSynced, pendingChecks } from "./outbox.js";
import {
  BATCH_SIZE,
  batches,
  classifyStatus,
  nextDelay,
  pauseLeft,
  receiptOutcome,
  retryAfterMs,
  statusText,
  syncCounts,
  toPayload,
} from "./sync-rules.js";

const DEVICES_URL = "/api/devices/";
const RESULTS_URL = "/api/results/";
const DEVICE_STORE = "device";
const DEVICE_KEY = "this-device";
const LOCK_NAME = "backcare-sync";
export const SYNC_TAG = "backcare-sync";

/** Raised inside an attempt when it should be tried again later. */
class RetryLater extends Error {
  constructor(reason, { retryAfter = null, network = false } = {}) {
    super(reason);
    this.retryAfter = retryAfter;
    this.network = network;
  }
}

// -- the device's identity -------------------------------------------------------------

async function deviceStore(mode, operation) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(DEVICE_STORE, mode);
    const request = operation(transaction.objectStore(DEVICE_STORE));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error || new Error("Transaction aborted."));
  });
}

const loadDevice = () => deviceStore("readonly", (store) => store.get(DEVICE_KEY));
const saveDevice = (device) => deviceStore("readwrite", (store) => store.put({ id: DEVICE_KEY, ...device }));
const forgetDevice = () => deviceStore("readwrite", (store) => store.delete(DEVICE_KEY));

// -- the server's pause ------------------------------------------------------------------

// The server's Retry-After outlives a page: kept in IndexedDB, so every tab, the next page
// load and the worker woken by Background Sync honour it, not just the page that heard it.
const PAUSE_KEY = "sync-pause";

const loadPause = () => deviceStore("readonly", (store) => store.get(PAUSE_KEY));
const savePause = (asked) =>
  deviceStore("readwrite", (store) => store.put({ id: PAUSE_KEY, until: Date.now() + asked, asked }));
const clearPause = () => deviceStore("readwrite", (store) => store.delete(PAUSE_KEY));

/** This device's token, registering anonymously (no name, no account) the first time. */
async function ensureDevice() {
  const known = await loadDevice();
  if (known && known.token) return known;
  const response = await send(DEVICES_URL, {});
  if (classifyStatus(response.status) !== "ok") {
    throw new RetryLater(`registration: HTTP ${response.status}`, {
      retryAfter: retryAfterMs(response.headers.get("Retry-After")),
    });
  }
  const body = await response.json();
  const device = { device_id: body.device_id, token: body.token };
  await saveDevice(device);
  return device;
}

// -- one attempt -----------------------------------------------------------------------

async function send(url, body, token = null) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (token) headers.Authorization = `Token ${token}`;
  try {
    return await fetch(url, { method: "POST", headers, body: JSON.stringify(body), cache: "no-store" });
  } catch (error) {
    // No connection, or it dropped before the reply: the server may have stored the
    // batch. Sending it again is safe (receipts say "duplicate").
    throw new RetryLater(`network: ${error && error.message}`, { network: true });
  }
}

/** POST one batch; apply its receipts. Re-registers once on 401/403. */
async function sendBatch(checks, state) {
  const device = await ensureDevice();
  const response = await send(RESULTS_URL, { results: checks.map(toPayload) }, device.token);
  const verdict = classifyStatus(response.status);
  if (verdict === "ok") {
    const body = await response.json();
    await applyReceipts(body.receipts || [], state);
    return;
  }
  if (verdict === "reauth" && !state.reregistered) {
    state.reregistered = true;
    await forgetDevice();
    await sendBatch(checks, state);
    return;
  }
  if (verdict === "too_large" && checks.length > 1) {
    const half = Math.ceil(checks.length / 2);
    await sendBatch(checks.slice(0, half), state);
    await sendBatch(checks.slice(half), state);
    return;
  }
  if (verdict === "too_large") {
    await markProblem(checks[0].uuid, "rejected", await errorMessage(response));
    return;
  }
  throw new RetryLater(`results: HTTP ${response.status}`, {
    retryAfter: retryAfterMs(response.headers.get("Retry-After")),
  });
}

async function errorMessage(response) {
  try {
    return (await response.json()).detail || null;
  } catch {
    return null;
  }
}

async function applyReceipts(receipts, state) {
  for (const receipt of receipts) {
    const outcome = receiptOutcome(receipt);
    if (outcome === null) continue;
    if (outcome.state === "synced") await markSynced(receipt.uuid, outcome.serverOutcome);
    // Left waiting; the attempt ends as a retry so the backoff timer sends it again.
    else if (outcome.state === "pending") state.later = Math.max(state.later ?? 0, outcome.retryAfter ?? 0);
    else await markProblem(receipt.uuid, outcome.state, outcome.message);
  }
}

async function attempt() {
  const pending = await pendingChecks();
  if (pending.length === 0) return { status: "idle" };
  const pause = await loadPause();
  const paused = pauseLeft(pause);
  // The server asked for a pause (Retry-After): no trigger, tab or worker skips it.
  if (paused > 0) return { status: "waiting", retryAfter: paused };
  if (pause) await clearPause(); // over, or dropped as stretched by the clock
  const state = { reregistered: false, later: null };
  try {
    for (const batch of batches(pending, BATCH_SIZE)) await sendBatch(batch, state);
  } catch (error) {
    if (error instanceof RetryLater) {
      if (error.retryAfter > 0) await savePause(error.retryAfter);
      return { status: "retry", retryAfter: error.retryAfter, network: error.network, reason: error.message };
    }
    throw error;
  }
  if (state.later !== null) {
    // No pause is kept (unlike Retry-After): "Sync now" or the next app start sends at once.
    return { status: "retry", retryAfter: state.later || null, network: false, reason: "retry_later" };
  }
  return { status: "done" };
}

/**
 * Sync every pending check now. Resolves {status: "idle"|"done"|"retry"|"waiting", retryAfter};
 * "waiting" means nothing was sent: the server's pause has retryAfter milliseconds left.
 * Waits its turn when another tab or the worker is syncing.
 */
export async function syncNow() {
  if (typeof navigator !== "undefined" && navigator.locks) {
    return navigator.locks.request(LOCK_NAME, attempt);
  }
  return attempt();
}

/**
 * "Delete my data": erase this device and its results on the server, then every check
 * on the device. Holds the sync lock so no sync re-sends a check in between. Resolves
 * true when done; false when the server could not be reached (nothing is deleted then).
 */
export async function deleteMyData() {
  const erase = async () => {
    const device = await loadDevice();
    if (device && device.token) {
      let response;
      try {
        response = await fetch(DEVICES_URL + "me/", {
          method: "DELETE",
          headers: { Authorization: `Token ${device.token}`, Accept: "application/json" },
          cache: "no-store",
        });
      } catch {
        return false;
      }
      // 401: the server no longer knows this device, so it holds nothing of it.
      if (response.status !== 204 && response.status !== 401) return false;
      await forgetDevice();
    }
    await clearChecks();
    return true;
  };
  if (typeof navigator !== "undefined" && navigator.locks) return navigator.locks.request(LOCK_NAME, erase);
  return erase();
}

// -- the page ----------------------------------------------------------------------------

const gettextFunctions = () => ({
  gettext: typeof globalThis.gettext === "function" ? globalThis.gettext : undefined,
  ngettext: typeof globalThis.ngettext === "function" ? globalThis.ngettext : undefined,
});

/** Keep every #sync-status element on the page current. */
export async function showStatus(doc = document) {
  const targets = doc.querySelectorAll("#sync-status");
  if (targets.length === 0) return;
  const text = statusText(syncCounts(await allChecks()), gettextFunctions());
  for (const target of targets) {
    if (target.textContent !== text) target.textContent = text;
  }
}

/** Ask the browser to wake the worker for us when connectivity returns (Chromium). */
async function requestBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker.ready;
    if (registration.sync) await registration.sync.register(SYNC_TAG);
  } catch {
    // Not supported, or not allowed here: the page's own timer still retries.
  }
}

/** One tab's scheduler: a single sync in flight, a backoff timer after failures. */
class PageSync {
  constructor(doc) {
    this.doc = doc;
    this.running = null;
    this.again = false;
    this.failures = 0;
    this.timer = null;
  }

  /** Sync now (or right after the one in flight, or when the server said it may). */
  trigger() {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    clearTimeout(this.timer);
    this.timer = null;
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.trigger();
      }
    });
    return this.running;
  }

  async run() {
    let result;
    try {
      result = await syncNow();
    } catch (error) {
      result = { status: "retry", retryAfter: null, network: false, reason: String(error) };
    }
    if (result.status === "waiting") {
      // Not a failure: nothing was sent. Try again when the pause ends.
      this.timer = setTimeout(() => this.trigger(), result.retryAfter);
    } else if (result.status === "retry") {
      const delay = nextDelay(this.failures, result.retryAfter);
      this.failures += 1;
      this.timer = setTimeout(() => this.trigger(), delay);
      // Background Sync is for lost connectivity: the browser fires it as soon as the
      // network is back. After an HTTP refusal it would only wake the worker to wait.
      if (result.network) requestBackgroundSync();
    } else {
      this.failures = 0;
    }
    await showStatus(this.doc).catch(() => {});
    this.doc.dispatchEvent(new CustomEvent("backcare:sync", { detail: result }));
    return result;
  }
}

/** Wire this page's triggers and status line. Call once per page. */
export function startSyncing(doc = document) {
  const sync = new PageSync(doc);
  const button = doc.getElementById("sync-now");
  if (button) button.addEventListener("click", () => sync.trigger());
  const eraseButton = doc.getElementById("delete-my-data");
  if (eraseButton) eraseButton.addEventListener("click", () => confirmAndDelete(doc));
  window.addEventListener("online", () => sync.trigger());
  doc.addEventListener("visibilitychange", () => {
    if (doc.visibilityState === "visible") sync.trigger();
  });
  if (typeof BroadcastChannel !== "undefined") {
    // A check saved (here, in another tab) or a receipt applied (by the worker).
    new BroadcastChannel("backcare-outbox").addEventListener("message", async () => {
      await showStatus(doc).catch(() => {});
      const counts = syncCounts(await allChecks());
      if (counts.pending > 0 && !sync.running && sync.timer === null) sync.trigger();
    });
  }
  showStatus(doc).catch(() => {});
  sync.trigger();
  return sync;
}

async function confirmAndDelete(doc) {
  const { gettext = (message) => message } = gettextFunctions();
  const question = gettext("Delete every check saved on this device and on the server? This cannot be undone.");
  if (!window.confirm(question)) return;
  const status = doc.getElementById("delete-my-data-status");
  const erased = await deleteMyData();
  if (status) {
    status.textContent = erased
      ? gettext("Your data has been deleted from this device and from the server.")
      : gettext("Your data could not be deleted now: the server cannot be reached. Nothing was deleted; try again when you are online.");
  }
  await showStatus(doc).catch(() => {});
}
