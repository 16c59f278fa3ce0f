// A CacheStorage in memory, as much of it as the service worker uses (open, keys, delete;
// a cache's match, put, keys, addAll), and a server for it to fetch from.

export const ORIGIN = "https://backcare.test";

const urlOf = (request) => new URL(typeof request === "string" ? request : request.url, ORIGIN);

class FakeCache {
  constructor(fetch) {
    this.fetch = fetch;
    this.entries = new Map();
  }

  async put(request, response) {
    this.entries.set(urlOf(request).href, response);
  }

  async match(request, options = {}) {
    const wanted = urlOf(request);
    for (const [href, response] of this.entries) {
      const url = new URL(href);
      const same = options.ignoreSearch
        ? url.origin + url.pathname === wanted.origin + wanted.pathname
        : href === wanted.href;
      if (same) return response.clone();
    }
    return undefined;
  }

  async keys() {
    return [...this.entries.keys()].map((href) => new Request(href));
  }

  async addAll(requests) {
    for (const request of requests) {
      const response = await this.fetch(request);
      if (!response.ok) throw new TypeError(`addAll: HTTP ${response.status}`);
      await this.put(request, response);
    }
  }

  /** The paths (with their query) this cache holds, sorted: what a test compares. */
  paths() {
    return [...this.entries.keys()].map((href) => urlOf(href).pathname + urlOf(href).search).sort();
  }
}

export class FakeCaches {
  constructor(fetch) {
    this.fetch = fetch;
    this.stores = new Map();
  }

  async open(name) {
    if (!this.stores.has(name)) this.stores.set(name, new FakeCache(this.fetch));
    return this.stores.get(name);
  }

  async keys() {
    return [...this.stores.keys()];
  }

  async delete(name) {
    return this.stores.delete(name);
  }
}

/**
 * A server answering each path in the language asked for (Accept-Language, else ?lang=,
 * else `pick`), with the body "<path> <language>". `answer(url)` may override a reply
 * (a status number, a Response, "hang" or "offline"). Every request is logged.
 */
export function fakeServer({ pick = "en", answer = () => null } = {}) {
  const log = [];
  const fetch = async (input, init = {}) => {
    const url = urlOf(input);
    const headers = new Headers(init.headers || input.headers || {});
    const language = headers.get("Accept-Language") || url.searchParams.get("lang") || pick;
    log.push(url.pathname + url.search);
    const override = answer(url);
    if (override === "offline") throw new TypeError("Failed to fetch");
    if (override === "hang") return new Promise(() => {});
    if (override instanceof Response) return override;
    const status = typeof override === "number" ? override : 200;
    const body = url.pathname.startsWith("/api/content/")
      ? JSON.stringify({ version: 3, language, path: url.pathname })
      : `${url.pathname} ${language}`;
    return new Response(body, { status, headers: { "Content-Language": language } });
  };
  return { fetch, log };
}
