/**
 * Small helpers shared by the page scripts. Content from the admin is only ever set as
 * text (textContent), never parsed as HTML.
 */

/**
 * Translate with Django's JavaScript catalogue (/jsi18n/, precached) when it loaded;
 * fall back to English. Named gettext so `makemessages -d djangojs` finds the strings.
 */
export function gettext(message) {
  return typeof globalThis.gettext === "function" ? globalThis.gettext(message) : message;
}

/** Fill %(name)s placeholders of an already translated string, like Django's interpolate(). */
export function format(message, values) {
  return message.replace(/%\((\w+)\)s/g, (match, name) => String(values[name] ?? match));
}

/**
 * Build an element: `el("p", {className: "x", id: "y"}, "text", childElement)`.
 * Strings become text nodes; attributes go through properties or setAttribute.
 */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "className" || name === "textContent" || name === "htmlFor") element[name] = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

/** Fetch the current content bundle (the service worker answers from cache offline). */
export async function fetchContent(url = "/api/content/") {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`Content bundle: HTTP ${response.status}`);
  return response.json();
}

/** The snapshot a saved check was answered against, from the versions cache or network. */
export async function fetchContentVersion(number) {
  return fetchContent(`/api/content/${number}/`);
}

/** Keep a snapshot readable offline by its version number (results name their version). */
export async function rememberContentVersion(snapshot) {
  if (typeof caches === "undefined") return;
  const cache = await caches.open("backcare-content-versions");
  await cache.put(
    `/api/content/${snapshot.version}/`,
    new Response(JSON.stringify(snapshot), { headers: { "Content-Type": "application/json" } }),
  );
}

const gettext_noop = (message) => message;

/** Where the check page leaves the storage-persistence answer for the result page. */
export const PERSIST_MESSAGE_KEY = "backcare-persist-message";

export const URGENCY_LABELS = {
  emergency: gettext_noop("Emergency: get help now"),
  urgent: gettext_noop("Urgent: get medical advice today"),
  soon: gettext_noop("See a doctor soon"),
  self_care: gettext_noop("Self-care"),
};

export const SYNC_LABELS = {
  pending: gettext_noop("Waiting to sync"),
  synced: gettext_noop("Synced"),
  conflict: gettext_noop("Not synced: conflict"),
  rejected: gettext_noop("Not synced: rejected"),
};

/** Whether a self-check is under way in this tab (updates wait until it ends). */
export const CHECK_STATE_KEY = "backcare-check-in-progress";

export function checkInProgress() {
  try {
    return sessionStorage.getItem(CHECK_STATE_KEY) !== null;
  } catch {
    return false;
  }
}
