"""Structured logs: one JSON object a line, tagged with the request id.

BackCare handles health-related answers, so a log line carries only what an operator
needs to follow a request: when, how bad, which logger, the message, the request id and,
for gunicorn's access log, the method, the path without its query string, the status and
the duration. Headers (Authorization among them), query strings and request bodies are
never copied into a line. Messages are scrubbed for `Token …` credentials as well, in
case a future log call passes one along by mistake.
"""

import json
import logging
import logging.config
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# Set by quiz.middleware.RequestIdMiddleware for the duration of one request.
request_id_var: ContextVar[str] = ContextVar("request_id", default="")

_TOKEN_RE = re.compile(r"(?i)\b(token|bearer)\s+[A-Za-z0-9._~+/=-]+")

# gunicorn hands its access-log record a dict of "atoms"; these are the only ones we keep.
_ACCESS_FIELDS = {"method": "m", "path": "U", "status": "s", "duration_ms": "M", "bytes": "B"}


def configure(config: dict[str, Any]) -> None:
    """settings.LOGGING_CONFIG: the dictionary config, and Python's warnings logged through
    it (logger "py.warnings") rather than printed to stderr past the JSON formatter."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)


def scrub(text: str) -> str:
    """Replace anything that looks like an Authorization credential."""
    return _TOKEN_RE.sub(lambda match: f"{match.group(1)} [redacted]", text)


class JsonFormatter(logging.Formatter):
    """Format a record as a single-line JSON object (newlines inside values are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            # Tells the workers of one server apart (gunicorn logs from the worker process).
            "pid": record.process,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            entry.update(self._access_fields(record.args))
        else:
            entry["message"] = scrub(record.getMessage())
            # django.request logs "Not Found"/"Unauthorized" after the middleware has
            # returned, but attaches the request itself to the record.
            request_id = request_id_var.get() or getattr(getattr(record, "request", None), "request_id", "")
            if request_id:
                entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)

    @staticmethod
    def _access_fields(atoms: dict) -> dict:
        # gunicorn logs after the response has left Django, when the request's context is
        # gone, so the id comes from the response header the middleware set.
        fields: dict[str, Any] = {name: atoms.get(atom) for name, atom in _ACCESS_FIELDS.items()}
        fields["message"] = f"{fields['method']} {fields['path']} {fields['status']}"
        fields["request_id"] = atoms.get("{x-request-id}o") or ""
        for name in ("status", "duration_ms", "bytes"):
            try:
                fields[name] = int(fields[name])
            except (TypeError, ValueError):
                fields[name] = None
        return fields
