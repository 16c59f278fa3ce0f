/**
 * Past checks from IndexedDB, newest first, each openable, with its sync state. The
 * list refreshes itself when the outbox changes (a sync in another tab or the worker).
 */

import { el } from "./dom.js";
import { gettext } from "./i18n.js";
import { SYNC_LABELS, URGENCY_LABELS } from "./labels.js";
import { allChecks, onOutboxChange } from "./outbox.js";

const list = document.getElementById("history-list");
const empty = document.getElementById("history-empty");

function item(record) {
  const completed = new Date(record.completed_at);
  const state = record.sync ? record.sync.state : "pending";
  return el(
    "li",
    { className: "card history-item", "data-uuid": record.uuid },
    el(
      "h2",
      {},
      el("a", { href: `/result/#${record.uuid}` }, el("time", { datetime: record.completed_at }, completed.toLocaleString())),
    ),
    el("p", {}, gettext(URGENCY_LABELS[record.outcome.urgency] || record.outcome.urgency)),
    el(
      "p",
      { className: `sync-state sync-${state}` },
      gettext(SYNC_LABELS[state] || state),
      record.sync && record.sync.message ? ` — ${record.sync.message}` : "",
    ),
  );
}

async function refresh() {
  const checks = await allChecks();
  list.replaceChildren(...checks.map(item));
  empty.hidden = checks.length > 0;
  empty.classList.remove("until-loaded");
}

onOutboxChange(refresh);
refresh();
