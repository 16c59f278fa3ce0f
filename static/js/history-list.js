/**
 * The history's list of past checks from IndexedDB, newest first with each check's sync
 * state (the newest fifty, then fifty more at each "Show older checks"), and above it
 * the pain chart and one chart per everyday activity (drawn by history-chart.js; each
 * point opens the check's summary), the course and the storage figure.
 *
 * Keep the words e-x-p-o-r-t and i-m-p-o-r-t out of this comment: Django's rewriting of
 * module paths (quiz/storage.py) matches them case-insensitively.
 */

import { painScore, snapshotFor } from "./check-record.js";
import { el } from "./dom.js";
import { formatDateTime } from "./dates.js";
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
const more = document.getElementById("history-more-line");

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

function item({ record, pain, ratings }) {
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
    ratings.map(({ key, name, rating }) =>
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

/** Each check with its pain score, its activity ratings and the content version it was
 * answered against. */
async function withPainScores(checks) {
  const snapshots = new Map();
  const rows = [];
  for (const record of checks) {
    if (!snapshots.has(record.content_version)) {
      snapshots.set(record.content_version, await snapshotFor(record.content_version).catch(() => null));
    }
    const snapshot = snapshots.get(record.content_version);
    rows.push({ record, snapshot, pain: snapshot ? painScore(record, snapshot) : null, ratings: ratingsOf(record) });
  }
  return rows;
}

function openSummary(uuid) {
  window.location.assign(summaryUrl(uuid));
}

function showChange(oldestFirst) {
  change.hidden = oldestFirst.length === 0;
  const points = oldestFirst.map(({ record, pain }) => ({
    uuid: record.uuid,
    at: record.completed_at,
    pain: pain ? pain.value : null,
    max: pain ? pain.max : null,
    urgency: record.outcome.urgency,
  }));
  document
    .getElementById("history-chart")
    .replaceChildren(drawChart(points, { noScoreLabel: gettext("no score"), onOpen: openSummary }));
}

/** What the back makes hard, beside the pain: one chart per activity, its 0–10 ratings
 * at each check (a check that did not rate it sits on the "not rated" lane). */
function showFunction(oldestFirst) {
  const activities = functionChange(oldestFirst.map(({ record }) => record));
  document.getElementById("history-function").hidden = activities.length === 0;
  // Each check's ratings by activity, read once for every chart.
  const rated =
    activities.length === 0
      ? []
      : oldestFirst.map(({ ratings }) => new Map(ratings.map((entry) => [entry.key, entry.rating])));
  document.getElementById("history-function-charts").replaceChildren(
    ...activities.map(({ key, name }) => {
      const points = oldestFirst.map(({ record }, index) => ({
        uuid: record.uuid,
        at: record.completed_at,
        pain: rated[index].has(key) ? rated[index].get(key) : null,
        max: 10,
        urgency: record.outcome.urgency,
      }));
      const chart = drawChart(points, { noScoreLabel: gettext("not rated"), onOpen: openSummary });
      return el("figure", { className: "function-chart", "data-activity": key }, el("figcaption", {}, name), chart);
    }),
  );
}

// The list draws the newest checks first and the older ones a page at a time on "Show
// older checks": a thousand cards at once cost the history its first paint. The charts,
// the course and the downloads still read every check.
const LIST_PAGE = 50;
let listed = LIST_PAGE;

function showList(rows) {
  list.replaceChildren(...rows.slice(0, listed).map(item));
  more.hidden = rows.length <= listed;
}

function showMore(count = LIST_PAGE) {
  const from = listed;
  listed += count;
  list.append(...latestRows.slice(from, listed).map(item));
  more.hidden = latestRows.length <= listed;
}

// A printed history is for someone who treats the person: it holds every check, not only
// those listed so far (the "Show older checks" button is not printed).
function listEveryCheck() {
  if (latestRows.length > listed) showMore(latestRows.length - listed);
}

let latestRows = [];

/** Every check last read, newest first, each with its pain score and snapshot (the
 * charts and the downloads hold them all; the list draws the newest `listed`). */
export function shownRows() {
  return latestRows;
}

document.getElementById("history-more").addEventListener("click", () => showMore());
window.addEventListener("beforeprint", listEveryCheck);

/** Redraws the list, the charts, the course and the storage figure from IndexedDB. */
export async function refresh() {
  const checks = await allChecks();
  latestRows = await withPainScores(checks);
  showList(latestRows);
  empty.hidden = checks.length > 0;
  empty.classList.remove("until-loaded");
  const oldestFirst = [...latestRows].reverse();
  showChange(oldestFirst);
  showFunction(oldestFirst);
  // The checks just read: the course reads no other copy of them.
  await showCourseIn(document.getElementById("history-course"), checks).catch(() => {});
  await showStorageUse();
}
