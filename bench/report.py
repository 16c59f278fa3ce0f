"""Assemble docs/BENCHMARKS.md from bench/results/*.json and print the same table.
A part whose results are missing is listed as not measured, never estimated.

    .venv/bin/python bench/report.py
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BASE_DIR, RESULTS_DIR, machine

OUTPUT = BASE_DIR / "docs" / "BENCHMARKS.md"


def load(part: str) -> dict | None:
    path = RESULTS_DIR / f"{part}.json"
    return json.loads(path.read_text()) if path.exists() else None


def kb(value: float) -> str:
    return f"{value / 1024:.1f} KB"


def met(ok: bool) -> str:
    return "yes" if ok else "**no**"


Row = tuple[str, str, str, str, str]
MISSING = "not measured (part did not run)"


def rows() -> list[Row]:
    """The table's rows, part by part, in the order of the targets."""
    return [row for part_rows in ROW_BUILDERS for row in part_rows()]


def weight_rows() -> list[Row]:
    out: list[Row] = []
    weight = load("weight")
    if weight:
        pre, first = weight["precache"], weight["first_visit"]
        by_type = ", ".join(f"{k} {kb(v)}" for k, v in pre["bytes_by_type"].items() if v)
        out.append(
            (
                "1. Precache (everything needed offline), compressed as served",
                f"{kb(pre['bytes_total'])} ({pre['urls']} URLs: {by_type})",
                "every URL in the worker's PRECACHE_URLS fetched with Accept-Encoding: gzip, br from gunicorn + "
                "WhiteNoise (DEBUG off); headers + body bytes",
                "< 150 KB",
                met(pre["bytes_total"] < 150 * 1024),
            )
        )
        by_type = ", ".join(f"{k} {kb(v)}" for k, v in first["bytes_by_type"].items() if v)
        out.append(
            (
                "1. First visit, bytes transferred",
                f"{kb(first['bytes_total'])} ({first['responses']} responses: {by_type})",
                "Chromium opens /, waits until the worker controls the page and the network is idle; sum of "
                "Playwright transfer sizes (page + worker precache)",
                "~10x under a 2 MB mobile page (< 200 KB)",
                met(first["bytes_total"] < 200 * 1024),
            )
        )
        if "precache_zh_hans" in weight:
            pre, first = weight["precache_zh_hans"], weight["first_visit_zh_hans"]
            out.append(
                (
                    "1. Precache, a phone set to Chinese (zh-CN)",
                    f"{kb(pre['bytes_total'])} ({pre['urls']} URLs)",
                    "as above with Accept-Language: zh-CN (pages and bundle in Chinese)",
                    "< 150 KB",
                    met(pre["bytes_total"] < 150 * 1024),
                )
            )
            out.append(
                (
                    "1. First visit, a phone set to Chinese (zh-CN)",
                    f"{kb(first['bytes_total'])} ({first['responses']} responses)",
                    "as above in a Chromium context with locale zh-CN",
                    "< 200 KB",
                    met(first["bytes_total"] < 200 * 1024),
                )
            )
    else:
        out.append(("1. Weight", MISSING, "", "< 150 KB", "—"))
    return out


def lighthouse_rows() -> list[Row]:
    out: list[Row] = []
    lighthouse = load("lighthouse")
    if lighthouse and lighthouse.get("pages"):
        for page, scores in lighthouse["pages"].items():
            if "error" in scores:
                out.append(
                    (f"2. Lighthouse {page}", f"could not run: {scores['error']}", "npx lighthouse", "100 each", "—")
                )
                continue
            values = ", ".join(f"{k} {v}" for k, v in scores["scores"].items())
            lost = "; ".join(scores.get("costly_audits", [])) or "none"
            out.append(
                (
                    f"2. Lighthouse {page}",
                    f"{values} (audits costing points: {lost})",
                    "npm lighthouse, mobile preset, Debian Chromium headless",
                    "100 each",
                    met(all(v == 100 for v in scores["scores"].values())),
                )
            )
    else:
        reason = (lighthouse or {}).get("error", "part did not run")
        out.append(("2. Lighthouse", f"not measured: {reason}", "npm lighthouse, mobile preset", "100 each", "—"))
    return out


