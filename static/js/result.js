/**
 * Show a saved check from IndexedDB (/result/#<uuid>), in the order the product brief
 * sets: urgency and action, why this result (the signs answered and the pain score),
 * what may be contributing, matching tips, what this check cannot do, and the
 * disclaimer. Emergency and urgent results show only the action, the numbers and the
 * signs above the limits: nothing else competes with getting help. Works offline: the
 * snapshot it was answered against comes from the content-versions cache.
 */

import { PERSIST_MESSAGE_KEY } from "./check-session.js";
import { el } from "./dom.js";
import { format, gettext, pageLocale } from "./i18n.js";
import { URGENCY_LABELS } from "./labels.js";
import {
  actionsFor,
  answerRows,
  firstSentence,
  loadCheck,
  matchedPostureBreaks,
  painScore,
  requestedUuid,
  signsAnswered,
  withPhoneLinks,
} from "./check-record.js";
import { breakControl } from "./breaks.js";

const TIPS_SHOWN_FIRST = 5;
const container = document.getElementById("result");
const loading = document.getElementById("result-loading");

function section(id, heading, ...children) {
  return el(
    "section",
    { id, "aria-labelledby": `${id}-heading` },
    el("h2", { id: `${id}-heading` }, heading),
    ...children,
  );
}

function tipUrl(tip) {
  return `/tips/${encodeURIComponent(tip.category)}/${encodeURIComponent(tip.key)}/`;
}

/** A number as a link a phone can call, with its label. */
function phoneLink(number, label, className = "button") {
  return el("a", { className, href: `tel:${number}` }, label);
}

function urgencySection(outcome, snapshot) {
  const settings = snapshot.settings;
  const urgency = section(
    "result-urgency",
    gettext(URGENCY_LABELS[outcome.urgency] || outcome.urgency),
    ...actionsFor(outcome, snapshot).map((action) =>
      el("p", { className: "action" }, withPhoneLinks(action, settings)),
    ),
  );
  urgency.classList.add(`urgency-${outcome.urgency}`);
  if (outcome.urgency === "emergency") {
    urgency.append(
      el(
        "p",
        { className: "phone" },
        phoneLink(settings.emergency_number, settings.emergency_label, "button button-danger"),
      ),
      el(
        "p",
        {},
        phoneLink(settings.non_emergency_number, settings.non_emergency_label, ""),
        " ",
        phoneLink(settings.non_emergency_number, settings.non_emergency_number, "number"),
      ),
    );
  } else if (outcome.urgency === "urgent") {
    urgency.append(
      el("p", { className: "phone" }, phoneLink(settings.non_emergency_number, settings.non_emergency_label)),
      el(
        "p",
        {},
        gettext("If you feel much worse:"),
        " ",
        phoneLink(settings.emergency_number, settings.emergency_number, "number"),
      ),
    );
  }
  return urgency;
}

function whySection(record, snapshot) {
  const signs = signsAnswered(record, snapshot);
  const pain = painScore(record, snapshot);
  const signList = signs.length
    ? [
        el("p", {}, gettext("The warning signs you answered:")),
        el(
          "ul",
          { className: "sign-list" },
          signs.map((sign) =>
            el("li", {}, el("span", { className: "sign-question" }, sign.question), " ", el("strong", {}, sign.answer)),
          ),
        ),
      ]
    : el("p", {}, gettext("You did not report any of the warning signs this check asks about."));
  const painLine = el(
    "p",
    { id: "result-pain" },
    pain
      ? format(gettext("Your pain score: %(value)s out of %(max)s."), { value: pain.value, max: pain.max })
      : gettext("Your pain score: not given."),
  );
  return section("result-why", gettext("Why this result"), signList, painLine);
}

function causesSection(outcome, snapshot) {
  const groups = new Map(snapshot.cause_groups.map((group) => [group.key, group]));
  const causes = outcome.causes
    .map((cause) => groups.get(cause.key))
    .filter(Boolean)
    .map((group) => {
      const { lead, rest } = firstSentence(group.explanation);
      return el(
        "li",
        {},
        el("h3", {}, group.name),
        el("p", {}, lead),
        rest
          ? el("details", { className: "read-more" }, el("summary", {}, gettext("Read more")), el("p", {}, rest))
          : null,
      );
    });
  return section(
    "result-causes",
    gettext("What your back pain can be linked to"),
    causes.length
      ? el("ul", { className: "plain-list" }, causes)
      : el("p", {}, gettext("Your answers did not point to any of the habits this check asks about.")),
  );
}

