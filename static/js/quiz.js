/**
 * The self-check, run in the browser from the cached content bundle: one question per
 * screen, no server round trip, works offline.
 *
 * The check in progress (its snapshot, answers and position) lives in sessionStorage,
 * so a reload resumes it and a content version published meanwhile never changes the
 * questions under the person's feet: the next check uses the newest bundle.
 */

import { score, stopsQuiz } from "./scoring.js";
import { saveCheck, allChecks } from "./outbox.js";
import { CHECK_STATE_KEY, PERSIST_MESSAGE_KEY } from "./check-session.js";
import { fetchContent, rememberContentVersion } from "./content.js";
import { el } from "./dom.js";
import { format, gettext, gettext_noop } from "./i18n.js";
import { URGENCY_LABELS } from "./labels.js";

const SECTION_NAMES = { warning: gettext_noop("Warning signs"), habits: gettext_noop("Habits and history") };

const app = document.getElementById("check-app");
const startSection = document.getElementById("check-start");
const questionSection = document.getElementById("check-question");
const emergencySection = document.getElementById("check-emergency");
const beginButton = document.getElementById("check-begin");
const loading = document.getElementById("check-loading");
// The admin's "Preview the check" runs unpublished content: it keeps its own state and,
// when it ends, nothing is saved, synced or cached.
const preview = app.dataset.preview === "true";
const STATE_KEY = preview ? `${CHECK_STATE_KEY}-preview` : CHECK_STATE_KEY;

// -- state ---------------------------------------------------------------------------

function loadState() {
  const raw = sessionStorage.getItem(STATE_KEY);
  return raw === null ? null : JSON.parse(raw);
}

function saveState(state) {
  sessionStorage.setItem(STATE_KEY, JSON.stringify(state));
}

function endState() {
  sessionStorage.removeItem(STATE_KEY);
  window.dispatchEvent(new CustomEvent("backcare:check-ended"));
}

// -- start ---------------------------------------------------------------------------

async function init() {
  const state = loadState();
  if (state !== null) {
    showQuestion(state);
    return;
  }
  loading.textContent = gettext("Loading the questions…");
  let snapshot;
  try {
    snapshot = await fetchContent(app.dataset.contentUrl);
  } catch {
    loading.textContent = gettext("The questions could not be loaded. Open BackCare once while online, then it works offline.");
    return;
  }
  loading.textContent = "";
  beginButton.hidden = false;
  beginButton.addEventListener("click", () => {
    const fresh = { snapshot, answers: {}, index: 0, started_at: new Date().toISOString() };
    saveState(fresh);
    window.dispatchEvent(new CustomEvent("backcare:check-started"));
    showQuestion(fresh);
  });
}

// -- one question --------------------------------------------------------------------

function showQuestion(state) {
  const questions = state.snapshot.questions;
  const question = questions[state.index];
  startSection.hidden = true;
  emergencySection.hidden = true;
  questionSection.hidden = false;
  questionSection.replaceChildren(renderQuestion(state, question, questions.length));
  document.getElementById("question-heading").focus();
}

