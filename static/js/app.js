/**
 * Runs on every page: registers the service worker, offers updates between checks,
 * offers installation, and refreshes the content bundle in the background.
 */

import { checkInProgress } from "./check-session.js";
import { fetchContent } from "./content.js";
import { setUpLanguage } from "./language.js";
import { startSyncing } from "./sync-page.js";
import { runBreaks } from "./breaks.js";
import { showToday } from "./today.js";
import { watchFollowUp } from "./follow-up.js";

// -- service worker and updates ------------------------------------------------------

let waitingWorker = null;
let reloadRequested = false;

function offerUpdate(worker) {
  waitingWorker = worker;
  // Never in the middle of a check: the offer comes back when the check ends.
  document.getElementById("update-banner").hidden = checkInProgress();
}

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.register("/serviceworker.js", { type: "module", scope: "/" });
  if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker.addEventListener("statechange", () => {
      // With no controller this is the first install, which activates by itself.
      if (worker.state === "installed" && navigator.serviceWorker.controller) offerUpdate(worker);
    });
  });
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloadRequested) window.location.reload();
  });
  document.getElementById("update-reload").addEventListener("click", () => {
    // A newer worker may have replaced the one first offered; activate the newest.
    const worker = registration.waiting || waitingWorker;
    if (!worker) return;
    reloadRequested = true;
    worker.postMessage({ type: "SKIP_WAITING" });
  });
  window.addEventListener("backcare:check-started", () => {
    document.getElementById("update-banner").hidden = true;
  });
  window.addEventListener("backcare:check-ended", () => {
    if (waitingWorker) offerUpdate(waitingWorker);
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") registration.update().catch(() => {});
  });
}

// -- content in the background -------------------------------------------------------

/** Fetch the newest bundle through the worker, which keeps the cached copy fresh. */
function refreshContent() {
  if (!navigator.onLine) return;
  fetchContent().catch(() => {});
}

// -- installation --------------------------------------------------------------------

function setUpInstall() {
  const button = document.getElementById("install-button");
  if (!button) return;
  const standalone = window.matchMedia("(display-mode: standalone)").matches || window.navigator.standalone === true;
  if (standalone) return;
  let deferredPrompt = null;
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    deferredPrompt = event;
    button.hidden = false;
  });
  button.addEventListener("click", async () => {
    if (!deferredPrompt) return;
    deferredPrompt.prompt();
    await deferredPrompt.userChoice;
    deferredPrompt = null;
    button.hidden = true;
  });
  window.addEventListener("appinstalled", () => {
    button.hidden = true;
    document.getElementById("install-done").hidden = false;
  });
  // iOS Safari has no beforeinstallprompt: explain the Share menu instead.
  const ios =
    /iphone|ipad|ipod/i.test(navigator.userAgent) ||
    (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  if (ios) document.getElementById("ios-install-hint").hidden = false;
}

// First, so the worker's first requests carry the language this page is in.
setUpLanguage();
setUpInstall();
registerWorker().then(refreshContent, () => {});
// Saved checks go to the server on start, when online again, and on the triggers sync.js lists.
startSyncing();
// The posture-break timer ticks on every page, not only on Tips › Posture breaks.
runBreaks();
// Home's "Today": the plan, once there is one.
if (document.getElementById("today")) showToday().catch(() => {});
// A follow-up check that is due: said on home, and notified while open (follow-up.js).
watchFollowUp().catch(() => {});
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") refreshContent();
});
