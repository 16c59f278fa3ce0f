/**
 * The emergency screen of the check: shown at once when an answer is an emergency sign,
 * before anything is saved. The emergency action only (no non-emergency line beside it),
 * the number to call, and "Tell them:" the signs the person ticked, in their words. The
 * link to the saved result appears once the check is kept (quiz.js).
 */

import { withPhoneLinks } from "./check-record.js";
import { el } from "./dom.js";
import { gettext } from "./i18n.js";

/** The emergency action only (no non-emergency line beside it), and "Tell them:" the
 * signs the person ticked, in their words. */
export function showEmergency(snapshot, answers, resultHref) {
  const settings = snapshot.settings;
  const ticked = emergencySigns(snapshot, answers);
  const questionSection = document.getElementById("check-question");
  const emergencySection = document.getElementById("check-emergency");
  questionSection.replaceChildren();
  questionSection.hidden = true;
  document.getElementById("check-start").hidden = true;
  emergencySection.hidden = false;
  emergencySection.replaceChildren(
    el("h1", { id: "emergency-heading", tabindex: "-1" }, gettext("Get emergency help now")),
    el("p", { className: "action" }, withPhoneLinks(settings.actions.emergency, settings)),
    el(
      "p",
      { className: "phone" },
      el(
        "a",
        { className: "button button-danger", href: `tel:${settings.emergency_number}` },
        settings.emergency_label,
      ),
    ),
    el(
      "p",
      {},
      gettext("Emergency number:"),
      " ",
      el("a", { className: "number", href: `tel:${settings.emergency_number}` }, settings.emergency_number),
    ),
    el(
      "div",
      { id: "emergency-tell", hidden: ticked.length === 0 },
      el("p", { className: "why-tier" }, gettext("Tell them:")),
      el(
        "ul",
        { id: "emergency-signs" },
        ticked.map((text) => el("li", {}, text)),
      ),
    ),
    el("p", { className: "disclaimer" }, settings.disclaimer),
    el(
      "p",
      { id: "emergency-result-link", hidden: true },
      el("a", { href: resultHref }, gettext("See your saved result")),
    ),
  );
  document.getElementById("emergency-heading").focus();
}

/** The emergency signs among `answers`, as the choices' own words. */
function emergencySigns(snapshot, answers) {
  const signs = [];
  for (const question of snapshot.questions) {
    const value = answers[question.key];
    if (value === undefined) continue;
    for (const key of Array.isArray(value) ? value : [value]) {
      const choice = question.choices.find((c) => c.key === key);
      if (choice && choice.urgency === "emergency") signs.push(choice.text);
    }
  }
  return signs;
}