def startup_rows() -> list[Row]:
    out: list[Row] = []
    startup = load("startup")
    if startup:
        on, off = startup["online_ms"]["median"], startup["offline_ms"]["median"]
        out.append(
            (
                "3. Start-up online (navigation start → first question)",
                f"{on:.0f} ms median",
                f"{startup['loads']} cold loads of /check/, new browser context each, headless Chromium; "
                "performance.now() when #question-heading shows",
                "< 300 ms",
                met(on < 300),
            )
        )
        out.append(
            (
                "3. Start-up offline (service worker)",
                f"{off:.0f} ms median",
                f"{startup['loads']} loads, new context with the worker installed, then offline",
                "< 300 ms and ≤ online",
                met(off < 300 and off <= on),
            )
        )
    else:
        out.append(("3. Start-up", MISSING, "", "< 300 ms", "—"))
    return out


def sync_rows() -> list[Row]:
    out: list[Row] = []
    sync = load("sync")
    if sync:
        per_100 = sync["requests_median"] / sync["checks"] * 100
        out.append(
            (
                "4. Sync end to end, 200 pending checks → receipted",
                f"{sync['ms_median']:.0f} ms median, {sync['requests_median']:.0f} requests ({per_100:.1f} per 100)",
                f"outbox.saveCheck × 200 in Chromium, then the app's syncNow() until none pending; "
                f"{sync['runs']} runs, API requests counted (registration included)",
                "< 2 s, ≤ 2 requests per 100",
                met(sync["ms_median"] < 2000 and per_100 <= 2),
            )
        )
    else:
        out.append(("4. Sync end to end", MISSING, "", "< 2 s", "—"))
    return out


def ingest_rows() -> list[Row]:
    out: list[Row] = []
    ingest = load("ingest")
    if ingest:
        for label in ("sqlite", "postgresql"):
            figures = ingest[label]
            api = figures["api"]
            plain, raw = figures["plain_viewset_results_per_s"], figures["raw_insert_results_per_s"]
            b100 = api["100"]["results_per_s"]
            rates = ", ".join(f"batch {b}: {api[b]['results_per_s']:.0f}/s" for b in ("1", "10", "100"))
            queries = ", ".join(f"batch {b}: {api[b]['queries_per_batch']}" for b in ("1", "10", "100"))
            out.append(
                (
                    f"5. Ingest {label}: POST /api/results/",
                    f"{rates}; SQL queries per request {queries}",
                    f"Django test client, {ingest['results_per_run']} results per size, median of "
                    f"{ingest['repeats']}; CaptureQueriesContext (8 = the hourly last_seen_at update)",
                    "queries per batch constant",
                    # One more on a device's first request of the hour: last_seen_at.
                    met(max(api["100"]["queries_per_batch"]) <= max(api["1"]["queries_per_batch"])),
                )
            )
            out.append(
                (
                    f"5. Ingest {label}: batch 100 vs plain ModelViewSet",
                    f"{b100 / plain:.1f}× ({b100:.0f}/s vs {plain:.0f}/s)",
                    "DRF ModelViewSet create, one result per request, defined in bench/ingest.py only",
                    "≥ 10×",
                    met(b100 / plain >= 10),
                )
            )
            out.append(
                (
                    f"5. Ingest {label}: batch 100 vs raw insert",
                    f"{b100 / raw:.1%} ({raw:.0f}/s raw)",
                    "the same rows, DB-API cursor executemany, 100 per transaction",
                    "≥ 10%",
                    met(b100 / raw >= 0.10),
                )
            )
    else:
        out.append(("5. Ingest", MISSING, "", "", "—"))
    return out


