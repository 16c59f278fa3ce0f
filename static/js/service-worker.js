/**
 * The service worker's decisions: what it keeps at install, which cache answers which
 * request, when a cached copy beats the network, and which caches an update clears.
 *
 * /serviceworker.js (templates/serviceworker.js, rendered by quiz/serviceworker.py) holds
 * only what Django knows: the precache list, the languages and the version naming their
 * bytes. It imports this module and calls startServiceWorker. This module's bytes are part
 * of that version (it is a precached static file), so changing it installs a new worker.
 *
 * The work is done by serviceWorker(settings, env), which reaches the browser only through
 * `env` (caches, fetch, clients …), so tests/js/service-worker.test.mjs runs it in Node.
 */

import {
  CONTENT_URL,
  contentVersionResponse,
  isContentVersionPath,
  rememberContentVersion,
  withLanguage,
} from "./content.js";
import { syncNow, SYNC_TAG } from "./sync.js";

const STATIC_PREFIX = "backcare-static-";
const PAGES_PREFIX = "backcare-pages-";
// The language the person reads, kept across worker restarts and versions.
const PREFERENCES = "backcare-preferences";
const LANGUAGE_KEY = "/__backcare/language";
// Tip category and tip pages are not precached one by one: offline, the tips shell
// renders any of them from the content bundle (static/js/tips-view.js).
const TIPS_PAGE = /^\/tips\/[^/]+\/(?:[^/]+\/)?$/;
// How long a page or the bundle may take before the cached copy is shown instead. A
// healthy server answers in tens of milliseconds (docs/BENCHMARKS.md: p99 68 ms at 80% of
// capacity) and a slow mobile link adds a second or so; a server that hangs (workers
// stuck on a database that is gone) would otherwise leave a person looking for the
// emergency numbers at a blank screen until the browser gives up, minutes later.
export const NAVIGATION_TIMEOUT_MS = 3000;
// DRF answers with `Vary: Accept` (and Django may add Cookie): match regardless.
const MATCH = { ignoreVary: true };

/** The cache of files that are the same in every language, for one worker version. */
export const staticCacheName = (cacheVersion) => `${STATIC_PREFIX}${cacheVersion}`;

/** The cache of one language's pages, manifest, bundle and catalogue, for one version. */
export const pagesCacheName = (cacheVersion, language) => `${PAGES_PREFIX}${cacheVersion}-${language}`;

/** Caches an older worker version left behind (the preferences cache is kept). */
export function staleCaches(names, cacheVersion) {
  const pagesPrefix = pagesCacheName(cacheVersion, "");
  return names.filter(
    (name) =>
      (name.startsWith(STATIC_PREFIX) && name !== staticCacheName(cacheVersion)) ||
      (name.startsWith(PAGES_PREFIX) && !name.startsWith(pagesPrefix)),
  );
}

/** Whether an answer is the server failing (a 500 from a database that is down, or a
 * 502/503/504 from a proxy in front), not a page: the cached copy serves a person better. */
export function isServerError(response) {
  return response.status >= 500;
}

/**
 * The worker's behaviour for one version.
 *
 * settings: what Django rendered — cacheVersion, contentVersion, precacheUrls, pageUrls
 * (pages and the manifest, kept per language), languages (the first is the default),
 * catalogues (language → script catalogue URL), offlineUrl, tipsShellUrl.
 * env: caches, fetch, origin, clients, and optionally syncNow, setTimeout and clearTimeout.
 */
