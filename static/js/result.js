/**
 * Show a saved check from IndexedDB (/result/#<uuid>), in the order the product brief
 * sets: urgency and action, why this result (the signs answered and the pain score),
 * what may be contributing, matching tips, what this check cannot do, and the
 * disclaimer. Emergency and urgent results show only the action, the numbers and the
 * signs above the limits: nothing else competes with getting help. Works offline: the
 * snapshot it was answered against comes from the content-versions cache.
 */

import { PERSIST_MESSAGE_KEY, previewCheck } from "./check-session.js";
import { el } from "./dom.js";
import { formatDateTime } from "./dates.js";
import { format, gettext, gettext_noop } from "./i18n.js";
import { URGENCY_LABELS } from "./labels.js";
import {
  actionsFor,
  answerRows,
  firstSentence,
  loadCheck,
  matchedPostureBreaks,
  otherWarningAnswers,
  painScore,
  requestedUuid,
  signsAnswered,
  warningScreens,
  withPhoneLinks,
} from "./check-record.js";
import { breakControl } from "./breaks.js";
import { addToResult, courseFor, courseWords, showCourseOnResult } from "./follow-up.js";
import { loadUnsavedCheck, unsavedNotice } from "./storage-status.js";
import { activitiesSection } from "./activities.js";
import { planButton, planHint } from "./today.js";
import { BREAKS } from "./plan.js";
import { functionChange, ratingsOf } from "./function-ratings.js";
import { allChecks } from "./outbox.js";

const TIPS_SHOWN_FIRST = 5;
const container = document.getElementById("result");
const loading = document.getElementById("result-loading");
// The admin's "Preview the check" ends here: its check and unpublished snapshot come from
// this tab (check-session.js), never from the phone's saved checks or published versions.
const preview = container.dataset.preview === "true";

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

/** The action, without a first sentence that only repeats the heading above it
 * ("Urgent: get medical advice today" / "Get medical advice today. Call …"). */
function actionText(action, heading) {
  const { lead, rest } = firstSentence(action);
  const words = (text) =>
    text
      .toLocaleLowerCase()
      .replace(/[\s.,:;!?。，：；！？]+/g, " ")
      .trim();
  return rest && words(heading).endsWith(words(lead)) ? rest : action;
}

function urgencySection(outcome, snapshot) {
  const settings = snapshot.settings;
  const heading = gettext(URGENCY_LABELS[outcome.urgency] || outcome.urgency);
  const actions = actionsFor(outcome, snapshot).map((action) => actionText(action, heading));
  const urgency = section(
    "result-urgency",
    heading,
    ...actions.map((action) => el("p", { className: "action" }, withPhoneLinks(action, settings))),
  );
  urgency.classList.add(`urgency-${outcome.urgency}`);
  if (outcome.urgency === "emergency") {
    // The emergency action only: a non-emergency number beside it is a mixed message.
    urgency.append(
      el(
        "p",
        { className: "phone" },
        phoneLink(settings.emergency_number, settings.emergency_label, "button button-danger"),
      ),
    );
  } else if (outcome.urgency === "urgent") {
    urgency.append(
      el("p", { className: "phone" }, phoneLink(settings.non_emergency_number, settings.non_emergency_label)),
    );
    // Said once: the shipped action already ends "… call 999 or go to A&E".
    if (!actions.some((action) => action.includes(settings.emergency_number))) {
      urgency.append(
        el(
          "p",
          {},
          gettext("If you feel much worse:"),
          " ",
          phoneLink(settings.emergency_number, settings.emergency_number, "number"),
        ),
      );
    }
  }
  if (outcome.urgency === "emergency" || outcome.urgency === "urgent") {
    // Getting help comes first: no break prompt over this result (breaks.js).
    urgency.dataset.noBreakPrompt = "";
  }
  return urgency;
}

// What "Why this result" calls each tier's signs.
const TIER_LEADS = {
  emergency: gettext_noop("Signs that need emergency help:"),
  urgent: gettext_noop("Signs that need medical advice today:"),
  soon: gettext_noop("Signs to see a doctor about soon:"),
};

/** A ticked box in its own words ("Do any of these apply to you?" before each says
 * nothing); an answer to a question with the question. */
function signItem(sign) {
  if (sign.ticked) return el("li", {}, sign.answer);
  return el("li", {}, el("span", { className: "sign-question" }, sign.question), " ", el("strong", {}, sign.answer));
}

/** Every answer on the warning-sign screens that shaped the result, each at its own
 * tier, in the words the person picked: never "no warning signs" beside a ticked box. */