function tipCard(tip) {
  return el(
    "li",
    { className: "card" },
    el("h3", {}, el("a", { href: tipUrl(tip) }, tip.title)),
    el("p", {}, tip.body),
  );
}

function tipsSection(record, snapshot) {
  const tips = new Map(snapshot.tips.map((tip) => [tip.key, tip]));
  // The outcome's own order: the most fitting tips come first.
  const matching = record.outcome.tips.map((key) => tips.get(key)).filter(Boolean);
  const first = matching.slice(0, TIPS_SHOWN_FIRST);
  const more = matching.slice(TIPS_SHOWN_FIRST);
  return section(
    "result-tips",
    gettext("Tips that fit your answers"),
    first.length
      ? el("ul", { className: "card-list" }, first.map(tipCard))
      : el("p", {}, el("a", { href: "/tips/" }, gettext("Browse all tips"))),
    more.length
      ? el(
          "details",
          { id: "result-more-tips", className: "more-tips" },
          el("summary", {}, format(gettext("More tips (%(count)s)"), { count: more.length })),
          el("ul", { className: "card-list" }, more.map(tipCard)),
        )
      : null,
    matchedPostureBreaks(record, snapshot) ? breakControl() : null,
  );
}

/** The summary for a clinician of one check: /result/?id=<uuid>&view=summary. */
function summaryUrl(uuid) {
  return `/result/?id=${encodeURIComponent(uuid)}&view=summary`;
}

function render(record, snapshot) {
  const settings = snapshot.settings;
  const outcome = record.outcome;
  const needsHelpNow = outcome.urgency === "emergency" || outcome.urgency === "urgent";
  const completed = new Date(record.completed_at);
  container.replaceChildren(
    el(
      "p",
      { className: "meta" },
      gettext("Completed:"),
      " ",
      el("time", { datetime: record.completed_at }, completed.toLocaleString(pageLocale())),
    ),
    urgencySection(outcome, snapshot),
    whySection(record, snapshot),
    needsHelpNow ? null : causesSection(outcome, snapshot),
    needsHelpNow ? null : tipsSection(record, snapshot),
    section("result-limits", gettext("What this check cannot do"), el("p", {}, settings.limits)),
    el("p", { className: "disclaimer", id: "result-disclaimer" }, settings.disclaimer),
    el(
      "p",
      { className: "no-print" },
      el(
        "a",
        { className: "button", id: "result-summary-link", href: summaryUrl(record.uuid) },
        gettext("Show or print a summary"),
      ),
    ),
  );
  container.hidden = false;
}

function showPersistMessage() {
  const message = sessionStorage.getItem(PERSIST_MESSAGE_KEY);
  if (!message) return;
  sessionStorage.removeItem(PERSIST_MESSAGE_KEY);
  const status = document.getElementById("persist-status");
  status.textContent = message;
  status.hidden = false;
}

// -- the summary for a clinician ----------------------------------------------------
// One check on one page: the date, the urgency and its action, the warning signs
// answered, every answer as question -> choice in the words of the version answered, the
// pain score, the content version and the disclaimer. Prints to one A4 page (app.css's
// print rules); "Share" hands the same text to the Web Share API where the browser has
// it, "Copy" puts it on the clipboard. Offline, like the result.

/** The summary as plain facts, used for both the page and the shared text. */
function facts(record, snapshot) {
  const pain = painScore(record, snapshot);
  return {
    date: new Date(record.completed_at).toLocaleString(pageLocale()),
    urgency: gettext(URGENCY_LABELS[record.outcome.urgency] || record.outcome.urgency),
    action: actionsFor(record.outcome, snapshot).join(" "),
    signs: signsByQuestion(signsAnswered(record, snapshot)),
    answers: answerRows(record, snapshot),
    pain: pain
      ? format(gettext("%(value)s out of %(max)s"), { value: pain.value, max: pain.max })
      : gettext("not given"),
    version: String(record.content_version),
    disclaimer: snapshot.settings.disclaimer,
  };
}

/** One line per question, its signs joined: a grouped question lists several. */
function signsByQuestion(signs) {
  const groups = new Map();
  for (const sign of signs) {
    if (!groups.has(sign.question)) groups.set(sign.question, []);
    groups.get(sign.question).push(sign.answer);
  }
  return [...groups].map(([question, answers]) => ({ question, answer: answers.join("; ") }));
}

