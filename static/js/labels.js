/**
 * What a person reads for an urgency or a sync state, marked for translation here and
 * translated where shown (`gettext(URGENCY_LABELS[urgency])`).
 */

import { gettext_noop } from "./i18n.js";

// The tiers' words are defined with the tiers themselves.
export { URGENCY_LABELS } from "./tiers.js";

export const SYNC_LABELS = {
  pending: gettext_noop("Waiting to sync"),
  synced: gettext_noop("Synced"),
  conflict: gettext_noop("Not synced: conflict"),
  rejected: gettext_noop("Not synced: rejected"),
};
