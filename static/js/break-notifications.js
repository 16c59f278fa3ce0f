/**
 * System notifications for posture breaks: asking for permission (Tips › Posture breaks)
 * and showing one, through the service worker, when a break is due and BackCare is in the
 * background. There is no push service: reminders need the app open.
 */

import { markNotified } from "./break-timer.js";
import { gettext } from "./i18n.js";

/** A system notification, once per due break, only when allowed and BackCare is not in view. */
export function notify(timer) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  if (document.visibilityState === "visible" && document.hasFocus()) return;
  markNotified(timer);
  const body = gettext("Time for a short break: stand up, walk a little and stretch gently.");
  navigator.serviceWorker?.ready
    .then((registration) => registration.showNotification("BackCare", { body, tag: "break" }))
    .catch(() => {});
}

/** The "Allow notifications" button, shown while the browser has not been asked yet. */
export function setUpNotifications(button, status) {
  if (!("Notification" in window) || Notification.permission !== "default") return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    const answer = await Notification.requestPermission();
    button.hidden = true;
    status.textContent =
      answer === "granted"
        ? gettext("You will also get a notification when it is time for a break and BackCare is in the background.")
        : gettext("No notifications: the reminder will show inside BackCare.");
  });
}