def load_rows() -> list[Row]:
    out: list[Row] = []
    load_figures = load("load")
    if load_figures:
        lat = load_figures["latency_ms"]
        out.append(
            (
                "6. Load: requests/s",
                f"{load_figures['requests_per_s']:.0f} requests/s, {load_figures['results_per_s']:.0f} results/s",
                f"gunicorn ({load_figures['workers']} sync workers, production settings) + PostgreSQL + Redis, "
                f"{load_figures['devices']} device threads, batches of 1-20, {load_figures['seconds']} s",
                "≥ 300 requests/s",
                met(load_figures["requests_per_s"] >= 300),
            )
        )
        out.append(
            (
                "6. Load: latency",
                f"p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms, p99 {lat['p99']:.0f} ms",
                "per request, client side",
                "p95 ≤ 150 ms",
                met(lat["p95"] <= 150),
            )
        )
        if "cpu_seconds" in load_figures:
            cpu = load_figures["cpu_seconds"]
            out.append(
                (
                    "6. Load: where the CPU went",
                    f"{cpu['busy']:.0f} of {cpu['available']:.0f} CPU-seconds busy: load generator "
                    f"{cpu['load_generator']:.0f}, server side (gunicorn, PostgreSQL, Redis) {cpu['server_side']:.0f}, "
                    f"i.e. {load_figures['server_side_cpu_ms_per_request']:.1f} ms per request",
                    "/proc/stat (whole machine) and the generator's own process time, over the run",
                    "(explains the figures above)",
                    "—",
                )
            )
        out.append(
            (
                "6. Load: errors, loss, duplicates",
                f"{load_figures['errors']} errors; "
                f"{load_figures['unique_results_sent']} unique results sent, {load_figures['rows_stored']} rows "
                f"stored, {load_figures['lost']} lost, {load_figures['duplicated']} duplicated; "
                f"{load_figures['resent_requests']} requests re-sent ({load_figures['resent_share']:.1%})",
                "rows counted in PostgreSQL after the run; an assertion fails the run otherwise",
                "0 errors, 0 lost, 0 duplicated",
                met(load_figures["errors"] == 0 and load_figures["lost"] == 0 and load_figures["duplicated"] == 0),
            )
        )
    else:
        out.append(("6. Load", MISSING, "", "≥ 300 requests/s", "—"))
    return out


def fuzz_rows() -> list[Row]:
    out: list[Row] = []
    fuzz = load("fuzz")
    if fuzz:
        out.append(
            (
                "API fuzzing (schemathesis, larger run)",
                f"{fuzz['cases_total']} cases over "
                f"{len(fuzz['cases_by_operation'])} operations, {fuzz['server_errors']} 5xx, "
                f"{'all responses match the schema' if fuzz['passed'] else 'FAILED: ' + '; '.join(fuzz['failures'])}",
                f"{fuzz['examples_per_operation_and_mode']} examples per operation, positive and negative, "
                "random seed, valid device token",
                "0 5xx, schema conformance",
                met(fuzz["passed"]),
            )
        )
    else:
        out.append(("API fuzzing", MISSING, "", "0 5xx", "—"))
    return out


ROW_BUILDERS = (weight_rows, lighthouse_rows, startup_rows, sync_rows, ingest_rows, load_rows, fuzz_rows)


def table(lines: list[tuple]) -> str:
    head = "| Figure | Measured | How | Target | Met |\n|---|---|---|---|---|\n"
    return head + "\n".join("| " + " | ".join(cell.replace("|", "/") for cell in line) + " |" for line in lines)


def main() -> None:
    info = machine()
    stamps = sorted(
        {
            (load(p) or {}).get("measured_at", "")
            for p in ("weight", "lighthouse", "startup", "sync", "ingest", "load", "fuzz")
        }
        - {""}
    )
    body = table(rows())
    text = f"""# BackCare benchmarks

Written by `make bench` (bench/report.py); every figure below was measured by the scripts
in `bench/` on the machine named here, on loopback. Ratios are measured side by side in one
run; times are medians over repeated runs. Re-run a single part with
`.venv/bin/python bench/<part>.py`, then `.venv/bin/python bench/report.py`.

**Machine**: {info["cpus"]} CPUs ({info["cpu_model"]}), {info["memory_gb"]} GB RAM; {info["os"]};
Python {info["python"]}; {info["postgresql"]}; SQLite {info["sqlite"]}; {info["redis"]}; {info["chromium"]}.
Measured: {", ".join(stamps) or "n/a"}.

{body}
"""
    notes = BASE_DIR / "bench" / "NOTES.md"
    if notes.exists():
        text += "\n" + notes.read_text()
    OUTPUT.write_text(text)
    print(body)
    print(f"\nwrote {OUTPUT.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
