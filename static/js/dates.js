/**
 * Every date a person or a clinician reads, in one shape: the month as a word, no
 * seconds, in the page's language ("6 Dec 2026, 19:42", "2026年12月6日 19:42"), whatever
 * the browser's own locale. A US-English phone would otherwise write 12/6/2026, which a
 * UK GP reads as 12 June. Local time: the person's own clock.
 *
 * The one place that turns a date into words (tests/test_js_owners.py holds it).
 */

// The page's language -> the locale whose pattern reads as above; English takes the
// British day-month order, which never puts the day where a month could be.
const LOCALES = { en: "en-GB", zh: "zh-CN" };

function locale(language) {
  const page = language || (typeof document === "undefined" ? "en" : document.documentElement.lang);
  return LOCALES[(page || "en").split("-")[0].toLowerCase()] || LOCALES.en;
}

const DAY = { day: "numeric", month: "short" };
const TIME = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };

const DATE_TIME = { ...DAY, year: "numeric", ...TIME };
const WEEKDAY = { weekday: "short" };
const WEEKDAY_AND_DAY = { ...WEEKDAY, ...DAY };

// One formatter per locale and shape, made once: building an Intl.DateTimeFormat costs
// far more than using it, and the history formats three dates a check (1,000 checks:
// seconds of building on a slow phone; bench/NOTES.md, issue 28).
const formatters = new Map();

function formatter(language, shape) {
  const key = `${locale(language)} ${JSON.stringify(shape)}`;
  if (!formatters.has(key)) formatters.set(key, new Intl.DateTimeFormat(locale(language), shape));
  return formatters.get(key);
}

/** "6 Dec 2026, 19:42" / "2026年12月6日 19:42": a check's date and time. */
export function formatDateTime(iso, language) {
  return formatter(language, DATE_TIME).format(new Date(iso));
}

/** "6 Dec" / "12月6日": a day without its year, for a chart's axis. */
export function formatDay(iso, language) {
  return formatter(language, DAY).format(new Date(iso));
}

/** "Mon" / "周一": the day of the week, for the plan's week strip. */
export function formatWeekday(iso, language) {
  return formatter(language, WEEKDAY).format(new Date(iso));
}

/** "Mon 29 Mar" / "3月29日周一": a day with its weekday, for what a screen reader reads of it. */
export function formatWeekdayAndDay(iso, language) {
  return formatter(language, WEEKDAY_AND_DAY).format(new Date(iso));
}

/** "19:42": the time of day, for checks that share a day on a chart's axis. */
export function formatTime(iso, language) {
  return formatter(language, TIME).format(new Date(iso));
}
