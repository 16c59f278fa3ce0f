/**
 * Posture breaks on every page: a reminder every N minutes of sitting or standing (30 by
 * default, up to 60). app.js calls runBreaks on every page, which ticks the countdowns and
 * shows the prompt with "Done" and "Snooze 5 min" when a break is due: a notice pinned to
 * the bottom of the screen, polite (it never takes focus), which confirms Done and Snooze.
 * No prompt shows while something on the page holds breaks (`data-no-break-prompt`: a
 * check screen, the emergency screen, an urgent or emergency result). Tips › Posture
 * breaks also has a form to choose the interval (5 to 60 minutes) and allow notifications.
 * The timer's state is break-timer.js's; system notifications are break-notifications.js's.
 */

import { el } from "./dom.js";
import { format, gettext } from "./i18n.js";
import {
  BREAKS_CHANGED,
  breakDone,
  breaksTakenToday,
  DEFAULT_MINUTES,
  isTimerKey,
  MAX_MINUTES,
  MIN_MINUTES,
  MINUTE_MS,
  SNOOZE_MINUTES,
  snoozeBreak,
  startBreaks,
  stopBreaks,
  timerState,
} from "./break-timer.js";
import { notify, setUpNotifications } from "./break-notifications.js";

// The timer stays reachable here under its old names (break-timer.js holds it now).
export { breakDone, breaksTakenToday, snoozeBreak, startBreaks, stopBreaks, timerState } from "./break-timer.js";

// How long "Snoozed…" or "Break done…" stays before the notice goes.
const CONFIRMATION_MS = 5000;

function countdownText(timer) {
  // Said rather than left blank: an empty line is a gap under the control's heading.
  if (!timer) return gettext("Break reminders are off.");
  const left = Math.max(0, timer.endsAt - Date.now());
  // Not a frozen "0:00" while the break waits to be taken.
  if (left === 0) return gettext("A break is due now.");
  const minutes = Math.floor(left / MINUTE_MS);
  const seconds = Math.floor((left % MINUTE_MS) / 1000);
  return format(gettext("Next break in %(time)s"), { time: `${minutes}:${String(seconds).padStart(2, "0")}` });
}

// -- a control for home and results -------------------------------------------------

/** Start/stop, the countdown, today's count and the honest limit, for any page. Home has
 * the same markup from its template (no layout shift); a result builds it here. */
export function breakControl() {
  const control = el(
    "div",
    { className: "break-control" },
    el("p", { className: "break-about" }),
    el("p", { className: "break-countdown timer-display", role: "timer", "aria-live": "off" }),
    el("p", { className: "break-count" }),
    el("button", { type: "button", className: "button break-toggle" }),
    el(
      "p",
      { className: "hint" },
      gettext("Reminders reach you only while BackCare is open on this device: there is no push service."),
      " ",
      el("a", { href: "/tips/posture_breaks/" }, gettext("Change the interval or allow notifications")),
    ),
  );
  wireControl(control);
  return control;
}

function wireControl(control) {
  const toggle = control.querySelector(".break-toggle");
  toggle.addEventListener("click", () => (timerState() ? stopBreaks() : startBreaks(DEFAULT_MINUTES)));
  toggle.classList.remove("until-loaded");
  updateControl(control);
}

function updateControl(control) {
  const timer = timerState();
  // At once, not at the next tick: a control built after the page loaded starts blank.
  const countdown = control.querySelector(".break-countdown");
  setText(countdown, countdownText(timer));
  countdown?.classList.toggle("timer-off", timer === null);
  const minutes = timer ? timer.minutes : DEFAULT_MINUTES;
  setText(
    control.querySelector(".break-about"),
    format(
      gettext(
        "A short break every %(minutes)s minutes of sitting or standing: stand up, walk a little and stretch gently.",
      ),
      { minutes },
    ),
  );
  setText(
    control.querySelector(".break-toggle"),
    timer ? gettext("Stop break reminders") : gettext("Start break reminders"),
  );
  setText(
    control.querySelector(".break-count"),
    format(gettext("Breaks taken today: %(count)s"), { count: breaksTakenToday() }),
  );
}

/** Only touch the DOM when the words change (this runs every second). */
function setText(element, text) {
  if (element && element.textContent !== text) element.textContent = text;
}

// -- every page ----------------------------------------------------------------------

let started = false;

function tick() {
  if (!started) return;
  const timer = timerState();
  // The controls' countdowns (updateControl) and the interval form's on Tips › Posture breaks.
  for (const countdown of document.querySelectorAll(".break-countdown")) setText(countdown, countdownText(timer));
  for (const control of document.querySelectorAll(".break-control")) updateControl(control);
  const due = timer !== null && Date.now() >= timer.endsAt;
  // Nothing competes with getting help: the break waits until the screen is left.
  if (due && helpComesFirst()) {
    showPrompt(null);
    return;
  }
  if (due) showPrompt(gettext("Time for a short break: stand up, walk a little and stretch gently."), true);
  else if (!confirming) showPrompt(null);
  if (due && timer.notifiedFor !== timer.endsAt) notify(timer);
}

