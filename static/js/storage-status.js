/**
 * What the phone's storage does for BackCare, told to the person.
 *
 * A finished check the storage refused (full, or closed and not reopened: outbox.js) is
 * held in this tab's sessionStorage so its result and summary still show, with a plain
 * notice saying it is not kept on this phone and why, and what still works: the summary
 * to show or print, and sending it to the server now (its receipt then counts as the
 * copy; the request is the sync engine's). The history says how much space BackCare
 * uses and whether the browser may delete it. After the first check, the browser is asked
 * to keep BackCare's data, and its answer is told on the result.
 */

import { UNSAVED_CHECKS_KEY } from "./check-session.js";
import { snapshotFor } from "./check-record.js";
import { el } from "./dom.js";
import { format, gettext } from "./i18n.js";
import { allChecks, saveCheck } from "./outbox.js";
import { sendCheckNow } from "./sync.js";

// Little enough left that the next check may not fit (a check is a few kilobytes; the
// outbox grows in steps on disk).
const LOW_SPACE_BYTES = 1024 * 1024;

// -- a finished check the storage refused ---------------------------------------------

function heldChecks() {
  try {
    return JSON.parse(sessionStorage.getItem(UNSAVED_CHECKS_KEY) || "{}");
  } catch {
    return {};
  }
}

function holdChecks(held) {
  try {
    sessionStorage.setItem(UNSAVED_CHECKS_KEY, JSON.stringify(held));
  } catch {
    // This tab's storage refused too: the result page says it is not on this device.
  }
}

/**
 * Save a finished check in the outbox; when the phone's storage refuses it, hold it in
 * this tab instead so its result is never withheld. Resolves {saved, reason}.
 */
export async function keepFinishedCheck(record) {
  try {
    await saveCheck(record);
    return { saved: true, reason: null };
  } catch (error) {
    const reason = (error && error.reason) || "unavailable";
    holdChecks({ ...heldChecks(), [record.uuid]: { record, reason, sent: false } });
    return { saved: false, reason };
  }
}

/** A check held in this tab (not saved on the phone) with its snapshot, or null. */
export async function loadUnsavedCheck(uuid) {
  const held = uuid ? heldChecks()[uuid] : null;
  if (!held) return null;
  return { record: held.record, snapshot: await snapshotFor(held.record.content_version), unsaved: held };
}

function reasonText(reason) {
  return reason === "quota"
    ? gettext("This device has no storage space left for BackCare.")
    : gettext(
        "The browser would not let BackCare store it: its storage was closed or is not available (as in some private windows).",
      );
}

function sentText() {
  return gettext("Sent: the BackCare server has this check, without your name. Its copy counts as your record.");
}

/**
 * The notice for a check held in this tab: what happened, why, and what still works.
 * `summaryHref` is the summary of this check (it shows from this tab's copy too).
 */
export function unsavedNotice(held, summaryHref) {
  const status = el("p", { id: "result-send-status", role: "status" }, held.sent ? sentText() : "");
  const send = el("button", { type: "button", id: "result-send-now", className: "button" }, gettext("Send it now"));
  const sendHint = el(
    "p",
    { className: "hint" },
    gettext("Sending it keeps a copy on the BackCare server, without your name: its receipt then counts as your copy."),
  );
  const showSend = () => {
    const offer = !held.sent && navigator.onLine;
    send.hidden = !offer;
    sendHint.hidden = !offer;
  };
  send.addEventListener("click", async () => {
    send.disabled = true;
    status.textContent = gettext("Sending…");
    const answer = await sendCheckNow(held.record).catch(() => ({ state: "retry", message: null }));
    send.disabled = false;
    if (answer.state === "synced") {
      held.sent = true;
      holdChecks({ ...heldChecks(), [held.record.uuid]: held });
      status.textContent = sentText();
    } else if (answer.state === "retry") {
      status.textContent = gettext("It could not be sent now. Try again once this device is online.");
    } else {
      status.textContent = format(gettext("The server did not accept it: %(message)s"), {
        message: answer.message || answer.state,
      });
    }
    showSend();
  });
  window.addEventListener("online", showSend);
  window.addEventListener("offline", showSend);
  showSend();
  return el(
    "section",
    { id: "result-unsaved", className: "notice no-print", "aria-labelledby": "result-unsaved-heading" },
    el("h2", { id: "result-unsaved-heading" }, gettext("This result could not be kept on this device")),
    el("p", { id: "result-unsaved-reason" }, reasonText(held.reason)),
    el(
      "p",
      {},
      gettext(
        "It is shown here until you close this page, and it will not be in your history. While the page is open you can still:",
      ),
    ),
    el(
      "p",
      { className: "actions" },
      el("a", { className: "button", href: summaryHref }, gettext("Show or print a summary")),
      " ",
      send,
    ),
    sendHint,
    status,
  );
}

// -- space used ---------------------------------------------------------------------

const UNITS = [
  ["gigabyte", 1024 ** 3],
  ["megabyte", 1024 ** 2],
  ["kilobyte", 1024],
];

/** Bytes in the page's language ("536.2 kB", "1.4 GB"). */
function size(bytes) {
  const [unit, scale] = UNITS.find(([, scale]) => bytes >= scale) || UNITS[UNITS.length - 1];
  return new Intl.NumberFormat(document.documentElement.lang || undefined, {
    style: "unit",
    unit,
    maximumFractionDigits: 1,
  }).format(bytes / scale);
}

/** Fill #storage-use with the space BackCare uses and what the browser may do with it. */
export async function showStorageUse(doc = document) {
  const target = doc.getElementById("storage-use");
  if (!target || !navigator.storage || !navigator.storage.estimate) return;
  let estimate;
  let persisted;
  try {
    estimate = await navigator.storage.estimate();
    persisted = navigator.storage.persisted ? await navigator.storage.persisted() : false;
  } catch {
    return;
  }
  const used = estimate.usage || 0;
  const quota = estimate.quota || 0;
  const lines = [
    el(
      "p",
      { id: "storage-use-text" },
      format(gettext("BackCare uses %(used)s on this device, of the %(quota)s the browser allows it."), {
        used: size(used),
        quota: size(quota),
      }),
    ),
  ];
  if (quota > 0 && quota - used < LOW_SPACE_BYTES) {
    lines.push(
      el(
        "p",
        { id: "storage-low", className: "notice" },
        gettext("Space is running out: a new check may not be kept. Download your checks below to keep a copy."),
      ),
    );
  }
  if (!persisted) {
    lines.push(
      el(
        "p",
        { className: "hint" },
        gettext(
          "Your browser may delete saved checks if the device runs low on space. Installing BackCare makes this less likely.",
        ),
      ),
    );
  }
  target.replaceChildren(...lines);
  target.hidden = false;
}

// -- asking the browser to keep BackCare's data ------------------------------------------

/** After the first finished check, ask the browser to keep our data; say what it answered. */
export async function askToPersist() {
  if (!navigator.storage || !navigator.storage.persist) return null;
  const checks = await allChecks();
  if (checks.length !== 1) return null;
  if (await navigator.storage.persisted()) return gettext("Your checks are stored on this device and will be kept.");
  const granted = await navigator.storage.persist();
  return granted
    ? gettext("Your browser agreed to keep your checks on this device, even when space runs low.")
    : gettext(
        "Your browser may delete saved checks if the device runs low on space. Installing BackCare makes this less likely.",
      );
}
