/**
 * Reading a saved check in the words of its content version (static/js/check-record.js):
 * the signs, the pain score, every answer, and the "Read more" split.
 * Run with: node --test tests/js/
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  actionsFor,
  answerRows,
  firstSentence,
  matchedPostureBreaks,
  painScore,
  signsAnswered,
  warningScreens,
} from "../../static/js/check-record.js";

const snapshot = {
  questions: [
    {
      key: "w_one",
      kind: "single",
      text: "Sign one?",
      choices: [
        { key: "no", text: "No" },
        { key: "yes", text: "Yes, one" },
      ],
    },
    {
      key: "w_group",
      kind: "multiple",
      text: "Any of these?",
      choices: [
        { key: "a", text: "Sign A" },
        { key: "b", text: "Sign B" },
        { key: "none", text: "None of these" },
      ],
    },
    { key: "pain", kind: "scale", text: "How strong?", scale_min: 0, scale_max: 10, choices: [] },
  ],
  tips: [
    { key: "walk", category: "exercise" },
    { key: "break", category: "posture_breaks" },
  ],
};

const record = {
  answers: { w_one: "yes", w_group: ["a", "b"], pain: 0, retired_question: "x" },
  outcome: {
    urgency: "urgent",
    warning_signs: [
      { question: "w_group", choice: "a", urgency: "soon" },
      { question: "w_one", choice: "yes", urgency: "urgent" },
    ],
    tips: ["walk"],
  },
};

test("the signs are worded from the version answered, the most urgent first", () => {
  assert.deepEqual(signsAnswered(record, snapshot), [
    { question: "Sign one?", answer: "Yes, one", urgency: "urgent", ticked: false },
    { question: "Any of these?", answer: "Sign A", urgency: "soon", ticked: true },
  ]);
});

test("a pain score of 0 is a score, and a skipped one is none", () => {
  assert.deepEqual(painScore(record, snapshot), { value: 0, min: 0, max: 10 });
  assert.equal(painScore({ ...record, answers: { w_one: "no" } }, snapshot), null);
});

test("every answer is a row in question order, and an unknown key is kept, not lost", () => {
  assert.deepEqual(answerRows(record, snapshot), [
    { key: "w_one", question: "Sign one?", answer: "Yes, one" },
    { key: "w_group", question: "Any of these?", answer: "Sign A; Sign B" },
    { key: "pain", question: "How strong?", answer: "0 (0–10)" },
    { key: "retired_question", question: "retired_question", answer: "x" },
  ]);
});

test("only a posture-break tip offers the break timer", () => {
  assert.equal(matchedPostureBreaks(record, snapshot), false);
  assert.equal(matchedPostureBreaks({ ...record, outcome: { ...record.outcome, tips: ["break"] } }, snapshot), true);
});

test("a cause's first sentence leads and the rest goes behind Read more", () => {
  assert.deepEqual(firstSentence("Sitting tires muscles. Breaks help. Move."), {
    lead: "Sitting tires muscles.",
    rest: "Breaks help. Move.",
  });
  assert.deepEqual(firstSentence("No full stop here"), { lead: "No full stop here", rest: "" });
  assert.deepEqual(firstSentence("久坐会累。多休息。"), { lead: "久坐会累。", rest: "多休息。" });
});

test("each warning screen names the signs it asked about: reported, not sure, and none of the rest", () => {
  const screened = {
    questions: [
      { key: "facts", section: "facts", kind: "single", text: "Age?", choices: [{ key: "young", text: "Young" }] },
      {
        key: "w_group",
        section: "warning",
        kind: "multiple",
        text: "Any of these?",
        choices: [
          { key: "a", text: "Sign A" },
          { key: "b", text: "Sign B" },
          { key: "c", text: "Sign C" },
          { key: "unsure", text: "Not sure", unsure: true },
          { key: "none", text: "None of these", exclusive: true },
        ],
      },
      { key: "w_calm", section: "warning", kind: "multiple", text: "Or these?", choices: [
        { key: "d", text: "Sign D" },
        { key: "none", text: "None of these", exclusive: true },
      ] },
      { key: "w_follow", section: "warning", kind: "single", text: "Weeks?", choices: [{ key: "yes", text: "Yes" }] },
      { key: "w_never", section: "warning", kind: "single", text: "Not shown", choices: [] },
    ],
  };
  const answers = { facts: "young", w_group: ["b", "unsure"], w_calm: ["none"], w_follow: "yes" };
  assert.deepEqual(warningScreens({ answers }, screened), [
    { key: "w_group", question: "Any of these?", answer: null, reported: ["Sign B"], unsure: ["Not sure"], rest: ["Sign A", "Sign C"] },
    { key: "w_calm", question: "Or these?", answer: null, reported: [], unsure: [], rest: ["Sign D"] },
    { key: "w_follow", question: "Weeks?", answer: "Yes", reported: [], unsure: [], rest: [] },
  ]);
});

// A sign's own action (check v3): the midwife in pregnancy, support when struggling to cope.
const withActions = {
  settings: {
    actions: {
      urgent: "Call your GP today.",
      soon: "Book a GP.",
      pregnancy: "Call your midwife.",
      coping: "Get support.",
    },
  },
  questions: [
    {
      key: "w_pregnancy",
      kind: "multiple",
      text: "In pregnancy?",
      choices: [
        { key: "bleeding", text: "Bleeding", action: "pregnancy" },
        { key: "fever", text: "Fever", action: "pregnancy" },
      ],
    },
    {
      key: "w_soon",
      kind: "multiple",
      text: "Any?",
      choices: [{ key: "struggling", text: "Struggling", action: "coping" }],
    },
    { key: "w_urgent", kind: "multiple", text: "Any?", choices: [{ key: "night", text: "Night pain" }] },
  ],
};

test("a sign's own action comes before its tier's, once, and only from a sign setting the urgency", () => {
  const outcome = {
    urgency: "urgent",
    warning_signs: [
      { question: "w_urgent", choice: "night", urgency: "urgent" },
      { question: "w_soon", choice: "struggling", urgency: "soon" },
      { question: "w_pregnancy", choice: "bleeding", urgency: "urgent" },
      { question: "w_pregnancy", choice: "fever", urgency: "urgent" },
    ],
  };
  assert.deepEqual(actionsFor(outcome, withActions), ["Call your midwife.", "Call your GP today."]);
  const soon = { urgency: "soon", warning_signs: [{ question: "w_soon", choice: "struggling", urgency: "soon" }] };
  assert.deepEqual(actionsFor(soon, withActions), ["Get support.", "Book a GP."]);
});

test("a version without actions of their own shows the tier's action alone", () => {
  const outcome = { urgency: "urgent", warning_signs: [{ question: "w_one", choice: "yes", urgency: "urgent" }] };
  assert.deepEqual(actionsFor(outcome, { ...snapshot, settings: { actions: { urgent: "Call today." } } }), [
    "Call today.",
  ]);
});