export function serviceWorker(settings, env) {
  const { cacheVersion, precacheUrls, pageUrls, languages, catalogues } = settings;
  const defaultLanguage = languages[0];
  const catalogueUrls = Object.values(catalogues);
  const staticCache = staticCacheName(cacheVersion);
  const pagesCache = (language) => pagesCacheName(cacheVersion, language);
  const startTimer = env.setTimeout || setTimeout;
  const stopTimer = env.clearTimeout || clearTimeout;
  const request = (path, init) => new Request(new URL(path, env.origin), init);

  async function precache() {
    const cache = await env.caches.open(staticCache);
    // `reload` skips the HTTP cache so a new worker never stores stale files.
    const shared = precacheUrls.filter((path) => !pageUrls.includes(path) && path !== CONTENT_URL);
    await cache.addAll(shared.map((path) => request(path, { cache: "reload" })));
    // The person's language first: on first install, the one the server picks for this
    // browser (its cookie or Accept-Language), remembered for offline use.
    const chosen = await chosenLanguage();
    const first = await precachePages(chosen);
    if (!chosen) await rememberLanguage(first);
    // Then every other language, so switching works offline from the first visit on.
    await Promise.all(languages.filter((language) => language !== first).map((language) => precachePages(language)));
  }

  /** Every page, the manifest and the bundle in `language` (null: the server's pick). */
  async function precachePages(language) {
    const init = language
      ? { cache: "reload", credentials: "omit", headers: { "Accept-Language": language } }
      : { cache: "reload" };
    const responses = await Promise.all(
      pageUrls.map(async (path) => {
        const response = await env.fetch(request(path, init));
        if (!response.ok) throw new Error(`Precache ${path}: HTTP ${response.status}`);
        return [path, response];
      }),
    );
    const served = responses[0][1].headers.get("Content-Language") || language || defaultLanguage;
    const cache = await env.caches.open(pagesCache(served));
    await Promise.all(responses.map(([path, response]) => cache.put(pageKey(path, served), response)));
    await cache.put(catalogues[served], await env.fetch(request(catalogues[served])));
    const bundle = request(withLanguage(CONTENT_URL, served), {
      cache: "reload",
      headers: { Accept: "application/json" },
    });
    await cache.put(pageKey(CONTENT_URL, served), await env.fetch(bundle));
    return served;
  }

  /** Whether every page of `language` (and its bundle and catalogue) is cached. */
  async function hasPages(language) {
    const cache = await env.caches.open(pagesCache(language));
    const keys = await cache.keys();
    return keys.length >= pageUrls.length + 2;
  }

  /** The bundle is cached under its ?lang= URL; a page under its path. */
  function pageKey(path, language) {
    return path === CONTENT_URL ? withLanguage(CONTENT_URL, language) : path;
  }

  async function chosenLanguage() {
    const preferences = await env.caches.open(PREFERENCES);
    const stored = await preferences.match(LANGUAGE_KEY);
    const language = stored ? await stored.text() : null;
    return languages.includes(language) ? language : null;
  }

  /** The language the person reads, as far as the worker knows. */
  async function readingLanguage() {
    return (await chosenLanguage()) || defaultLanguage;
  }

  async function rememberLanguage(language) {
    const preferences = await env.caches.open(PREFERENCES);
    await preferences.put(LANGUAGE_KEY, new Response(language));
  }

  /** Every language is cached at install; this repairs one the browser evicted. */
  async function repairPages(language) {
    if (!(await hasPages(language))) await precachePages(language).catch(() => {});
  }

  /** Where a page of `language` may be found offline: its own language first, then any other. */
  async function cachedPage(path, language) {
    for (const name of [language, ...languages.filter((other) => other !== language)]) {
      const cache = await env.caches.open(pagesCache(name));
      const cached = await cache.match(pageKey(path, name), MATCH);
      if (cached) return cached;
    }
    return null;
  }

  /** Network first (bounded by a timeout), then the cached page, then the offline page. A
   * server error shows the cached page too; with none cached, the server's own answer. */
  async function navigation(incoming) {
    const path = new URL(incoming.url).pathname;
    // Any tip or tip category page, visited before or not: the shell renders it.
    const kept = TIPS_PAGE.test(path) ? settings.tipsShellUrl : path;
    try {
      const response = await withTimeout(env.fetch(incoming));
      if (isServerError(response)) return (await cachedPage(kept, await readingLanguage())) || response;
      const served = response.headers.get("Content-Language");
      if (response.ok && !response.redirected && pageUrls.includes(path) && languages.includes(served)) {
        const cache = await env.caches.open(pagesCache(served));
        await cache.put(path, response.clone());
        await rememberLanguage(served);
      }
      return response;
    } catch (error) {
      const language = await readingLanguage();
      return (
        (await cachedPage(kept, language)) || (await cachedPage(settings.offlineUrl, language)) || Response.error()
      );
    }
  }

  /** The current bundle: the network when it answers, refreshing the cached copy; else
   * (no answer in time, or a server error) the cache. */
  async function currentContent(incoming) {
    const url = new URL(incoming.url);
    const language = url.searchParams.get("lang") || (await chosenLanguage()) || defaultLanguage;
    const cache = await env.caches.open(pagesCache(languages.includes(language) ? language : defaultLanguage));
    const key = withLanguage(CONTENT_URL, language);
    try {
      const response = await withTimeout(env.fetch(incoming));
      if (isServerError(response)) return (await cache.match(key, MATCH)) || response;
      if (response.ok) {
        await cache.put(key, response.clone());
        await rememberContentVersion(await response.clone().json());
      }
      return response;
    } catch (error) {
      const cached = await cache.match(key, MATCH);
      if (cached) return cached;
      throw error;
    }
  }

  /** A page-like file (the manifest, a catalogue) in the person's language, from cache first. */
  async function pageFirstFromCache(incoming) {
    const cached = await cachedPage(new URL(incoming.url).pathname, await readingLanguage());
    return cached || env.fetch(incoming);
  }

  async function cacheFirst(incoming) {
    const cache = await env.caches.open(staticCache);
    const cached = await cache.match(incoming, { ...MATCH, ignoreSearch: true });
    return cached || env.fetch(incoming);
  }

  /** The answer to a request, or undefined where the browser's own fetch should go ahead. */
  function answer(incoming) {
    if (incoming.method !== "GET") return undefined;
    const url = new URL(incoming.url);
    if (url.origin !== new URL(env.origin).origin) return undefined;
    if (incoming.mode === "navigate") return navigation(incoming);
    if (url.pathname === CONTENT_URL) return currentContent(incoming);
    if (isContentVersionPath(url.pathname)) return contentVersionResponse(incoming);
    // Results, sync and everything else on the API always go to the network.
    if (url.pathname.startsWith("/api/")) return undefined;
    if (pageUrls.includes(url.pathname) || catalogueUrls.includes(url.pathname)) return pageFirstFromCache(incoming);
    if (precacheUrls.includes(url.pathname)) return cacheFirst(incoming);
    return undefined;
  }

  /** Deletes the caches of older versions; the preferences and content versions stay. */
  async function cleanUp() {
    const names = await env.caches.keys();
    await Promise.all(staleCaches(names, cacheVersion).map((name) => env.caches.delete(name)));
  }

  /** One Background Sync attempt; a rejection has the browser schedule another. */
  async function sync() {
    const result = await (env.syncNow || syncNow)();
    if (result.status === "retry") throw new Error(`Sync will be retried: ${result.reason}`);
    if (result.status === "waiting") throw new Error(`The server asked to wait ${result.retryAfter} ms.`);
  }

  /** A break reminder tapped: bring BackCare back into view (or open it). */
  async function focusApp() {
    const windows = await env.clients.matchAll({ type: "window", includeUncontrolled: true });
    if (windows.length > 0) return windows[0].focus();
    return env.clients.openWindow("/");
  }

  function withTimeout(promise) {
    return new Promise((resolve, reject) => {
      const timer = startTimer(() => reject(new Error("timeout")), NAVIGATION_TIMEOUT_MS);
      promise.then(
        (value) => {
          stopTimer(timer);
          resolve(value);
        },
        (error) => {
          stopTimer(timer);
          reject(error);
        },
      );
    });
  }

  return { answer, chosenLanguage, cleanUp, focusApp, precache, rememberLanguage, repairPages, sync };
}

