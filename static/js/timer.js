/**
 * The posture-break timer: a reminder every N minutes (30 by default, up to 60). Works
 * offline; the end time is kept in localStorage so a reload keeps the countdown. Uses a
 * notification only when the person has granted permission, otherwise an on-page alert.
 */

import { format, gettext } from "./i18n.js";

const STORAGE_KEY = "backcare-break-timer";
const form = document.getElementById("timer-form");
const minutesInput = document.getElementById("timer-minutes");
const stopButton = document.getElementById("timer-stop");
const notifyButton = document.getElementById("timer-notify");
const display = document.getElementById("timer-display");
const status = document.getElementById("timer-status");
const alertBox = document.getElementById("timer-alert");
let ticker = null;

function stored() {
  const raw = localStorage.getItem(STORAGE_KEY);
  return raw ? JSON.parse(raw) : null;
}

function start(minutes) {
  const timer = { minutes, endsAt: Date.now() + minutes * 60 * 1000 };
  localStorage.setItem(STORAGE_KEY, JSON.stringify(timer));
  alertBox.hidden = true;
  status.textContent = format(gettext("Timer started: a break in %(minutes)s minutes."), { minutes });
  run();
}

function stop() {
  localStorage.removeItem(STORAGE_KEY);
  clearInterval(ticker);
  ticker = null;
  display.textContent = "";
  stopButton.hidden = true;
  status.textContent = gettext("Timer stopped.");
}

function run() {
  clearInterval(ticker);
  stopButton.hidden = false;
  tick();
  ticker = setInterval(tick, 1000);
}

function tick() {
  const timer = stored();
  if (!timer) return;
  const left = Math.max(0, timer.endsAt - Date.now());
  const minutes = Math.floor(left / 60000);
  const seconds = Math.floor((left % 60000) / 1000);
  display.textContent = format(gettext("Next break in %(time)s"), { time: `${minutes}:${String(seconds).padStart(2, "0")}` });
  if (left === 0) breakTime(timer);
}

function breakTime(timer) {
  const message = gettext("Time for a short break: stand up, walk a little and stretch gently.");
  if ("Notification" in window && Notification.permission === "granted") {
    navigator.serviceWorker?.ready
      .then((registration) => registration.showNotification("BackCare", { body: message, tag: "break" }))
      .catch(() => new Notification("BackCare", { body: message }));
  }
  alertBox.textContent = message;
  alertBox.hidden = false;
  // The next interval starts at once, as a repeating reminder.
  const next = { ...timer, endsAt: Date.now() + timer.minutes * 60 * 1000 };
  localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
}

function setUpNotifications() {
  if (!("Notification" in window) || Notification.permission !== "default") return;
  notifyButton.hidden = false;
  notifyButton.addEventListener("click", async () => {
    const answer = await Notification.requestPermission();
    notifyButton.hidden = true;
    status.textContent =
      answer === "granted"
        ? gettext("You will also get a notification when it is time for a break.")
        : gettext("No notifications: the reminder will show on this page.");
  });
}

form.hidden = false;
form.addEventListener("submit", (event) => {
  event.preventDefault();
  const minutes = Number(minutesInput.value);
  if (!Number.isInteger(minutes) || minutes < 5 || minutes > 60) {
    status.textContent = gettext("Choose between 5 and 60 minutes.");
    minutesInput.focus();
    return;
  }
  start(minutes);
});
stopButton.addEventListener("click", stop);
setUpNotifications();
const existing = stored();
if (existing) {
  minutesInput.value = existing.minutes;
  run();
}
