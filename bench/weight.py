"""Part 1, weight: the bytes a browser transfers on a first visit (compressed, as served
by gunicorn + WhiteNoise with DEBUG off) and the total size of the service worker's
precache, per type. Precache: every URL the worker names, fetched as a browser would
(Accept-Encoding: gzip, br). First visit: Debian Chromium loads / and every response
the page and its worker receive is counted (Playwright's transfer sizes).

    .venv/bin/python bench/weight.py
"""

import http.client
import json
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import progress, served_app, write_results

PART = "weight"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
TYPES = ("html", "css", "js", "images", "content bundle", "other")


def kind(path: str, content_type: str) -> str:
    if path.startswith("/api/content"):
        return "content bundle"
    if "html" in content_type:
        return "html"
    if "css" in content_type:
        return "css"
    if "javascript" in content_type:
        return "js"
    if content_type.startswith("image/"):
        return "images"
    return "other"


def fetch(base_url: str, path: str, language: str = "en") -> tuple[int, str, int]:
    """(status, content type, bytes on the wire: headers + body as served)."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("GET", path, headers={"Accept-Encoding": "gzip, br", "Accept-Language": language})
    response = connection.getresponse()
    body = response.read()
    header_bytes = sum(len(k) + len(v) + 4 for k, v in response.getheaders()) + 17
    connection.close()
    return response.status, response.getheader("Content-Type", ""), len(body) + header_bytes


def precache(base_url: str, language: str = "en") -> dict:
    """The worker's precache as a browser reading `language` gets it (pages and bundle in
    that language; the catalogues of both languages are in every precache)."""
    _status, _type, _size = fetch(base_url, "/serviceworker.js")
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("GET", "/serviceworker.js")
    worker = connection.getresponse().read().decode()
    connection.close()
    urls = json.loads(re.search(r"const PRECACHE_URLS = (\[.*?\]);", worker, re.S).group(1))
    # Each language's script catalogue is kept with that language's pages.
    catalogues = json.loads(re.search(r"const CATALOGUES = (\{.*?\});", worker, re.S).group(1))
    urls.append(catalogues["zh-hans" if language.startswith("zh") else "en"])
    totals = dict.fromkeys(TYPES, 0)
    for path in urls:
        status, content_type, size = fetch(base_url, path, language)
        assert status == 200, f"{path}: {status}"
        totals[kind(path, content_type)] += size
    progress(PART, f"precache ({language}): {len(urls)} URLs, {sum(totals.values())} bytes compressed")
    return {"urls": len(urls), "bytes_by_type": totals, "bytes_total": sum(totals.values())}


def first_visit(base_url: str, locale: str = "en-GB") -> dict:
    from playwright.sync_api import sync_playwright

    totals = dict.fromkeys(TYPES, 0)
    seen = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        context = browser.new_context(bypass_csp=True, locale=locale)  # bypass: lets wait_for_function evaluate
        finished = []
        context.on("requestfinished", lambda request: finished.append(request))
        page = context.new_page()
        page.goto(base_url + "/")
        page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=30000)
        page.wait_for_load_state("networkidle")
        for request in finished:
            sizes = request.sizes()
            response = request.response()
            content_type = response.headers.get("content-type", "") if response else ""
            size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            totals[kind(urlsplit(request.url).path, content_type)] += size
            seen.append(request.url)
        browser.close()
    progress(PART, f"first visit ({locale}): {len(seen)} responses, {sum(totals.values())} bytes transferred")
    return {"responses": len(seen), "bytes_by_type": totals, "bytes_total": sum(totals.values())}


def main() -> None:
    with served_app(PART) as base_url:
        figures = {
            "precache": precache(base_url),
            "first_visit": first_visit(base_url),
            # A phone set to Chinese: the same URLs, its pages and bundle in Chinese.
            "precache_zh_hans": precache(base_url, "zh-CN,zh;q=0.9"),
            "first_visit_zh_hans": first_visit(base_url, "zh-CN"),
        }
    write_results(PART, figures)


if __name__ == "__main__":
    main()
