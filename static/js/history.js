/**
 * Past checks from IndexedDB: a chart of the pain score and urgency over time (each point
 * opens the check's summary; drawn by history-chart.js), the list newest first with the same values and each
 * check's sync state, downloads of the device's checks (CSV and JSON, offline) and
 * "Delete my data" behind a confirmation dialog. Refreshes itself when the outbox changes (a sync
 * in another tab or the worker).
 *
 * Keep the words e-x-p-o-r-t and i-m-p-o-r-t out of this comment: Django's rewriting of
 * module paths (quiz/storage.py) matches them case-insensitively.
 */

import { answerRows, painScore, signsAnswered, snapshotFor } from "./check-record.js";
import { el } from "./dom.js";
import { formatDateTime, formatDay, formatTime } from "./dates.js";
import { format, gettext, gettext_noop } from "./i18n.js";
import { SYNC_LABELS, URGENCY_LABELS } from "./labels.js";
import { allChecks, deleteDeviceRecord, onOutboxChange, readDeviceRecord } from "./outbox.js";
import { ACTIVITIES_RECORD, functionChange, ratingsOf } from "./function-ratings.js";
import { PLAN_RECORD } from "./plan.js";
import { deleteMyData } from "./sync.js";
import { courseRecords, forgetCourse, showCourseIn } from "./follow-up.js";
import { showStatus } from "./sync-page.js";
import { showStorageUse } from "./storage-status.js";
import { drawChart } from "./history-chart.js";

// -- the list and the table ---------------------------------------------------------

const list = document.getElementById("history-list");
const empty = document.getElementById("history-empty");
const change = document.getElementById("history-change");

function summaryUrl(uuid) {
  return `/result/?id=${encodeURIComponent(uuid)}&view=summary`;
}

function urgencyLabel(urgency) {
  return gettext(URGENCY_LABELS[urgency] || urgency);
}

function painText(pain) {
  return pain
    ? format(gettext("Pain score: %(value)s out of %(max)s"), { value: pain.value, max: pain.max })
    : gettext("Pain score: not given");
}

function item({ record, pain }) {
  const state = record.sync ? record.sync.state : "pending";
  return el(
    "li",
    { className: "card history-item", "data-uuid": record.uuid },
    el(
      "h2",
      {},
      el(
        "a",
        { href: `/result/#${record.uuid}` },
        el("time", { datetime: record.completed_at }, formatDateTime(record.completed_at)),
      ),
    ),
    el("p", { className: "urgency" }, urgencyLabel(record.outcome.urgency)),
    el("p", { className: "pain" }, painText(pain)),
    ratingsOf(record).map(({ key, name, rating }) =>
      el(
        "p",
        { className: "activity", "data-activity": key },
        format(gettext("%(name)s: %(rating)s out of 10"), { name, rating }),
      ),
    ),
    el(
      "p",
      { className: `sync-state sync-${state}` },
      gettext(SYNC_LABELS[state] || state),
      record.sync && record.sync.message ? ` — ${record.sync.message}` : "",
    ),
  );
}

/** Each check with its pain score and the content version it was answered against. */
async function withPainScores(checks) {
  const snapshots = new Map();
  const rows = [];
  for (const record of checks) {
    if (!snapshots.has(record.content_version)) {
      snapshots.set(record.content_version, await snapshotFor(record.content_version).catch(() => null));
    }
    const snapshot = snapshots.get(record.content_version);
    rows.push({ record, snapshot, pain: snapshot ? painScore(record, snapshot) : null });
  }
  return rows;
}

function showChange(rows) {
  change.hidden = rows.length === 0;
  const oldestFirst = [...rows].reverse();
  const points = oldestFirst.map(({ record, pain }) => ({
    uuid: record.uuid,
    day: formatDay(record.completed_at),
    time: formatTime(record.completed_at),
    pain: pain ? pain.value : null,
    max: pain ? pain.max : null,
    urgency: record.outcome.urgency,
  }));
  document.getElementById("history-chart").replaceChildren(
    drawChart(points, {
      noScoreLabel: gettext("no score"),
      onOpen: (uuid) => window.location.assign(summaryUrl(uuid)),
    }),
  );
}

/** What the back makes hard, beside the pain: one chart per activity, its 0–10 ratings
 * at each check (a check that did not rate it sits on the "not rated" lane). */
