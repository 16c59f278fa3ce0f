/**
 * The history's downloads of the device's checks, offline: a CSV for a person and for
 * someone who treats them, and a JSON file of the records exactly as saved (with what the
 * phone keeps between checks). The rows are every check the history last read, also
 * those its list has not drawn yet.
 *
 * Keep the words e-x-p-o-r-t and i-m-p-o-r-t out of this comment: Django's rewriting of
 * module paths (quiz/storage.py) matches them case-insensitively.
 */

import { answerRows, signsAnswered } from "./check-record.js";
import { el } from "./dom.js";
import { formatDateTime } from "./dates.js";
import { gettext, gettext_noop } from "./i18n.js";
import { SYNC_LABELS } from "./labels.js";
import { followThroughRecords } from "./outbox.js";
import { shownRows, urgencyLabel } from "./history-list.js";

// For a person, and for someone who treats them: words and local times first, in the
// page's language; the keys a program needs last, each in its own column. (The JSON
// download holds the records exactly as saved.)
const CSV_COLUMNS = [
  ["date", gettext_noop("Date")],
  ["result", gettext_noop("Result")],
  ["pain", gettext_noop("Pain score")],
  ["signs", gettext_noop("Warning signs reported")],
  ["causes", gettext_noop("What may be contributing")],
  ["tips", gettext_noop("Tips that fit")],
  ["answers", gettext_noop("Answers")],
  ["sync", gettext_noop("Sync state")],
];
const CSV_KEY_COLUMNS = ["uuid", "completed_at_utc", "content_version", "urgency"];

function csvCell(value) {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One check as the CSV's readable cells, in the words of the version it was answered against. */
function readableCells({ record, pain, snapshot }) {
  const state = record.sync ? record.sync.state : "pending";
  const words = snapshot
    ? {
        signs: signsAnswered(record, snapshot).map((sign) => `${sign.question} → ${sign.answer}`),
        causes: namesOf(
          snapshot.cause_groups,
          record.outcome.causes.map((cause) => cause.key),
          "name",
        ),
        tips: namesOf(snapshot.tips, record.outcome.tips || [], "title"),
        answers: answerRows(record, snapshot).map((row) => `${row.question} → ${row.answer}`),
      }
    : { signs: [], causes: [], tips: [], answers: [] };
  return {
    date: formatDateTime(record.completed_at),
    result: urgencyLabel(record.outcome.urgency),
    pain: pain ? pain.value : "",
    signs: words.signs.join("\n"),
    causes: words.causes.join("\n"),
    tips: words.tips.join("\n"),
    answers: words.answers.join("\n"),
    sync: gettext(SYNC_LABELS[state] || state),
  };
}

function namesOf(items, keys, field) {
  const byKey = new Map(items.map((item) => [item.key, item[field]]));
  return keys.map((key) => byKey.get(key) || key);
}

/** One row per check, newest first; a list is one cell, an item a line. */
function checksCsv(rows) {
  const header = [...CSV_COLUMNS.map(([, label]) => gettext(label)), ...CSV_KEY_COLUMNS];
  const lines = [header.map(csvCell).join(",")];
  for (const row of rows) {
    const cells = readableCells(row);
    const { record } = row;
    const values = [
      ...CSV_COLUMNS.map(([key]) => cells[key]),
      record.uuid,
      record.completed_at,
      record.content_version,
      record.outcome.urgency,
    ];
    lines.push(values.map(csvCell).join(","));
  }
  // A byte-order mark, so a spreadsheet reads the Chinese and the dashes as UTF-8.
  return `\ufeff${lines.join("\r\n")}\r\n`;
}

function download(filename, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = el("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function setUpDownloads() {
  document.getElementById("export-csv").addEventListener("click", () => {
    download("backcare-checks.csv", "text/csv", checksCsv(shownRows()));
  });
  document.getElementById("export-json").addEventListener("click", async () => {
    // The checks as saved, and what the phone keeps between them: the follow-through
    // records by id (the follow-up, the episode, the everyday activities and the plan).
    const device = await followThroughRecords().catch(() => ({}));
    const data = { checks: shownRows().map(({ record }) => record), device };
    download("backcare-checks.json", "application/json", `${JSON.stringify(data, null, 2)}\n`);
  });
}
