// The service worker's decisions (static/js/service-worker.js): what it keeps at install,
// which cache answers which request, the cached copy on a server error or a 3 s silence,
// the tips shell, a cache per language, and the clean-up of older versions' caches.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  NAVIGATION_TIMEOUT_MS,
  pagesCacheName,
  serviceWorker,
  staleCaches,
  startServiceWorker,
  staticCacheName,
} from "../../static/js/service-worker.js";
import { FakeCaches, fakeServer, ORIGIN } from "./fake-caches.mjs";

const SETTINGS = {
  cacheVersion: "3-abc123",
  contentVersion: 3,
  precacheUrls: [
    "/",
    "/check/",
    "/tips/",
    "/offline/",
    "/offline/tips/",
    "/manifest.json",
    "/api/content/",
    "/static/css/app.css",
    "/static/js/quiz.js",
  ],
  pageUrls: ["/", "/check/", "/tips/", "/offline/", "/offline/tips/", "/manifest.json"],
  languages: ["en", "zh-hans"],
  catalogues: { en: "/jsi18n/en/aaa.js", "zh-hans": "/jsi18n/zh-hans/bbb.js" },
  offlineUrl: "/offline/",
  tipsShellUrl: "/offline/tips/",
};

/** A worker installed from a healthy server that picks `pick`; then `answer` decides. */
async function installed({ pick = "en", timers } = {}) {
  let answer = () => null;
  const server = fakeServer({ pick, answer: (url) => answer(url) });
  const caches = new FakeCaches(server.fetch);
  const worker = serviceWorker(SETTINGS, { caches, fetch: server.fetch, origin: ORIGIN, ...timers });
  await worker.precache();
  server.log.length = 0;
  return {
    worker,
    caches,
    server,
    answerWith(next) {
      answer = next;
    },
  };
}

const get = (path) => new Request(ORIGIN + path);
// Node's Request refuses mode "navigate"; the worker reads only these fields.
const navigate = (path) => ({ method: "GET", mode: "navigate", url: ORIGIN + path, headers: new Headers() });
const text = async (response) => (response ? await response.text() : response);
const pages = (caches, language) => caches.stores.get(pagesCacheName(SETTINGS.cacheVersion, language));

test("at install it keeps the shared files once and every language's pages, bundle and catalogue", async () => {
  const { caches } = await installed();

  assert.deepEqual([...caches.stores.keys()].sort(), [
    "backcare-pages-3-abc123-en",
    "backcare-pages-3-abc123-zh-hans",
    "backcare-preferences",
    "backcare-static-3-abc123",
  ]);
  assert.deepEqual(caches.stores.get(staticCacheName(SETTINGS.cacheVersion)).paths(), [
    "/static/css/app.css",
    "/static/js/quiz.js",
  ]);
  for (const [language, catalogue] of Object.entries(SETTINGS.catalogues)) {
    assert.deepEqual(
      pages(caches, language).paths(),
      [...SETTINGS.pageUrls, `/api/content/?lang=${language}`, catalogue].sort(),
    );
    assert.equal(await text(await pages(caches, language).match("/check/")), `/check/ ${language}`);
  }
});

test("at install it remembers the language the server picked for this browser", async () => {
  const { worker } = await installed({ pick: "zh-hans" });

  assert.equal(await worker.chosenLanguage(), "zh-hans");
});

test("an install with a page the server cannot serve fails, so the old worker stays", async () => {
  const server = fakeServer({ answer: (url) => (url.pathname === "/check/" ? 500 : null) });
  const worker = serviceWorker(SETTINGS, { caches: new FakeCaches(server.fetch), fetch: server.fetch, origin: ORIGIN });

  await assert.rejects(worker.precache(), /Precache \/check\/: HTTP 500/);
});

test("it leaves the API, other origins, other methods and unknown files to the network", async () => {
  const { worker } = await installed();

  assert.equal(worker.answer(get("/api/results/")), undefined);
  assert.equal(worker.answer(get("/api/devices/")), undefined);
  assert.equal(worker.answer(new Request("https://elsewhere.test/static/css/app.css")), undefined);
  assert.equal(worker.answer(new Request(ORIGIN + "/check/", { method: "POST", body: "{}" })), undefined);
  assert.equal(worker.answer(get("/static/js/not-precached.js")), undefined);
});

test("static files come from the shared cache, whatever their query, without the network", async () => {
  const { worker, server } = await installed();

  assert.equal(await text(await worker.answer(get("/static/css/app.css?v=2"))), "/static/css/app.css en");
  assert.deepEqual(server.log, []);
});

test("the manifest and the catalogue come from the person's language's cache", async () => {
  const { worker, server } = await installed();
  await worker.rememberLanguage("zh-hans");

  assert.equal(await text(await worker.answer(get("/manifest.json"))), "/manifest.json zh-hans");
  assert.equal(await text(await worker.answer(get("/jsi18n/zh-hans/bbb.js"))), "/jsi18n/zh-hans/bbb.js en");
  assert.deepEqual(server.log, []);
});

