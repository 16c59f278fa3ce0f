/**
 * On the newest self-care or "see a doctor soon" result: name, once, up to three everyday
 * activities the back makes hard and rate each 0–10; at later checks, rate them again.
 * The ratings are saved with the check, on this device only (function-ratings.js).
 */

import { el } from "./dom.js";
import { format, gettext } from "./i18n.js";
import { ACTIVITIES_RECORD, allChecks, annotateCheck, readDeviceRecord, writeDeviceRecord } from "./outbox.js";
import {
  MAX_ACTIVITIES,
  MAX_NAME_LENGTH,
  RATING_MAX,
  functionChange,
  namedActivities,
  ratingsOf,
  validRating,
} from "./function-ratings.js";

function field(label, input) {
  return el("p", { className: "activity-field" }, el("label", {}, label, " ", input));
}

function ratingInput(name) {
  return el("input", { type: "number", name, min: 0, max: RATING_MAX, step: 1, inputmode: "numeric" });
}

/** The saved ratings, each with its change since the previous check. */
function ratingsList(record, checks) {
  const earlier = checks.filter((check) => check.completed_at < record.completed_at);
  const before = new Map(functionChange(earlier).map((change) => [change.key, change.last.rating]));
  return el(
    "ul",
    { id: "activity-ratings" },
    ratingsOf(record).map(({ key, name, rating }) =>
      el(
        "li",
        { "data-activity": key },
        format(gettext("%(name)s: %(rating)s out of 10"), { name, rating }),
        before.has(key) ? ` ${format(gettext("(last time %(rating)s)"), { rating: before.get(key) })}` : "",
      ),
    ),
  );
}

/** The form: names to type the first time, the stored names after that. */
function activityForm(activities, onSave, onSkip) {
  const naming = activities === null;
  const rows = naming
    ? Array.from({ length: MAX_ACTIVITIES }, (_, index) => [
        field(
          format(gettext("Activity %(number)s"), { number: index + 1 }),
          el("input", { type: "text", name: `name${index}`, maxlength: MAX_NAME_LENGTH, autocomplete: "off" }),
        ),
        field(gettext("How able are you to do it today? (0–10)"), ratingInput(`rating${index}`)),
      ])
    : activities.map((activity, index) => field(activity.name, ratingInput(`rating${index}`)));
  const error = el("p", { className: "error", role: "alert" });
  const form = el(
    "form",
    { id: "activity-form", novalidate: true },
    rows.flat(),
    error,
    el(
      "p",
      { className: "actions" },
      el("button", { type: "submit", className: "button" }, gettext("Save")),
      naming ? el("button", { type: "button", className: "button", id: "activity-skip" }, gettext("Not now")) : null,
    ),
  );
  form.querySelector("#activity-skip")?.addEventListener("click", onSkip);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const named = naming
      ? namedActivities([0, 1, 2].map((index) => data.get(`name${index}`)))
      : activities.map((activity) => ({ ...activity }));
    const rated = naming
      ? [0, 1, 2].filter((index) => String(data.get(`name${index}`) || "").trim())
      : named.map((_, index) => index);
    const ratings = rated.map((index) => validRating(data.get(`rating${index}`)));
    if (named.length === 0 || ratings.length !== named.length || ratings.includes(null)) {
      error.textContent = gettext("Name at least one activity and give each a number from 0 to 10.");
      return;
    }
    onSave(
      named,
      named.map((activity, index) => ({ ...activity, rating: ratings[index] })),
    );
  });
  return form;
}

/** The section for `record`, or null when there is nothing to ask or show; `read`: the
 * checks as allChecks() gave them, when the page has just read them (else read here). */
export async function activitiesSection(record, onSaved = () => {}, read = null) {
  const checks = read || (await allChecks());
  const newest = checks[0] && checks[0].uuid === record.uuid;
  const stored = await readDeviceRecord(ACTIVITIES_RECORD);
  const section = el(
    "section",
    { id: "result-activities", "aria-labelledby": "result-activities-heading", className: "no-print" },
    el("h2", { id: "result-activities-heading" }, gettext("What your back makes hard")),
  );
  const show = (...children) => {
    section.replaceChildren(section.firstChild, ...children);
    return section;
  };
  const saved = () =>
    show(
      el("p", {}, gettext("How able you are to do each, saved with this check on this device only.")),
      ratingsList(record, checks),
    );
  if (ratingsOf(record).length) return saved();
  if (!newest || (stored && stored.items.length === 0)) return null;
  const save = async (activities, ratings) => {
    if (stored === null) await writeDeviceRecord(ACTIVITIES_RECORD, { items: activities });
    record = (await annotateCheck(record.uuid, { function: ratings })) || record;
    saved();
    onSaved();
  };
  const skip = async () => {
    await writeDeviceRecord(ACTIVITIES_RECORD, { items: [] });
    section.remove();
  };
  const intro =
    stored === null
      ? gettext(
          "Name up to three everyday activities your back makes hard, such as tying your shoes or sitting through a meeting, and say how able you are to do each today. At your next checks you rate them again, to see the change. They stay on this device.",
        )
      : gettext("How able are you to do each of these today?");
  return show(
    el("p", {}, intro),
    el("p", { className: "hint" }, gettext("0 = unable to do it, 10 = as able as before the pain.")),
    activityForm(stored && stored.items, save, skip),
  );
}
