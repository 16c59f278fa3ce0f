/**
 * Read one saved check in the words of the content version it was answered against:
 * the warning signs, every answer and the pain score. Shared by the result page, the
 * summary for a clinician and the history, so all three say the same thing.
 *
 * Generic over the content format: labels come from the snapshot's questions and
 * choices, the signs from the outcome's `warning_signs` ({question, choice, urgency}).
 * Pure functions apart from `loadCheck`, which reads IndexedDB and the versions cache.
 */

import { fetchContent, fetchContentVersion } from "./content.js";
import { el } from "./dom.js";
import { getCheck } from "./outbox.js";

/** The saved check and the snapshot it was answered against (null when not on this device). */
export async function loadCheck(uuid) {
  const record = uuid ? await getCheck(uuid) : null;
  if (record === null) return null;
  return { record, snapshot: await snapshotFor(record.content_version) };
}

// A published version never changes: each is read once a page, however many checks
// name it (the history and the course read a thousand checks to a version or two), and
// so is the fallback below for a version this device never kept.
const snapshots = new Map();

export function snapshotFor(version) {
  if (!snapshots.has(version)) {
    const reading = readSnapshot(version);
    snapshots.set(version, reading);
    reading.catch(() => snapshots.delete(version));
  }
  return snapshots.get(version);
}

async function readSnapshot(version) {
  try {
    return await fetchContentVersion(version);
  } catch {
    // Offline with a version never cached: the current bundle is the best wording left
    // (the outcome itself is saved, so the urgency never depends on this).
    return fetchContent();
  }
}

