/**
 * The history's list of past checks from IndexedDB, newest first with each check's sync
 * state, and above it the pain chart and one chart per everyday activity (drawn by
 * history-chart.js; each point opens the check's summary), the course and the storage
 * figure.
 *
 * Keep the words e-x-p-o-r-t and i-m-p-o-r-t out of this comment: Django's rewriting of
 * module paths (quiz/storage.py) matches them case-insensitively.
 */

import { painScore, snapshotFor } from "./check-record.js";
import { el } from "./dom.js";
import { formatDateTime, formatDay, formatTime } from "./dates.js";
import { format, gettext } from "./i18n.js";
import { SYNC_LABELS, URGENCY_LABELS } from "./labels.js";
import { allChecks } from "./outbox.js";
import { functionChange, ratingsOf } from "./function-ratings.js";
import { showCourseIn } from "./follow-up.js";
import { showStorageUse } from "./storage-status.js";
import { drawChart } from "./history-chart.js";

const list = document.getElementById("history-list");
const empty = document.getElementById("history-empty");
const change = document.getElementById("history-change");

function summaryUrl(uuid) {
  return `/result/?id=${encodeURIComponent(uuid)}&view=summary`;
}

export function urgencyLabel(urgency) {
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

/** The checks last drawn, newest first, each with its pain score and snapshot. */
export function shownRows() {
  return latestRows;
}

/** Redraws the list, the charts, the course and the storage figure from IndexedDB. */
export async function refresh() {
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
