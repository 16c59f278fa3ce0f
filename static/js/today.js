/**
 * My plan on the page: "Add to my plan" on a result's tips and its break timer, and the
 * "Today" view on home with a tick for today and the last seven days, each under its
 * weekday in the phone's local time, "Remove" and "Clear my plan". Taking a break ticks
 * the break timer's item. From 18:00 an item not ticked yet is a reminder on home, and a
 * notification when allowed and BackCare is in the background; there is no push
 * service, so only while BackCare is open.
 */

import { el } from "./dom.js";
import { formatWeekday, formatWeekdayAndDay } from "./dates.js";
import { format, gettext } from "./i18n.js";
import { fetchContent } from "./content.js";
import { breaksTakenToday } from "./breaks.js";
import { PLAN_RECORD, readDeviceRecord, writeDeviceRecord } from "./outbox.js";
import {
  BREAKS,
  MAX_PLAN_ITEMS,
  isTicked,
  localDay,
  normalPlan,
  recentDays,
  withItem,
  withoutItem,
  withTick,
} from "./plan.js";

const REMINDER_HOUR = 18;
const MINUTE_MS = 60 * 1000;

export async function loadPlan() {
  return normalPlan(await readDeviceRecord(PLAN_RECORD));
}

async function savePlan(plan) {
  await writeDeviceRecord(PLAN_RECORD, plan);
  window.dispatchEvent(new CustomEvent("backcare:plan-changed"));
}

// -- "Add to my plan" on a result ----------------------------------------------------

// What shows the plan on this page, shown again whenever it changes.
const views = new Set();

function follow(show) {
  views.add(show);
  loadPlan().then(show, () => {});
}

function showButton(button, plan) {
  const chosen = plan.items.includes(button.dataset.item);
  button.textContent = chosen ? gettext("In my plan ✓") : gettext("Add to my plan");
  button.setAttribute("aria-pressed", String(chosen));
  button.disabled = !chosen && plan.items.length >= MAX_PLAN_ITEMS;
}

/** A button that adds `item` (a tip key or BREAKS) to the plan, or takes it out again. */
export function planButton(item) {
  const button = el("button", { type: "button", className: "button plan-toggle", "data-item": item });
  button.addEventListener("click", async () => {
    const plan = await loadPlan();
    await savePlan(plan.items.includes(item) ? withoutItem(plan, item) : withItem(plan, item));
  });
  follow((plan) => showButton(button, plan));
  return button;
}

/** Under the tips: how many of three, and where the plan is. */
export function planHint() {
  const hint = el("p", { className: "hint", id: "plan-hint" });
  const show = (plan) => {
    hint.replaceChildren(
      format(gettext("Your plan: %(count)s of %(max)s."), { count: plan.items.length, max: MAX_PLAN_ITEMS }),
      " ",
      el("a", { href: "/#today" }, gettext("Tick them each day on the home page.")),
    );
  };
  follow(show);
  return hint;
}

window.addEventListener("backcare:plan-changed", async () => {
  const plan = await loadPlan();
  for (const show of views) show(plan);
});

// -- "Today" on home -----------------------------------------------------------------

function titleOf(item, tips) {
  if (item === BREAKS) return gettext("Posture breaks");
  const tip = tips.get(item);
  return tip ? tip.title : item;
}

function tipLink(item, tips) {
  const tip = tips.get(item);
  if (item === BREAKS) return el("a", { href: "/tips/posture_breaks/" }, titleOf(item, tips));
  return tip ? el("a", { href: `/tips/${tip.category}/${tip.key}/` }, tip.title) : item;
}

/** A day read at noon, so no clock change moves it. */
const noon = (day) => `${day}T12:00:00`;

/** One day of the week strip: a tick or a dot, its weekday under it ("Today" for today). */
function weekDay(plan, item, day, isToday) {
  const done = isTicked(plan, item, day);
  const words = format(done ? gettext("%(day)s: done") : gettext("%(day)s: not ticked"), {
    day: isToday ? gettext("Today") : formatWeekdayAndDay(noon(day)),
  });
  return el(
    "li",
    {
      className: ["day", done && "done", isToday && "today"].filter(Boolean).join(" "),
      "data-day": day,
      "aria-current": isToday && "date",
      title: words,
    },
    el("span", { className: "visually-hidden" }, words),
    el("span", { className: "day-box", "aria-hidden": "true" }, done ? "✓" : "·"),
    el("span", { className: "day-name", "aria-hidden": "true" }, isToday ? gettext("Today") : formatWeekday(noon(day))),
  );
}

function planItem(plan, item, tips, days, change) {
  const [today] = days;
  const box = el("input", { type: "checkbox", "data-item": item });
  box.checked = isTicked(plan, item, today);
  box.addEventListener("change", () => change((current) => withTick(current, item, today, box.checked)));
  // Oldest first, today last.
  const week = [...days].reverse().map((day) => weekDay(plan, item, day, day === today));
  return el(
    "li",
    { className: "card today-item", "data-item": item },
    el("h3", {}, tipLink(item, tips)),
    el("label", { className: "today-tick" }, box, " ", gettext("Done today")),
    el("p", { className: "hint" }, gettext("The last seven days:")),
    el("ol", { className: "week" }, week),
    el("button", { type: "button", className: "button plan-remove", "data-item": item }, gettext("Remove")),
  );
}

/** The break timer's item is done today once a break was taken today. */
function withBreaksTaken(plan, today) {
  if (!plan.items.includes(BREAKS) || isTicked(plan, BREAKS, today) || breaksTakenToday() === 0) return null;
  return withTick(plan, BREAKS, today, true);
}

/** From REMINDER_HOUR, once a day, the items not ticked yet. */
function remind(plan, now, status) {
  const today = localDay(now);
  const open = plan.items.filter((item) => !isTicked(plan, item, today));
  status.textContent =
    open.length && now.getHours() >= REMINDER_HOUR
      ? format(gettext("Not ticked yet today: %(count)s."), { count: open.length })
      : "";
  if (!status.textContent || plan.reminded === today) return null;
  if ("Notification" in window && Notification.permission === "granted" && document.visibilityState !== "visible") {
    navigator.serviceWorker?.ready
      .then((registration) => registration.showNotification("BackCare", { body: status.textContent, tag: PLAN_RECORD }))
      .catch(() => {});
    return { ...plan, reminded: today };
  }
  return null;
}

export async function showToday() {
  const section = document.getElementById("today");
  const list = document.getElementById("today-list");
  const status = document.getElementById("today-status");
  const tips = new Map(((await fetchContent().catch(() => null))?.tips || []).map((tip) => [tip.key, tip]));
  const change = async (how) => {
    await savePlan(how(await loadPlan()));
  };
  const render = async () => {
    let plan = await loadPlan();
    const now = new Date();
    const days = recentDays(now);
    const updated = withBreaksTaken(plan, days[0]) || remind(plan, now, status);
    if (updated) {
      plan = updated;
      await writeDeviceRecord(PLAN_RECORD, plan);
    }
    section.hidden = plan.items.length === 0;
    list.replaceChildren(...plan.items.map((item) => planItem(plan, item, tips, days, change)));
    for (const button of list.querySelectorAll(".plan-remove")) {
      button.addEventListener("click", () => change((current) => withoutItem(current, button.dataset.item)));
    }
  };
  document.getElementById("plan-clear").addEventListener("click", () => change(() => normalPlan(null)));
  window.addEventListener("backcare:plan-changed", render);
  window.addEventListener("backcare:breaks-changed", render);
  // A new day (midnight while open) and the evening reminder.
  setInterval(render, MINUTE_MS);
  await render();
}
