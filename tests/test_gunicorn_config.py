"""gunicorn.conf.py reads the environment with the settings' own helpers: a blank value
means "not set", a bad one stops the server at once and names the variable."""

import gc
import multiprocessing
import runpy

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CONFIG = str(settings.BASE_DIR / "gunicorn.conf.py")


def test_it_takes_blank_gunicorn_variables_as_not_set(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "")
    monkeypatch.setenv("GUNICORN_BIND", " ")

    config = runpy.run_path(CONFIG)

    assert config["workers"] == multiprocessing.cpu_count() * 2 + 1
    assert config["bind"] == "127.0.0.1:8000"


def test_it_reads_the_values_an_operator_sets(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "45")

    config = runpy.run_path(CONFIG)

    assert (config["workers"], config["timeout"]) == (3, 45)


def test_it_refuses_a_timeout_that_is_not_a_number_and_names_it(monkeypatch):
    monkeypatch.setenv("GUNICORN_TIMEOUT", "soon")

    with pytest.raises(ImproperlyConfigured, match="GUNICORN_TIMEOUT must be an integer"):
        runpy.run_path(CONFIG)


def test_it_logs_json_unless_debug_is_on(monkeypatch):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    monkeypatch.setenv("DEBUG", "")
    production = runpy.run_path(CONFIG)
    monkeypatch.setenv("DEBUG", "true")
    development = runpy.run_path(CONFIG)

    assert "logconfig_dict" in production
    assert "logconfig_dict" not in development


def test_the_master_puts_what_it_holds_out_of_the_collectors_reach_before_each_fork(monkeypatch):
    monkeypatch.delenv("GUNICORN_GC_FREEZE", raising=False)
    config = runpy.run_path(CONFIG)
    assert gc.get_freeze_count() == 0
    try:
        config["pre_fork"](server=None, worker=None)

        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_an_operator_can_leave_the_collector_as_it_is(monkeypatch):
    monkeypatch.setenv("GUNICORN_GC_FREEZE", "false")
    config = runpy.run_path(CONFIG)
    try:
        config["pre_fork"](server=None, worker=None)

        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