function whySection(record, snapshot) {
  const signs = signsAnswered(record, snapshot);
  const others = otherWarningAnswers(record, snapshot);
  const pain = painScore(record, snapshot);
  const parts = [];
  for (const tier of Object.keys(TIER_LEADS)) {
    const atTier = signs.filter((sign) => sign.urgency === tier);
    if (atTier.length === 0) continue;
    parts.push(
      el("p", { className: "why-tier" }, gettext(TIER_LEADS[tier])),
      el("ul", { className: "sign-list", "data-tier": tier }, atTier.map(signItem)),
    );
  }
  if (others.length) {
    parts.push(
      el("p", { className: "why-tier" }, gettext("You also told us:")),
      el("ul", { className: "sign-list", "data-tier": "none" }, others.map(signItem)),
    );
  }
  if (parts.length === 0) {
    parts.push(el("p", {}, gettext("You did not report any of the warning signs this check asks about.")));
  }
  const painLine = el(
    "p",
    { id: "result-pain" },
    pain
      ? format(gettext("Your pain score: %(value)s out of %(max)s."), { value: pain.value, max: pain.max })
      : gettext("Your pain score: not given."),
  );
  return section("result-why", gettext("Why this result"), parts, painLine);
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
  // A tip's own page shows its published text: a preview shows the edited one only here.
  return el(
    "li",
    { className: "card" },
    el("h3", {}, preview ? tip.title : el("a", { href: tipUrl(tip) }, tip.title)),
    el("p", {}, tip.body),
    planButton(tip.key),
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
    matchedPostureBreaks(record, snapshot)
      ? el(
          "section",
          { id: "result-breaks", "aria-labelledby": "result-breaks-heading" },
          el("h3", { id: "result-breaks-heading" }, gettext("Posture breaks")),
          breakControl(),
          planButton(BREAKS),
        )
      : null,
    matching.length ? planHint() : null,
  );
}

/** The summary for a clinician of one check: ?id=<uuid>&view=summary on this page
 * (/result/, or the preview's own result page). */
function summaryUrl(uuid) {
  return `${window.location.pathname}?id=${encodeURIComponent(uuid)}&view=summary`;
}

function render(record, snapshot) {
  const settings = snapshot.settings;
  const outcome = record.outcome;
  const needsHelpNow = outcome.urgency === "emergency" || outcome.urgency === "urgent";
  const parts = [
    el(
      "p",
      { className: "meta" },
      gettext("Completed:"),
      " ",
      el("time", { datetime: record.completed_at }, formatDateTime(record.completed_at)),
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
  ];
  // replaceChildren writes a null as the text "null": leave the absent sections out.
  container.replaceChildren(...parts.filter(Boolean));
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
// One check on one page: the date, the urgency and its action, the pain score, each
// warning screen with the signs it asked about (reported, not sure, "none of: …"), every
// other answer as question -> choice, all in the words of the version answered, the
// disclaimer and the question set's edition. Prints on A4 (app.css's print rules); "Share" hands the same text to the Web Share API where the browser has
// it, "Copy" puts it on the clipboard. Offline, like the result.

/** The summary as plain facts, used for both the page and the shared text. */
function facts(record, snapshot, course) {
  const pain = painScore(record, snapshot);
  return {
    date: formatDateTime(record.completed_at),
    urgency: gettext(URGENCY_LABELS[record.outcome.urgency] || record.outcome.urgency),
    action: actionsFor(record.outcome, snapshot).join(" "),
    screens: warningScreens(record, snapshot),
    // The warning screens are told in full above; the table holds every other answer.
    answers: answerRows(record, snapshot).filter((row) => !warningKeys(snapshot).has(row.key)),
    pain: pain
      ? format(gettext("%(value)s out of %(max)s"), { value: pain.value, max: pain.max })
      : gettext("not given"),
    // A preview's check was answered against no published version.
    version: record.content_version === null ? gettext("unpublished preview") : String(record.content_version),
    disclaimer: snapshot.settings.disclaimer,
    course: course ? courseWords(course) : null,
  };
}

/** Each activity's rating at this check, with its first rating on this device before it. */
function activityLines(record, checks) {
  const upToThis = checks.filter((check) => check.completed_at <= record.completed_at);
  const firsts = new Map(functionChange(upToThis).map((change) => [change.key, change.first]));
  return ratingsOf(record).map(({ key, name, rating }) => {
    const first = firsts.get(key);
    const line = format(gettext("%(name)s: %(rating)s out of 10"), { name, rating });
    if (!first || first.at === record.completed_at) return line;
    const since = format(gettext("first rated %(rating)s on %(date)s"), {
      rating: first.rating,
      date: formatDateTime(first.at),
    });
    return `${line} (${since})`;
  });
}

function warningKeys(snapshot) {
  return new Set(snapshot.questions.filter((question) => question.section === "warning").map((q) => q.key));
}

/** What one warning screen screened for, as lines: [label, text] (the label is bold). */
function screenLines(screen) {
  if (screen.answer !== null) return [[gettext("Answer:"), screen.answer]];
  const lines = [];
  if (screen.reported.length) lines.push([gettext("Reported:"), screen.reported.join("; ")]);
  if (screen.unsure.length) lines.push([gettext("Not sure:"), screen.unsure.join("; ")]);
  if (screen.rest.length) lines.push([gettext("None of:"), screen.rest.join("; ")]);
  return lines;
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
      summary.course && el("dt", {}, gettext("Since earlier checks")),
      summary.course && el("dd", { id: "summary-course" }, courseLines(summary.course).join(" ")),
      summary.activities.length ? el("dt", {}, gettext("Everyday activities (0–10)")) : null,
      summary.activities.length
        ? el(
            "dd",
            {},
            el(
              "ul",
              { id: "summary-activities" },
              summary.activities.map((line) => el("li", {}, line)),
            ),
          )
        : null,
    ),
    el("h2", {}, gettext("Warning signs screened")),
    el(
      "ul",
      { id: "summary-screens", className: "summary-screens" },
      summary.screens.map((screen) =>
        el(
          "li",
          { "data-question": screen.key },
          el("p", { className: "screen-question" }, screen.question),
          screenLines(screen).map(([label, text]) =>
            el("p", { className: "screen-line" }, el("strong", {}, label), " ", text),
          ),
        ),
      ),
    ),
    el("h2", {}, gettext("Other answers")),
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
    // The edition of the question set answered: kept for the record, small, in words.
    el(
      "p",
      { className: "hint", id: "summary-version" },
      format(gettext("BackCare question set, edition %(version)s"), { version: summary.version }),
    ),
  );
  container.hidden = false;
}

