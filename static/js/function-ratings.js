/**
 * What the back stops a person doing: up to three everyday activities they name once
 * ("tie my shoes"), each rated 0 (unable) to 10 (able as before the pain) at later
 * checks: the Patient-Specific Functional Scale's approach (docs/FOLLOW_THROUGH.md).
 * The names are outbox.js's device record ACTIVITIES_RECORD (activities.js); each check
 * keeps its own ratings as `function: [{key, name, rating}]`, which sync-rules.js's
 * toPayload never sends. Pure: no DOM, no storage (node --test runs it).
 */

export const MAX_ACTIVITIES = 3;
export const MAX_NAME_LENGTH = 80;
export const RATING_MAX = 10;

/** Names as typed -> [{key, name}]: trimmed, blanks and repeats dropped, at most three. */
export function namedActivities(names) {
  const seen = new Set();
  const activities = [];
  for (const raw of names) {
    const name = String(raw || "")
      .trim()
      .replace(/\s+/g, " ")
      .slice(0, MAX_NAME_LENGTH);
    if (!name || seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    activities.push({ key: `a${activities.length + 1}`, name });
  }
  return activities.slice(0, MAX_ACTIVITIES);
}

/** A rating as given (text from a form, a number) -> an integer 0–10, or null when not one. */
export function validRating(value) {
  if (value === "" || value === null || value === undefined) return null;
  const number = Number(value);
  return Number.isInteger(number) && number >= 0 && number <= RATING_MAX ? number : null;
}

/** A check's own ratings, only the valid ones: [{key, name, rating}]. */
export function ratingsOf(check) {
  return (Array.isArray(check.function) ? check.function : []).filter(
    (entry) => entry && typeof entry.key === "string" && validRating(entry.rating) !== null,
  );
}

/**
 * For the course rule: per activity, its first, previous and last rating over the checks given
 * (any order; read by completed_at), each {rating, at}; previous is null with one rating.
 * -> [{key, name, first, previous, last, count}] in the order the activities were named.
 */
export function functionChange(checks) {
  const oldestFirst = [...checks].sort((a, b) => String(a.completed_at).localeCompare(String(b.completed_at)));
  const byKey = new Map();
  for (const check of oldestFirst) {
    for (const { key, name, rating } of ratingsOf(check)) {
      if (!byKey.has(key)) byKey.set(key, { key, name, ratings: [] });
      byKey.get(key).ratings.push({ rating, at: check.completed_at });
    }
  }
  return [...byKey.values()]
    .sort((a, b) => a.key.localeCompare(b.key))
    .map(({ key, name, ratings }) => ({
      key,
      name,
      first: ratings[0],
      previous: ratings.length > 1 ? ratings[ratings.length - 2] : null,
      last: ratings[ratings.length - 1],
      count: ratings.length,
    }));
}
