/**
 * My plan: up to three tips a person chose from a result (or the break timer, BREAKS),
 * each ticked per day in the phone's local time. Stored (today.js) as the device record
 * PLAN_RECORD of outbox.js: {items: [tip key | BREAKS], ticks: {"2027-03-28": [item, …]}}.
 * Pure: no DOM, no storage (node --test runs it).
 */

export const MAX_PLAN_ITEMS = 3;
export const BREAKS = "posture-break-timer";
export const DAYS_SHOWN = 7;

export function emptyPlan() {
  return { items: [], ticks: {} };
}

/** A stored plan (or null) in its full shape. */
export function normalPlan(stored) {
  return {
    items: Array.isArray(stored?.items) ? stored.items.slice(0, MAX_PLAN_ITEMS) : [],
    ticks: stored?.ticks && typeof stored.ticks === "object" ? stored.ticks : {},
  };
}

/** The calendar day of `date` on the phone's own clock: "2027-03-28". */
export function localDay(date) {
  const pad = (number) => String(number).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Today and the days before it, newest first, as local days. Calendar steps, not
 * 24-hour ones: a day of 23 or 25 hours (a clock change) is still one day. */
export function recentDays(now, count = DAYS_SHOWN) {
  return Array.from({ length: count }, (_, back) =>
    localDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() - back, 12)),
  );
}

export function withItem(plan, item) {
  if (plan.items.includes(item) || plan.items.length >= MAX_PLAN_ITEMS) return plan;
  return { ...plan, items: [...plan.items, item] };
}

/** Without `item`; its past ticks stay, as a record of what was done. */
export function withoutItem(plan, item) {
  return { ...plan, items: plan.items.filter((other) => other !== item) };
}

export function isTicked(plan, item, day) {
  return (plan.ticks[day] || []).includes(item);
}

export function withTick(plan, item, day, ticked) {
  const rest = (plan.ticks[day] || []).filter((other) => other !== item);
  return { ...plan, ticks: { ...plan.ticks, [day]: ticked ? [...rest, item] : rest } };
}
