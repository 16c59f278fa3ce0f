/**
 * Between checks, on the phone only: the follow-up a result offers, the notice on home
 * when it is due (a notification only while BackCare is open), and the course
 * (course.js) in words on the result, history and summary. Two device records, on
 * outbox.js's list of the follow-through (in the JSON download, erased with the checks).
 */

import { painScore, snapshotFor } from "./check-record.js";
import { START_NOW_URL } from "./check-session.js";
import { fetchContent } from "./content.js";
import { courseOf, courseSettings, followUpDue } from "./course.js";
import { formatDateTime } from "./dates.js";
import { el } from "./dom.js";
import { format, gettext, ngettext } from "./i18n.js";
import { EPISODE_RECORD, FOLLOW_UP_RECORD, allChecks, readDeviceRecord, writeDeviceRecord } from "./outbox.js";

const CHOICES = [3, 7, 14, 21, 28];
const read = (id) => readDeviceRecord(id).catch(() => null);
const settingsNow = async () => courseSettings((await fetchContent().catch(() => null))?.settings);

/** The course up to check `uuid` (the newest when null), or null; `saved`: the checks as
 * allChecks() gave them, when the page has just read them (else read here). */
export async function courseFor(uuid = null, saved = null) {
  const checks = [];
  for (const record of saved || (await allChecks())) {
    const snapshot = await snapshotFor(record.content_version).catch(() => null);
    checks.push({ ...record, urgency: record.outcome.urgency, pain: snapshot && painScore(record, snapshot) });
  }
  const settings = (await fetchContent().catch(() => null))?.settings;
  const course = courseOf(checks, { uuid, episodeStart: (await read(EPISODE_RECORD))?.started_at, settings });
  return course && { ...course, change: courseSettings(settings).change };
}

/** The figures and the advice as sentences. */
export function courseWords(course) {
  const figure = (text, check, days, change) =>
    format(text, {
      when: format(ngettext("%(days)s day before", "%(days)s days before", days), { days }),
      from: check.pain.value,
      change: change > 0 ? `+${change}` : change,
    });
  const figures = [];
  if (course.first)
    figures.push(
      figure(
        gettext("Since the first check of this episode, %(when)s: pain score %(from)s, change %(change)s."),
        course.first,
        course.daysSinceFirst,
        course.sinceFirst,
      ),
    );
  if (course.last)
    figures.push(
      figure(
        gettext("Since the last check, %(when)s: pain score %(from)s, change %(change)s."),
        course.last,
        course.daysSinceLast,
        course.sinceLast,
      ),
    );
  if (course.tierRose) figures.push(gettext("The result is more urgent than at the last check."));
  const why =
    course.advice === "rising"
      ? gettext("The pain score rose by %(points)s points since the last check.")
      : gettext("Over %(days)s days the pain score has not fallen by %(points)s points or more.");
  const reasons = course.advice
    ? [
        format(why, {
          points: course.advice === "rising" ? course.sinceLast : course.change,
          days: course.daysSinceFirst,
        }),
      ]
    : [];
  for (const activity of course.activities)
    if (activity.advice)
      reasons.push(
        format(
          activity.advice === "falling"
            ? gettext("%(name)s: %(previous)s → %(now)s out of 10 since the last check.")
            : gettext("%(name)s: %(first)s → %(now)s out of 10 over %(days)s days."),
          activity,
        ),
      );
  const advice =
    reasons.length && [gettext("This has not been getting better: see a GP or physiotherapist."), ...reasons].join(" ");
  return { advice: advice || null, figures };
}

function courseSection(course, id, ...extra) {
  const { advice, figures } = courseWords(course);
  return el(
    "section",
    { id, "aria-labelledby": `${id}-h` },
    el("h2", { id: `${id}-h` }, gettext("Since your earlier checks")),
    advice && el("p", { className: "notice course-advice" }, advice),
    figures.map((text) => el("p", { className: "course-figure" }, text)),
    ...extra,
  );
}

// -- check again -------------------------------------------------------------------

function choiceLabel(days) {
  if (!days) return gettext("Off");
  if (days % 7) return format(ngettext("In %(count)s day", "In %(count)s days", days), { count: days });
  return format(ngettext("In %(count)s week", "In %(count)s weeks", days / 7), { count: days / 7 });
}