/** A check screen, the emergency screen or an urgent or emergency result is showing. */
function helpComesFirst() {
  return [...document.querySelectorAll("[data-no-break-prompt]")].some((element) => !element.hidden);
}

let confirming = null;

/** The pinned notice: `text` with Done and Snooze when `asking`, or gone when null. */
function showPrompt(text, asking = false) {
  const prompt = document.getElementById("break-prompt");
  if (!prompt) return;
  if (asking && confirming) {
    clearTimeout(confirming);
    confirming = null;
  }
  for (const button of prompt.querySelectorAll("button")) if (button.hidden === asking) button.hidden = !asking;
  if (text === null) {
    if (!prompt.hidden) prompt.hidden = true;
    return;
  }
  setText(prompt.querySelector("p"), text);
  if (prompt.hidden) prompt.hidden = false;
}

/** Say what Done or Snooze did, in the same notice, then let it go. */
function confirm(text) {
  clearTimeout(confirming);
  confirming = setTimeout(() => {
    confirming = null;
    tick();
  }, CONFIRMATION_MS);
  showPrompt(text);
}

/** The notice pinned to the bottom of every page, hidden until a break is due. A polite
 * status region that is always there, so screen readers hear what appears in it without
 * losing their place. Built here rather than in base.html: every precached page would
 * otherwise carry its bytes. */
function addPrompt() {
  const prompt = el(
    "div",
    { id: "break-prompt", className: "break-prompt", hidden: true },
    el("p", {}),
    el("button", { type: "button", id: "break-done", className: "button button-primary" }, gettext("Done")),
    el("button", { type: "button", id: "break-snooze", className: "button" }, gettext("Snooze 5 min")),
  );
  prompt.querySelector("#break-done").addEventListener("click", () => {
    breakDone();
    const timer = timerState();
    confirm(
      format(gettext("Well done: that is %(count)s today. Next break in %(minutes)s minutes."), {
        count: breaksTakenToday(),
        minutes: timer ? timer.minutes : DEFAULT_MINUTES,
      }),
    );
  });
  prompt.querySelector("#break-snooze").addEventListener("click", () => {
    snoozeBreak();
    confirm(format(gettext("Snoozed: the next reminder comes in %(minutes)s minutes."), { minutes: SNOOZE_MINUTES }));
  });
  document.body.append(el("div", { className: "break-notice", role: "status" }, prompt));
}

// -- the interval form on Tips › Posture breaks ---------------------------------------

function setUpIntervalForm(form) {
  const minutesInput = document.getElementById("timer-minutes");
  const stopButton = document.getElementById("timer-stop");
  const status = document.getElementById("timer-status");
  const showRunning = () => {
    stopButton.hidden = timerState() === null;
  };
  form.hidden = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const minutes = Number(minutesInput.value);
    if (!Number.isInteger(minutes) || minutes < MIN_MINUTES || minutes > MAX_MINUTES) {
      status.textContent = format(gettext("Choose between %(min)s and %(max)s minutes."), {
        min: MIN_MINUTES,
        max: MAX_MINUTES,
      });
      minutesInput.focus();
      return;
    }
    startBreaks(minutes);
    status.textContent = format(gettext("Timer started: a break in %(minutes)s minutes."), { minutes });
  });
  stopButton.addEventListener("click", () => {
    stopBreaks();
    status.textContent = gettext("Timer stopped.");
  });
  window.addEventListener(BREAKS_CHANGED, showRunning);
  setUpNotifications(document.getElementById("timer-notify"), status);
  const existing = timerState();
  if (existing) minutesInput.value = existing.minutes;
  showRunning();
}

/** Tick on this page: countdowns, the prompt, and the controls the page asks for. */
export function runBreaks() {
  if (started) return;
  started = true;
  addPrompt();
  const intervalForm = document.getElementById("timer-form");
  if (intervalForm) setUpIntervalForm(intervalForm);
  for (const control of document.querySelectorAll(".break-control")) wireControl(control);
  // This tab or another started, stopped or answered a break.
  window.addEventListener(BREAKS_CHANGED, tick);
  window.addEventListener("storage", (event) => {
    if (isTimerKey(event.key)) tick();
  });
  document.addEventListener("visibilitychange", tick);
  window.addEventListener("blur", () => setTimeout(tick, 0));
  tick();
  setInterval(tick, 1000);
}
