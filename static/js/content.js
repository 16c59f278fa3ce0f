/**
 * The content bundle: the one place that knows its URL and the versions cache.
 *
 * Pages fetch the current bundle and the snapshot a saved check was answered against;
 * the service worker answers those same requests offline. No DOM here, so both import it.
 */

export const CONTENT_URL = "/api/content/";
// Published content versions never change, so results can be re-read offline by number.
const VERSIONS_CACHE = "backcare-content-versions";
// DRF answers with `Vary: Accept` (and Django may add Cookie): match regardless.
const MATCH = { ignoreVary: true };

/** The page's language (`<html lang>`); the worker has no page and names it itself. */
function pageLanguage() {
  return typeof document === "undefined" ? "" : document.documentElement.lang;
}

/** The URL asking for the bundle in `language` (each language is cached on its own). */
export function withLanguage(url, language = pageLanguage()) {
  if (!language || new URL(url, "http://x").searchParams.has("lang")) return url;
  return `${url}${url.includes("?") ? "&" : "?"}lang=${encodeURIComponent(language)}`;
}

/** Where one published version lives: /api/content/<number>/?lang=<language>. */
export function contentVersionUrl(number, language = pageLanguage()) {
  return withLanguage(`${CONTENT_URL}${number}/`, language);
}

/** Whether a URL path names one published version (not the current bundle). */
export function isContentVersionPath(pathname) {
  return pathname.startsWith(CONTENT_URL) && /^\d+\/$/.test(pathname.slice(CONTENT_URL.length));
}

/** Fetch the current content bundle (the service worker answers from cache offline). */
export async function fetchContent(url = CONTENT_URL) {
  const response = await fetch(withLanguage(url), { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`Content bundle: HTTP ${response.status}`);
  return response.json();
}

/** The snapshot a saved check was answered against, from the versions cache or network. */
export async function fetchContentVersion(number) {
  return fetchContent(contentVersionUrl(number));
}

/** Keep a snapshot readable offline by its version number (results name their version). */
export async function rememberContentVersion(snapshot) {
  if (typeof caches === "undefined") return;
  const versions = await caches.open(VERSIONS_CACHE);
  await versions.put(
    contentVersionUrl(snapshot.version, snapshot.language),
    new Response(JSON.stringify(snapshot), { headers: { "Content-Type": "application/json" } }),
  );
}

/** The worker's answer to /api/content/<number>/: the versions cache, else the network (kept). */
export async function contentVersionResponse(request) {
  const versions = await caches.open(VERSIONS_CACHE);
  const cached = await versions.match(request, MATCH);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await versions.put(request, response.clone());
  return response;
}