function renderQuestion(state, question, total) {
  const helpId = "question-help";
  const errorId = "question-error";
  const legend = el("legend", { className: "question-text" }, question.text);
  const fieldset = el(
    "fieldset",
    { "aria-describedby": [question.help_text ? helpId : null, errorId].filter(Boolean).join(" ") },
    legend,
    question.help_text ? el("p", { id: helpId, className: "hint" }, question.help_text) : null,
    renderInputs(question, state.answers[question.key]),
  );
  const isLast = state.index === total - 1;
  const form = el(
    "form",
    { id: "question-form", novalidate: true, "data-question": question.key },
    el(
      "h1",
      { id: "question-heading", tabindex: "-1" },
      gettext(SECTION_NAMES[question.section] || SECTION_NAMES.habits),
    ),
    el(
      "p",
      { id: "check-progress", className: "progress-text" },
      format(gettext("%(current)s of %(total)s"), { current: state.index + 1, total }),
    ),
    el("progress", { max: total, value: state.index + 1, "aria-hidden": "true" }),
    fieldset,
    el("p", { id: errorId, className: "error", role: "alert" }),
    el(
      "div",
      { className: "actions" },
      el("button", { type: "button", id: "check-back", className: "button" }, gettext("Back")),
      el(
        "button",
        { type: "submit", id: "check-next", className: "button button-primary" },
        isLast ? gettext("See my result") : gettext("Next"),
      ),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    next(state, question, form);
  });
  form.querySelector("#check-back").addEventListener("click", () => back(state));
  // Keep a picked answer even if the page is reloaded before "Next".
  form.addEventListener("change", () => {
    const answer = readAnswer(question, form);
    if (answer === undefined) delete state.answers[question.key];
    else state.answers[question.key] = answer;
    saveState(state);
  });
  if (question.kind === "scale") {
    const range = form.querySelector("input[type=range]");
    const output = form.querySelector("output");
    range.addEventListener("input", () => {
      output.textContent = range.value;
    });
  }
  return form;
}

function renderInputs(question, previous) {
  if (question.kind === "scale") {
    const value = Number.isInteger(previous) ? previous : Math.round((question.scale_min + question.scale_max) / 2);
    const id = `answer-${question.key}`;
    return el(
      "div",
      { className: "scale" },
      el("label", { htmlFor: id }, format(gettext("Your answer, from %(min)s to %(max)s"), { min: question.scale_min, max: question.scale_max })),
      el("input", {
        type: "range",
        id,
        name: question.key,
        min: question.scale_min,
        max: question.scale_max,
        step: 1,
        value,
      }),
      el("output", { htmlFor: id, className: "scale-value" }, String(value)),
    );
  }
  const type = question.kind === "multiple" ? "checkbox" : "radio";
  const chosen = new Set(Array.isArray(previous) ? previous : previous ? [previous] : []);
  return el(
    "div",
    { className: "choices" },
    question.choices.map((choice) => {
      const id = `answer-${question.key}-${choice.key}`;
      const input = el("input", { type, id, name: question.key, value: choice.key });
      input.checked = chosen.has(choice.key);
      return el("div", { className: "choice" }, input, el("label", { htmlFor: id }, choice.text));
    }),
  );
}

function readAnswer(question, form) {
  if (question.kind === "scale") return Number(form.querySelector("input[type=range]").value);
  const picked = [...form.querySelectorAll(`input[name="${question.key}"]:checked`)].map((input) => input.value);
  if (picked.length === 0) return undefined;
  return question.kind === "multiple" ? picked : picked[0];
}

function next(state, question, form) {
  const answer = readAnswer(question, form);
  if (answer === undefined && question.section === "warning") {
    const error = form.querySelector("#question-error");
    error.textContent = gettext("Please choose an answer: warning-sign questions cannot be skipped.");
    form.querySelector("input").focus();
    return;
  }
  if (answer === undefined) delete state.answers[question.key];
  else state.answers[question.key] = answer;

  if (question.kind === "single" && stopsQuiz(state.snapshot, question.key, answer)) {
    finish(state, { emergency: true });
    return;
  }
  if (state.index + 1 >= state.snapshot.questions.length) {
    finish(state, { emergency: false });
    return;
  }
  state.index += 1;
  saveState(state);
  showQuestion(state);
}

function back(state) {
  if (state.index === 0) {
    // Back from the first question returns to the start screen; the check ends unsaved.
    sessionStorage.removeItem(STATE_KEY);
    window.location.reload();
    return;
  }
  state.index -= 1;
  saveState(state);
  showQuestion(state);
}

// -- the end -------------------------------------------------------------------------

