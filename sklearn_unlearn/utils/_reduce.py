"""Balanced pairwise reduction of mergeable statistics (blocks of a dask array)."""

from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = ["tree_reduce"]

T = TypeVar("T")


def tree_reduce(parts: Sequence[T], combine: Callable[[T, T], T]) -> T:
    """Combine ``parts`` pairwise, level by level (a balanced tree).

    Rounding then grows like ``log(len(parts))`` instead of ``len(parts)`` for a
    left fold. ``parts`` must not be empty.
    """
    parts = list(parts)
    while len(parts) > 1:
        parts = [
            combine(parts[i], parts[i + 1]) if i + 1 < len(parts) else parts[i]
            for i in range(0, len(parts), 2)
        ]
    return parts[0]
