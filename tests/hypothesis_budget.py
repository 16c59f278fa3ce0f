"""How many examples a property test that names its count runs: that count under the
"full" profile (`make test`), a tenth of it under "fast" (`make test-fast`), as the
profiles' own counts compare (tests/conftest.py registers them)."""

from hypothesis import settings

FULL_EXAMPLES = 100  # Hypothesis's default, the "full" profile's


def examples(full: int) -> int:
    """`full` scaled to the profile loaded (read when the test module is imported, after
    the profile is)."""
    return max(1, full * settings.default.max_examples // FULL_EXAMPLES)
