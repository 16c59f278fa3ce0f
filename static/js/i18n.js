/**
 * Translation: the one place BackCare's scripts get their words translated.
 *
 * Django's JavaScript catalogue (/jsi18n/, a classic script loaded before any module and
 * precached by the worker) defines `gettext`, `ngettext` and `interpolate` globally for
 * the person's language. Where it has not loaded (the service worker, `node --test`),
 * these fall back to the English source strings. The functions keep Django's names so
 * `makemessages -d djangojs` finds every string marked with them.
 *
 * No DOM here: pages, the worker and the node tests all import it.
 */

const catalogue = (name) => (typeof globalThis[name] === "function" ? globalThis[name] : null);

/** The message in the person's language (English when no catalogue loaded). */
export function gettext(message) {
  const translate = catalogue("gettext");
  return translate ? translate(message) : message;
}

/** The singular or plural form for `count`, in the person's language. */
export function ngettext(singular, plural, count) {
  const translate = catalogue("ngettext");
  if (translate) return translate(singular, plural, count);
  return count === 1 ? singular : plural;
}

/**
 * Mark a string for translation without translating it yet (labels kept in a table and
 * translated where shown: the catalogue may load after the table is built).
 */
export function gettext_noop(message) {
  return message;
}

/** Fill %(name)s placeholders of an already translated string, like Django's interpolate(). */
export function format(message, values) {
  return message.replace(/%\((\w+)\)s/g, (match, name) => String(values[name] ?? match));
}