const dueText = ({ due_at }) =>
  due_at
    ? format(gettext("BackCare will remind you from %(date)s when you open it."), { date: formatDateTime(due_at) })
    : "";

async function saveFollowUp(record, days) {
  const followUp = { from: record.uuid, from_at: record.completed_at, days };
  followUp.due_at = days ? followUpDue(record.completed_at, days) : null;
  await writeDeviceRecord(FOLLOW_UP_RECORD, followUp).catch(() => {});
  return followUp;
}

/** On the newest check only: chosen by default (`follow_up_days`) when its result first shows. */
async function followUpControl(record, helpNow, saved) {
  if ((saved || (await allChecks()))[0]?.uuid !== record.uuid) return null;
  // An urgent or emergency result says to get care now: no "check again" beside it.
  if (helpNow) return void (await saveFollowUp(record, 0));
  let followUp = await read(FOLLOW_UP_RECORD);
  if (followUp?.from !== record.uuid) followUp = await saveFollowUp(record, (await settingsNow()).followUpDays);
  const days = [...new Set([...CHOICES, followUp.days])].sort((a, b) => a - b);
  const select = el(
    "select",
    { id: "follow-up-days", "aria-labelledby": "result-follow-up-h" },
    [...days, 0].map((value) => el("option", { value, selected: value === followUp.days }, choiceLabel(value))),
  );
  const status = el("p", { className: "hint", id: "follow-up-status", role: "status" }, dueText(followUp));
  select.addEventListener("change", async () => {
    status.textContent = dueText(await saveFollowUp(record, Number(select.value)));
  });
  return el(
    "section",
    { id: "result-follow-up", "aria-labelledby": "result-follow-up-h", className: "no-print" },
    el("h2", { id: "result-follow-up-h" }, gettext("Check again")),
    select,
    status,
    el(
      "p",
      { className: "hint" },
      gettext("Reminders reach you only while BackCare is open on this device: there is no push service."),
    ),
  );
}

// -- the hooks the pages call ----------------------------------------------------------

/** On a result: the course below "Why this result" (again when its ratings are saved). */
export async function showCourseOnResult(container, record, redo, saved = null) {
  const course = await courseFor(record.uuid, saved);
  container.querySelector("#result-course")?.remove();
  if (!course) return;
  const episode = el("button", { type: "button", className: "button" }, gettext("This is a new episode of back pain"));
  episode.addEventListener("click", () =>
    writeDeviceRecord(EPISODE_RECORD, { started_at: record.completed_at }).then(redo),
  );
  container.querySelector("#result-why").after(courseSection(course, "result-course", episode));
}

/** On a result: the course, and "Check again" above the limits. */
export async function addToResult(container, record, redo, saved = null) {
  const helpNow = !["self_care", "soon"].includes(record.outcome.urgency);
  if (!helpNow) await showCourseOnResult(container, record, redo, saved);
  const followUp = await followUpControl(record, helpNow, saved);
  if (followUp) container.querySelector("#result-limits").before(followUp);
}

/** On the history: the course of the newest check. */
export async function showCourseIn(place, saved = null) {
  const course = await courseFor(null, saved);
  place.replaceChildren(...(course ? [courseSection(course, "history-course")] : []));
}

/** On every page: home says when a follow-up is due; a notification while open, if allowed. */
export async function watchFollowUp() {
  const followUp = await read(FOLLOW_UP_RECORD);
  const wait = Date.parse(followUp?.due_at) - Date.now();
  const place = document.getElementById("follow-up-due");
  if (wait <= 0 && place) {
    place.replaceChildren(
      el("h2", {}, gettext("Time to check again")),
      el(
        "p",
        {},
        format(gettext("You asked to check again after your check of %(date)s."), {
          date: formatDateTime(followUp.from_at),
        }),
      ),
      // One tap: the check starts at once, its first question shown.
      el("a", { className: "button button-primary", href: START_NOW_URL }, gettext("Check again now")),
    );
    place.hidden = false;
  }
  // setTimeout fires a longer wait than 2^31 ms at once.
  if (wait > 0 && wait < 2 ** 31 && window.Notification?.permission === "granted")
    setTimeout(
      () =>
        navigator.serviceWorker.ready.then((r) =>
          r.showNotification("BackCare", { body: gettext("Time to check again"), tag: FOLLOW_UP_RECORD }),
        ),
      wait,
    );
}
