/**
 * The JavaScript evaluator against the shared vectors (tests/vectors/*.json).
 * Run with: node --test tests/js/
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AnswerError,
  URGENCY_ORDER,
  emergencyStopChoices,
  score,
  stopsQuiz,
  unsureUrgency,
  visibleQuestions,
} from "../../static/js/scoring.js";
import { canonicalJson, expectedResult, loadVectorFiles, runCase } from "./vectors.mjs";

const vectorFiles = loadVectorFiles();
const rules = vectorFiles.find((vectors) => vectors.file === "rules.json");
const rulesV2 = vectorFiles.find((vectors) => vectors.file === "rules_v2.json");

for (const { file, snapshot, cases } of vectorFiles) {
  describe(`vectors in ${file}`, () => {
    for (const vectorCase of cases) {
      test(vectorCase.name, () => {
        const result = runCase(snapshot, vectorCase.answers);
        assert.deepEqual(result, expectedResult(vectorCase));
        assert.equal(canonicalJson(result), canonicalJson(expectedResult(vectorCase)));
      });
    }
  });
}

describe("the vector set", () => {
  test("it holds the hand-written, seed warning-sign and generated files", () => {
    const byFile = Object.fromEntries(vectorFiles.map((v) => [v.file, v.cases.length]));
    assert.ok(byFile["rules.json"] > 0);
    assert.ok(byFile["seed_warning_signs.json"] > 0);
    assert.ok(byFile["generated.json"] >= 300);
  });

  test("it covers every error code in the hand-written vectors", () => {
    const cases = [...rules.cases, ...rulesV2.cases];
    const codes = new Set(cases.filter((c) => "error" in c).map((c) => c.error.code));
    assert.deepEqual([...codes].sort(), [
      "duplicate_choice",
      "empty_choice_list",
      "exclusive_choice",
      "hidden_question_answered",
      "invalid_answer_type",
      "missing_fact_answer",
      "missing_warning_answer",
      "scale_out_of_range",
      "unknown_choice",
      "unknown_question",
    ]);
  });
});

describe("show_if and Not sure", () => {
  const keys = (answers) => visibleQuestions(rulesV2.snapshot, answers).map((question) => question.key);
  const question = (key) => rulesV2.snapshot.questions.find((q) => q.key === key);

  test("it shows a follow-up only after the answer that opens it", () => {
    assert.deepEqual(keys({}), ["f_womb", "w_now", "w_day", "w_leg", "h_pattern", "h_pain"]);
    assert.ok(keys({ w_leg: ["sciatica", "soon_sign"] }).includes("w_weeks"));
    assert.ok(!keys({ w_leg: ["soon_sign"] }).includes("w_weeks"));
    assert.ok(keys({ f_womb: "yes" }).includes("w_gynae"));
    assert.ok(!keys({ f_womb: "no" }).includes("w_gynae"));
  });

  test("it ignores answers it cannot read when deciding what is shown", () => {
    assert.ok(!keys({ w_leg: [["sciatica"]] }).includes("w_weeks"));
    assert.ok(!keys({ f_womb: 1 }).includes("w_gynae"));
  });

  test("it scores Not sure one tier below the question's highest sign, never below soon", () => {
    assert.equal(unsureUrgency(question("w_now")), "urgent");
    assert.equal(unsureUrgency(question("w_day")), "soon");
    assert.equal(unsureUrgency(question("w_leg")), "soon");
  });
});

describe("errors", () => {
  test("it throws an AnswerError whose message names the offending key", () => {
    for (const { snapshot, cases } of vectorFiles) {
      for (const vectorCase of cases.filter((c) => "error" in c && c.error.key !== "")) {
        const error = catchError(() => score(snapshot, vectorCase.answers));
        assert.ok(error instanceof AnswerError, vectorCase.name);
        assert.ok(error instanceof Error);
        assert.equal(error.code, vectorCase.error.code);
        assert.equal(error.key, vectorCase.error.key);
        assert.ok(error.message.includes(`'${vectorCase.error.key}'`), error.message);
      }
    }
  });

  test("it names a choice taken from another question as question.choice", () => {
    const answers = { w_saddle: "no", w_fever: "night_pain", w_symptoms: ["none"] };
    const error = catchError(() => score(rules.snapshot, answers));
    assert.equal(error.code, "unknown_choice");
    assert.equal(error.key, "w_fever.night_pain");
  });
});

describe("the emergency short-circuit", () => {
  test("it lists the choices that stop the check in question order", () => {
    assert.deepEqual(emergencyStopChoices(rules.snapshot), [
      ["w_saddle", "yes"],
      ["w_symptoms", "bladder"],
    ]);
  });

  test("it says which choice stops the check and which does not", () => {
    assert.equal(stopsQuiz(rules.snapshot, "w_saddle", "yes"), true);
    assert.equal(stopsQuiz(rules.snapshot, "w_symptoms", "bladder"), true);
    assert.equal(stopsQuiz(rules.snapshot, "w_fever", "yes"), false);
    assert.equal(stopsQuiz(rules.snapshot, "w_saddle", "maybe"), false);
    assert.equal(stopsQuiz(rules.snapshot, "w_nope", "yes"), false);
  });

  test("it ranks urgency from self-care to emergency", () => {
    assert.deepEqual([...URGENCY_ORDER], ["self_care", "soon", "urgent", "emergency"]);
    assert.ok(Object.isFrozen(URGENCY_ORDER));
  });
});

describe("canonical JSON", () => {
  test("it sorts keys by code point and escapes like Python", () => {
    const value = { "b": [1, "é\n\"\u0001"], "a": null, "\u{1F600}": true, "\uFFFF": false };
    assert.equal(
      canonicalJson(value),
      '{"a":null,"b":[1,"é\\n\\"\\u0001"],"\uFFFF":false,"\u{1F600}":true}',
    );
  });
});

function catchError(run) {
  try {
    run();
  } catch (error) {
    return error;
  }
  assert.fail("expected an error");
}
