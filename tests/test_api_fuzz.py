"""API fuzzing: schemathesis generates requests for every operation in /api/schema/ and
checks that none gets a 5xx and that every response matches the schema.

Bounded and derandomized so it stays fast and gives the same cases on every run;
`make bench` runs a larger, randomized pass (bench/fuzz.py). Schemathesis's pytest
plugin does not run under this pytest, so each operation's strategy drives a plain
Hypothesis test here.
"""

import json
import os
from pathlib import Path

import pytest
import schemathesis
import werkzeug.test
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.core.parameters import ParameterLocation

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "15"))
DERANDOMIZE = os.environ.get("FUZZ_RANDOM", "") == ""
OPERATIONS = {
    "GET /api/content/",
    "GET /api/content/{number}/",
    "POST /api/devices/",
    "DELETE /api/devices/me/",
    "GET /api/results/",
    "POST /api/results/",
}

# A batch with a bad result is still accepted (200): the bad result gets a `rejected`
# receipt and the good ones are stored, so one bad check never blocks a phone's outbox.
# A cursor is opaque: any text fits its schema, but only one the server gave in a `next`
# or `previous` link is read; any other gets a 400 `invalid_cursor`.
LENIENT_BY_DESIGN = {
    "POST /api/results/": [schemathesis.checks.negative_data_rejection],
    "GET /api/results/": [schemathesis.checks.positive_data_acceptance],
}


def fuzz_operations(*, max_examples: int, derandomize: bool, modes=tuple(schemathesis.GenerationMode)):
    """Run every operation in the schema through schemathesis; return {label: cases run}."""
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app)
    browser = werkzeug.test.Client(app)
    counts = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        counts[operation.label] = 0
        for mode in modes:

            @given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis_settings(
                max_examples=max_examples,
                derandomize=derandomize,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def check(case):
                # A fresh device per case: `DELETE /api/devices/me/` erases the one it is given.
                token = browser.post("/api/devices/", json={}).json["token"]
                excluded = LENIENT_BY_DESIGN.get(case.operation.label, [])
                # identity: the in-process WSGI client does not undo GZipMiddleware's compression.
                headers = {"Accept-Encoding": "identity"}
                # A case whose headers are invalid on purpose (its Authorization left out or
                # mangled) is sent as made: a valid token added to it would make the server
                # right to accept it.
                if not case.meta or not case.meta.is_negative_at(ParameterLocation.HEADER):
                    headers["Authorization"] = f"Token {token}"
                case.call_and_validate(headers=headers, excluded_checks=excluded)
                counts[case.operation.label] += 1

            try:
                check()
            except Unsatisfiable:
                # Negative mode on an operation with no input that can be made invalid.
                if mode is schemathesis.GenerationMode.POSITIVE:
                    raise
    return counts


@pytest.fixture
def wsgi_keeps_test_connection():
    """Schemathesis calls the WSGI app itself; unlike Django's test client that fires
    request_finished, which would close the test transaction's database connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def unthrottled(settings):
    # Every case registers a device and calls once: far past the production rates.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"devices": "1000000/minute", "results": "1000000/minute"},
    }


def test_no_operation_answers_5xx_or_off_schema(published, unthrottled, wsgi_keeps_test_connection):
    counts = fuzz_operations(max_examples=MAX_EXAMPLES, derandomize=DERANDOMIZE)

    if os.environ.get("FUZZ_REPORT"):  # bench/fuzz.py reads how many cases ran
        Path(os.environ["FUZZ_REPORT"]).write_text(json.dumps(counts))
    assert set(counts) == OPERATIONS
    assert all(counts.values()), counts
