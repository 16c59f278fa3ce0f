/**
 * Score a self-check on the phone, offline: answers + content snapshot -> outcome.
 *
 * This is the browser twin of `quiz/scoring.py`. The server re-scores every synced
 * result in Python, so both evaluators must agree byte for byte on every outcome and
 * on every error (code and key); the shared vectors in `tests/vectors/` hold them to
 * that. Change a rule in both files and in the vectors, never in one place.
 *
 * Formats: `docs/CONTENT_FORMAT.md`. The snapshot is trusted (publishing validated
 * it); the answers are not. Plain ES module with no dependencies and no Node-only
 * APIs, so the same file runs in the browser and under `node --test`.
 */

export const URGENCY_ORDER = Object.freeze(["self_care", "soon", "urgent", "emergency"]);

const WARNING_SECTION = "warning";

/** An answer set the snapshot cannot score; `code` is stable, `key` names the culprit. */
export class AnswerError extends Error {
  constructor(code, key, message) {
    super(message);
    this.name = "AnswerError";
    this.code = code;
    this.key = key;
  }
}

// -- public API ----------------------------------------------------------------------

/**
 * Return the outcome of `answers` against `snapshot`, or throw `AnswerError`.
 * Only which choices were picked matters, never the order answers arrive in.
 */
export function score(snapshot, answers) {
  const questions = questionsByKey(snapshot);
  const chosen = validate(snapshot, questions, answers);
  const warningSigns = findWarningSigns(snapshot, chosen);
  const causes = findCauses(snapshot, chosen);
  return {
    content_version: hasOwn(snapshot, "version") ? snapshot.version : null,
    urgency: highestUrgency(warningSigns),
    warning_signs: warningSigns,
    causes,
    tips: findTips(snapshot, causes.map((cause) => cause.key)),
  };
}

/** Whether picking this choice ends the check at once (an emergency answer). */
export function stopsQuiz(snapshot, questionKey, choiceKey) {
  const question = questionsByKey(snapshot).get(questionKey);
  if (question === undefined) return false;
  const choice = question.choices.find((c) => c.key === choiceKey);
  return Boolean(choice !== undefined && choice.stops_quiz);
}

/** Every [question key, choice key] that stops the check, in question order. */
export function emergencyStopChoices(snapshot) {
  const stops = [];
  for (const question of snapshot.questions) {
    for (const choice of question.choices) {
      if (choice.stops_quiz) stops.push([question.key, choice.key]);
    }
  }
  return stops;
}

// -- validation ----------------------------------------------------------------------
// The order of checks is part of the contract: with several problems, Python and
// JavaScript must report the same one. It never depends on the order of the answers.
//   1. answers is not an object                -> invalid_answer_type, key ""
//   2. unknown question keys, smallest first   -> unknown_question
//   3. each answered question, in snapshot order, checked by kind
//   4. warning questions left out, in order    -> missing_warning_answer

function validate(snapshot, questions, answers) {
  if (answers === null || typeof answers !== "object" || Array.isArray(answers)) {
    throw new AnswerError("invalid_answer_type", "", "Answers must map question keys to answers.");
  }
  const unknown = Object.keys(answers)
    .filter((key) => !questions.has(key))
    .sort(compareCodePoints);
  if (unknown.length > 0) {
    throw new AnswerError("unknown_question", unknown[0], `Unknown question '${unknown[0]}'.`);
  }
  const chosen = new Map();
  for (const question of snapshot.questions) {
    if (hasOwn(answers, question.key)) {
      chosen.set(question.key, chosenKeys(question, answers[question.key]));
    }
  }
  requireWarningAnswers(snapshot, chosen);
  return chosen;
}

function chosenKeys(question, answer) {
  switch (question.kind) {
    case "single":
      return singleChoice(question, answer);
    case "multiple":
      return multipleChoices(question, answer);
    case "scale":
      checkScale(question, answer);
      return new Set();
    default:
      throw new Error(`Question '${question.key}' has unknown kind '${question.kind}'.`);
  }
}

function singleChoice(question, answer) {
  if (typeof answer !== "string") throw wrongType(question, "one choice key");
  checkKnownChoices(question, [answer]);
  return new Set([answer]);
}

function multipleChoices(question, answer) {
  if (!Array.isArray(answer) || !answer.every((c) => typeof c === "string")) {
    throw wrongType(question, "a list of choice keys");
  }
  if (answer.length === 0) {
    throw new AnswerError(
      "empty_choice_list",
      question.key,
      `Question '${question.key}' needs at least one choice.`,
    );
  }
  checkKnownChoices(question, answer);
  const seen = new Set();
  const repeated = new Set();
  for (const key of answer) {
    if (seen.has(key)) repeated.add(key);
    seen.add(key);
  }
  if (repeated.size > 0) {
    const dotted = `${question.key}.${[...repeated].sort(compareCodePoints)[0]}`;
    throw new AnswerError("duplicate_choice", dotted, `Choice '${dotted}' is repeated.`);
  }
  return seen;
}

