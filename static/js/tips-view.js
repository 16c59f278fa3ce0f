/**
 * Tip category and tip pages offline (templates/quiz/tips_shell.html).
 *
 * Online, /tips/<category>/ and /tips/<category>/<tip>/ are rendered by the server
 * (templates/quiz/tip_category.html and tip.html). Offline the service worker answers
 * them all with one precached shell page in the person's language, and this module
 * renders the same headings, text, source and links from the precached content bundle,
 * reading which page from the address. A browser test holds both renderings equal.
 */

import { firstSentence } from "./check-record.js";
import { fetchContent } from "./content.js";
import { el } from "./dom.js";
import { format, gettext } from "./i18n.js";

const TIPS_URL = "/tips/";

/** {category, tip} named by a tips address (tip null on a category page), else null. */
export function tipsRoute(pathname) {
  const match = /^\/tips\/([^/]+)\/(?:([^/]+)\/)?$/.exec(pathname);
  if (!match) return null;
  try {
    return { category: decodeURIComponent(match[1]), tip: match[2] ? decodeURIComponent(match[2]) : null };
  } catch {
    return null; // a malformed escape names no page
  }
}

const categoryUrl = (category) => `${TIPS_URL}${encodeURIComponent(category.key)}/`;
const tipUrl = (category, tip) => `${categoryUrl(category)}${encodeURIComponent(tip.key)}/`;

/** Text with its line breaks kept, as Django's linebreaksbr shows it. */
function withLineBreaks(text) {
  const lines = text.replace(/\r\n|\r/g, "\n").split("\n");
  return lines.flatMap((line, index) => (index === 0 ? [line] : [el("br"), line]));
}

/**
 * Where the tip's words come from, worded as tip.html words it: the source named in words
 * (a reader never sees the document, so no paragraph number).
 */
function sourceCitation(tip) {
  const paragraph = tip.source_paragraph;
  const note = tip.source_note;
  if (!paragraph && !note) return null;
  let text;
  if (paragraph && note) {
    text = format(
      gettext("Source: the article “Why does my back ache when I do exercise or walk too much?”; %(note)s"),
      { note },
    );
  } else if (paragraph) {
    text = gettext("Source: the article “Why does my back ache when I do exercise or walk too much?”");
  } else {
    text = format(gettext("Source: %(note)s"), { note });
  }
  return el("p", { className: "meta source" }, text);
}

function allTipsLink() {
  return el("a", { href: TIPS_URL }, gettext("All tips"));
}

/** As tip_category.html: the category, its description, the break timer where it belongs, its tips. */
function categoryPage(category, tips) {
  const breakTimer = document.getElementById("break-timer");
  // The shell names the category whose page carries the timer (quiz/views.py).
  const withTimer = breakTimer && breakTimer.dataset.category === category.key;
  if (withTimer) breakTimer.hidden = false;
  const cards = tips.map((tip) =>
    el(
      "li",
      { className: "card" },
      el("h2", {}, el("a", { href: tipUrl(category, tip) }, tip.title)),
      // The first sentence: the tip's own page holds the whole of it.
      el("p", {}, firstSentence(tip.body).lead),
    ),
  );
  return {
    title: category.name,
    content: [
      el("p", { className: "breadcrumb" }, allTipsLink()),
      el("h1", {}, category.name),
      category.description ? el("p", {}, category.description) : null,
      withTimer ? breakTimer : null,
      el(
        "ul",
        { className: "card-list" },
        cards.length ? cards : el("li", {}, gettext("No tips in this category yet.")),
      ),
    ],
  };
}

/** As tip.html: the tip, where its words come from, and the way back to its category. */
function tipPage(category, tip) {
  return {
    title: tip.title,
    content: [
      el(
        "p",
        { className: "breadcrumb" },
        allTipsLink(),
        " › ",
        el("a", { href: categoryUrl(category) }, category.name),
      ),
      el("article", {}, el("h1", {}, tip.title), el("p", {}, withLineBreaks(tip.body)), sourceCitation(tip)),
      el(
        "p",
        {},
        el("a", { href: categoryUrl(category) }, format(gettext("More tips: %(name)s"), { name: category.name })),
      ),
    ],
  };
}

function notFoundPage() {
  return {
    title: gettext("Tip not found"),
    content: [
      el("h1", {}, gettext("Tip not found")),
      el("p", {}, gettext("There is no tip at this address on this device: it may have been renamed or removed.")),
      el("p", {}, el("a", { href: TIPS_URL }, gettext("Browse all tips"))),
    ],
  };
}

/** The page the address names, from a content bundle in the page's language. */
export function tipsPage(snapshot, route) {
  const category = route && snapshot.tip_categories.find((item) => item.key === route.category);
  if (!category) return notFoundPage();
  const tips = snapshot.tips.filter((tip) => tip.category === category.key);
  if (route.tip === null) return categoryPage(category, tips);
  const tip = tips.find((item) => item.key === route.tip);
  return tip ? tipPage(category, tip) : notFoundPage();
}

function show({ title, content }) {
  const main = document.getElementById("main");
  const breakTimer = document.getElementById("break-timer");
  // The timer's section stays in the document (breaks.js wired it) only where it is shown.
  if (breakTimer && !content.includes(breakTimer)) breakTimer.remove();
  main.replaceChildren(...content.filter(Boolean));
  document.title = `${title} · BackCare`;
}

async function render() {
  const route = tipsRoute(window.location.pathname);
  try {
    show(tipsPage(await fetchContent(), route));
  } catch {
    document.getElementById("tips-view-status").textContent = gettext(
      "The tips could not be loaded. Open BackCare once while online, then it works offline.",
    );
  }
}

render();
