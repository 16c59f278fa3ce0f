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


@pytest.mark.parametrize("module", ["services.py", "models.py", "scoring.py", "contracts.py", "tiers.py"])
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
