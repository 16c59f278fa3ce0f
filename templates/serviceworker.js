/* BackCare service worker: every page, asset and the content bundle work offline, in
 * every language.
 *
 * Rendered by quiz/serviceworker.py so it names the hashed static URLs and the
 * content version; any change to either changes these bytes, which makes the browser
 * install a new worker. The new worker waits until the page asks it to take over
 * (between checks, never during one). Registered as a module worker, so it imports the
 * pages' own modules: the sync engine and the content bundle's owner.
 */

{% load static %}import {
  CONTENT_URL,
  contentVersionResponse,
  isContentVersionPath,
  rememberContentVersion,
  withLanguage,
} from "{% static 'js/content.js' %}";
import { syncNow, SYNC_TAG } from "{% static 'js/sync.js' %}";

const CACHE_VERSION = "{{ cache_version }}";
const CONTENT_VERSION = {{ content_version }};
const PRECACHE = `backcare-static-${CACHE_VERSION}`;
const PRECACHE_URLS = {{ precache_json|safe }};
// Pages, the manifest and the content bundle come in each language: each language has
// a cache of its own, and every language's is filled at install (all of them fit the
// precache budget: docs/BENCHMARKS.md), so a person can switch language offline even
// to one never used before. The other PRECACHE_URLS are the same in every language.
const PAGE_URLS = {{ page_urls_json|safe }};
const LANGUAGES = {{ languages_json|safe }};
// Each language's script catalogue (its URL names its bytes), kept with that language's pages.
const CATALOGUES = {{ catalogues_json|safe }};
const DEFAULT_LANGUAGE = LANGUAGES[0];
const PAGES_PREFIX = `backcare-pages-${CACHE_VERSION}-`;
// The language the person reads, kept across worker restarts and versions.
const PREFERENCES = "backcare-preferences";
const LANGUAGE_KEY = "/__backcare/language";
const OFFLINE_URL = "{{ offline_url }}";
// Tip category and tip pages are not precached one by one: offline, this one page
// renders any of them from the content bundle (static/js/tips-view.js).
const TIPS_SHELL_URL = "{{ tips_shell_url }}";
const TIPS_PAGE = /^\/tips\/[^/]+\/(?:[^/]+\/)?$/;
// How long a page or the bundle may take before the cached copy is shown instead. A
// healthy server answers in tens of milliseconds (docs/BENCHMARKS.md: p99 68 ms at 80% of
// capacity) and a slow mobile link adds a second or so; a server that hangs (workers
// stuck on a database that is gone) would otherwise leave a person looking for the
// emergency numbers at a blank screen until the browser gives up, minutes later.
const NAVIGATION_TIMEOUT_MS = 3000;
// DRF answers with `Vary: Accept` (and Django may add Cookie): match regardless.
const MATCH = { ignoreVary: true };

self.addEventListener("install", (event) => {
  // No skipWaiting(): a new version waits so it never swaps assets under a running check.
  event.waitUntil(precache());
});

const pagesCacheName = (language) => `${PAGES_PREFIX}${language}`;

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith("backcare-static-") && name !== PRECACHE)
          .concat(names.filter((name) => name.startsWith("backcare-pages-") && !name.startsWith(PAGES_PREFIX)))
          .map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
  if (event.data && event.data.type === "VERSION" && event.ports[0]) {
    event.ports[0].postMessage({ cacheVersion: CACHE_VERSION, contentVersion: CONTENT_VERSION });
  }
  if (event.data && event.data.type === "LANGUAGE" && LANGUAGES.includes(event.data.language)) {
    const language = event.data.language;
    event.waitUntil(
      (async () => {
        await rememberLanguage(language);
        if (event.ports[0]) event.ports[0].postMessage({ language });
        // Installed with every language; this only repairs a cache the browser evicted.
        if (!(await hasPages(language))) await precachePages(language).catch(() => {});
      })(),
    );
  }
});

// Background Sync: the browser wakes the worker when connectivity returns, even with no
// page open. An attempt that must be retried, or that the server's pause held back,
// rejects, so the browser schedules another.
self.addEventListener("sync", (event) => {
  if (event.tag !== SYNC_TAG) return;
  event.waitUntil(
    syncNow().then((result) => {
      if (result.status === "retry") throw new Error(`Sync will be retried: ${result.reason}`);
      if (result.status === "waiting") throw new Error(`The server asked to wait ${result.retryAfter} ms.`);
    }),
  );
});

// A break reminder tapped: bring BackCare back into view (or open it).
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      if (windows.length > 0) return windows[0].focus();
      return self.clients.openWindow("/");
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (request.mode === "navigate") {
    event.respondWith(navigation(request));
  } else if (url.pathname === CONTENT_URL) {
    event.respondWith(currentContent(request, url));
  } else if (isContentVersionPath(url.pathname)) {
    event.respondWith(contentVersionResponse(request));
  } else if (url.pathname.startsWith("/api/")) {
    // Results, sync and everything else on the API always go to the network.
  } else if (PAGE_URLS.includes(url.pathname) || Object.values(CATALOGUES).includes(url.pathname)) {
    event.respondWith(pageFirstFromCache(request));
  } else if (PRECACHE_URLS.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
  }
});

