"""Logs are one JSON object a line, carry the request id, and never a token or an answer."""

import io
import json
import logging
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from sync_helpers import CALM_ANSWERS

from harness.production_server import clean_environment
from quiz.logs import JsonFormatter


@pytest.fixture
def json_log():
    """Everything logged while the test runs, formatted as production formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_it_logs_a_refused_request_as_one_line_with_its_id_and_without_the_token_or_body(client, published, json_log):
    secret = "s3cret-device-token-value-" + uuid.uuid4().hex
    body = {"results": [{"uuid": str(uuid.uuid4()), "content_version": 1, "answers": CALM_ANSWERS}]}

    response = client.post(
        "/api/results/?from=private-query",
        body,
        content_type="application/json",
        headers={"Authorization": f"Token {uuid.uuid4()}.{secret}"},
    )

    assert response.status_code == 401
    logged = [line for line in lines(json_log) if line["logger"] == "django.request"]
    assert len(logged) == 1
    assert logged[0]["level"] == "WARNING"
    assert logged[0]["message"] == "Unauthorized: /api/results/"
    assert logged[0]["request_id"] == response.headers["X-Request-ID"]
    raw = json_log.getvalue()
    assert secret not in raw
    assert "private-query" not in raw
    assert body["results"][0]["uuid"] not in raw
    assert "w_emergency" not in raw


def test_it_keeps_a_traceback_on_one_line_and_scrubs_tokens_from_messages(json_log):
    logger = logging.getLogger("quiz.test")
    try:
        raise ValueError("bad header: Token 0f3e9a.abcdefSECRET")
    except ValueError:
        logger.exception("Failed with Authorization: Token 0f3e9a.abcdefSECRET\nsecond line")

    [entry] = lines(json_log)
    assert entry["level"] == "ERROR"
    assert entry["message"] == "Failed with Authorization: Token [redacted]\nsecond line"
    assert "ValueError" in entry["exception"]
    assert "abcdefSECRET" not in json_log.getvalue()
    assert json_log.getvalue().count("\n") == 1


def test_it_formats_gunicorns_access_line_without_the_query_string_or_headers():
    # gunicorn logs its access line with a dict of "atoms", as built in gunicorn.glogging.
    atoms = {
        "m": "POST",
        "U": "/api/results/",
        "q": "from=private-query",
        "r": "POST /api/results/?from=private-query HTTP/1.1",
        "s": "200",
        "M": 12,
        "B": 345,
        "h": "203.0.113.9",
        "{authorization}i": "Token abc.SECRET",
        "{x-request-id}o": "req-00000001",
    }
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(r)s", (atoms,), None)

    entry = json.loads(JsonFormatter().format(record))

    assert entry["method"] == "POST"
    assert entry["path"] == "/api/results/"
    assert entry["status"] == 200
    assert entry["duration_ms"] == 12
    assert entry["request_id"] == "req-00000001"
    assert "private-query" not in json.dumps(entry)
    assert "SECRET" not in json.dumps(entry)
    assert "203.0.113.9" not in json.dumps(entry)


def run_django(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR,
        env=clean_environment(**{"SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "backcare.example", **env}),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.subprocess
def test_it_writes_json_logs_in_production_and_readable_ones_in_development():
    code = "import logging; logging.getLogger('quiz').warning('hello from %s', 'settings')"

    production = run_django(code, DEBUG="false")
    development = run_django(code, DEBUG="true")

    assert production.returncode == 0, production.stderr
    [entry] = [json.loads(line) for line in production.stderr.splitlines()]
    assert entry["message"] == "hello from settings"
    assert entry["logger"] == "quiz"
    assert development.returncode == 0, development.stderr
    assert development.stderr.strip().endswith("WARNING quiz: hello from settings")


@pytest.mark.subprocess
@pytest.mark.parametrize("debug", ["false", "true"])
def test_it_writes_a_python_warning_as_a_json_line_when_logs_are_json(debug):
    code = "import warnings; warnings.warn('overflow encountered', RuntimeWarning)"

    finished = run_django(code, DEBUG=debug, LOG_FORMAT="json")

    assert finished.returncode == 0, finished.stderr
    [entry] = [json.loads(line) for line in finished.stderr.splitlines()]
    assert entry["logger"] == "py.warnings"
    assert entry["level"] == "WARNING"
    assert "RuntimeWarning: overflow encountered" in entry["message"]
