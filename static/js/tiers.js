/**
 * The urgency tiers of a check, lowest first: their keys, their order and the words a
 * person reads for each. The JavaScript twin of `quiz/tiers.py`; tests/test_tiers.py
 * holds the two equal, in every language. Labels are English msgids, translated where
 * shown (`gettext(URGENCY_LABELS[key])`). No DOM: the scorer and node tests import it.
 */

import { gettext_noop } from "./i18n.js";

const TIERS = [
  ["self_care", gettext_noop("Self-care")],
  ["soon", gettext_noop("See a doctor soon")],
  ["urgent", gettext_noop("Urgent: get medical advice today")],
  ["emergency", gettext_noop("Emergency: get help now")],
];

export const URGENCY_ORDER = Object.freeze(TIERS.map(([key]) => key));

export const URGENCY_LABELS = Object.freeze(Object.fromEntries(TIERS));
