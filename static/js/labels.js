/**
 * What a person reads for an urgency or a sync state, marked for translation here and
 * translated where shown (`gettext(URGENCY_LABELS[urgency])`).
 */

import { gettext_noop } from "./i18n.js";

export const URGENCY_LABELS = {
  emergency: gettext_noop("Emergency: get help now"),
  urgent: gettext_noop("Urgent: get medical advice today"),
  soon: gettext_noop("See a doctor soon"),
  self_care: gettext_noop("Self-care"),
};

export const SYNC_LABELS = {
  pending: gettext_noop("Waiting to sync"),
  synced: gettext_noop("Synced"),
  conflict: gettext_noop("Not synced: conflict"),
  rejected: gettext_noop("Not synced: rejected"),
};
