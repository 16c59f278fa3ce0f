/**
 * The self-check, run in the browser from the cached content bundle: one question per
 * screen, no server round trip, works offline.
 *
 * The check in progress (its snapshot, answers and position) lives in sessionStorage,
 * so a reload resumes it and a content version published meanwhile never changes the
 * questions under the person's feet: the next check uses the newest bundle.
 */

import { score, stopsQuiz, visibleQuestions } from "./scoring.js";
import { PERSIST_MESSAGE_KEY, START_NOW_URL, holdPreviewCheck } from "./check-session.js";
import { checkStateKey, isPreview } from "./check-preview.js";
import { showEmergency } from "./emergency-screen.js";
import { fetchContent, rememberContentVersion } from "./content.js";
import { askToPersist, keepFinishedCheck } from "./storage-status.js";
import { el } from "./dom.js";
import { format, gettext, gettext_noop } from "./i18n.js";

const SECTION_NAMES = {
  facts: gettext_noop("About you"),
  warning: gettext_noop("Warning signs"),
  habits: gettext_noop("Habits and history"),
};

const app = document.getElementById("check-app");
const startSection = document.getElementById("check-start");
const questionSection = document.getElementById("check-question");
const emergencySection = document.getElementById("check-emergency");
const beginButton = document.getElementById("check-begin");
const loading = document.getElementById("check-loading");
// The admin's "Preview the check" (check-preview.js): nothing is saved, synced or cached.
const preview = isPreview(app);
const STATE_KEY = checkStateKey(preview);

const HELP_ID = "question-help";
const SELECT_ALL_ID = "question-select-all";
const ERROR_ID = "question-error";

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
  // Asked to start at once (START_NOW_URL): once only, so a reload or Back finds the
  // page as usual.
  const startNow = window.location.hash === new URL(START_NOW_URL, window.location.href).hash;
  if (startNow) history.replaceState(history.state, "", window.location.pathname + window.location.search);
  const state = loadState();
  if (state !== null) {
    // A reload carries on where it was; coming back after leaving (the back gesture,
    // the menu) asks first, with every answer kept.
    if (reloaded()) showQuestion(state);
    else offerResume(state);
    return;
  }
  await offerStart(startNow);
}

function reloaded() {
  const [navigation] = performance.getEntriesByType("navigation");
  return navigation !== undefined && navigation.type === "reload";
}

function offerResume(state) {
  const { current, total } = progress(state);
  const prompt = el(
    "div",
    { id: "check-resume", className: "notice" },
    el("h2", { id: "resume-heading", tabindex: "-1" }, gettext("Continue your check or start again?")),
    el(
      "p",
      {},
      format(gettext("You were at question %(current)s of %(total)s. Your answers are kept."), { current, total }),
    ),
    el("button", { type: "button", id: "check-continue", className: "button button-primary" }, gettext("Continue")),
    el("button", { type: "button", id: "check-restart", className: "button" }, gettext("Start again")),
  );
  prompt.querySelector("#check-continue").addEventListener("click", () => {
    prompt.remove();
    showQuestion(state);
  });
  prompt.querySelector("#check-restart").addEventListener("click", () => {
    prompt.remove();
    endState();
    offerStart();
  });
  // Under the page's heading, where a person coming back looks first (not below the fold).
  startSection.querySelector("h1").after(prompt);
  document.getElementById("resume-heading").focus();
}

async function offerStart(startNow = false) {
  loading.textContent = gettext("Loading the questions…");
  let snapshot;
  try {
    snapshot = await fetchContent(app.dataset.contentUrl);
  } catch {
    loading.textContent = gettext(
      "The questions could not be loaded. Open BackCare once while online, then it works offline.",
    );
    return;
  }
  loading.textContent = "";
  beginButton.hidden = false;
  beginButton.onclick = () => {
    const fresh = { snapshot, answers: {}, index: -1, started_at: new Date().toISOString() };
    fresh.index = nextShownIndex(fresh, -1, 1);
    saveState(fresh);
    window.dispatchEvent(new CustomEvent("backcare:check-started"));
    showQuestion(fresh);
  };
  if (startNow) {
    beginButton.click();
    keepTheDisclaimerInSight();
  }
}

