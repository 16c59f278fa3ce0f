/**
 * Show a saved check from IndexedDB (/result/#<uuid>), in the order the product brief
 * sets: urgency and action, why this result (the signs answered and the pain score),
 * what may be contributing, matching tips, what this check cannot do, and the
 * disclaimer. Emergency and urgent results show only the action, the numbers and the
 * signs above the limits: nothing else competes with getting help. Works offline: the
 * snapshot it was answered against comes from the content-versions cache. With
 * ?view=summary it shows the summary for a clinician instead (summary.js).
 */

import { PERSIST_MESSAGE_KEY, previewCheck } from "./check-session.js";
import { el } from "./dom.js";
import { formatDateTime } from "./dates.js";
import { format, gettext, gettext_noop } from "./i18n.js";
import { URGENCY_LABELS } from "./labels.js";
import {
  actionsFor,
  firstSentence,
  loadCheck,
  matchedPostureBreaks,
  otherWarningAnswers,
  painScore,
  requestedUuid,
  signsAnswered,
  withPhoneLinks,
} from "./check-record.js";
import { breakControl } from "./breaks.js";
import { addToResult, showCourseOnResult } from "./follow-up.js";
import { allChecks } from "./outbox.js";
import { loadUnsavedCheck, unsavedNotice } from "./storage-status.js";
import { activitiesSection } from "./activities.js";
import { planButton, planHint } from "./today.js";
import { BREAKS } from "./plan.js";
import { showSummary } from "./summary.js";

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
  // The saved checks, read once for the course, "Check again" and the activities.
  const saved = await allChecks().catch(() => null);
  await addToResult(container, loaded.record, init, saved).catch(() => {});
  const outcome = loaded.record.outcome;
  if (!loaded.unsaved && outcome.urgency !== "emergency" && outcome.urgency !== "urgent") {
    // Saved ratings are read by the course at once.
    const redrawCourse = () => showCourseOnResult(container, loaded.record, init).catch(() => {});
    const activities = await activitiesSection(loaded.record, redrawCourse, saved).catch(() => null);
    // With the follow-up, before what the check cannot do and the disclaimer that close the page.
    if (activities) container.querySelector("#result-limits").before(activities);
  }
}

window.addEventListener("hashchange", init);
init();