function renderSummary(record, summary) {
  const container = document.getElementById("summary");
  container.replaceChildren(
    el(
      "dl",
      { className: "summary-facts" },
      el("dt", {}, gettext("Date")),
      el("dd", {}, el("time", { datetime: record.completed_at }, summary.date)),
      el("dt", {}, gettext("Result")),
      el("dd", { id: "summary-urgency" }, el("strong", {}, summary.urgency), " — ", summary.action),
      el("dt", {}, gettext("Pain score")),
      el("dd", { id: "summary-pain" }, summary.pain),
      el("dt", {}, gettext("Content version")),
      el("dd", { id: "summary-version" }, summary.version),
    ),
    el("h2", {}, gettext("Warning signs answered")),
    summary.signs.length
      ? el(
          "ul",
          { id: "summary-signs" },
          summary.signs.map((sign) => el("li", {}, `${sign.question} `, el("strong", {}, sign.answer))),
        )
      : el("p", { id: "summary-signs" }, gettext("None of the warning signs this check asks about.")),
    el("h2", {}, gettext("Every answer")),
    el(
      "table",
      { id: "summary-answers", className: "summary-table" },
      el(
        "thead",
        {},
        el("tr", {}, el("th", { scope: "col" }, gettext("Question")), el("th", { scope: "col" }, gettext("Answer"))),
      ),
      el(
        "tbody",
        {},
        summary.answers.map((row) =>
          el("tr", { "data-question": row.key }, el("td", {}, row.question), el("td", {}, row.answer)),
        ),
      ),
    ),
    el("p", { className: "disclaimer", id: "summary-disclaimer" }, summary.disclaimer),
  );
  container.hidden = false;
}

/** The same summary as text, for sharing or pasting into a message. */
function summaryText(summary) {
  const lines = [
    gettext("BackCare self-check summary"),
    `${gettext("Date")}: ${summary.date}`,
    `${gettext("Result")}: ${summary.urgency} — ${summary.action}`,
    `${gettext("Pain score")}: ${summary.pain}`,
    `${gettext("Warning signs answered")}:`,
    ...(summary.signs.length
      ? summary.signs.map((sign) => `- ${sign.question} ${sign.answer}`)
      : [`- ${gettext("none")}`]),
    `${gettext("Every answer")}:`,
    ...summary.answers.map((row) => `- ${row.question} → ${row.answer}`),
    `${gettext("Content version")}: ${summary.version}`,
    summary.disclaimer,
  ];
  return lines.join("\n");
}

async function copy(text) {
  const status = document.getElementById("summary-status");
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = gettext("The summary was copied. Paste it into a message or a note.");
  } catch {
    // No clipboard access (an insecure origin, or refused): select it for the person.
    window.getSelection()?.selectAllChildren(document.getElementById("summary"));
    status.textContent = gettext(
      "Copying is not allowed here: the summary is selected, copy it with your device's menu.",
    );
  }
}

function wireActions(text) {
  document.getElementById("summary-actions").hidden = false;
  document.getElementById("summary-print").addEventListener("click", () => window.print());
  const share = document.getElementById("summary-share");
  if (typeof navigator.share === "function") {
    share.hidden = false;
    share.addEventListener("click", () => {
      navigator.share({ title: gettext("BackCare self-check summary"), text }).catch(() => {});
    });
  }
  document.getElementById("summary-copy").addEventListener("click", () => copy(text));
}

function showSummary(record, snapshot) {
  const heading = gettext("Summary of a back pain self-check");
  document.querySelector("main h1").textContent = heading;
  document.title = `${heading} · BackCare`;
  container.hidden = true;
  const summary = facts(record, snapshot);
  renderSummary(record, summary);
  wireActions(summaryText(summary));
}

async function init() {
  const loaded = await loadCheck(requestedUuid());
  if (loaded === null) {
    loading.textContent = gettext("This result is not saved on this device.");
    return;
  }
  loading.hidden = true;
  if (new URLSearchParams(window.location.search).get("view") === "summary") {
    showSummary(loaded.record, loaded.snapshot);
    return;
  }
  render(loaded.record, loaded.snapshot);
  // Below the result, never above the urgency.
  showPersistMessage();
}

window.addEventListener("hashchange", init);
init();