function checkScale(question, answer) {
  if (typeof answer !== "number" || !Number.isInteger(answer)) {
    throw wrongType(question, "a whole number");
  }
  const low = question.scale_min;
  const high = question.scale_max;
  if (answer < low || answer > high) {
    throw new AnswerError(
      "scale_out_of_range",
      question.key,
      `Question '${question.key}' needs a number from ${low} to ${high}.`,
    );
  }
}

function checkKnownChoices(question, keys) {
  const known = new Set(question.choices.map((choice) => choice.key));
  const unknown = keys.filter((key) => !known.has(key)).sort(compareCodePoints);
  if (unknown.length > 0) {
    const dotted = `${question.key}.${unknown[0]}`;
    throw new AnswerError("unknown_choice", dotted, `Unknown choice '${dotted}'.`);
  }
}

function wrongType(question, expected) {
  return new AnswerError(
    "invalid_answer_type",
    question.key,
    `Question '${question.key}' needs ${expected}.`,
  );
}

/** Warning questions always run, unless an emergency answer ended the check. */
function requireWarningAnswers(snapshot, chosen) {
  const stopped = emergencyStopChoices(snapshot).some(
    ([questionKey, choiceKey]) => chosen.has(questionKey) && chosen.get(questionKey).has(choiceKey),
  );
  if (stopped) return;
  for (const question of snapshot.questions) {
    if (question.section === WARNING_SECTION && !chosen.has(question.key)) {
      throw new AnswerError(
        "missing_warning_answer",
        question.key,
        `Warning-sign question '${question.key}' must be answered.`,
      );
    }
  }
}

// -- outcome -------------------------------------------------------------------------

/** Chosen choices that raise urgency, in question order then choice order. */
function findWarningSigns(snapshot, chosen) {
  return chosenChoices(snapshot, chosen)
    .filter(({ choice }) => choice.urgency !== null && choice.urgency !== undefined)
    .map(({ question, choice }) => ({
      question: question.key,
      choice: choice.key,
      urgency: choice.urgency,
    }));
}

function highestUrgency(warningSigns) {
  let highest = 0;
  for (const sign of warningSigns) {
    highest = Math.max(highest, URGENCY_ORDER.indexOf(sign.urgency));
  }
  return URGENCY_ORDER[highest];
}

/**
 * Cause groups whose summed weight reaches the threshold, strongest first. A group no
 * chosen answer points to is never contributing, even with a threshold of 0.
 */
function findCauses(snapshot, chosen) {
  const position = new Map(snapshot.cause_groups.map((group, index) => [group.key, index]));
  const totals = new Map();
  for (const { choice } of chosenChoices(snapshot, chosen)) {
    for (const [groupKey, weight] of Object.entries(choice.weights ?? {})) {
      // Publishing rejects weights on unknown groups; ignore rather than crash.
      if (position.has(groupKey)) totals.set(groupKey, (totals.get(groupKey) ?? 0) + weight);
    }
  }
  const threshold = snapshot.settings.cause_threshold;
  return [...totals.keys()]
    .filter((key) => totals.get(key) >= threshold)
    .sort((a, b) => totals.get(b) - totals.get(a) || position.get(a) - position.get(b))
    .map((key) => ({ key, score: totals.get(key) }));
}

/** Tips for the contributing causes: by cause rank, then tip order, once each. */
function findTips(snapshot, causeKeys) {
  const picked = [];
  for (const causeKey of causeKeys) {
    for (const tip of snapshot.tips) {
      if (tip.cause_groups.includes(causeKey) && !picked.includes(tip.key)) picked.push(tip.key);
    }
  }
  return picked;
}

// -- helpers -------------------------------------------------------------------------

function questionsByKey(snapshot) {
  return new Map(snapshot.questions.map((question) => [question.key, question]));
}

/** Every picked { question, choice }, in snapshot order. */
function chosenChoices(snapshot, chosen) {
  const picked = [];
  for (const question of snapshot.questions) {
    const keys = chosen.get(question.key);
    if (keys === undefined) continue;
    for (const choice of question.choices) {
      if (keys.has(choice.key)) picked.push({ question, choice });
    }
  }
  return picked;
}

function hasOwn(object, key) {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/**
 * Order strings by Unicode code point, as Python's sorted() does; the default sort
 * compares UTF-16 code units, which differs for characters beyond U+FFFF.
 */
export function compareCodePoints(a, b) {
  const left = Array.from(a);
  const right = Array.from(b);
  for (let i = 0; i < Math.min(left.length, right.length); i += 1) {
    const diff = left[i].codePointAt(0) - right[i].codePointAt(0);
    if (diff !== 0) return diff;
  }
  return left.length - right.length;
}
