/**
 * The admin's "Preview the check": the check page run on unpublished content for clinic
 * staff. It keeps its own state beside a person's check and, when it ends, nothing is
 * saved, synced or cached: the outcome shows in words, here.
 */

import { CHECK_STATE_KEY } from "./check-session.js";
import { el } from "./dom.js";
import { gettext } from "./i18n.js";
import { URGENCY_LABELS } from "./labels.js";

/** Whether the check page (its #check-app element) runs a preview. */
export function isPreview(app) {
  return app.dataset.preview === "true";
}

/** Where the check in progress is kept: a preview never resumes a person's check, nor the reverse. */
export function checkStateKey(preview) {
  return preview ? `${CHECK_STATE_KEY}-preview` : CHECK_STATE_KEY;
}

/** The end of a preview, in `section`: the outcome in words, and nothing kept. */
export function showPreviewEnd(section, snapshot, outcome) {
  const causeNames = new Map(snapshot.cause_groups.map((group) => [group.key, group.name]));
  section.replaceChildren(
    el("h1", { id: "preview-heading", tabindex: "-1" }, gettext("Preview finished")),
    el("p", { id: "preview-urgency" }, gettext(URGENCY_LABELS[outcome.urgency])),
    el(
      "ul",
      { id: "preview-causes" },
      ...outcome.causes.map((cause) => el("li", {}, causeNames.get(cause.key) || cause.key)),
    ),
    el("p", {}, gettext("This was a preview: nothing was saved or sent.")),
  );
  document.getElementById("preview-heading").focus();
}
