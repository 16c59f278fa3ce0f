/**
 * The history page: past checks from IndexedDB (history-list.js, its charts drawn by
 * history-chart.js), downloads of them as CSV and JSON (history-download.js), and here
 * the "Sync now" button with what became of the sync it asked for, and "Delete my data"
 * behind a confirmation dialog. Refreshes itself when the outbox changes (a sync in
 * another tab or the worker).
 *
 * Keep the words e-x-p-o-r-t and i-m-p-o-r-t out of this comment: Django's rewriting of
 * module paths (quiz/storage.py) matches them case-insensitively.
 */

import { gettext } from "./i18n.js";
import { onOutboxChange } from "./outbox.js";
import { deleteMyData } from "./sync.js";
import { showStatus } from "./sync-page.js";
import { refresh } from "./history-list.js";
import { setUpDownloads } from "./history-download.js";

// -- sync now and delete -------------------------------------------------------------

function setUpSyncNow() {
  const status = document.getElementById("sync-now-status");
  let asked = false;
  document.getElementById("sync-now").addEventListener("click", () => {
    asked = true;
    status.textContent = navigator.onLine ? gettext("Syncing…") : offlineText();
  });
  document.addEventListener("backcare:sync", (event) => {
    if (!asked) return;
    asked = false;
    const result = event.detail || {};
    if (result.status === "retry" && result.network) status.textContent = offlineText();
    else if (result.status === "retry" || result.status === "waiting")
      status.textContent = gettext("The server cannot take your checks right now. BackCare will try again by itself.");
    // With nothing waiting, a sync finishes without the network: offline, say so still.
    else if (!navigator.onLine) status.textContent = offlineText();
    else status.textContent = gettext("Sync finished.");
  });
}

function offlineText() {
  return gettext("You are offline: your checks stay on this device and are sent when the connection is back.");
}

function setUpDelete() {
  const dialog = document.getElementById("delete-dialog");
  const status = document.getElementById("delete-my-data-status");
  document.getElementById("delete-my-data").addEventListener("click", () => {
    status.textContent = "";
    dialog.showModal();
  });
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "delete") return;
    dialog.returnValue = "";
    status.textContent = gettext("Deleting…");
    // The checks, and what never left the phone with them (the follow-through).
    const erased = await deleteMyData();
    status.textContent = erased
      ? gettext("Your data has been deleted from this device and from the server.")
      : gettext(
          "Your data could not be deleted now: the server cannot be reached. Nothing was deleted; try again when you are online.",
        );
    await showStatus().catch(() => {});
    await refresh();
  });
}

onOutboxChange(refresh);
setUpDownloads();
setUpSyncNow();
setUpDelete();
refresh();
