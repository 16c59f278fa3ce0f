/**
 * Score a self-check on the phone, offline: answers + content snapshot -> outcome.
 *
 * This is the browser twin of `quiz/scoring.py`. The server re-scores every synced
 * result in Python, so both evaluators must agree byte for byte on every outcome and
 * on every error (code and key); the shared vectors in `tests/vectors/` hold them to
 * that. Change a rule in both files and in the vectors, never in one place.
 *
 * Formats: `docs/CONTENT_FORMAT.md`. The snapshot is trusted (publishing validated
 * it); the answers are not. Plain ES module with no Node-only APIs, importing only the
 * tiers (`tiers.js`), so the same file runs in the browser and under `node --test`.
 */

import { URGENCY_ORDER } from "./tiers.js";

export { URGENCY_ORDER };

const WARNING_SECTION = "warning";
// Sections whose shown questions must be answered, with the code a missing answer gets.
const REQUIRED_SECTIONS = new Map([
  ["facts", "missing_fact_answer"],
  [WARNING_SECTION, "missing_warning_answer"],
]);
// From this schema on tips are ranked for the person; older snapshots keep their order.
const RANKED_TIPS_SCHEMA = 2;
// From this schema on a tip's `show_if` is honoured and the first tips cover each of the
// two strongest causes; older snapshots have no tip conditions and keep their order.
const FITTED_TIPS_SCHEMA = 3;
// How many tips lead the result page: the two strongest causes each get one of them.
const LEADING_TIPS = 5;

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
  const urgency = highestUrgency(warningSigns);
  const causes = findCauses(snapshot, chosen);
  const tips =
    (snapshot.schema ?? 1) >= RANKED_TIPS_SCHEMA
      ? rankedTips(snapshot, answers, chosen, urgency, warningSigns, causes)
      : findTips(
          snapshot,
          causes.map((cause) => cause.key),
        );
  return {
    content_version: hasOwn(snapshot, "version") ? snapshot.version : null,
    urgency,
    warning_signs: warningSigns,
    causes,
    tips,
  };
}

/**
 * The questions a person with these answers is shown, in order. A question with
 * `show_if` is shown only when the question it names is shown and its answer picks one
 * of the listed choices; publishing makes `show_if` name an earlier question.
 */
export function visibleQuestions(snapshot, answers) {
  const shown = [];
  const shownKeys = new Set();
  for (const question of snapshot.questions) {
    if (conditionMet(question.show_if, answers, shownKeys)) {
      shown.push(question);
      shownKeys.add(question.key);
    }
  }
  return shown;
}