/** The uuid a page was opened for: `#<uuid>` or `?id=<uuid>`. */
export function requestedUuid(location = window.location) {
  const fromHash = location.hash.replace(/^#/, "");
  return fromHash || new URLSearchParams(location.search).get("id") || "";
}

function questionMap(snapshot) {
  return new Map(snapshot.questions.map((question) => [question.key, question]));
}

function choiceText(question, choiceKey) {
  if (!question) return String(choiceKey);
  const choice = (question.choices || []).find((c) => c.key === choiceKey);
  return choice ? choice.text : String(choiceKey);
}

/** Warning signs answered, highest urgency first: [{question, answer, urgency, ticked}] in
 * words; `ticked` when the answer is one box of a "Do any of these…" list. */
export function signsAnswered(record, snapshot) {
  const questions = questionMap(snapshot);
  const order = ["emergency", "urgent", "soon"];
  return [...(record.outcome.warning_signs || [])]
    .sort((a, b) => order.indexOf(a.urgency) - order.indexOf(b.urgency))
    .map((sign) => {
      const question = questions.get(sign.question);
      return {
        question: question ? question.text : sign.question,
        answer: choiceText(question, sign.choice),
        urgency: sign.urgency,
        ticked: question?.kind === "multiple",
      };
    });
}

/**
 * Each warning screen the check showed, in the order asked, with what it screened for:
 * the signs it listed that the person reported, the "not sure" they ticked, and the signs
 * they did not report ("none of: …"), so a clinician sees what was asked, not only
 * "None of these". A single-choice follow-up has its answer instead.
 */
export function warningScreens(record, snapshot) {
  return snapshot.questions
    .filter((question) => question.section === "warning")
    .filter((question) => Object.prototype.hasOwnProperty.call(record.answers, question.key))
    .map((question) => {
      const value = record.answers[question.key];
      const screen = { key: question.key, question: question.text, answer: null, reported: [], unsure: [], rest: [] };
      if (question.kind !== "multiple") return { ...screen, answer: choiceText(question, value) };
      const picked = new Set(Array.isArray(value) ? value : [value]);
      const texts = (choices) => choices.map((choice) => choice.text);
      const signs = question.choices.filter((choice) => !choice.exclusive && !choice.unsure);
      return {
        ...screen,
        reported: texts(signs.filter((choice) => picked.has(choice.key))),
        unsure: texts(question.choices.filter((choice) => choice.unsure && picked.has(choice.key))),
        rest: texts(signs.filter((choice) => !picked.has(choice.key))),
      };
    });
}

/**
 * Answers on the warning-sign screens that set no tier, in words: a box ticked there
 * ("Pain spreading down one leg") and the follow-up it opened ("Has the pain … lasted a
 * few weeks?" "No"). Not "None of these", and not the plain answers to a question shown to
 * everyone it applies to: those report nothing.
 */
export function otherWarningAnswers(record, snapshot) {
  const questions = questionMap(snapshot);
  const signs = new Set((record.outcome.warning_signs || []).map((sign) => `${sign.question}\u0000${sign.choice}`));
  const others = [];
  for (const question of snapshot.questions) {
    const value = record.answers[question.key];
    if (question.section !== "warning" || value === undefined) continue;
    const followUp = question.show_if && questions.get(question.show_if.question)?.section === "warning";
    if (question.kind !== "multiple" && !followUp) continue;
    for (const key of Array.isArray(value) ? value : [value]) {
      const choice = (question.choices || []).find((c) => c.key === key);
      if (!choice || choice.exclusive || signs.has(`${question.key}\u0000${key}`)) continue;
      others.push({
        question: question.text,
        answer: choice.text,
        urgency: null,
        ticked: question.kind === "multiple",
      });
    }
  }
  return others;
}

/**
 * What to do now: the actions of their own that the signs setting the urgency name
 * (`choice.action`: the midwife in pregnancy, support when struggling to cope), once
 * each, then the tier's action. A sign below the outcome's tier adds none: nothing
 * competes with getting help sooner. Versions before the check v3 name none.
 */
export function actionsFor(outcome, snapshot) {
  const actions = snapshot.settings.actions;
  const questions = questionMap(snapshot);
  const named = [];
  for (const sign of outcome.warning_signs || []) {
    if (sign.urgency !== outcome.urgency) continue;
    const question = questions.get(sign.question);
    const choice = question && (question.choices || []).find((c) => c.key === sign.choice);
    const key = choice && choice.action;
    if (key && actions[key] && !named.includes(key)) named.push(key);
  }
  return [...named.map((key) => actions[key]), actions[outcome.urgency] || ""].filter(Boolean);
}

/** The first scale question of the snapshot that was answered, or null (skipped or never asked). */
export function painScore(record, snapshot) {
  for (const question of snapshot.questions) {
    if (question.kind !== "scale") continue;
    const value = record.answers[question.key];
    if (Number.isFinite(value)) return { value, min: question.scale_min, max: question.scale_max };
  }
  return null;
}

/** Every answer as question -> choice(s), in the order the check asked them. */
export function answerRows(record, snapshot) {
  const rows = [];
  const known = new Set();
  for (const question of snapshot.questions) {
    known.add(question.key);
    if (!Object.prototype.hasOwnProperty.call(record.answers, question.key)) continue;
    rows.push({
      key: question.key,
      question: question.text,
      answer: answerText(question, record.answers[question.key]),
    });
  }
  // Keys the snapshot does not name (a version never cached) are still shown, not lost.
  for (const [key, value] of Object.entries(record.answers)) {
    if (!known.has(key))
      rows.push({ key, question: key, answer: Array.isArray(value) ? value.join(", ") : String(value) });
  }
  return rows;
}

function answerText(question, value) {
  if (question.kind === "scale") return `${value} (${question.scale_min}–${question.scale_max})`;
  if (Array.isArray(value)) return value.map((key) => choiceText(question, key)).join("; ");
  return choiceText(question, value);
}

/** Whether the check matched sitting or standing: one of its tips is a posture-break tip. */
export function matchedPostureBreaks(record, snapshot) {
  const categories = new Map(snapshot.tips.map((tip) => [tip.key, tip.category]));
  return (record.outcome.tips || []).some((key) => categories.get(key) === "posture_breaks");
}

/** The first sentence of a text, and the rest (for "Read more"). */
export function firstSentence(text) {
  // A Latin full stop ends a sentence only before a space (so "3.5" does not);
  // a Chinese one always does.
  const match = /^(.+?(?:[.!?](?=\s|$)|[。！？]))\s*([\s\S]*)$/.exec(text.trim());
  if (!match) return { lead: text.trim(), rest: "" };
  return { lead: match[1], rest: match[2].trim() };
}

/**
 * A text with each of the site's phone numbers turned into a link a phone can call
 * (content wording such as "Call 999 or go to A&E now"). Returns strings and <a>s for el().
 */
export function withPhoneLinks(text, settings) {
  const numbers = [settings.emergency_number, settings.non_emergency_number]
    .filter(Boolean)
    .map(String)
    .sort((a, b) => b.length - a.length);
  if (numbers.length === 0) return [text];
  const escaped = numbers.map((number) => number.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = new RegExp(`(?<![\\d])(${escaped.join("|")})(?![\\d])`, "g");
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(el("a", { href: `tel:${match[1]}` }, match[1]));
    last = match.index + match[1].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}