async function finish(state, { emergency }) {
  const answers = emergency ? answersUpToStop(state) : state.answers;
  let outcome;
  try {
    outcome = score(state.snapshot, answers);
  } catch (error) {
    // Only a content or app defect gets here; say so rather than fail silently.
    const message = document.getElementById("question-error");
    if (message) message.textContent = gettext("Sorry, this check could not be scored. Please start again.");
    throw error;
  }
  const record = {
    uuid: crypto.randomUUID(),
    content_version: state.snapshot.version,
    answers,
    outcome,
    completed_at: new Date().toISOString(),
    sync: { state: "pending", message: null },
  };
  if (preview) {
    endState();
    if (emergency) showEmergency(state.snapshot, record.uuid);
    else showPreviewEnd(state.snapshot, outcome);
    return;
  }
  if (emergency) {
    // People in an emergency see the numbers first; saving takes milliseconds.
    showEmergency(state.snapshot, record.uuid);
  }
  await saveCheck(record);
  await rememberContentVersion(state.snapshot).catch(() => {});
  endState();
  const persistMessage = await askToPersist();
  if (persistMessage) sessionStorage.setItem(PERSIST_MESSAGE_KEY, persistMessage);
  if (!emergency) window.location.assign(`${app.dataset.resultUrl}#${record.uuid}`);
  else document.getElementById("emergency-result-link").hidden = false;
}

/** The end of a preview: the outcome in words, and nothing kept. */
function showPreviewEnd(snapshot, outcome) {
  const causeNames = new Map(snapshot.cause_groups.map((group) => [group.key, group.name]));
  questionSection.replaceChildren(
    el("h1", { id: "preview-heading", tabindex: "-1" }, gettext("Preview finished")),
    el("p", { id: "preview-urgency" }, gettext(URGENCY_LABELS[outcome.urgency])),
    el("ul", { id: "preview-causes" }, ...outcome.causes.map((cause) => el("li", {}, causeNames.get(cause.key) || cause.key))),
    el("p", {}, gettext("This was a preview: nothing was saved or sent.")),
  );
  document.getElementById("preview-heading").focus();
}

/** Answers given before (and including) the emergency one: later ones were never seen. */
function answersUpToStop(state) {
  const kept = {};
  state.snapshot.questions.slice(0, state.index + 1).forEach((question) => {
    if (Object.prototype.hasOwnProperty.call(state.answers, question.key)) kept[question.key] = state.answers[question.key];
  });
  return kept;
}

function showEmergency(snapshot, uuid) {
  const settings = snapshot.settings;
  questionSection.replaceChildren();
  questionSection.hidden = true;
  startSection.hidden = true;
  emergencySection.hidden = false;
  emergencySection.replaceChildren(
    el("h1", { id: "emergency-heading", tabindex: "-1" }, gettext("Get emergency help now")),
    el("p", { className: "action" }, settings.actions.emergency),
    el(
      "p",
      { className: "phone" },
      el("a", { className: "button button-danger", href: `tel:${settings.emergency_number}` }, settings.emergency_label),
    ),
    el("p", {}, gettext("Emergency number:"), " ", el("strong", { className: "number" }, settings.emergency_number)),
    el("p", {}, settings.non_emergency_label, " ", el("strong", { className: "number" }, settings.non_emergency_number)),
    el("p", { className: "disclaimer" }, settings.disclaimer),
    el(
      "p",
      { id: "emergency-result-link", hidden: true },
      el("a", { href: `${app.dataset.resultUrl}#${uuid}` }, gettext("See your saved result")),
    ),
  );
  document.getElementById("emergency-heading").focus();
}

/** After the first finished check, ask the browser to keep our data; say what it answered. */
async function askToPersist() {
  if (!navigator.storage || !navigator.storage.persist) return null;
  const checks = await allChecks();
  if (checks.length !== 1) return null;
  if (await navigator.storage.persisted()) return gettext("Your checks are stored on this device and will be kept.");
  const granted = await navigator.storage.persist();
  return granted
    ? gettext("Your browser agreed to keep your checks on this device, even when space runs low.")
    : gettext("Your browser may delete saved checks if the device runs low on space. Installing BackCare makes this less likely.");
}

init();
