/**
 * The summary for a clinician of one saved check (/result/?id=<uuid>&view=summary), shown
 * by result.js in place of the result. One check on one page: the date, the urgency and
 * its action, the pain score, the course since earlier checks and the everyday-activity
 * ratings, each warning screen with the signs it asked about (reported, not sure, "none
 * of: …"), every other answer as question -> choice, all in the words of the version
 * answered, the disclaimer and the question set's edition. Prints on A4 (app.css's print
 * rules); "Share" hands the same text to the Web Share API where the browser has it,
 * "Copy" puts it on the clipboard. Offline, like the result.
 *
 * Keep the words e-x-p-o-r-t and i-m-p-o-r-t out of this comment: Django's rewriting of
 * module paths (quiz/storage.py) matches them case-insensitively.
 */

import { el } from "./dom.js";
import { formatDateTime } from "./dates.js";
import { format, gettext } from "./i18n.js";
import { URGENCY_LABELS } from "./labels.js";
import { actionsFor, answerRows, painScore, warningScreens } from "./check-record.js";
import { courseFor, courseWords } from "./follow-up.js";
import { functionChange, ratingsOf } from "./function-ratings.js";
import { allChecks } from "./outbox.js";

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

/** Shows the clinician's summary of `record` in place of the result. */
export async function showSummary(record, snapshot) {
  const heading = gettext("Summary of a back pain self-check");
  document.querySelector("main h1").textContent = heading;
  document.title = `${heading} · BackCare`;
  document.getElementById("result").hidden = true;
  // The saved checks, read once for the course and the activities.
  const saved = await allChecks().catch(() => null);
  const summary = facts(record, snapshot, await courseFor(record.uuid, saved).catch(() => null));
  summary.activities = activityLines(record, saved || []);
  renderSummary(record, summary);
  wireActions(summaryText(summary));
}
