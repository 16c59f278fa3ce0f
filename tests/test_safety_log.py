"""docs/SAFETY.md names a real test for every control; this keeps it honest."""

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TEST_REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def named_tests() -> list[tuple[str, str]]:
    return TEST_REFERENCE.findall((ROOT / "docs" / "SAFETY.md").read_text(encoding="utf-8"))


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def test_it_names_a_test_for_every_hazard():
    rows = [line for line in (ROOT / "docs" / "SAFETY.md").read_text().splitlines() if re.match(r"\| H\d+ ", line)]

    assert len(rows) >= 10
    assert all(TEST_REFERENCE.search(row) for row in rows)


def test_every_test_the_hazard_log_names_exists():
    missing = [
        f"{path}::{name}"
        for path, name in named_tests()
        if not (ROOT / path).exists() or name not in defined_tests(ROOT / path)
    ]

    assert missing == []