/** Wires the worker's events on `scope` (the worker's global): called while the worker's
 * script first runs, as browsers require of event handlers. */
export function startServiceWorker(settings, scope = self) {
  const worker = serviceWorker(settings, {
    caches: scope.caches,
    fetch: (...args) => scope.fetch(...args),
    origin: scope.location.origin,
    clients: scope.clients,
  });

  // No skipWaiting() here: a new version waits so it never swaps assets under a running check.
  scope.addEventListener("install", (event) => event.waitUntil(worker.precache()));
  scope.addEventListener("activate", (event) => event.waitUntil(worker.cleanUp().then(() => scope.clients.claim())));
  scope.addEventListener("message", (event) => onMessage(event, settings, worker, scope));
  // Background Sync: the browser wakes the worker when connectivity returns, even with no
  // page open.
  scope.addEventListener("sync", (event) => {
    if (event.tag === SYNC_TAG) event.waitUntil(worker.sync());
  });
  scope.addEventListener("notificationclick", (event) => {
    event.notification.close();
    event.waitUntil(worker.focusApp());
  });
  scope.addEventListener("fetch", (event) => {
    const response = worker.answer(event.request);
    if (response) event.respondWith(response);
  });
}

/** A page asks the worker to take over (between checks), for its version, or to keep a language. */
function onMessage(event, settings, worker, scope) {
  const data = event.data || {};
  const port = event.ports[0];
  if (data.type === "SKIP_WAITING") scope.skipWaiting();
  if (data.type === "VERSION" && port) {
    port.postMessage({ cacheVersion: settings.cacheVersion, contentVersion: settings.contentVersion });
  }
  if (data.type === "LANGUAGE" && settings.languages.includes(data.language)) {
    const language = data.language;
    event.waitUntil(
      (async () => {
        await worker.rememberLanguage(language);
        if (port) port.postMessage({ language });
        await worker.repairPages(language);
      })(),
    );
  }
}
