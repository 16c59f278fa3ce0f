/**
 * The admin's "Preview the check": the check page run on unpublished content for clinic
 * staff. It keeps its own state beside a person's check and, when it ends, nothing is
 * saved, synced or cached: its result page reads the finished check from this tab.
 */

import { CHECK_STATE_KEY } from "./check-session.js";

/** Whether the check page (its #check-app element) runs a preview. */
export function isPreview(app) {
  return app.dataset.preview === "true";
}

/** Where the check in progress is kept: a preview never resumes a person's check, nor the reverse. */
export function checkStateKey(preview) {
  return preview ? `${CHECK_STATE_KEY}-preview` : CHECK_STATE_KEY;
}