function showFunction(rows) {
  const oldestFirst = [...rows].reverse();
  const activities = functionChange(oldestFirst.map(({ record }) => record));
  document.getElementById("history-function").hidden = activities.length === 0;
  document.getElementById("history-function-charts").replaceChildren(
    ...activities.map(({ key, name }) => {
      const points = oldestFirst.map(({ record }) => {
        const rated = ratingsOf(record).find((entry) => entry.key === key);
        return {
          uuid: record.uuid,
          day: formatDay(record.completed_at),
          time: formatTime(record.completed_at),
          pain: rated ? rated.rating : null,
          max: 10,
          urgency: record.outcome.urgency,
        };
      });
      const chart = drawChart(points, {
        noScoreLabel: gettext("not rated"),
        onOpen: (uuid) => window.location.assign(summaryUrl(uuid)),
      });
      return el("figure", { className: "function-chart", "data-activity": key }, el("figcaption", {}, name), chart);
    }),
  );
}

let latestRows = [];

async function refresh() {
  const checks = await allChecks();
  latestRows = await withPainScores(checks);
  list.replaceChildren(...latestRows.map(item));
  empty.hidden = checks.length > 0;
  empty.classList.remove("until-loaded");
  showChange(latestRows);
  showFunction(latestRows);
  await showCourseIn(document.getElementById("history-course")).catch(() => {});
  await showStorageUse();
}

// -- export --------------------------------------------------------------------------

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

function setUpExport() {
  document.getElementById("export-csv").addEventListener("click", () => {
    download("backcare-checks.csv", "text/csv", checksCsv(latestRows));
  });
  document.getElementById("export-json").addEventListener("click", async () => {
    // The checks as saved, and what the phone keeps between them: the follow-up, the
    // episode, the everyday activities and the plan.
    const device = {
      ...(await courseRecords().catch(() => ({}))),
      activities: await readDeviceRecord(ACTIVITIES_RECORD).catch(() => null),
      plan: await readDeviceRecord(PLAN_RECORD).catch(() => null),
    };
    const data = { checks: latestRows.map(({ record }) => record), device };
    download("backcare-checks.json", "application/json", `${JSON.stringify(data, null, 2)}\n`);
  });
}

// -- sync now and delete -------------------------------------------------------------

function setUpSyncNow() {
  const status = document.getElementById("sync-now-status");
  let asked = false;
  document.getElementById("sync-now").addEventListener("click", () => {
    asked = true;
    status.textContent = navigator.onLine ? gettext("Syncing…") : offlineText();
  });
  document.addEventListener("backcare:sync", (event) => {
    if (!asked) return;
    asked = false;
    const result = event.detail || {};
    if (result.status === "retry" && result.network) status.textContent = offlineText();
    else if (result.status === "retry" || result.status === "waiting")
      status.textContent = gettext("The server cannot take your checks right now. BackCare will try again by itself.");
    // With nothing waiting, a sync finishes without the network: offline, say so still.
    else if (!navigator.onLine) status.textContent = offlineText();
    else status.textContent = gettext("Sync finished.");
  });
}

function offlineText() {
  return gettext("You are offline: your checks stay on this device and are sent when the connection is back.");
}

function setUpDelete() {
  const dialog = document.getElementById("delete-dialog");
  const status = document.getElementById("delete-my-data-status");
  document.getElementById("delete-my-data").addEventListener("click", () => {
    status.textContent = "";
    dialog.showModal();
  });
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "delete") return;
    dialog.returnValue = "";
    status.textContent = gettext("Deleting…");
    const erased = await deleteMyData();
    // What never left the phone goes with the checks.
    if (erased) {
      await forgetCourse().catch(() => {});
      await Promise.all([ACTIVITIES_RECORD, PLAN_RECORD].map((id) => deleteDeviceRecord(id).catch(() => {})));
    }
    status.textContent = erased
      ? gettext("Your data has been deleted from this device and from the server.")
      : gettext(
          "Your data could not be deleted now: the server cannot be reached. Nothing was deleted; try again when you are online.",
        );
    await showStatus().catch(() => {});
    await refresh();
  });
}

onOutboxChange(refresh);
setUpExport();
setUpSyncNow();
setUpDelete();
refresh();
