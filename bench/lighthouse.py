"""Part 2, Lighthouse (npm `lighthouse`, pinned in bench/package.json, with Debian
Chromium; the default mobile preset) on home, the check (first question), tips and
history, and on home and the check for a phone set to Chinese, against gunicorn with the
production settings on loopback. Scores for performance, accessibility, best practices
and SEO, and the audits that cost points.

Each page is audited LIGHTHOUSE_RUNS times (3 unless set), the pages taking turns so a
busy spell on the machine falls on all of them alike; each run keeps the machine's load
average when it started and Lighthouse's benchmark index (the CPU it measured it had):
the performance score moves with CPU contention on a two-core machine shared with other
work (total blocking time above all). A page's scores are the median of its runs.

    (cd bench && npm ci) && .venv/bin/python bench/lighthouse.py
"""

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BASE_DIR, RESULTS_DIR, progress, served_app, write_results

PART = "lighthouse"
LIGHTHOUSE = BASE_DIR / "bench" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PAGES = {"home": "/", "check (first question)": "/check/", "tips": "/tips/", "history": "/history/"}
# The same pages for a phone set to Chinese (its Accept-Language), named with the language.
CHINESE_PAGES = {"home (简体中文)": "/", "check (简体中文)": "/check/"}
CHINESE_HEADERS = json.dumps({"Accept-Language": "zh-CN,zh;q=0.9"})
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
RUNS = int(os.environ.get("LIGHTHOUSE_RUNS", "3"))


def ensure_installed() -> None:
    if not LIGHTHOUSE.exists():
        progress(PART, "npm ci (bench/package-lock.json)")
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=BASE_DIR / "bench",
            check=True,
            timeout=600,
            capture_output=True,
        )


def audit(base_url: str, name: str, path: str, headers: str | None = None, run: int = 1) -> dict:
    suffix = "-zh-hans" if headers else ""
    report = RESULTS_DIR / f"lighthouse-{path.strip('/') or 'home'}{suffix}-{run}.json"
    load = os.getloadavg()[0]
    result = subprocess.run(
        [
            str(LIGHTHOUSE),
            base_url + path,
            "--output=json",
            f"--output-path={report}",
            "--quiet",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox",
            *([f"--extra-headers={headers}"] if headers else []),
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0 or not report.exists():
        return {"error": (result.stderr.strip().splitlines() or ["lighthouse failed"])[-1][:300]}
    data = json.loads(report.read_text())
    scores = {key: round((data["categories"][key]["score"] or 0) * 100) for key in CATEGORIES}
    costly = []
    for key in CATEGORIES:
        for ref in data["categories"][key]["auditRefs"]:
            found = data["audits"][ref["id"]]
            if ref["weight"] > 0 and found["score"] is not None and found["score"] < 1:
                costly.append(f"{key}: {ref['id']} ({found['score']:.2f})")
    # Lighthouse's own measure of the CPU it got as the run began (higher is faster).
    speed = round(data["environment"]["benchmarkIndex"])
    progress(PART, f"{name} run {run} (load {load:.2f}, benchmark index {speed}): {scores}")
    return {"scores": scores, "costly_audits": costly, "load_average": round(load, 2), "benchmark_index": speed}


def audit_with_retry(
    base_url: str, name: str, path: str, headers: str | None = None, run: int = 1, attempts: int = 3
) -> dict:
    """Lighthouse now and then fails to record its trace (NO_NAVSTART); that is no score."""
    for attempt in range(1, attempts + 1):
        result = audit(base_url, name, path, headers, run)
        if "error" not in result:
            return result
        progress(PART, f"{name}: attempt {attempt} failed: {result['error']}")
    return result


def summarise(runs: list[dict]) -> dict:
    """A page's runs: the median score of each category, the audits that cost points in
    any run, and every run with the load it ran under."""
    scored = [run for run in runs if "error" not in run]
    if not scored:
        return runs[-1]
    costly = sorted({audit for run in scored for audit in run["costly_audits"]})
    return {
        "scores": {key: round(statistics.median(run["scores"][key] for run in scored)) for key in CATEGORIES},
        "costly_audits": costly,
        "runs": runs,
    }


def main() -> int:
    try:
        ensure_installed()
    except (OSError, subprocess.SubprocessError) as error:
        write_results(PART, {"error": f"lighthouse could not be installed: {error}"})
        return 0
    targets = [(name, path, None) for name, path in PAGES.items()]
    targets += [(name, path, CHINESE_HEADERS) for name, path in CHINESE_PAGES.items()]
    runs: dict[str, list[dict]] = {name: [] for name, _path, _headers in targets}
    with served_app(PART) as base_url:
        for run in range(1, RUNS + 1):
            for name, path, headers in targets:
                runs[name].append(audit_with_retry(base_url, name, path, headers, run))
    write_results(PART, {"runs_per_page": RUNS, "pages": {name: summarise(found) for name, found in runs.items()}})
    return 0


if __name__ == "__main__":
    sys.exit(main())
