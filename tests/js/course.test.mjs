/**
 * The course over several checks (static/js/course.js): each threshold and edge.
 * Run with: node --test tests/js/
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { courseOf, courseSettings, daysBetween, followUpDue } from "../../static/js/course.js";

const START = Date.parse("2026-11-02T09:00:00Z");
const DAY = 86400000;

/** Checks `days` apart with these pain scores (null: not given), all self-care unless told. */
function checks(scores, { every = 7, urgency = "self_care", max = 10 } = {}) {
  return scores.map((value, index) => ({
    uuid: `c${index}`,
    completed_at: new Date(START + index * every * DAY).toISOString(),
    urgency: Array.isArray(urgency) ? urgency[index] : urgency,
    pain: value === null ? null : { value, max },
  }));
}

test("four weekly checks with pain 7, 7, 6, 7 are not getting better", () => {
  const course = courseOf(checks([7, 7, 6, 7]));

  assert.equal(course.advice, "not_improving");
  assert.deepEqual([course.sinceFirst, course.sinceLast, course.daysSinceFirst, course.count], [0, 1, 21, 4]);
});

test("7, 5, 4, 3 is getting better: no advice", () => {
  const course = courseOf(checks([7, 5, 4, 3]));

  assert.equal(course.advice, null);
  assert.equal(course.sinceFirst, -4);
});

test("a fall of exactly the real change over three weeks is improvement; one point less is not", () => {
  assert.equal(courseOf(checks([7, 6, 5, 5])).advice, null);
  assert.equal(courseOf(checks([7, 6, 6, 6])).advice, "not_improving");
});

test("the span rule waits for three weeks: two weeks of the same pain say nothing yet", () => {
  assert.equal(courseOf(checks([7, 7, 7])).advice, null);
  assert.equal(courseOf(checks([7, 7, 7, 7])).advice, "not_improving");
});

test("a rise of two points since the last check is advice at once; a rise of one is not", () => {
  assert.equal(courseOf(checks([4, 6])).advice, "rising");
  assert.equal(courseOf(checks([4, 5])).advice, null);
  assert.equal(courseOf(checks([7, 3, 5])).advice, "rising");
});

test("one check has no course", () => {
  assert.equal(courseOf(checks([7])), null);
});

test("same-day checks span no weeks, but a rise within the day still counts", () => {
  const sameDay = checks([7, 7, 7, 7], { every: 0.1 });
  assert.equal(courseOf(sameDay).advice, null);
  assert.equal(courseOf(sameDay).daysSinceLast, 0);
  assert.equal(courseOf(checks([5, 7], { every: 0.01 })).advice, "rising");
});

test("a new episode starts the course again from its first check", () => {
  const history = checks([7, 7, 7, 7, 7]);
  const episodeStart = history[3].completed_at;

  const course = courseOf(history, { episodeStart });

  assert.equal(course.count, 2);
  assert.equal(course.advice, null);
  assert.equal(courseOf(history, { episodeStart: history[4].completed_at }), null);
});

test("checks without a pain score are left out of the comparison, never read as 0", () => {
  const course = courseOf(checks([7, null, 7, null, 7]));
  assert.equal(course.first.uuid, "c0");
  assert.equal(course.last.uuid, "c2");
  assert.equal(course.advice, "not_improving");

  const unscored = courseOf(checks([7, 7, 7, null]));
  assert.deepEqual([unscored.sinceFirst, unscored.advice], [null, null]);
  assert.equal(courseOf(checks([null, 7])).sinceFirst, null);
});

test("an urgent or emergency result carries no course advice: it says to get care now", () => {
  const rising = checks([3, 8], { urgency: ["self_care", "urgent"] });

  const course = courseOf(rising);

  assert.equal(course.advice, null);
  assert.equal(course.tierRose, true);
  assert.equal(courseOf(checks([7, 7, 7, 7], { urgency: "soon" })).advice, "not_improving");
});

test("the rule never changes a check's tier", () => {
  const history = checks([7, 7, 6, 7]);
  const before = JSON.stringify(history);

  courseOf(history);

  assert.equal(JSON.stringify(history), before);
});

test("the tier rising is said; a tier falling is not a rise", () => {
  assert.equal(courseOf(checks([5, 5], { urgency: ["self_care", "soon"] })).tierRose, true);
  assert.equal(courseOf(checks([5, 5], { urgency: ["soon", "self_care"] })).tierRose, false);
});

test("a past check's course stops at that check", () => {
  const course = courseOf(checks([4, 6, 6, 3]), { uuid: "c1" });

  assert.deepEqual([course.count, course.advice], [2, "rising"]);
  assert.equal(courseOf(checks([4, 6]), { uuid: "gone" }), null);
});

