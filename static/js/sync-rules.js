/**
 * The rules of syncing, as pure functions (no DOM, no IndexedDB, no network), so they
 * run in pages, in the service worker and under `node --test` alike.
 *
 * - when to try again, and how long to wait (exponential backoff with jitter, honouring
 *   the server's Retry-After, also as a pause the device keeps);
 * - what an HTTP answer means for the attempt;
 * - what a receipt means for the check stored on the device;
 * - the sync status sentence a person reads.
 */

import { format, gettext, ngettext } from "./i18n.js";

export const BATCH_SIZE = 100;
export const FIRST_DELAY_MS = 1000;
export const MAX_DELAY_MS = 5 * 60 * 1000;

/**
 * How long to wait before retry number `attempt` (0 for the first retry): about 1 s,
 * doubling, capped at 5 minutes. Jitter spreads phones that failed together (a server
 * restart) so they do not all come back in the same second: a delay lands in [½d, d].
 */
export function backoffDelay(attempt, random = Math.random) {
  const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** Retry-After as milliseconds: seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header, now = Date.now()) {
  if (header === null || header === undefined || String(header).trim() === "") return null;
  const text = String(header).trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const when = Date.parse(text);
  return Number.isNaN(when) ? null : Math.max(0, when - now);
}

/**
 * Milliseconds left of the server's pause as the device stored it ({until, asked}: the
 * wall-clock end and the Retry-After it came from), 0 when over. A phone clock set back
 * after the pause began would stretch it past what the server asked, so such a pause is
 * dropped rather than left to hold every check back.
 */
export function pauseLeft(pause, now = Date.now()) {
  if (!pause) return 0;
  const left = pause.until - now;
  return left > 0 && left <= pause.asked ? left : 0;
}

/** The wait before the next attempt: the backoff, but never sooner than the server asked. */
export function nextDelay(attempt, retryAfter = null, random = Math.random) {
  const delay = backoffDelay(attempt, random);
  return retryAfter === null ? delay : Math.max(delay, retryAfter);
}

/**
 * What an HTTP status means for a sync attempt:
 * - "ok": read the receipts;
 * - "reauth": the device token is unknown (data erased, server reset): register again;
 * - "too_large": the batch is over the server's size limit: send fewer at once;
 * - "retry": try again later (network trouble, server trouble, throttling, or any
 *   other refusal: nothing on the device is ever given up for want of a reply).
 */
export function classifyStatus(status) {
  if (status >= 200 && status < 300) return "ok";
  if (status === 401 || status === 403) return "reauth";
  if (status === 413) return "too_large";
  return "retry";
}

/**
 * What one receipt means for the stored check:
 * {state: "synced", serverOutcome} for created/duplicate; {state: "conflict"|"rejected",
 * message} otherwise; {state: "pending", retryAfter, message} for retry_later (the server
 * cannot take it yet, e.g. the phone's clock is ahead: it stays waiting and is sent again,
 * not sooner than retryAfter milliseconds); null for a receipt the device cannot act on.
 */
export function receiptOutcome(receipt) {
  if (!receipt || typeof receipt.uuid !== "string") return null;
  if (receipt.status === "created" || receipt.status === "duplicate") {
    return { state: "synced", serverOutcome: receipt.server_outcome ?? null };
  }
  if (receipt.status === "conflict" || receipt.status === "rejected") {
    return { state: receipt.status, message: receiptMessage(receipt) };
  }
  if (receipt.status === "retry_later") {
    const seconds = Number(receipt.retry_after);
    // Capped like the backoff: a timer far ahead would only hold back checks saved meanwhile.
    const retryAfter = Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, MAX_DELAY_MS) : null;
    return { state: "pending", retryAfter, message: receiptMessage(receipt) };
  }
  return null;
}

function receiptMessage(receipt) {
  const messages = (receipt.errors || []).map((error) => error.message).filter(Boolean);
  if (receipt.message) messages.unshift(receipt.message);
  return messages.join(" ") || null;
}

/** Split a list into batches of at most `size`. */
export function batches(items, size = BATCH_SIZE) {
  const result = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** What the server needs from a stored check: the record minus the device's own fields. */
export function toPayload(check) {
  return {
    uuid: check.uuid,
    content_version: check.content_version,
    answers: check.answers,
    outcome: check.outcome,
    completed_at: check.completed_at,
    // Checks saved before BackCare had two languages carry none (the server reads "en").
    ...(check.language ? { language: check.language } : {}),
  };
}

/** Counts for the status line: {pending, problems, total}. */
export function syncCounts(checks) {
  const counts = { pending: 0, problems: 0, total: checks.length };
  for (const check of checks) {
    const state = check.sync ? check.sync.state : "pending";
    if (state === "pending") counts.pending += 1;
    else if (state === "conflict" || state === "rejected") counts.problems += 1;
  }
  return counts;
}

/**
 * The sentence(s) a person reads, e.g. "2 checks waiting to sync", "All saved",
 * "1 check needs attention", in the person's language (i18n.js).
 */
export function statusText(counts) {
  const parts = [];
  if (counts.pending > 0) {
    const sentence = ngettext("%(count)s check waiting to sync", "%(count)s checks waiting to sync", counts.pending);
    parts.push(format(sentence, { count: counts.pending }));
  }
  if (counts.problems > 0) {
    const sentence = ngettext("%(count)s check needs attention", "%(count)s checks need attention", counts.problems);
    parts.push(format(sentence, { count: counts.problems }));
  }
  if (parts.length) return parts.join(" · ");
  return counts.total > 0 ? gettext("All saved") : gettext("No checks saved yet");
}
