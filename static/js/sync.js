/**
 * Sync: carry saved checks from IndexedDB to the server, exactly once.
 *
 * `syncNow()` is the engine; pages and the service worker both call it. It holds the
 * Web Lock "backcare-sync", so only one sync runs at a time across tabs and the worker.
 * A check stays "pending" until the server's receipt for its UUID says created or
 * duplicate; the server is idempotent by UUID, so sending one twice (a reply lost after
 * the server committed) is harmless.
 *
 * No page code here (no DOM, nothing of a tab's): the service worker imports this module
 * as it is. Pages wire their triggers and status line with sync-page.js.
 */

import {
  clearChecksAndFollowThrough,
  deleteDeviceRecord,
  markProblem,
  markSynced,
  pendingChecks,
  readDeviceRecord,
  writeDeviceRecord,
} from "./outbox.js";
import {
  BATCH_SIZE,
  batches,
  classifyStatus,
  pauseLeft,
  receiptOutcome,
  retryAfterMs,
  toPayload,
} from "./sync-rules.js";

const DEVICES_URL = "/api/devices/";
const RESULTS_URL = "/api/results/";
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

const loadDevice = () => readDeviceRecord(DEVICE_KEY);
const saveDevice = (device) => writeDeviceRecord(DEVICE_KEY, device);
const forgetDevice = () => deleteDeviceRecord(DEVICE_KEY);

// -- the server's pause ------------------------------------------------------------------

// The server's Retry-After outlives a page: kept in IndexedDB, so every tab, the next page
// load and the worker woken by Background Sync honour it, not just the page that heard it.
const PAUSE_KEY = "sync-pause";

const loadPause = () => readDeviceRecord(PAUSE_KEY);
const savePause = (asked) => writeDeviceRecord(PAUSE_KEY, { until: Date.now() + asked, asked });
const clearPause = () => deleteDeviceRecord(PAUSE_KEY);

/**
 * This device's token, registering anonymously (no name, no account) the first time.
 * With `state.outsideOutbox` (a check the phone's storage refused) a token that cannot be
 * read or kept is no reason not to send: the check goes out under a fresh one.
 */
async function ensureDevice(state) {
  const known = await loadDevice().catch((error) => {
    if (!state.outsideOutbox) throw error;
    return null;
  });
  if (known && known.token) return known;
  const { response, body } = await send(DEVICES_URL, {});
  if (classifyStatus(response.status) !== "ok" || body === null) {
    throw new RetryLater(`registration: HTTP ${response.status}`, {
      retryAfter: retryAfterMs(response.headers.get("Retry-After")),
    });
  }
  const device = { device_id: body.device_id, token: body.token };
  await saveDevice(device).catch((error) => {
    if (!state.outsideOutbox) throw error;
  });
  return device;
}

// -- one attempt -----------------------------------------------------------------------

// A server that takes the request and never answers would hold the sync lock, and so
// every later attempt of every tab and the worker, until the browser gives up on the
// connection (minutes). A batch of 100 is stored in well under a second, so a reply
// still missing after this long is a stalled server: the attempt ends and backs off.
export const REQUEST_TIMEOUT_MS = 30_000;

/** One request under the deadline, its reply read whole; rejects on no reply in time. */
async function request(url, init) {
  // A timer, not AbortSignal.timeout(): the same signal must also cut a reply whose body
  // stalls after its headers, and a timer is what tests can move on.
  const stalled = new AbortController();
  const timer = setTimeout(() => stalled.abort(new Error("no reply in time")), REQUEST_TIMEOUT_MS);
  try {
    const response = await fetch(url, { ...init, cache: "no-store", signal: stalled.signal });
    return { response, body: await replyBody(response) };
  } finally {
    clearTimeout(timer);
  }
}

async function send(url, body, token = null) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (token) headers.Authorization = `Token ${token}`;
  try {
    return await request(url, { method: "POST", headers, body: JSON.stringify(body) });
  } catch (error) {
    // No connection, no reply in time, or it dropped before the reply: the server may
    // have stored the batch. Sending it again is safe (receipts say "duplicate").
    throw new RetryLater(`network: ${error && error.message}`, { network: true });
  }
}

/** The reply's JSON, read under the same deadline as its headers; null when it is not JSON. */
async function replyBody(response) {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** POST one batch; hand its receipts to `state.receive`. Re-registers once on 401/403. */
async function sendBatch(checks, state) {
  const device = await ensureDevice(state);
  const { response, body } = await send(RESULTS_URL, { results: checks.map(toPayload) }, device.token);
  const verdict = classifyStatus(response.status);
  if (verdict === "ok" && body !== null) {
    await state.receive(body.receipts || [], state);
    return;
  }
  if (verdict === "reauth" && !state.reregistered) {
    state.reregistered = true;
    await forgetDevice().catch((error) => {
      if (!state.outsideOutbox) throw error;
    });
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
    await state.receive([{ uuid: checks[0].uuid, status: "rejected", message: (body && body.detail) || null }], state);
    return;
  }
  throw new RetryLater(`results: HTTP ${response.status}`, {
    retryAfter: retryAfterMs(response.headers.get("Retry-After")),
  });
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
  const state = { reregistered: false, later: null, receive: applyReceipts, outsideOutbox: false };
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
 * Send one finished check the phone could not keep (storage full or refused) now, with
 * the same request, registration and receipts as a sync; its receipt is the only copy
 * kept, so nothing is written to the outbox for it. Resolves {state: "synced" |
 * "rejected" | "conflict" | "retry", message}; "retry" when the server could not take it
 * now (no connection, an error, a pause asked for).
 */
export async function sendCheckNow(check) {
  let outcome = null;
  const state = {
    reregistered: false,
    later: null,
    outsideOutbox: true,
    receive: async (receipts) => {
      outcome = receiptOutcome(receipts.find((receipt) => receipt.uuid === check.uuid));
    },
  };
  try {
    await sendBatch([check], state);
  } catch (error) {
    if (error instanceof RetryLater) return { state: "retry", message: null };
    throw error;
  }
  if (outcome === null || outcome.state === "pending") return { state: "retry", message: null };
  return { state: outcome.state, message: outcome.message || null };
}

/**
 * "Delete my data": erase this device and its results on the server, then every check
 * on the device and what never left it, the follow-through records (outbox.js's
 * FOLLOW_THROUGH_RECORDS). Holds the sync lock so no sync re-sends a check in between.
 * Resolves true when done; false when the server could not be reached (nothing is
 * deleted then).
 */
export async function deleteMyData() {
  const erase = async () => {
    const device = await loadDevice();
    if (device && device.token) {
      let response;
      try {
        ({ response } = await request(DEVICES_URL + "me/", {
          method: "DELETE",
          headers: { Authorization: `Token ${device.token}`, Accept: "application/json" },
        }));
      } catch {
        return false;
      }
      // 401: the server no longer knows this device, so it holds nothing of it.
      if (response.status !== 204 && response.status !== 401) return false;
      await forgetDevice();
    }
    await clearChecksAndFollowThrough();
    return true;
  };
  if (typeof navigator !== "undefined" && navigator.locks) return navigator.locks.request(LOCK_NAME, erase);
  return erase();
}
