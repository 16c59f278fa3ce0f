/**
 * The course over several checks: the rule alone (pure; tests/js/course.test.mjs).
 * A check: {uuid, completed_at, urgency, pain: {value, max} | null}. Within one episode,
 * "not getting better" when checks span `course_weeks` weeks and the pain has not fallen
 * by `course_change` points (about the smallest change a person can tell on 0–10), or at
 * once on a rise of that much since the last check. Each activity's ability (0–10, higher
 * is better) is read the same way, reversed. It only adds: no tier comes from here, and
 * urgent or emergency results (get care now) carry none.
 */

import { functionChange } from "./function-ratings.js";

export const COURSE_DEFAULTS = { course_weeks: 3, course_change: 2, follow_up_days: 7 };
const DAY = 86400000;
const TIERS = ["self_care", "soon", "urgent", "emergency"];
const ADVISED_TIERS = new Set(["self_care", "soon"]);

/** The thresholds of a bundle's settings; a version published before them has the defaults. */
export function courseSettings(settings = {}) {
  const read = (name) =>
    Number.isInteger(settings[name]) && settings[name] > 0 ? settings[name] : COURSE_DEFAULTS[name];
  return { weeks: read("course_weeks"), change: read("course_change"), followUpDays: read("follow_up_days") };
}

/** Whole days between two times, rounded: a week across a clock change is still 7. */
export function daysBetween(from, to) {
  return Math.round((Date.parse(to) - Date.parse(from)) / DAY);
}

/** A pain score on 0–10, whatever scale the version answered used. */
function tenths(pain) {
  if (!pain || !Number.isFinite(pain.value)) return null;
  const max = Number.isFinite(pain.max) && pain.max > 0 ? pain.max : 10;
  return Math.round((pain.value * 100) / max) / 10;
}

/**
 * The course up to the check `uuid` (the newest when absent), or null when it is the
 * episode's only check. `episodeStart`: ISO time a new episode began, or null.
 */
export function courseOf(checks, { uuid = null, episodeStart = null, settings = {} } = {}) {
  const { weeks, change: real } = courseSettings(settings);
  const sorted = [...checks].sort((a, b) => Date.parse(a.completed_at) - Date.parse(b.completed_at));
  const end = uuid === null ? sorted.length - 1 : sorted.findIndex((check) => check.uuid === uuid);
  if (end < 0) return null;
  const current = sorted[end];
  const episode = sorted
    .slice(0, end + 1)
    .filter((check) => !episodeStart || Date.parse(check.completed_at) >= Date.parse(episodeStart));
  if (episode.length < 2) return null;
  const previous = episode[episode.length - 2];
  const scored = episode.filter((check) => tenths(check.pain) !== null);
  const now = tenths(current.pain);
  const first = now === null || scored[0] === current ? null : scored[0];
  const last = now === null ? null : scored.filter((check) => check !== current).at(-1) || null;
  const change10 = (check) => Math.round((now - tenths(check.pain)) * 10) / 10;
  const sinceFirst = first ? change10(first) : null;
  const sinceLast = last ? change10(last) : null;
  const daysSinceFirst = first ? daysBetween(first.completed_at, current.completed_at) : null;
  const advised = ADVISED_TIERS.has(current.urgency);
  const stalled = (days, gain) => days >= weeks * 7 && gain < real;
  let advice = null;
  if (advised) {
    if (sinceLast !== null && sinceLast >= real) advice = "rising";
    else if (first && stalled(daysSinceFirst, -sinceFirst)) advice = "not_improving";
  }
  // Only activities rated at this check; a check without a rating is skipped, not a 0.
  const activities = functionChange(episode)
    .filter(({ last, count }) => count > 1 && last.at === current.completed_at)
    .map(({ key, name, first: from, previous, last }) => {
      const days = daysBetween(from.at, last.at);
      const fell = previous.rating - last.rating >= real;
      const kind = fell ? "falling" : stalled(days, last.rating - from.rating) && "not_improving";
      return {
        key,
        name,
        first: from.rating,
        previous: previous.rating,
        now: last.rating,
        days,
        advice: (advised && kind) || null,
      };
    });
  return {
    count: episode.length,
    first,
    last,
    sinceFirst,
    sinceLast,
    daysSinceFirst,
    daysSinceLast: daysBetween(previous.completed_at, current.completed_at),
    tierRose: TIERS.indexOf(current.urgency) > TIERS.indexOf(previous.urgency),
    advice,
    activities,
  };
}

/** When a follow-up chosen at `from` for `days` days is due (ISO). */
export function followUpDue(from, days) {
  return new Date(Date.parse(from) + days * DAY).toISOString();
}
