/* BackCare service worker: every page, asset and the content bundle work offline.
 *
 * Rendered by quiz/serviceworker.py so it names the hashed static URLs and the
 * content version; any change to either changes these bytes, which makes the browser
 * install a new worker. The new worker waits until the page asks it to take over
 * (between checks, never during one). Registered as a module worker, so it imports the
 * pages' own modules: the sync engine and the content bundle's owner.
 */

{% load static %}import { CONTENT_URL, contentVersionResponse, isContentVersionPath, rememberContentVersion } from "{% static 'js/content.js' %}";
import { syncNow, SYNC_TAG } from "{% static 'js/sync.js' %}";

const CACHE_VERSION = "{{ cache_version }}";
const CONTENT_VERSION = {{ content_version }};
const PRECACHE = `backcare-static-${CACHE_VERSION}`;
const PRECACHE_URLS = {{ precache_json|safe }};
const OFFLINE_URL = "{{ offline_url }}";
const NAVIGATION_TIMEOUT_MS = 3000;
// DRF answers with `Vary: Accept` (and Django may add Cookie): match regardless.
const MATCH = { ignoreVary: true };

self.addEventListener("install", (event) => {
  // No skipWaiting(): a new version waits so it never swaps assets under a running check.
  event.waitUntil(precache());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith("backcare-static-") && name !== PRECACHE)
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
    event.respondWith(currentContent(request));
  } else if (isContentVersionPath(url.pathname)) {
    event.respondWith(contentVersionResponse(request));
  } else if (url.pathname.startsWith("/api/")) {
    // Results, sync and everything else on the API always go to the network.
  } else if (PRECACHE_URLS.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
  }
});

async function precache() {
  const cache = await caches.open(PRECACHE);
  // `reload` skips the HTTP cache so a new worker never stores stale files.
  await cache.addAll(PRECACHE_URLS.map((path) => new Request(path, { cache: "reload" })));
}

/** Network first (bounded by a timeout), then the cached page, then the offline page. */
async function navigation(request) {
  const cache = await caches.open(PRECACHE);
  try {
    const response = await withTimeout(fetch(request), NAVIGATION_TIMEOUT_MS);
    const path = new URL(request.url).pathname;
    if (response.ok && !response.redirected && PRECACHE_URLS.includes(path)) {
      await cache.put(path, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await cache.match(request, { ...MATCH, ignoreSearch: true });
    return cached || (await cache.match(OFFLINE_URL, MATCH)) || Response.error();
  }
}

/** The current bundle: the network when it answers, refreshing the cached copy; else the cache. */
async function currentContent(request) {
  const cache = await caches.open(PRECACHE);
  try {
    const response = await withTimeout(fetch(request), NAVIGATION_TIMEOUT_MS);
    if (response.ok) {
      await cache.put(CONTENT_URL, response.clone());
      await rememberContentVersion(await response.clone().json());
    }
    return response;
  } catch (error) {
    const cached = await cache.match(CONTENT_URL, MATCH);
    if (cached) return cached;
    throw error;
  }
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