/** Started in one tap from home, the start screen and its disclaimer never showed: the
 * first question carries the disclaimer instead ("this is not a diagnosis" is on the
 * check's start, whichever way it was started). */
function keepTheDisclaimerInSight() {
  const disclaimer = document.getElementById("check-disclaimer");
  if (disclaimer === null) return;
  const copy = disclaimer.cloneNode(true);
  copy.id = "check-disclaimer-first-question";
  questionSection.append(copy);
}

// -- which question ------------------------------------------------------------------
// `state.index` points into `snapshot.questions`; questions whose `show_if` is not met by
// the answers so far are skipped both ways, and never keep an answer.

function isShown(state, index) {
  const key = state.snapshot.questions[index].key;
  return visibleQuestions(state.snapshot, state.answers).some((question) => question.key === key);
}

function nextShownIndex(state, from, step) {
  for (let index = from + step; index >= 0 && index < state.snapshot.questions.length; index += step) {
    if (isShown(state, index)) return index;
  }
  return -1;
}

/** Answers to questions the person can see now: a changed answer may hide later ones. */
function shownAnswers(snapshot, answers) {
  const kept = {};
  for (const question of visibleQuestions(snapshot, answers)) {
    if (Object.prototype.hasOwnProperty.call(answers, question.key)) kept[question.key] = answers[question.key];
  }
  return kept;
}

/** "3 of 11": the place among the questions shown with the answers so far. */
function progress(state) {
  const shown = visibleQuestions(state.snapshot, state.answers);
  const key = state.snapshot.questions[state.index].key;
  return { current: shown.findIndex((question) => question.key === key) + 1, total: shown.length };
}

// -- one question --------------------------------------------------------------------

function showQuestion(state) {
  const question = state.snapshot.questions[state.index];
  startSection.hidden = true;
  emergencySection.hidden = true;
  questionSection.hidden = false;
  questionSection.replaceChildren(renderQuestion(state, question));
  keepBackInTheCheck(state.index);
  document.getElementById("question-heading").focus();
}

// -- the browser's Back button -------------------------------------------------------
// While a question shows, the page keeps one history entry of its own above the one it
// was opened with: the browser's Back (or a phone's back gesture) lands on the page's
// own entry, and the check takes that as its Back button, one question earlier, instead
// of leaving the check. From the first question, Back leaves as usual, answers kept.

const QUESTION_ENTRY = "backcareQuestion";

function keepBackInTheCheck(index) {
  const entry = { [QUESTION_ENTRY]: index };
  if (history.state && QUESTION_ENTRY in history.state) history.replaceState(entry, "");
  else history.pushState(entry, "");
}

window.addEventListener("popstate", (event) => {
  const state = loadState();
  // Only while a question is on screen: the start, resume and emergency screens keep
  // the browser's own Back.
  if (state === null || questionSection.hidden) return;
  if (event.state && QUESTION_ENTRY in event.state) return;
  const previous = nextShownIndex(state, state.index, -1);
  if (previous === -1) {
    history.back();
    return;
  }
  state.index = previous;
  saveState(state);
  showQuestion(state);
});

function renderQuestion(state, question) {
  const isLast = nextShownIndex(state, state.index, 1) === -1;
  const form = el(
    "form",
    { id: "question-form", novalidate: true, "data-question": question.key },
    renderHeading(question),
    ...renderProgress(progress(state)),
    renderFieldset(question, state.answers[question.key]),
    el("p", { id: ERROR_ID, className: "error", role: "alert" }),
    renderActions(isLast, question),
  );
  wireForm(form, state, question);
  return form;
}

function renderHeading(question) {
  return el(
    "h1",
    { id: "question-heading", tabindex: "-1" },
    gettext(SECTION_NAMES[question.section] || SECTION_NAMES.habits),
  );
}

function renderProgress({ current, total }) {
  return [
    el(
      "p",
      { id: "check-progress", className: "progress-text" },
      format(gettext("%(current)s of %(total)s"), { current, total }),
    ),
    el("progress", { max: total, value: current, "aria-hidden": "true" }),
  ];
}