test("a page online comes from the network and refreshes its language's cache", async () => {
  const { worker, caches, answerWith } = await installed();
  answerWith((url) =>
    url.pathname === "/check/" ? new Response("fresh", { headers: { "Content-Language": "zh-hans" } }) : null,
  );

  assert.equal(await text(await worker.answer(navigate("/check/"))), "fresh");
  assert.equal(await text(await pages(caches, "zh-hans").match("/check/")), "fresh");
  assert.equal(await text(await pages(caches, "en").match("/check/")), "/check/ en");
  assert.equal(await worker.chosenLanguage(), "zh-hans");
});

test("a page that is not precached, or a redirect, is shown but not kept", async () => {
  const { worker, caches, answerWith } = await installed();
  const redirected = new Response("login", { headers: { "Content-Language": "en" } });
  Object.defineProperty(redirected, "redirected", { value: true });
  answerWith((url) => (url.pathname === "/" ? redirected : null));

  assert.equal(await text(await worker.answer(navigate("/about/"))), "/about/ en");
  assert.equal(await text(await worker.answer(navigate("/"))), "login");
  assert.equal(await pages(caches, "en").match("/about/"), undefined);
  assert.equal(await text(await pages(caches, "en").match("/")), "/ en");
});

for (const status of [500, 502, 503, 504]) {
  test(`a page the server fails with ${status} is shown from the cache instead`, async () => {
    const { worker, answerWith } = await installed();
    answerWith(() => status);

    const response = await worker.answer(navigate("/check/"));

    assert.equal(response.status, 200);
    assert.equal(await response.text(), "/check/ en");
  });
}

test("a server error on a page never cached shows the server's own answer", async () => {
  const { worker, answerWith } = await installed();
  answerWith(() => 503);

  assert.equal((await worker.answer(navigate("/admin/"))).status, 503);
});

test("a 404 is the server's answer, not a failure: it is shown as it is", async () => {
  const { worker, answerWith } = await installed();
  answerWith(() => 404);

  assert.equal((await worker.answer(navigate("/check/"))).status, 404);
});

test(`a page the server does not answer within ${NAVIGATION_TIMEOUT_MS} ms is shown from the cache`, async () => {
  const delays = [];
  // The timer fires at once: what is checked is the delay asked for, not the clock.
  const timers = { setTimeout: (fire, ms) => (delays.push(ms), fire()), clearTimeout: () => {} };
  const { worker, answerWith } = await installed({ timers });
  delays.length = 0;
  answerWith(() => "hang");

  assert.equal(await text(await worker.answer(navigate("/check/"))), "/check/ en");
  assert.deepEqual(delays, [3000]);
});

test("offline, a page comes from the person's language, then any language, then the offline page", async () => {
  const { worker, caches, answerWith } = await installed();
  await worker.rememberLanguage("zh-hans");
  answerWith(() => "offline");

  assert.equal(await text(await worker.answer(navigate("/check/"))), "/check/ zh-hans");
  await pages(caches, "zh-hans").entries.delete(ORIGIN + "/check/");
  assert.equal(await text(await worker.answer(navigate("/check/"))), "/check/ en");
  assert.equal(await text(await worker.answer(navigate("/history/"))), "/offline/ zh-hans");
});

test("offline with nothing cached, a page is a network error, not a blank answer", async () => {
  const server = fakeServer({ answer: () => "offline" });
  const worker = serviceWorker(SETTINGS, { caches: new FakeCaches(server.fetch), fetch: server.fetch, origin: ORIGIN });

  assert.equal((await worker.answer(navigate("/check/"))).type, "error");
});

test("offline, any tip or tip category page is the tips shell, and /tips/ is itself", async () => {
  const { worker, answerWith } = await installed();
  answerWith(() => "offline");

  assert.equal(await text(await worker.answer(navigate("/tips/exercise/"))), "/offline/tips/ en");
  assert.equal(await text(await worker.answer(navigate("/tips/exercise/walk_daily/"))), "/offline/tips/ en");
  assert.equal(await text(await worker.answer(navigate("/tips/"))), "/tips/ en");
  assert.equal(await text(await worker.answer(navigate("/tips/a/b/c/"))), "/offline/ en");
});

test("the bundle online comes from the network and replaces the cached one of its language", async () => {
  const { worker, caches, answerWith } = await installed();
  const fresh = JSON.stringify({ version: 4, language: "zh-hans" });
  answerWith(() => new Response(fresh));

  assert.equal(await text(await worker.answer(get("/api/content/?lang=zh-hans"))), fresh);
  assert.equal(await text(await pages(caches, "zh-hans").match("/api/content/?lang=zh-hans")), fresh);
});

test("the bundle offline, on a server error or after the timeout is the cached one", async () => {
  const timers = { setTimeout: (fire) => fire(), clearTimeout: () => {} };
  const { worker, answerWith } = await installed({ timers });
  await worker.rememberLanguage("zh-hans");

  for (const failure of ["offline", 500, "hang"]) {
    answerWith(() => failure);
    const bundle = JSON.parse(await text(await worker.answer(get("/api/content/"))));
    assert.deepEqual(bundle, { version: 3, language: "zh-hans", path: "/api/content/" }, String(failure));
  }
});