test("a clinic's thresholds are read from the bundle's settings", () => {
  const settings = { course_weeks: 4, course_change: 3 };
  assert.equal(courseOf(checks([7, 7, 7, 7]), { settings }).advice, null);
  assert.equal(courseOf(checks([7, 7, 7, 7, 7]), { settings }).advice, "not_improving");
  assert.equal(courseOf(checks([4, 6]), { settings }).advice, null);
});

test("an old content version without the thresholds reads as the defaults", () => {
  assert.deepEqual(courseSettings({ severe_pain_from: 7 }), { weeks: 3, change: 2, followUpDays: 7 });
  assert.deepEqual(courseSettings(undefined), { weeks: 3, change: 2, followUpDays: 7 });
  assert.deepEqual(courseSettings({ course_weeks: "3", course_change: 0 }), { weeks: 3, change: 2, followUpDays: 7 });
});

test("pain on an older version's other scale is compared on 0 to 10", () => {
  const history = checks([3, 5], { max: 5 });
  history[1].pain = { value: 7, max: 10 };

  const course = courseOf(history);

  assert.deepEqual([course.sinceLast, course.advice], [1, null]);
});

test("a week across a clock change is still seven days", () => {
  // Europe/London leaves summer time on 25 Oct 2026: 7 local days are 7 days and an hour.
  assert.equal(daysBetween("2026-10-20T08:00:00Z", "2026-10-27T09:00:00Z"), 7);
  assert.equal(followUpDue("2026-11-02T09:00:00.000Z", 7), "2026-11-09T09:00:00.000Z");
});

/** The same weekly checks, steady pain 5, each rating "tie my shoes" (null: not rated). */
function rated(ratings, options) {
  return checks(
    ratings.map(() => 5),
    options,
  ).map((check, index) => ({
    ...check,
    function: ratings[index] === null ? [] : [{ key: "a1", name: "Tie my shoes", rating: ratings[index] }],
  }));
}
const shoes = (course) => course.activities[0] || null;

test("an activity's ability falling by two points since the last check is advice at once; by one it is not", () => {
  const course = courseOf(rated([6, 4]));
  assert.deepEqual(shoes(course), {
    key: "a1",
    name: "Tie my shoes",
    first: 6,
    previous: 6,
    now: 4,
    days: 7,
    advice: "falling",
  });
  assert.equal(course.advice, null);
  assert.equal(shoes(courseOf(rated([6, 5]))).advice, null);
  assert.equal(shoes(courseOf(rated([6, 8, 6]))).advice, "falling");
});

test("weekly ratings 6, 6, 6, 3 with steady pain fall at once", () => {
  const course = courseOf(rated([6, 6, 6, 3]));
  assert.deepEqual([shoes(course).previous, shoes(course).now, shoes(course).advice], [6, 3, "falling"]);
});

test("ability not rising by two points over three weeks is not getting better; a rise of two is", () => {
  assert.equal(shoes(courseOf(rated([4, 5, 5, 5]))).advice, "not_improving");
  assert.equal(shoes(courseOf(rated([4, 5, 5, 6]))).advice, null);
  assert.equal(shoes(courseOf(rated([4, 4, 5]))).advice, null);
});

test("checks without a rating for an activity are skipped, never read as 0", () => {
  const course = courseOf(rated([6, null, 5]));
  assert.deepEqual([shoes(course).previous, shoes(course).now, shoes(course).advice], [6, 5, null]);
  // Not rated at this check: nothing to compare (the result shows before the ratings).
  assert.deepEqual(courseOf(rated([6, 3, null])).activities, []);
  assert.deepEqual(courseOf(checks([7, 7])).activities, []);
});

test("an activity added later is read from its own first rating", () => {
  const history = rated([null, null, 5, 5]);
  history[0].function = history[1].function = [{ key: "a2", name: "Sit", rating: 5 }];
  const course = courseOf(history);
  assert.deepEqual([shoes(course).first, shoes(course).days, shoes(course).advice], [5, 7, null]);
});

test("a new episode reads ability from its own first check; urgent results carry none", () => {
  const history = rated([8, 8, 4, 4, 4, 6]);
  const episode = shoes(courseOf(history, { episodeStart: history[2].completed_at }));
  assert.deepEqual([episode.first, episode.days, episode.advice], [4, 21, null]);
  assert.equal(shoes(courseOf(history)).advice, "not_improving");
  assert.equal(shoes(courseOf(rated([6, 3], { urgency: ["self_care", "urgent"] }))).advice, null);
});
