/**
 * Between checks, on the phone only: the follow-up a result offers ("Check again in 1
 * week"), the notice on home when it is due (and a notification while BackCare is open,
 * when allowed: there is no push service), and the course of this episode's checks in
 * words for the result, the history and the summary (the rule is course.js). Kept as two
 * device records (the follow-up, the episode): in the JSON download, erased with the checks.
 */

import { painScore, snapshotFor } from "./check-record.js";
import { fetchContent } from "./content.js";
import { courseOf, courseSettings, followUpDue } from "./course.js";
import { formatDateTime } from "./dates.js";
import { el } from "./dom.js";
import { format, gettext, ngettext } from "./i18n.js";
import { allChecks, deleteDeviceRecord, readDeviceRecord, writeDeviceRecord } from "./outbox.js";

const FOLLOW_UP = "follow-up";
const EPISODE = "episode";
const CHOICES = [3, 7, 14, 21, 28];
// setTimeout's longest wait; a longer one fires at once.
const LONGEST_TIMER = 2147483647;

async function currentSettings() {
  return (await fetchContent().catch(() => null))?.settings || {};
}

// -- what is kept, for the JSON download and "Delete my data" --------------------------

/** The records this module keeps, by id (absent ones left out). */
export async function courseRecords() {
  const records = {};
  for (const id of [FOLLOW_UP, EPISODE]) {
    const record = await readDeviceRecord(id).catch(() => null);
    if (record) records[id] = record;
  }
  return records;
}

export async function forgetCourse() {
  await Promise.all([deleteDeviceRecord(FOLLOW_UP), deleteDeviceRecord(EPISODE)]);
}

// -- the course in words ---------------------------------------------------------------

/** The course up to check `uuid` (the newest when null), or null. */
export async function courseFor(uuid = null) {
  const snapshots = new Map();
  const checks = [];
  for (const record of await allChecks()) {
    const version = record.content_version;
    if (!snapshots.has(version)) snapshots.set(version, await snapshotFor(version).catch(() => null));
    const snapshot = snapshots.get(version);
    checks.push({ ...record, urgency: record.outcome.urgency, pain: snapshot && painScore(record, snapshot) });
  }
  const episode = await readDeviceRecord(EPISODE).catch(() => null);
  const settings = await currentSettings();
  const course = courseOf(checks, { uuid, episodeStart: episode?.started_at, settings });
  return course && { ...course, change: courseSettings(settings).change };
}

function daysAgo(days) {
  if (days === 0) return gettext("earlier the same day");
  return format(ngettext("%(days)s day before", "%(days)s days before", days), { days });
}

/** The figures and the advice as sentences: {advice: string|null, figures: [string]}. */
export function courseWords(course) {
  const figures = [];
  const signed = (value) => (value > 0 ? `+${value}` : String(value));
  if (course.first)
    figures.push(
      format(gettext("Since the first check of this episode, %(when)s: pain score %(from)s, change %(change)s."), {
        when: daysAgo(course.daysSinceFirst),
        from: course.first.pain.value,
        change: signed(course.sinceFirst),
      }),
    );
  if (course.last)
    figures.push(
      format(gettext("Since the last check, %(when)s: pain score %(from)s, change %(change)s."), {
        when: daysAgo(course.daysSinceLast),
        from: course.last.pain.value,
        change: signed(course.sinceLast),
      }),
    );
  if (course.tierRose) figures.push(gettext("The result is more urgent than at the last check."));
  let advice = null;
  if (course.advice) {
    const why =
      course.advice === "rising"
        ? format(gettext("The pain score rose by %(points)s points since the last check."), {
            points: course.sinceLast,
          })
        : format(gettext("Over %(days)s days the pain score has not fallen by %(points)s points or more."), {
            days: course.daysSinceFirst,
            points: course.change,
          });
    advice = `${gettext("This has not been getting better: see a GP or physiotherapist.")} ${why}`;
  }
  return { advice, figures };
}

/** The course as a section of a page; `extra` goes below it (the new-episode button). */
export function courseSection(course, id, ...extra) {
  const { advice, figures } = courseWords(course);
  return el(
    "section",
    { id, "aria-labelledby": `${id}-heading` },
    el("h2", { id: `${id}-heading` }, gettext("Since your earlier checks")),
    advice ? el("p", { className: "notice course-advice" }, advice) : null,
    figures.map((text) => el("p", { className: "course-figure" }, text)),
    ...extra,
  );
}