function renderFieldset(question, previous) {
  const multiple = question.kind === "multiple";
  const describedBy = [multiple ? SELECT_ALL_ID : null, question.help_text ? HELP_ID : null, ERROR_ID]
    .filter(Boolean)
    .join(" ");
  return el(
    "fieldset",
    { "aria-describedby": describedBy },
    el("legend", { className: "question-text" }, question.text),
    multiple ? el("p", { id: SELECT_ALL_ID, className: "hint" }, gettext("Select all that apply.")) : null,
    question.help_text ? el("p", { id: HELP_ID, className: "hint" }, question.help_text) : null,
    question.kind === "scale" ? renderScale(question, previous) : renderChoices(question, previous),
  );
}

function renderActions(isLast, question) {
  return el(
    "div",
    { className: "actions" },
    el("button", { type: "button", id: "check-back", className: "button" }, gettext("Back")),
    question.kind === "scale"
      ? el("button", { type: "button", id: "check-skip", className: "button" }, gettext("Skip"))
      : null,
    el(
      "button",
      { type: "submit", id: "check-next", className: "button button-primary" },
      isLast ? gettext("See my result") : gettext("Next"),
    ),
  );
}

function wireForm(form, state, question) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    next(state, question, form);
  });
  form.querySelector("#check-back").addEventListener("click", () => back(state));
  if (question.kind === "multiple") keepNoneOfTheseAlone(form, question);
  // Keep a picked answer even if the page is reloaded before "Next".
  form.addEventListener("change", () => {
    const answer = readAnswer(question, form);
    if (answer === undefined) delete state.answers[question.key];
    else state.answers[question.key] = answer;
    saveState(state);
  });
  if (question.kind === "scale") {
    form.querySelector("#check-skip").addEventListener("click", () => advance(state, question, undefined));
  }
}

/** "None of these" cannot be ticked with a sign: ticking one clears the other. */
function keepNoneOfTheseAlone(form, question) {
  const exclusive = new Set(question.choices.filter((choice) => choice.exclusive).map((choice) => choice.key));
  if (exclusive.size === 0) return;
  form.addEventListener("change", (event) => {
    const ticked = event.target;
    if (!(ticked instanceof HTMLInputElement) || ticked.type !== "checkbox" || !ticked.checked) return;
    for (const box of form.querySelectorAll(`input[name="${question.key}"]`)) {
      if (box === ticked) continue;
      if (exclusive.has(ticked.value) || exclusive.has(box.value)) box.checked = false;
    }
  });
}

/**
 * A scale as one tappable box per number (as NHS and Ada pain scales do), radios so the
 * arrow keys move along it: every value, the middle one included, is a choice of its own.
 * A slider's thumb sat on 5 unchosen, and a tap on it chose nothing.
 */
function renderScale(question, previous) {
  const values = [];
  for (let value = question.scale_min; value <= question.scale_max; value += 1) values.push(value);
  return el(
    "div",
    { className: "scale" },
    el(
      "div",
      { className: "scale-steps" },
      values.map((value) => {
        const id = `answer-${question.key}-${value}`;
        const input = el("input", { type: "radio", id, name: question.key, value });
        input.checked = previous === value;
        return el("div", { className: "scale-step" }, input, el("label", { htmlFor: id }, String(value)));
      }),
    ),
    // Words under the ends and the middle; the boxes share the width, so the middle word
    // sits under the middle number. Read aloud, the numbers and the help text say it.
    el(
      "div",
      { className: "scale-anchors", "aria-hidden": "true" },
      el("span", {}, gettext("None")),
      el("span", {}, gettext("Moderate")),
      el("span", {}, gettext("Worst")),
    ),
  );
}

function renderChoices(question, previous) {
  const type = question.kind === "multiple" ? "checkbox" : "radio";
  const chosen = new Set(Array.isArray(previous) ? previous : previous ? [previous] : []);
  return el(
    "div",
    { className: "choices" },
    question.choices.map((choice) => {
      const id = `answer-${question.key}-${choice.key}`;
      const input = el("input", { type, id, name: question.key, value: choice.key });
      input.checked = chosen.has(choice.key);
      return el(
        "div",
        { className: choice.exclusive ? "choice choice-none" : "choice" },
        input,
        el("label", { htmlFor: id }, choice.text),
      );
    }),
  );
}

