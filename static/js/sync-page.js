/**
 * Sync on a page: `startSyncing()` syncs on start, on `online`, when the page becomes
 * visible, on the "Sync now" button and when a check is saved, retries failures on a
 * backoff timer (whatever `navigator.onLine` says: it is a hint, not the truth), asks
 * for Background Sync where the browser has it, and keeps the status line current.
 * ("Delete my data", with its confirmation dialog, is the history page's: history.js.)
 * The engine it drives (sync.js) is the one the service worker runs too.
 */

import { allChecks, onOutboxChange } from "./outbox.js";
import { SYNC_TAG, syncNow } from "./sync.js";
import { nextDelay, statusText, syncCounts } from "./sync-rules.js";

/**
 * Keep every #sync-status element on the page current, and offer "Sync now" only while
 * a check waits to be sent: with everything synced the button would promise nothing.
 */
export async function showStatus(doc = document) {
  const targets = doc.querySelectorAll("#sync-status");
  const offer = doc.getElementById("sync-now-line");
  if (targets.length === 0 && offer === null) return;
  const counts = syncCounts(await allChecks());
  const text = statusText(counts);
  for (const target of targets) {
    if (target.textContent !== text) target.textContent = text;
  }
  if (offer !== null) offer.hidden = counts.pending === 0;
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
  window.addEventListener("online", () => sync.trigger());
  doc.addEventListener("visibilitychange", () => {
    if (doc.visibilityState === "visible") sync.trigger();
  });
  // A check saved (here, in another tab) or a receipt applied (by the worker).
  onOutboxChange(async () => {
    await showStatus(doc).catch(() => {});
    const counts = syncCounts(await allChecks());
    if (counts.pending > 0 && !sync.running && sync.timer === null) sync.trigger();
  });
  showStatus(doc).catch(() => {});
  sync.trigger();
  return sync;
}
