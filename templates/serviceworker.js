/* BackCare service worker: every page, asset and the content bundle work offline, in
 * every language.
 *
 * Rendered by quiz/serviceworker.py with only what Django knows: the hashed static URLs,
 * the pages, the languages and a version naming all their bytes (the logic's module among
 * them). Any change to one changes these bytes, which makes the browser install a new
 * worker; it waits until the page asks it to take over (between checks, never during one).
 * The logic is the module static/js/service-worker.js (linted and unit-tested).
 */

{% load static %}import { startServiceWorker } from "{% static 'js/service-worker.js' %}";

const CACHE_VERSION = "{{ cache_version }}";
const CONTENT_VERSION = {{ content_version }};
const PRECACHE_URLS = {{ precache_json|safe }};
// Pages and the manifest come in each language (the bundle too); each language's are kept
// in a cache of their own, all of them at install.
const PAGE_URLS = {{ page_urls_json|safe }};
const LANGUAGES = {{ languages_json|safe }};
// Each language's script catalogue (its URL names its bytes), kept with that language's pages.
const CATALOGUES = {{ catalogues_json|safe }};

startServiceWorker({
  cacheVersion: CACHE_VERSION,
  contentVersion: CONTENT_VERSION,
  precacheUrls: PRECACHE_URLS,
  pageUrls: PAGE_URLS,
  languages: LANGUAGES,
  catalogues: CATALOGUES,
  offlineUrl: "{{ offline_url }}",
  tipsShellUrl: "{{ tips_shell_url }}",
});