test("the bundle offline with none cached fails, so the page can say so", async () => {
  const server = fakeServer({ answer: () => "offline" });
  const worker = serviceWorker(SETTINGS, { caches: new FakeCaches(server.fetch), fetch: server.fetch, origin: ORIGIN });

  await assert.rejects(worker.answer(get("/api/content/?lang=en")), /Failed to fetch/);
});

test("a language whose cache the browser evicted is fetched again when a page chooses it", async () => {
  const { worker, caches, server } = await installed();
  caches.stores.delete(pagesCacheName(SETTINGS.cacheVersion, "zh-hans"));

  await worker.repairPages("zh-hans");
  await worker.repairPages("en");

  assert.equal(await text(await pages(caches, "zh-hans").match("/")), "/ zh-hans");
  assert.ok(
    server.log.every((path) => !path.includes("lang=en") && path !== SETTINGS.catalogues.en),
    server.log,
  );
});

test("only older versions' caches are stale: preferences and published versions stay", () => {
  const names = [
    "backcare-static-3-abc123",
    "backcare-static-2-old999",
    "backcare-pages-3-abc123-en",
    "backcare-pages-3-abc123-zh-hans",
    "backcare-pages-2-old999-en",
    "backcare-preferences",
    "backcare-content-versions",
  ];

  assert.deepEqual(staleCaches(names, "3-abc123"), ["backcare-static-2-old999", "backcare-pages-2-old999-en"]);
});

test("on activation the new version deletes the caches of the old one", async () => {
  const { worker, caches } = await installed();
  await caches.open("backcare-static-2-old999");
  await caches.open("backcare-pages-2-old999-zh-hans");
  await caches.open("backcare-content-versions");

  await worker.cleanUp();

  assert.deepEqual([...caches.stores.keys()].sort(), [
    "backcare-content-versions",
    "backcare-pages-3-abc123-en",
    "backcare-pages-3-abc123-zh-hans",
    "backcare-preferences",
    "backcare-static-3-abc123",
  ]);
});

test("a Background Sync attempt that must be retried or wait rejects, so the browser tries again", async () => {
  const outcomes = { retry: { status: "retry", reason: "offline" }, waiting: { status: "waiting", retryAfter: 5000 } };
  for (const [name, result] of Object.entries(outcomes)) {
    const worker = serviceWorker(SETTINGS, { caches: new FakeCaches(), origin: ORIGIN, syncNow: async () => result });
    await assert.rejects(worker.sync(), undefined, name);
  }
  const done = serviceWorker(SETTINGS, {
    caches: new FakeCaches(),
    origin: ORIGIN,
    syncNow: async () => ({ status: "done" }),
  });
  await done.sync();
});

/** A worker global with its events, to run startServiceWorker against. */
function fakeScope() {
  const server = fakeServer();
  const listeners = {};
  const scope = {
    caches: new FakeCaches(server.fetch),
    fetch: server.fetch,
    location: new URL(ORIGIN + "/serviceworker.js"),
    clients: { claim: async () => {} },
    skipped: false,
    skipWaiting() {
      this.skipped = true;
    },
    addEventListener: (type, listener) => (listeners[type] = listener),
  };
  const dispatch = async (type, fields) => {
    const waited = [];
    const event = { waitUntil: (promise) => waited.push(promise), ports: [], ...fields };
    listeners[type](event);
    await Promise.all(waited);
    return event;
  };
  return { scope, listeners, dispatch };
}

test("the worker answers a page's messages: its versions, a language kept, and taking over", async () => {
  const { scope, dispatch } = fakeScope();
  startServiceWorker(SETTINGS, scope);
  const replies = [];
  const port = { postMessage: (message) => replies.push(message) };

  await dispatch("message", { data: { type: "VERSION" }, ports: [port] });
  await dispatch("message", { data: { type: "LANGUAGE", language: "zh-hans" }, ports: [port] });
  await dispatch("message", { data: { type: "LANGUAGE", language: "fr" }, ports: [port] });
  assert.equal(scope.skipped, false);
  await dispatch("message", { data: { type: "SKIP_WAITING" } });

  assert.deepEqual(replies, [{ cacheVersion: "3-abc123", contentVersion: 3 }, { language: "zh-hans" }]);
  const kept = await scope.caches.open("backcare-preferences");
  assert.equal(await text(await kept.match("/__backcare/language")), "zh-hans");
  assert.equal(scope.skipped, true);
});

test("the worker answers only the fetches it has a cache for", async () => {
  const { scope, dispatch } = fakeScope();
  startServiceWorker(SETTINGS, scope);
  const answered = [];

  for (const path of ["/api/results/", "/static/css/app.css"]) {
    await dispatch("fetch", { request: get(path), respondWith: (response) => answered.push([path, response]) });
  }

  assert.deepEqual(
    answered.map(([path]) => path),
    ["/static/css/app.css"],
  );
});
