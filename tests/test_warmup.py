"""The WSGI module loads what Django would otherwise load on a process's first requests
(backcare/warmup.py): gunicorn's master imports it once (preload_app) for every worker."""

import json
import subprocess
import sys

import pytest
from django.conf import settings

from harness.production_server import clean_environment

CODE = """
import json, sys
import backcare.wsgi
from django.db import connections
print(json.dumps({
    "urlconf": "quiz.api_urls" in sys.modules,
    "connected": [alias for alias in connections if connections[alias].connection is not None],
}))
"""


@pytest.mark.subprocess
def test_importing_the_wsgi_app_loads_the_urls_and_opens_no_connection():
    finished = subprocess.run(
        [sys.executable, "-c", CODE],
        cwd=settings.BASE_DIR,
        # A database nothing listens on: a query during the warm-up would fail the import.
        env=clean_environment(
            DEBUG="false",
            SECRET_KEY="k" * 50,
            ALLOWED_HOSTS="backcare.example",
            DATABASE_URL="postgres://nobody@127.0.0.1:9/none",
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert finished.returncode == 0, finished.stderr
    imported = json.loads(finished.stdout.strip().splitlines()[-1])
    assert imported == {"urlconf": True, "connected": []}
