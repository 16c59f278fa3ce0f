/**
 * The history's chart: one point per check, the pain score over time coloured by urgency,
 * an inline SVG drawn here (no chart library). Each point opens the check's summary.
 * Nothing here reads storage: history-list.js hands it the points.
 */

import { formatDay, formatTime } from "./dates.js";

// A picture for sighted people; the list below it holds the same data for everyone, so
// the picture is hidden from screen readers.

const SVG = "http://www.w3.org/2000/svg";
// About a phone's width, so the labels print at their own size there.
const WIDTH = 360;
const HEIGHT = 230;
const LEFT = 64;
const RIGHT = 24;
const TOP = 12;
const PLOT_BOTTOM = 170;
// Checks without a pain score (skipped, or stopped at an emergency) sit on their own lane,
// drawn only when there is one: otherwise the dates sit right under the plot.
const NO_SCORE_LANE = 196;
const DATE_LINE = 222;
const DATE_LINE_WITHOUT_LANE = 196;

function svg(tag, attributes = {}, text = null) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== null) element.textContent = text;
  return element;
}

function xFor(index, count) {
  if (count === 1) return (LEFT + WIDTH - RIGHT) / 2;
  return LEFT + ((WIDTH - LEFT - RIGHT) * index) / (count - 1);
}

function yFor(pain, max) {
  return PLOT_BOTTOM - ((PLOT_BOTTOM - TOP) * pain) / max;
}

/**
 * The label under each labelled point: its day, or its time when the label before it
 * already names that day (three checks on 6 Dec read "6 Dec", "14:05", "19:42").
 */
function axisLabels(points, labelled) {
  let lastDay = null;
  return labelled.map((index) => {
    const day = formatDay(points[index].at);
    const text = day === lastDay ? formatTime(points[index].at) : day;
    lastDay = day;
    return text;
  });
}

/**
 * points: [{uuid, at (ISO time), pain (number|null), max, urgency}], oldest first; only
 * the few labelled on the axis have their dates formatted. onOpen(uuid) runs when a
 * point is clicked (one listener for the chart, however many points). Returns the <svg>.
 */
export function drawChart(points, { noScoreLabel, onOpen }) {
  const max = points.reduce((highest, point) => Math.max(highest, point.max || 0), 10);
  const lane = points.some((point) => point.pain === null);
  const dateLine = lane ? DATE_LINE : DATE_LINE_WITHOUT_LANE;
  const chart = svg("svg", {
    viewBox: `0 0 ${WIDTH} ${dateLine + HEIGHT - DATE_LINE}`,
    class: "chart",
    "aria-hidden": "true",
    focusable: "false",
  });
  for (const value of [0, max / 2, max]) {
    const y = yFor(value, max);
    chart.append(svg("line", { class: "axis", x1: LEFT, x2: WIDTH - RIGHT, y1: y, y2: y }));
    chart.append(svg("text", { x: LEFT - 8, y: y + 4, "text-anchor": "end" }, String(value)));
  }
  if (lane) chart.append(svg("text", { x: LEFT - 8, y: NO_SCORE_LANE + 4, "text-anchor": "end" }, noScoreLabel));

  const scored = points.map((point, index) => ({ point, index })).filter(({ point }) => point.pain !== null);
  if (scored.length > 1) {
    const path = scored.map(({ point, index }) => `${xFor(index, points.length)},${yFor(point.pain, max)}`).join(" ");
    chart.append(svg("polyline", { class: "pain-line", points: path }));
  }
  // A date under the first, the last and every few points in between, so they never overlap.
  const every = Math.ceil(points.length / 3);
  const lastIndex = points.length - 1;
  const labelled = points
    .map((point, index) => index)
    .filter((index) => index === 0 || index === lastIndex || (index % every === 0 && lastIndex - index >= every));
  const texts = axisLabels(points, labelled);
  const labels = new Map(labelled.map((index, n) => [index, texts[n]]));
  points.forEach((point, index) => {
    const x = xFor(index, points.length);
    const y = point.pain === null ? NO_SCORE_LANE : yFor(point.pain, max);
    const circle = svg("circle", {
      class: `chart-point urgency-${point.urgency}${point.pain === null ? " no-score" : ""}`,
      cx: x,
      cy: y,
      r: 7,
      "data-uuid": point.uuid,
      "data-pain": point.pain === null ? "" : point.pain,
      "data-urgency": point.urgency,
    });
    chart.append(circle);
    if (labels.has(index)) {
      const anchor = lastIndex > 0 && index === 0 ? "start" : lastIndex > 0 && index === lastIndex ? "end" : "middle";
      chart.append(
        svg(
          "text",
          {
            x: anchor === "start" ? x - 8 : anchor === "end" ? x + 8 : x,
            y: dateLine,
            "text-anchor": anchor,
            class: "chart-date",
          },
          labels.get(index),
        ),
      );
    }
  });
  chart.addEventListener("click", (event) => {
    const uuid = event.target.getAttribute && event.target.getAttribute("data-uuid");
    if (uuid) onOpen(uuid);
  });
  return chart;
}