/** What "Not sure" scores: one tier below the question's highest sign, never below "soon". */
export function unsureUrgency(question) {
  let highest = 0;
  for (const choice of question.choices) {
    if (choice.urgency && !choice.unsure) highest = Math.max(highest, URGENCY_ORDER.indexOf(choice.urgency));
  }
  return URGENCY_ORDER[Math.max(URGENCY_ORDER.indexOf("soon"), highest - 1)];
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
//      (a multiple answer with an exclusive choice and another -> exclusive_choice)
//   4. answered questions that are hidden      -> hidden_question_answered
//   5. shown facts or warning questions left out, in order
//                                               -> missing_fact_answer / missing_warning_answer

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
  refuseHiddenAnswers(snapshot, answers);
  requireWarningAnswers(snapshot, answers, chosen);
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
    throw new AnswerError("empty_choice_list", question.key, `Question '${question.key}' needs at least one choice.`);
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
  const exclusive = question.choices
    .filter((choice) => choice.exclusive && seen.has(choice.key))
    .map((choice) => choice.key)
    .sort(compareCodePoints);
  if (exclusive.length > 0 && answer.length > 1) {
    const dotted = `${question.key}.${exclusive[0]}`;
    throw new AnswerError("exclusive_choice", dotted, `Choice '${dotted}' cannot be picked with another choice.`);
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
  return new AnswerError("invalid_answer_type", question.key, `Question '${question.key}' needs ${expected}.`);
}

/** An answer to a question never shown is a contradiction: refused, never scored or dropped. */
function refuseHiddenAnswers(snapshot, answers) {
  const shown = new Set(visibleQuestions(snapshot, answers).map((question) => question.key));
  for (const question of snapshot.questions) {
    if (hasOwn(answers, question.key) && !shown.has(question.key)) {
      throw new AnswerError(
        "hidden_question_answered",
        question.key,
        `Question '${question.key}' is not shown with these answers, so it cannot be answered.`,
      );
    }
  }
}

/** Shown facts and warning questions always run, unless an emergency answer ended the check. */
function requireWarningAnswers(snapshot, answers, chosen) {
  const stopped = emergencyStopChoices(snapshot).some(
    ([questionKey, choiceKey]) => chosen.has(questionKey) && chosen.get(questionKey).has(choiceKey),
  );
  if (stopped) return;
  for (const question of visibleQuestions(snapshot, answers)) {
    const code = REQUIRED_SECTIONS.get(question.section);
    if (code !== undefined && !chosen.has(question.key)) {
      const kind = question.section === WARNING_SECTION ? "Warning-sign question" : "Question";
      throw new AnswerError(code, question.key, `${kind} '${question.key}' must be answered.`);
    }
  }
}

// -- outcome -------------------------------------------------------------------------

/** Chosen choices that raise urgency, in question order then choice order. */
function findWarningSigns(snapshot, chosen) {
  return chosenChoices(snapshot, chosen)
    .filter(({ question, choice }) => choiceUrgency(question, choice) !== null)
    .map(({ question, choice }) => ({
      question: question.key,
      choice: choice.key,
      urgency: choiceUrgency(question, choice),
    }));
}

function choiceUrgency(question, choice) {
  if (choice.unsure) return unsureUrgency(question);
  return choice.urgency ?? null;
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

/**
 * Tips ranked for the person, once each: on a self-care result with a severe pain score
 * the severe-pain advice first; then tips of the groups the urgency-setting signs point
 * to; then the other tips of contributing causes, heaviest first (a tip weighs the sum
 * of the scores of the contributing causes it is linked to). Ties keep the tips' order.
 */
function rankedTips(snapshot, answers, chosen, urgency, signs, causes) {
  const scores = new Map(causes.map((cause) => [cause.key, cause.score]));
  const signGroups = groupsOfSigns(snapshot, chosen, urgency, signs, scores);
  const ranked = [];
  snapshot.tips.forEach((tip, index) => {
    const linked = tip.cause_groups.filter((key) => scores.has(key));
    if (linked.length === 0) return;
    let signRank = signGroups.length;
    for (const key of linked) {
      if (signGroups.includes(key)) signRank = Math.min(signRank, signGroups.indexOf(key));
    }
    const weight = linked.reduce((sum, key) => sum + scores.get(key), 0);
    ranked.push({ rank: [signRank, -weight, index], key: tip.key });
  });
  ranked.sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.rank[2] - b.rank[2]);
  const picked = severePainTips(snapshot, answers, urgency);
  const rest = ranked.map((item) => item.key).filter((key) => !picked.includes(key));
  if ((snapshot.schema ?? 1) < FITTED_TIPS_SCHEMA) return [...picked, ...rest];
  // The cover is worked out after the severe-pain advice, so a pain score changes only
  // whether that advice leads (never the order of the other tips).
  const covered = coverTopCauses(snapshot, fittingTips(snapshot, rest, answers), causes);
  return [...fittingTips(snapshot, picked, answers), ...covered];
}

/**
 * Drop the tips whose `show_if` the answers do not meet: a tip about pain down a leg is
 * for the people who said so. Evaluated as a question's `show_if`.
 */
function fittingTips(snapshot, keys, answers) {
  const shown = new Set(visibleQuestions(snapshot, answers).map((question) => question.key));
  const conditions = new Map(snapshot.tips.map((tip) => [tip.key, tip.show_if]));
  return keys.filter((key) => conditionMet(conditions.get(key), answers, shown));
}

/**
 * Reorder so the first LEADING_TIPS tips hold a tip of each of the two strongest causes,
 * keeping the ranking otherwise. Each cause's tip is its first-ranked one not linked to
 * the other cause (any of its tips when all are shared): a desk worker who also lifts then
 * reads a lifting tip, not five posture tips and a general one.
 */
function coverTopCauses(snapshot, keys, causes) {
  const groups = new Map(snapshot.tips.map((tip) => [tip.key, tip.cause_groups]));
  const top = causes.slice(0, 2).map((cause) => cause.key);
  const needed = [];
  for (const causeKey of top) {
    const others = top.filter((key) => key !== causeKey);
    const linked = keys.filter((key) => groups.get(key).includes(causeKey));
    const own = linked.filter((key) => !others.some((other) => groups.get(key).includes(other)));
    const first = own.length > 0 ? own[0] : linked[0];
    if (first !== undefined && !needed.includes(first)) needed.push(first);
  }
  needed.sort((a, b) => keys.indexOf(a) - keys.indexOf(b));
  // The severe-pain advice may lead the page: leave room for it, whatever the pain.
  const severe = snapshot.tips.filter((tip) => tip.for_severe_pain).length;
  const slots = Math.max(needed.length, LEADING_TIPS - severe);
  const head = [];
  for (const key of keys) {
    if (head.length === slots) break;
    const missing = needed.filter((need) => !head.includes(need));
    // Take a tip in its rank unless the slots left are owed to a missing cause.
    if (missing.includes(key) || slots - head.length > missing.length) head.push(key);
  }
  return [...head, ...keys.filter((key) => !head.includes(key))];
}

/** Contributing groups the urgency-setting signs point to, heaviest weight first. */
function groupsOfSigns(snapshot, chosen, urgency, signs, scores) {
  const position = new Map(snapshot.cause_groups.map((group, index) => [group.key, index]));
  const setting = new Set(
    signs.filter((sign) => sign.urgency === urgency).map((sign) => `${sign.question}\u0000${sign.choice}`),
  );
  const groups = [];
  for (const { question, choice } of chosenChoices(snapshot, chosen)) {
    if (!setting.has(`${question.key}\u0000${choice.key}`)) continue;
    const weights = choice.weights ?? {};
    const keys = Object.keys(weights).sort(
      (a, b) => weights[b] - weights[a] || (position.get(a) ?? 0) - (position.get(b) ?? 0),
    );
    for (const key of keys) {
      if (scores.has(key) && !groups.includes(key)) groups.push(key);
    }
  }
  return groups;
}

/** With no warning sign and a pain score at or above `severe_pain_from`, the severe-pain advice. */
function severePainTips(snapshot, answers, urgency) {
  const threshold = snapshot.settings.severe_pain_from;
  if (urgency !== "self_care" || threshold === undefined || threshold === null) return [];
  const severe = snapshot.questions.some(
    (question) => question.kind === "scale" && hasOwn(answers, question.key) && answers[question.key] >= threshold,
  );
  return severe ? snapshot.tips.filter((tip) => tip.for_severe_pain).map((tip) => tip.key) : [];
}

// -- helpers -------------------------------------------------------------------------

function conditionMet(condition, answers, shownKeys) {
  if (!condition) return true;
  if (!shownKeys.has(condition.question) || !hasOwn(answers, condition.question)) return false;
  const answer = answers[condition.question];
  const picked = Array.isArray(answer) ? answer : [answer];
  return picked.some((key) => typeof key === "string" && condition.choices.includes(key));
}

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
