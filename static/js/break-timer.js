/**
 * The posture-break timer's state: the interval, when the next break is due and the breaks
 * taken today, in localStorage, so moving between pages or reloading never resets the
 * countdown and every tab sees the same timer. No DOM here: each change is announced with
 * the window event BREAKS_CHANGED, and breaks.js redraws what shows it.
 */

const TIMER_KEY = "backcare-break-timer";
const TAKEN_KEY = "backcare-breaks-taken";
export const DEFAULT_MINUTES = 30;
export const MIN_MINUTES = 5;
export const MAX_MINUTES = 60;
export const SNOOZE_MINUTES = 5;
export const MINUTE_MS = 60 * 1000;
export const BREAKS_CHANGED = "backcare:breaks-changed";

/** {minutes, endsAt, notifiedFor} or null when reminders are off. */
export function timerState() {
  try {
    const raw = localStorage.getItem(TIMER_KEY);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

function saveTimer(timer) {
  if (timer === null) localStorage.removeItem(TIMER_KEY);
  else localStorage.setItem(TIMER_KEY, JSON.stringify(timer));
  window.dispatchEvent(new CustomEvent(BREAKS_CHANGED));
}

export function startBreaks(minutes = DEFAULT_MINUTES) {
  saveTimer({ minutes, endsAt: Date.now() + minutes * MINUTE_MS, notifiedFor: null });
}

export function stopBreaks() {
  saveTimer(null);
}

/** The person took the break: count it and start the next interval. */
export function breakDone() {
  const timer = timerState();
  const taken = breaksTakenToday() + 1;
  localStorage.setItem(TAKEN_KEY, JSON.stringify({ day: today(), count: taken }));
  if (timer) saveTimer({ ...timer, endsAt: Date.now() + timer.minutes * MINUTE_MS, notifiedFor: null });
}

export function snoozeBreak() {
  const timer = timerState();
  if (timer) saveTimer({ ...timer, endsAt: Date.now() + SNOOZE_MINUTES * MINUTE_MS, notifiedFor: null });
}

/** Remember that this due break was notified, so it is notified once (quietly: no redraw). */
export function markNotified(timer) {
  localStorage.setItem(TIMER_KEY, JSON.stringify({ ...timer, notifiedFor: timer.endsAt }));
}

export function breaksTakenToday() {
  try {
    const taken = JSON.parse(localStorage.getItem(TAKEN_KEY) || "null");
    return taken && taken.day === today() ? taken.count : 0;
  } catch {
    return 0;
  }
}

/** Whether a change made in another tab (a storage event's key) touched the timer. */
export function isTimerKey(key) {
  return key === TIMER_KEY || key === TAKEN_KEY;
}

function today() {
  const now = new Date();
  return `${now.getFullYear()}-${now.getMonth() + 1}-${now.getDate()}`;
}
