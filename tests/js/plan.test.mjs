// My plan (static/js/plan.js): items, ticks per local day, the last seven days.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  BREAKS,
  emptyPlan,
  isTicked,
  localDay,
  normalPlan,
  recentDays,
  withItem,
  withoutItem,
  withTick,
} from "../../static/js/plan.js";

// The phone's clock: London, which moves to summer time at 01:00 on 28 Mar 2027.
process.env.TZ = "Europe/London";

test("a plan holds three items at most, each once", () => {
  let plan = emptyPlan();
  for (const item of ["walk", "walk", BREAKS, "lift", "sleep"]) plan = withItem(plan, item);
  assert.deepEqual(plan.items, ["walk", BREAKS, "lift"]);
  assert.deepEqual(withoutItem(plan, BREAKS).items, ["walk", "lift"]);
});

test("a tick belongs to one local day and can be undone", () => {
  const plan = withTick(emptyPlan(), "walk", "2027-03-28", true);
  assert.ok(isTicked(plan, "walk", "2027-03-28"));
  assert.ok(!isTicked(plan, "walk", "2027-03-27"));
  assert.ok(!isTicked(withTick(plan, "walk", "2027-03-28", false), "walk", "2027-03-28"));
});

test("the day is the phone's, not UTC's: 00:30 in London in summer is still the day before in UTC", () => {
  assert.equal(localDay(new Date("2027-06-30T23:30:00Z")), "2027-07-01");
  assert.equal(localDay(new Date("2027-03-27T23:59:00Z")), "2027-03-27");
  assert.equal(localDay(new Date("2027-03-28T00:30:00Z")), "2027-03-28");
});

test("the last seven days are calendar days across a clock change", () => {
  // 28 Mar 2027 has 23 hours in London; stepping back 24 hours at a time would skip or repeat a day.
  assert.deepEqual(recentDays(new Date("2027-03-29T00:30:00+01:00")), [
    "2027-03-29",
    "2027-03-28",
    "2027-03-27",
    "2027-03-26",
    "2027-03-25",
    "2027-03-24",
    "2027-03-23",
  ]);
  assert.deepEqual(recentDays(new Date("2027-10-31T23:30:00Z"), 3), ["2027-10-31", "2027-10-30", "2027-10-29"]);
});

test("a stored plan of another shape reads as an empty one", () => {
  assert.deepEqual(normalPlan(null), emptyPlan());
  assert.deepEqual(normalPlan({ items: "walk", ticks: 3 }), emptyPlan());
});