async function precache() {
  const cache = await caches.open(PRECACHE);
  // `reload` skips the HTTP cache so a new worker never stores stale files.
  const shared = PRECACHE_URLS.filter((path) => !PAGE_URLS.includes(path) && path !== CONTENT_URL);
  await cache.addAll(shared.map((path) => new Request(path, { cache: "reload" })));
  // The person's language first: on first install, the one the server picks for this
  // browser (its cookie or Accept-Language), remembered for offline use.
  const chosen = await chosenLanguage();
  const first = await precachePages(chosen);
  if (!chosen) await rememberLanguage(first);
  // Then every other language, so switching works offline from the first visit on.
  await Promise.all(LANGUAGES.filter((language) => language !== first).map((language) => precachePages(language)));
}

/** Every page, the manifest and the bundle in `language` (null: the server's pick). */
async function precachePages(language) {
  const init = language
    ? { cache: "reload", credentials: "omit", headers: { "Accept-Language": language } }
    : { cache: "reload" };
  const responses = await Promise.all(
    PAGE_URLS.map(async (path) => {
      const response = await fetch(new Request(path, init));
      if (!response.ok) throw new Error(`Precache ${path}: HTTP ${response.status}`);
      return [path, response];
    }),
  );
  const served = responses[0][1].headers.get("Content-Language") || language || DEFAULT_LANGUAGE;
  const cache = await caches.open(pagesCacheName(served));
  await Promise.all(responses.map(([path, response]) => cache.put(pageKey(path, served), response)));
  await cache.put(CATALOGUES[served], await fetch(CATALOGUES[served]));
  await cache.put(
    pageKey(CONTENT_URL, served),
    await fetch(withLanguage(CONTENT_URL, served), { cache: "reload", headers: { Accept: "application/json" } }),
  );
  return served;
}

/** Whether every page of `language` (and its bundle) is cached. */
async function hasPages(language) {
  const cache = await caches.open(pagesCacheName(language));
  const keys = await cache.keys();
  return keys.length >= PAGE_URLS.length + 2;
}

/** The bundle is cached under its ?lang= URL; a page under its path. */
function pageKey(path, language) {
  return path === CONTENT_URL ? withLanguage(CONTENT_URL, language) : path;
}

async function chosenLanguage() {
  const preferences = await caches.open(PREFERENCES);
  const stored = await preferences.match(LANGUAGE_KEY);
  const language = stored ? await stored.text() : null;
  return LANGUAGES.includes(language) ? language : null;
}

/** The language the person reads, as far as the worker knows. */
async function readingLanguage() {
  return (await chosenLanguage()) || DEFAULT_LANGUAGE;
}

async function rememberLanguage(language) {
  const preferences = await caches.open(PREFERENCES);
  await preferences.put(LANGUAGE_KEY, new Response(language));
}

/** Where a page of `language` may be found offline: its own language first, then any other. */
async function cachedPage(path, language) {
  for (const name of [language, ...LANGUAGES.filter((other) => other !== language)]) {
    const cache = await caches.open(pagesCacheName(name));
    const cached = await cache.match(pageKey(path, name), MATCH);
    if (cached) return cached;
  }
  return null;
}

/** Whether an answer is the server failing (a 500 from a database that is down, or a
 * 502/503/504 from a proxy in front), not a page: the cached copy serves a person better. */
function isServerError(response) {
  return response.status >= 500;
}

/** Network first (bounded by a timeout), then the cached page, then the offline page. A
 * server error shows the cached page too; with none cached, the server's own answer. */
async function navigation(request) {
  const path = new URL(request.url).pathname;
  // Any tip or tip category page, visited before or not: the shell renders it.
  const kept = TIPS_PAGE.test(path) ? TIPS_SHELL_URL : path;
  try {
    const response = await withTimeout(fetch(request), NAVIGATION_TIMEOUT_MS);
    if (isServerError(response)) return (await cachedPage(kept, await readingLanguage())) || response;
    const served = response.headers.get("Content-Language");
    if (response.ok && !response.redirected && PAGE_URLS.includes(path) && LANGUAGES.includes(served)) {
      const cache = await caches.open(pagesCacheName(served));
      await cache.put(path, response.clone());
      await rememberLanguage(served);
    }
    return response;
  } catch (error) {
    const language = await readingLanguage();
    return (await cachedPage(kept, language)) || (await cachedPage(OFFLINE_URL, language)) || Response.error();
  }
}

/** The current bundle: the network when it answers, refreshing the cached copy; else
 * (no answer in time, or a server error) the cache. */
async function currentContent(request, url) {
  const language = url.searchParams.get("lang") || (await chosenLanguage()) || DEFAULT_LANGUAGE;
  const cache = await caches.open(pagesCacheName(LANGUAGES.includes(language) ? language : DEFAULT_LANGUAGE));
  const key = withLanguage(CONTENT_URL, language);
  try {
    const response = await withTimeout(fetch(request), NAVIGATION_TIMEOUT_MS);
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

/** A page-like file (the manifest) in the person's language, from cache first. */
async function pageFirstFromCache(request) {
  const language = (await chosenLanguage()) || DEFAULT_LANGUAGE;
  const cached = await cachedPage(new URL(request.url).pathname, language);
  return cached || fetch(request);
}

async function cacheFirst(request) {
  const cache = await caches.open(PRECACHE);
  const cached = await cache.match(request, { ...MATCH, ignoreSearch: true });
  return cached || fetch(request);
}

function withTimeout(promise, milliseconds) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), milliseconds);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
