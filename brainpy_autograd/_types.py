"""The small types and predicates that several modules of the package share.

Each exists once, here: the ``argnums`` type and how to list its positions,
the Python number types, and the State test.
"""

from __future__ import annotations

from typing import Any

from brainstate import State

__all__ = ["Argnums", "PYTHON_NUMBERS", "is_state", "positions"]

#: ``argnums`` after validation: ``None``, one position, or several positions.
Argnums = int | tuple[int, ...] | None

#: Python's own number types (``bool`` included): leaves that are values,
#: never containers, and that brainstate traces like arrays.
PYTHON_NUMBERS: tuple[type[bool], type[int], type[float], type[complex]] = (
    bool, int, float, complex)


def is_state(value: Any) -> bool:
    """Whether ``value`` is a brainstate ``State`` (a BrainPy ``Variable`` is one)."""
    return isinstance(value, State)


def positions(argnums: Argnums) -> tuple[int, ...]:
    """The positions ``argnums`` names, as a tuple: ``None`` -> ``()``, ``1`` -> ``(1,)``."""
    if argnums is None:
        return ()
    if isinstance(argnums, int):
        return (argnums,)
    return argnums
