"""The larger API fuzzing run: the same schemathesis test `make test` runs
(tests/test_api_fuzz.py), with many more cases per operation and a fresh random seed.
Any 5xx or off-schema response fails it.

    .venv/bin/python bench/fuzz.py
"""

import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BASE_DIR, PYTHON, RESULTS_DIR, progress, write_results

PART = "fuzz"
# 500 per operation and mode: about 5,000 cases, each with a freshly registered device's
# token, so every authenticated operation is fuzzed past its authentication.
EXAMPLES = int(os.environ.get("BENCH_FUZZ_EXAMPLES", "500"))


def main() -> int:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    counts_file = RESULTS_DIR / "fuzz-counts.json"
    counts_file.unlink(missing_ok=True)
    progress(PART, f"schemathesis, {EXAMPLES} examples per operation and mode, random seed")
    env = {**os.environ, "FUZZ_MAX_EXAMPLES": str(EXAMPLES), "FUZZ_RANDOM": "1", "FUZZ_REPORT": str(counts_file)}
    result = subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_api_fuzz.py"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    counts = json.loads(counts_file.read_text()) if counts_file.exists() else {}
    failures = [line for line in result.stdout.splitlines() if line.startswith(("  | - ST", "E   "))]
    figures = {
        "examples_per_operation_and_mode": EXAMPLES,
        "passed": result.returncode == 0,
        "cases_by_operation": counts,
        "cases_total": sum(counts.values()),
        "server_errors": sum("ST101" in line or "Server error" in line for line in failures),
        "failures": failures[:10],
    }
    write_results(PART, figures)
    progress(PART, f"{figures['cases_total']} cases, {'passed' if figures['passed'] else 'FAILED'}")
    if result.returncode != 0:
        print(result.stdout[-5000:])
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
