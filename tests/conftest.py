"""Shared fixtures: the shipped content, admin users, and Debian Chromium for Playwright."""

import importlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings
from seeded_content import SeededTables, copy_seeded_tables, restore_seeded_tables

from quiz.models import ContentVersion

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to
# run inside one unless told the test knows what it is doing.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def pytest_configure(config):
    """The translations are compiled (`make test` does it too; plain `pytest` must not see
    English where Chinese is expected). The .mo files are built, never committed."""
    if shutil.which("msgfmt") is None:
        raise pytest.UsageError("gettext's msgfmt is missing: run `make messages` (it installs Debian's gettext).")
    for po in LOCALE_DIR.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            subprocess.run(["msgfmt", "--check", "-o", str(mo), str(po)], check=True)


# Hypothesis: `make test` runs every property test with its full number of examples (the
# "full" profile, Hypothesis's default of 100 or the count the test names); `make test-fast`
# passes `--hypothesis-profile=fast`, a tenth of them (tests/hypothesis_budget.py scales
# the counts tests name).
hypothesis_settings.register_profile("full", hypothesis_settings.get_profile("default"))
hypothesis_settings.register_profile("fast", max_examples=10)


# Whole modules that `make test-fast` leaves out, by marker (pyproject.toml says what each
# means); single slow tests elsewhere carry the marker themselves.
SLOW_MODULES = {
    "test_api_fuzz.py": "fuzz",
    "test_gunicorn.py": "gunicorn",
    # gunicorn servers whose Redis or PostgreSQL refuses or never answers: they wait out timeouts.
    "test_outages.py": "gunicorn",
    "test_settings.py": "subprocess",
    "test_deploy_check.py": "subprocess",
    # Migrations run back to 0011 and forward again, twice.
    "test_content_languages_migration.py": "slow",
}


def pytest_collection_modifyitems(config, items):
    """Marks the slow modules (SLOW_MODULES), and reruns flaky browser tests where asked.

    With BROWSER_TEST_RERUNS=n (.ci/run sets 1), a real-browser test that fails runs up to
    n times more, as Playwright's own runner does on CI. Only browser tests: Chromium on a
    busy two-core machine now and then loses a race the app does not (.ci/run says which).
    Nothing else is ever rerun, and `make test` alone reruns nothing."""
    for item in items:
        marker = SLOW_MODULES.get(item.path.name)
        if marker:
            item.add_marker(getattr(pytest.mark, marker))
    reruns = int(os.environ.get("BROWSER_TEST_RERUNS") or 0)
    if reruns <= 0:
        return
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.flaky(reruns=reruns))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """API throttle counts live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite tests use a file, not shared memory: with an in-memory database Django hands
    every live-server thread one shared connection, so concurrent requests (the browser
    and its service worker, parallel syncs) trip over each other's transactions."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def _seeded_tables(django_db_setup, django_db_blocker) -> SeededTables:
    with django_db_blocker.unblock():
        return copy_seeded_tables()


@pytest.fixture
def published(db, _seeded_tables) -> ContentVersion:
    """The shipped content, loaded into the editable models and published as version 1:
    the rows `services.content_seed` wrote once for this test database (seeded_content.py)."""
    restore_seeded_tables(_seeded_tables)
    return ContentVersion.objects.get(pk=_seeded_tables.version_pk)


@pytest.fixture
def editor(django_user_model):
    """A member of "Content editors". A test on a transactional database empties the tables
    afterwards, groups the migrations made included, so the group is made again here with
    the permissions migrations 0002 and 0004 give it."""
    group_migration = importlib.import_module("quiz.migrations.0002_content_editors_group")
    results_migration = importlib.import_module("quiz.migrations.0004_content_editors_see_results")
    actions = ("add", "change", "delete", "view")
    codenames = [f"{action}_{model}" for model in group_migration.EDITABLE_MODELS for action in actions]
    codenames += ["view_contentversion", "publish_content", *results_migration.CODENAMES]
    group, _created = Group.objects.get_or_create(name=group_migration.GROUP_NAME)
    group.permissions.set(Permission.objects.filter(content_type__app_label="quiz", codename__in=codenames))
    user = django_user_model.objects.create_user(username="clinic_editor", password="pw", is_staff=True)
    user.groups.add(group)
    return user


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")}
