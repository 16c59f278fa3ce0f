/**
 * What one tab remembers about a check in sessionStorage, shared between the check page
 * (which writes it), the result page and app.js (which read it); and the link that starts
 * a check at once.
 */

/**
 * The check page opened at this address starts the check at once, its first question
 * shown (home's "Check again now": one tap, not two). Without JavaScript it is the check
 * page as usual.
 */
export const START_NOW_URL = "/check/#start";

/** The check under way in this tab (its snapshot, answers and position). */
export const CHECK_STATE_KEY = "backcare-check-in-progress";

/** Where the check page leaves the storage-persistence answer for the result page. */
export const PERSIST_MESSAGE_KEY = "backcare-persist-message";

/** Whether a self-check is under way in this tab (updates wait until it ends). */
export function checkInProgress() {
  try {
    return sessionStorage.getItem(CHECK_STATE_KEY) !== null;
  } catch {
    return false;
  }
}

/**
 * Finished checks the phone's storage refused, kept in this tab only ({uuid: {record,
 * reason, sent}}) so their result and summary still show (storage-status.js).
 */
export const UNSAVED_CHECKS_KEY = "backcare-unsaved-checks";

/**
 * The admin's "Preview the check": the finished check and the unpublished snapshot it was
 * answered with, for the preview's result page to show. Held in this tab only, never in
 * the outbox, so it is never synced and no history lists it.
 */
const PREVIEW_CHECK_KEY = "backcare-preview-check";

export function holdPreviewCheck(record, snapshot) {
  sessionStorage.setItem(PREVIEW_CHECK_KEY, JSON.stringify({ record, snapshot }));
}

/** The previewed check named `uuid` ({record, snapshot}), or null. */
export function previewCheck(uuid) {
  try {
    const held = JSON.parse(sessionStorage.getItem(PREVIEW_CHECK_KEY) || "null");
    return held && held.record.uuid === uuid ? held : null;
  } catch {
    return null;
  }
}
