/**
 * Show a saved check from IndexedDB (/result/#<uuid>), in the order the product brief
 * sets: urgency and action, what may be contributing, matching tips, what this check
 * cannot do, and the disclaimer. Works offline: the snapshot it was answered against
 * comes from the content-versions cache.
 */

import { getCheck } from "./outbox.js";
import { PERSIST_MESSAGE_KEY } from "./check-session.js";
import { fetchContent, fetchContentVersion } from "./content.js";
import { el } from "./dom.js";
import { gettext } from "./i18n.js";
import { URGENCY_LABELS } from "./labels.js";

const container = document.getElementById("result");
const loading = document.getElementById("result-loading");

function requestedUuid() {
  const fromHash = window.location.hash.replace(/^#/, "");
  return fromHash || new URLSearchParams(window.location.search).get("id") || "";
}

async function snapshotFor(version) {
  try {
    return await fetchContentVersion(version);
  } catch {
    // Offline with an unknown version: the current bundle still has the wording if the
    // version matches; otherwise keys are shown (the outcome itself is saved).
    const current = await fetchContent();
    return current;
  }
}

function section(id, heading, ...children) {
  return el("section", { id, "aria-labelledby": `${id}-heading` }, el("h2", { id: `${id}-heading` }, heading), ...children);
}

function tipUrl(tip) {
  return `/tips/${encodeURIComponent(tip.category)}/${encodeURIComponent(tip.key)}/`;
}

function render(record, snapshot) {
  const settings = snapshot.settings;
  const outcome = record.outcome;
  const groups = new Map(snapshot.cause_groups.map((group) => [group.key, group]));
  const tips = new Map(snapshot.tips.map((tip) => [tip.key, tip]));
  const completed = new Date(record.completed_at);

  const urgency = section(
    "result-urgency",
    gettext(URGENCY_LABELS[outcome.urgency]),
    el("p", { className: "action" }, settings.actions[outcome.urgency]),
  );
  urgency.classList.add(`urgency-${outcome.urgency}`);
  if (outcome.urgency === "emergency") {
    urgency.append(
      el("p", { className: "phone" }, el("a", { className: "button button-danger", href: `tel:${settings.emergency_number}` }, settings.emergency_label)),
    );
  } else if (outcome.urgency === "urgent") {
    urgency.append(
      el("p", { className: "phone" }, el("a", { className: "button", href: `tel:${settings.non_emergency_number}` }, settings.non_emergency_label)),
    );
  }

  const causes = outcome.causes
    .map((cause) => groups.get(cause.key))
    .filter(Boolean)
    .map((group) => el("li", {}, el("h3", {}, group.name), el("p", {}, group.explanation)));
  const contributing = section(
    "result-causes",
    gettext("What your back pain can be linked to"),
    causes.length
      ? el("ul", { className: "plain-list" }, causes)
      : el("p", {}, gettext("Your answers did not point to any of the habits this check asks about.")),
  );

  const tipItems = outcome.tips
    .map((key) => tips.get(key))
    .filter(Boolean)
    .map((tip) => el("li", { className: "card" }, el("h3", {}, el("a", { href: tipUrl(tip) }, tip.title)), el("p", {}, tip.body)));
  const tipsSection = section(
    "result-tips",
    gettext("Tips that fit your answers"),
    tipItems.length ? el("ul", { className: "card-list" }, tipItems) : el("p", {}, el("a", { href: "/tips/" }, gettext("Browse all tips"))),
  );

  container.replaceChildren(
    el("p", { className: "meta" }, gettext("Completed:"), " ", el("time", { datetime: record.completed_at }, completed.toLocaleString())),
    urgency,
    contributing,
    tipsSection,
    section("result-limits", gettext("What this check cannot do"), el("p", {}, settings.limits)),
    el("p", { className: "disclaimer", id: "result-disclaimer" }, settings.disclaimer),
  );
  container.hidden = false;
  loading.hidden = true;
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
  showPersistMessage();
  const uuid = requestedUuid();
  const record = uuid ? await getCheck(uuid) : null;
  if (record === null) {
    loading.textContent = gettext("This result is not saved on this device.");
    return;
  }
  render(record, await snapshotFor(record.content_version));
}

window.addEventListener("hashchange", init);
init();