/** "This is a new episode of back pain": the course starts again from this check. */
export function newEpisodeButton(record, onDone) {
  const button = el(
    "button",
    { type: "button", className: "button", id: "new-episode" },
    gettext("This is a new episode of back pain"),
  );
  button.addEventListener("click", async () => {
    await writeDeviceRecord(EPISODE, { started_at: record.completed_at });
    onDone();
  });
  return button;
}

// -- check again -------------------------------------------------------------------

function choiceLabel(days) {
  if (days === 0) return gettext("Off");
  if (days % 7) return format(ngettext("In %(count)s day", "In %(count)s days", days), { count: days });
  return format(ngettext("In %(count)s week", "In %(count)s weeks", days / 7), { count: days / 7 });
}

function dueText(followUp) {
  return followUp.days
    ? format(gettext("BackCare will remind you from %(date)s when you open it."), {
        date: formatDateTime(followUp.due_at),
      })
    : "";
}

/**
 * The follow-up a self-care or "see a doctor soon" result offers, on the newest check
 * only. Chosen by default when the result first shows (`follow_up_days`, 1 week).
 */
export async function followUpControl(record) {
  const newest = (await allChecks())[0];
  if (!newest || newest.uuid !== record.uuid) return null;
  // An urgent or emergency result says to get care now: no "check again" beside it.
  if (!["self_care", "soon"].includes(record.outcome.urgency)) return void (await saveFollowUp(record, 0));
  let followUp = await readDeviceRecord(FOLLOW_UP).catch(() => null);
  if (!followUp || followUp.from !== record.uuid) {
    followUp = await saveFollowUp(record, courseSettings(await currentSettings()).followUpDays);
  }
  const days = [...new Set([...CHOICES, followUp.days])].sort((a, b) => a - b);
  const select = el(
    "select",
    { id: "follow-up-days" },
    [...days, 0].map((value) => el("option", { value, selected: value === followUp.days }, choiceLabel(value))),
  );
  const status = el("p", { className: "hint", id: "follow-up-status", role: "status" }, dueText(followUp));
  select.addEventListener("change", async () => {
    status.textContent = dueText(await saveFollowUp(record, Number(select.value)));
  });
  return el(
    "section",
    { id: "result-follow-up", "aria-labelledby": "result-follow-up-heading", className: "no-print" },
    el("h2", { id: "result-follow-up-heading" }, gettext("Check again")),
    el("label", { htmlFor: "follow-up-days" }, gettext("Check again to see how your back is doing:")),
    " ",
    select,
    status,
    el(
      "p",
      { className: "hint" },
      gettext("Reminders reach you only while BackCare is open on this device: there is no push service."),
    ),
  );
}

async function saveFollowUp(record, days) {
  const followUp = {
    from: record.uuid,
    from_at: record.completed_at,
    days,
    due_at: days ? followUpDue(record.completed_at, days) : null,
  };
  await writeDeviceRecord(FOLLOW_UP, followUp).catch(() => {});
  return followUp;
}

/** On every page: home says when a follow-up is due; a notification while open, if allowed. */
export async function watchFollowUp() {
  const followUp = await readDeviceRecord(FOLLOW_UP).catch(() => null);
  if (!followUp || !followUp.due_at) return;
  const wait = Date.parse(followUp.due_at) - Date.now();
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
      el(
        "p",
        {},
        el(
          "a",
          { className: "button button-primary", href: "/check/", id: "follow-up-start" },
          gettext("Check again now"),
        ),
      ),
    );
    place.hidden = false;
  }
  if (wait > 0 && wait < LONGEST_TIMER) setTimeout(notifyFollowUp, wait);
}

function notifyFollowUp() {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  navigator.serviceWorker?.ready
    .then((registration) =>
      registration.showNotification("BackCare", { body: gettext("Time to check again"), tag: FOLLOW_UP }),
    )
    .catch(() => {});
}

// -- the hooks the pages call ----------------------------------------------------------

/** On a result: the course below "Why this result", "Check again" above the limits. */
export async function addToResult(container, record, redo) {
  const helpNow = !["self_care", "soon"].includes(record.outcome.urgency);
  const course = helpNow ? null : await courseFor(record.uuid);
  if (course) {
    const episode = newEpisodeButton(record, redo);
    container.querySelector("#result-why").after(courseSection(course, "result-course", episode));
  }
  const followUp = await followUpControl(record);
  if (followUp) container.querySelector("#result-limits").before(followUp);
}

/** On the history: the course of the newest check, under the chart. */
export async function showCourseIn(place) {
  const course = await courseFor();
  place.replaceChildren(...(course ? [courseSection(course, "history-course")] : []));
}