function readAnswer(question, form) {
  const picked = [...form.querySelectorAll(`input[name="${question.key}"]:checked`)].map((input) => input.value);
  if (picked.length === 0) return undefined;
  if (question.kind === "scale") return Number(picked[0]);
  return question.kind === "multiple" ? picked : picked[0];
}

function mustAnswer(question) {
  return question.section === "warning" || question.section === "facts";
}

function next(state, question, form) {
  const answer = readAnswer(question, form);
  if (answer === undefined && mustAnswer(question)) {
    const error = form.querySelector(`#${ERROR_ID}`);
    error.textContent =
      question.section === "warning"
        ? gettext("Please choose an answer: warning-sign questions cannot be skipped.")
        : gettext("Please choose an answer: the questions that follow depend on it.");
    form.querySelector("input").focus();
    return;
  }
  if (answer === undefined && question.kind === "scale") {
    form.querySelector(`#${ERROR_ID}`).textContent = gettext("Choose your number, or choose Skip.");
    form.querySelector("input").focus();
    return;
  }
  advance(state, question, answer);
}

function advance(state, question, answer) {
  if (answer === undefined) delete state.answers[question.key];
  else state.answers[question.key] = answer;
  state.answers = shownAnswers(state.snapshot, state.answers);

  const picked = answer === undefined ? [] : Array.isArray(answer) ? answer : [answer];
  if (question.kind !== "scale" && picked.some((key) => stopsQuiz(state.snapshot, question.key, key))) {
    finish(state, { emergency: true });
    return;
  }
  const following = nextShownIndex(state, state.index, 1);
  if (following === -1) {
    finish(state, { emergency: false });
    return;
  }
  state.index = following;
  saveState(state);
  showQuestion(state);
}

function back(state) {
  const previous = nextShownIndex(state, state.index, -1);
  if (previous === -1) {
    // Back from the first question returns to the start screen; the check ends unsaved.
    sessionStorage.removeItem(STATE_KEY);
    window.location.reload();
    return;
  }
  state.index = previous;
  saveState(state);
  showQuestion(state);
}

// -- the end -------------------------------------------------------------------------

async function finish(state, { emergency }) {
  const answers = emergency ? answersUpToStop(state) : shownAnswers(state.snapshot, state.answers);
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
    // The language it was read in: recorded, never scored (the answers are keys).
    language: state.snapshot.language || document.documentElement.lang,
    sync: { state: "pending", message: null },
  };
  if (preview) {
    endState();
    // Its result page (the real one, on the unpublished snapshot) reads the check from this tab.
    holdPreviewCheck(record, state.snapshot);
    if (emergency) showEmergency(state.snapshot, answers, `${app.dataset.resultUrl}#${record.uuid}`);
    else window.location.assign(`${app.dataset.resultUrl}#${record.uuid}`);
    return;
  }
  if (emergency) {
    // People in an emergency see the numbers first; saving takes milliseconds.
    showEmergency(state.snapshot, answers, `${app.dataset.resultUrl}#${record.uuid}`);
  }
  // Storage full or refused: the result still shows, from this tab, saying it was not kept.
  const { saved } = await keepFinishedCheck(record);
  await rememberContentVersion(state.snapshot).catch(() => {});
  endState();
  const persistMessage = saved ? await askToPersist().catch(() => null) : null;
  if (persistMessage) sessionStorage.setItem(PERSIST_MESSAGE_KEY, persistMessage);
  if (!emergency) {
    window.location.assign(`${app.dataset.resultUrl}#${record.uuid}`);
    return;
  }
  const link = document.getElementById("emergency-result-link");
  // Not saved, but the result page still shows it (from this tab) with the reason.
  if (!saved) link.querySelector("a").textContent = gettext("See my result");
  link.hidden = false;
}

/** Answers given before (and including) the emergency one: later ones were never seen. */
function answersUpToStop(state) {
  const earlier = new Set(state.snapshot.questions.slice(0, state.index + 1).map((question) => question.key));
  const shown = shownAnswers(state.snapshot, state.answers);
  return Object.fromEntries(Object.entries(shown).filter(([key]) => earlier.has(key)));
}

init();
