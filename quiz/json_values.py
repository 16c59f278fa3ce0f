"""What the server takes inside JSON it parses or stores: how deep arrays and objects nest,
and which strings and numbers PostgreSQL's jsonb accepts.

One iterative walk serves the request parser (depth only), each result's answers and
outcome (depth and values) and a content file (depth only): a walk that recursed would
run out of stack on the very nesting it guards against. No Django or DRF here.
"""

import math
from collections.abc import Iterable
from typing import Any

# The problems `json_problem` names; each is an error message key in the serializers.
TOO_DEEP = "too_deep"
UNSTORABLE_TEXT = "unstorable_text"
NUMBER_OUT_OF_RANGE = "number_out_of_range"


def json_problem(value: Any, max_depth: int) -> str | None:
    """Why `value` (answers, an outcome list) cannot be stored, or None: `too_deep` past
    `max_depth` levels (the value itself is level 1); `unstorable_text` when a string
    anywhere inside (keys too) cannot go into jsonb: the NUL character or a lone
    surrogate (not UTF-8), either a 500 there; `number_out_of_range` for a number JSON
    reads as infinity (`1e400`), which jsonb refuses too (and with it the whole batch)."""
    return _walk(value, max_depth, values_too=True)


def nests_deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects inside `value` nest more than `limit` levels (the value
    itself is level 1)."""
    return _walk(value, limit, values_too=False) == TOO_DEEP


def _walk(value: Any, max_depth: int, *, values_too: bool) -> str | None:
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if values_too and isinstance(node, str):
            if is_unstorable_text(node):
                return UNSTORABLE_TEXT
            continue
        if values_too and isinstance(node, float):
            if not math.isfinite(node):
                return NUMBER_OUT_OF_RANGE
            continue
        children: Iterable[Any]
        if isinstance(node, dict):
            if values_too and any(is_unstorable_text(key) for key in node if isinstance(key, str)):
                return UNSTORABLE_TEXT
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > max_depth:
            return TOO_DEEP
        for child in children:  # a plain loop: cheaper than a generator per node
            stack.append((child, depth + 1))
    return None


def is_unstorable_text(text: str) -> bool:
    """Whether jsonb refuses `text`: a NUL character, or a lone surrogate (not UTF-8)."""
    return "\x00" in text or (not text.isascii() and not _is_utf8(text))


def _is_utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True
