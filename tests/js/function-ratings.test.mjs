// What the back stops you doing (static/js/function-ratings.js): names, ratings, change.
import assert from "node:assert/strict";
import { test } from "node:test";

import { functionChange, namedActivities, ratingsOf, validRating } from "../../static/js/function-ratings.js";
import { toPayload } from "../../static/js/sync-rules.js";

test("it keeps up to three named activities, trimmed, without blanks or repeats", () => {
  const named = namedActivities([
    "  tie my  shoes ",
    "",
    "Tie my shoes",
    "sit through a meeting",
    "lift a child",
    "run",
  ]);
  assert.deepEqual(named, [
    { key: "a1", name: "tie my shoes" },
    { key: "a2", name: "sit through a meeting" },
    { key: "a3", name: "lift a child" },
  ]);
  assert.equal(namedActivities(["x".repeat(200)])[0].name.length, 80);
});

test("a rating is a whole number from 0 to 10", () => {
  assert.deepEqual(["0", "10", 7, "4"].map(validRating), [0, 10, 7, 4]);
  assert.deepEqual(["", null, undefined, "11", "-1", "3.5", "seven"].map(validRating), Array(7).fill(null));
});

test("a check's ratings are only the valid ones, and a check before this feature has none", () => {
  const check = { function: [{ key: "a1", name: "walk", rating: 4 }, { key: "a2", name: "sit", rating: 12 }, null] };
  assert.deepEqual(ratingsOf(check), [{ key: "a1", name: "walk", rating: 4 }]);
  assert.deepEqual(ratingsOf({}), []);
});

const rated = (at, ...ratings) => ({
  completed_at: at,
  function: ratings.map(([key, rating]) => ({ key, name: key === "a1" ? "tie my shoes" : "sit", rating })),
});

test("it gives each activity's first, previous and last rating, whatever order the checks come in", () => {
  const checks = [
    rated("2027-03-15T08:00:00.000Z", ["a1", 6]),
    rated("2027-03-01T08:00:00.000Z", ["a1", 2], ["a2", 5]),
    { completed_at: "2027-03-10T08:00:00.000Z" },
    rated("2027-03-08T08:00:00.000Z", ["a1", 3]),
  ];
  assert.deepEqual(functionChange(checks), [
    {
      key: "a1",
      name: "tie my shoes",
      first: { rating: 2, at: "2027-03-01T08:00:00.000Z" },
      previous: { rating: 3, at: "2027-03-08T08:00:00.000Z" },
      last: { rating: 6, at: "2027-03-15T08:00:00.000Z" },
      count: 3,
    },
    {
      key: "a2",
      name: "sit",
      first: { rating: 5, at: "2027-03-01T08:00:00.000Z" },
      previous: null,
      last: { rating: 5, at: "2027-03-01T08:00:00.000Z" },
      count: 1,
    },
  ]);
  assert.deepEqual(functionChange([]), []);
});

test("the result sent to the server carries no activity names or ratings", () => {
  const check = {
    uuid: "u",
    content_version: 3,
    answers: {},
    outcome: {},
    completed_at: "x",
    ...rated("x", ["a1", 4]),
  };
  const sent = JSON.stringify(toPayload(check));
  assert.ok(!sent.includes("tie my shoes") && !sent.includes("function"), sent);
});
