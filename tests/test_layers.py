"""Dependencies run one way: the API layer (DRF) knows services, services know models and
the scorer, and none of those knows the API. A service that imports DRF cannot be called
from the admin, a management command or a test without dragging the HTTP layer in."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

QUIZ = Path(settings.BASE_DIR) / "quiz"
API_LAYER = {"rest_framework", "drf_spectacular", "quiz.api", "quiz.rest", "quiz.serializers"}


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, relative imports resolved within the quiz package."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = f"quiz.{node.module}" if node.level else node.module
            names.update(f"{base}.{alias.name}" if base else f"quiz.{alias.name}" for alias in node.names)
    return names


def reaches_the_api_layer(name: str) -> bool:
    return any(name == layer or name.startswith(f"{layer}.") for layer in API_LAYER)


@pytest.mark.parametrize(
    "module",
    ["services.py", "models.py", "scoring.py", "contracts.py", "ingest_fastpath.py", "json_values.py", "tiers.py"],
)
def test_the_inner_layers_never_import_drf_or_the_api(module):
    imported = imported_modules(QUIZ / module)

    assert sorted(name for name in imported if reaches_the_api_layer(name)) == []


def test_it_would_notice_a_service_importing_drf(tmp_path):
    leaky = tmp_path / "leaky.py"
    leaky.write_text("from rest_framework.exceptions import ValidationError\nfrom .rest import split_token\n")

    assert sorted(name for name in imported_modules(leaky) if reaches_the_api_layer(name)) == [
        "quiz.rest.split_token",
        "rest_framework.exceptions.ValidationError",
    ]


# -- writes in services, shortcuts in the fast path ------------------------------------------

QUIZ_MODULES = sorted(path for path in QUIZ.rglob("*.py") if "migrations" not in path.parts)
WRITES = {"create", "bulk_create", "update", "update_or_create", "get_or_create", "delete", "bulk_update"}
# Modules that write outside services.py, and why. Loading a snapshot into the editable
# rows is a building block of `services.content_seed`/`content_import`/`content_upgrade_to_seed`
# (content.py and its translations' part); a management command creates the local admin.
WRITERS_BESIDE_SERVICES = {
    "services.py": "every write",
    "content.py": "load_content: a snapshot into the working copy, for services only",
    "translation.py": "load_translations: part of load_content",
    "management/commands/ensure_local_admin.py": "the local admin user (Django's auth model)",
}
# What only the fast path may use: raw SQL through a cursor, and Django's and redis-py's
# internals (a private attribute used there would need a figure in bench/NOTES.md; none is).
FAST_PATH_ONLY = {"cursor", "ServerBindingCursor", "make_debug_cursor", "make_cursor", "_cache", "get_client"}


def queryset_writes(path: Path) -> list[str]:
    """`Model.objects....<write>(...)` calls in `path`, as `line: method`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
            chain = {inner.attr for inner in ast.walk(node.func.value) if isinstance(inner, ast.Attribute)}
            if "objects" in chain:
                found.append(f"{node.lineno}: {node.func.attr}")
    return found


def attributes_used(path: Path) -> set[str]:
    """Every attribute `path` reads (`x.cursor`) and every name it imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imports = [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    return {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)} | {
        alias.asname or alias.name for node in imports for alias in node.names
    }


def test_only_the_services_write_to_the_database():
    writers = {str(path.relative_to(QUIZ)) for path in QUIZ_MODULES if queryset_writes(path)}

    assert writers <= set(WRITERS_BESIDE_SERVICES)


def test_it_would_notice_a_write_outside_the_services(tmp_path):
    leaky = tmp_path / "leaky.py"
    leaky.write_text("Device.objects.filter(pk=1).update(last_seen_at=None)\nrows.update(x=1)\n")

    assert queryset_writes(leaky) == ["1: update"]


def test_raw_sql_and_django_and_redis_internals_stay_in_the_fast_path():
    users = {
        str(path.relative_to(QUIZ)): sorted(attributes_used(path) & FAST_PATH_ONLY)
        for path in QUIZ_MODULES
        if attributes_used(path) & FAST_PATH_ONLY
    }

    assert users == {"ingest_fastpath.py": ["cursor"]}
