"""Part 1, weight: the bytes a browser transfers on a first visit (compressed, as served
by gunicorn + WhiteNoise with DEBUG off) and the total size of the service worker's
precache, per type. Precache: every URL the worker keeps at install, fetched as the worker
fetches it (Accept-Encoding: gzip, br): the common static files once, and each language's
pages, manifest, content bundle and script catalogue in that language (the worker keeps
every language up front). First visit: Debian Chromium set to en-GB, then zh-CN, loads /
and every response the page and its worker receive is counted (Playwright's transfer sizes).

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
CONTENT_URL = "/api/content/"


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
    headers = {"Accept-Encoding": "gzip, br", "Accept-Language": language}
    if path.startswith(CONTENT_URL):
        headers["Accept"] = "application/json"  # as content.js and the worker ask for it
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    header_bytes = sum(len(k) + len(v) + 4 for k, v in response.getheaders()) + 17
    connection.close()
    return response.status, response.getheader("Content-Type", ""), len(body) + header_bytes


def worker_lists(base_url: str) -> dict:
    """The lists the worker's source names: what it precaches, and how per language."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("GET", "/serviceworker.js")
    worker = connection.getresponse().read().decode()
    connection.close()

    def constant(name: str, brackets: str) -> list | dict:
        pattern = rf"const {name} = (\{brackets[0]}.*?\{brackets[1]});"
        return json.loads(re.search(pattern, worker, re.S).group(1))

    return {
        "precache": constant("PRECACHE_URLS", "[]"),
        "pages": constant("PAGE_URLS", "[]"),
        "languages": constant("LANGUAGES", "[]"),
        "catalogues": constant("CATALOGUES", "{}"),
    }


def measure(base_url: str, urls: list[str], language: str) -> dict:
    totals = dict.fromkeys(TYPES, 0)
    for path in urls:
        status, content_type, size = fetch(base_url, path, language)
        assert status == 200, f"{path}: {status}"
        totals[kind(path, content_type)] += size
    return {"urls": len(urls), "bytes_by_type": totals, "bytes_total": sum(totals.values())}


def precache(base_url: str) -> dict:
    """What the worker keeps at install: the common static files, then every language's pages,
    manifest, bundle (?lang=) and script catalogue, each asked for in that language."""
    lists = worker_lists(base_url)
    per_language = set(lists["pages"]) | {CONTENT_URL}
    parts = {"common": measure(base_url, [url for url in lists["precache"] if url not in per_language], "en")}
    for language in lists["languages"]:
        urls = [*lists["pages"], f"{CONTENT_URL}?lang={language}", lists["catalogues"][language]]
        parts[language] = measure(base_url, urls, language)
    totals = {kind: sum(part["bytes_by_type"][kind] for part in parts.values()) for kind in TYPES}
    figures = {
        "urls": sum(part["urls"] for part in parts.values()),
        "bytes_by_type": totals,
        "bytes_total": sum(totals.values()),
        "by_part": parts,
    }
    shares = ", ".join(f"{name} {part['bytes_total']}" for name, part in parts.items())
    progress(PART, f"precache: {figures['urls']} URLs, {figures['bytes_total']} bytes compressed ({shares})")
    return figures


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
            # The same for every browser: the worker keeps every language at install.
            "precache": precache(base_url),
            "first_visit": first_visit(base_url),
            # A phone set to Chinese: its first page in Chinese, the same precache.
            "first_visit_zh_hans": first_visit(base_url, "zh-CN"),
        }
    write_results(PART, figures)


if __name__ == "__main__":
    main()