function courseLines({ advice, figures }) {
  return advice ? [advice, ...figures] : figures;
}

/** The same summary as text, for sharing or pasting into a message. */
function summaryText(summary) {
  const lines = [
    gettext("BackCare self-check summary"),
    `${gettext("Date")}: ${summary.date}`,
    `${gettext("Result")}: ${summary.urgency} — ${summary.action}`,
    `${gettext("Pain score")}: ${summary.pain}`,
    ...(summary.course ? [`${gettext("Since earlier checks")}: ${courseLines(summary.course).join(" ")}`] : []),
    ...(summary.activities.length ? [`${gettext("Everyday activities (0–10)")}:`] : []),
    ...summary.activities.map((line) => `- ${line}`),
    `${gettext("Warning signs screened")}:`,
    ...summary.screens.flatMap((screen) => [
      `- ${screen.question}`,
      ...screenLines(screen).map(([label, text]) => `  ${label} ${text}`),
    ]),
    `${gettext("Other answers")}:`,
    ...summary.answers.map((row) => `- ${row.question} → ${row.answer}`),
    summary.disclaimer,
    format(gettext("BackCare question set, edition %(version)s"), { version: summary.version }),
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

async function showSummary(record, snapshot) {
  const heading = gettext("Summary of a back pain self-check");
  document.querySelector("main h1").textContent = heading;
  document.title = `${heading} · BackCare`;
  container.hidden = true;
  const summary = facts(record, snapshot, await courseFor(record.uuid).catch(() => null));
  summary.activities = activityLines(record, await allChecks().catch(() => []));
  renderSummary(record, summary);
  wireActions(summaryText(summary));
}

async function init() {
  // Not on the phone (its storage refused it): this tab's copy, if it holds one.
  const uuid = requestedUuid();
  const loaded = preview
    ? previewCheck(uuid)
    : (await loadCheck(uuid).catch(() => null)) || (await loadUnsavedCheck(uuid));
  if (loaded === null) {
    loading.textContent = gettext("This result is not saved on this device.");
    return;
  }
  loading.hidden = true;
  if (new URLSearchParams(window.location.search).get("view") === "summary") {
    await showSummary(loaded.record, loaded.snapshot);
    return;
  }
  render(loaded.record, loaded.snapshot);
  // Right below the urgency: it stays first.
  if (loaded.unsaved) container.querySelector("#result-urgency").after(unsavedNotice(loaded.unsaved, summaryUrl(uuid)));
  // Below the result, never above the urgency.
  showPersistMessage();
  await addToResult(container, loaded.record, init).catch(() => {});
  const outcome = loaded.record.outcome;
  if (!loaded.unsaved && outcome.urgency !== "emergency" && outcome.urgency !== "urgent") {
    // Saved ratings are read by the course at once.
    const redrawCourse = () => showCourseOnResult(container, loaded.record, init).catch(() => {});
    const activities = await activitiesSection(loaded.record, redrawCourse).catch(() => null);
    if (activities) container.append(activities);
  }
}

window.addEventListener("hashchange", init);
init();
