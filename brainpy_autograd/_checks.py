"""Describing values, and the plain checks of one value, in the user's terms.

Shared by the adapter (:mod:`._adapter`) and the compiled-call engine's settings
(:mod:`._engine._settings`): a message names the function, the argument and
what it got (``got a str ('yes')``), never a tracer type or an internal offset.
Errors follow JAX's conventions: a value of the wrong type is a ``TypeError``,
a value of the right type that is not allowed is a ``ValueError``.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ._types import PYTHON_NUMBERS

__all__ = [
    "describe_type",
    "a_type",
    "describe_value",
    "is_int",
    "check_flag",
    "check_positive_int",
    "check_compile_at",
]


def describe_type(value: Any) -> str:
    """A short, readable name for the type of ``value`` (for error messages)."""
    cls = type(value)
    module = cls.__module__
    if module in ("builtins", None):
        return cls.__qualname__
    if module.startswith(("jax.", "jaxlib")):
        # Concrete arrays and tracers alike: never show a tracer's class name.
        return "jax.Array" if hasattr(value, "dtype") else cls.__qualname__
    return f"{module.split('.')[0]}.{cls.__qualname__}"


def a_type(value: Any) -> str:
    """``'an int'``, ``'a jax.Array'``, ``'None'``: the type of ``value`` with its article."""
    if value is None:
        return "None"
    name = describe_type(value)
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def describe_value(value: Any) -> str:
    """``'an int (3)'``, ``'a jax.Array of shape (2,) and dtype float32'``, ...

    Only plain scalars and strings are shown by their repr; containers and
    other objects are summarised, so a message never shows a tracer.
    """
    if value is None:
        return "None"
    article, name = a_type(value).split(" ", 1)
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    if shape is not None and dtype is not None:
        return f"{article} {name} of shape {tuple(shape)} and dtype {dtype}"
    if isinstance(value, (tuple, list)):
        return f"{article} {name} of {len(value)} element{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        keys = list(value)
        shown = ", ".join(repr(k) for k in keys[:5]) + (", ..." if len(keys) > 5 else "")
        return f"{article} {name} with keys [{shown}]"
    if isinstance(value, (str, bytes, np.generic, *PYTHON_NUMBERS)):
        text = repr(value)
        if len(text) > 60:
            text = text[:57] + "..."
        return f"{article} {name} ({text})"
    return f"{article} {name}"


def is_int(value: Any) -> bool:
    """An int (Python or NumPy), and not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_flag(fname: str, name: str, value: Any, *, allow_none: bool = False) -> bool:
    """Return ``value`` as a ``bool``; raise ``TypeError`` for anything but a bool."""
    if value is None and allow_none:
        return False
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    expected = "True, False or None" if allow_none else "True or False"
    raise TypeError(f"{fname}(): {name} must be {expected}, got {describe_value(value)}.")


def check_positive_int(fname: str, name: str, value: Any) -> int:
    """Return ``value`` if it is an int >= 1; raise ``ValueError`` otherwise."""
    if not is_int(value) or value < 1:
        raise ValueError(f"{fname}(): {name} must be a positive int, got {value!r}.")
    return operator.index(value)


def check_compile_at(fname: str, value: Any) -> int | None:
    """``compile_at``: an int >= 1, or ``"auto"`` (returned as ``None``: the schedule)."""
    if isinstance(value, str) and value == "auto":
        return None
    if not is_int(value):
        raise TypeError(f"{fname}(): compile_at must be a positive int or 'auto', "
                        f"got {describe_value(value)}.")
    if value < 1:
        raise ValueError(f"{fname}(): compile_at must be a positive int (1 compiles at the "
                         f"first call) or 'auto', got {value!r}.")
    return operator.index(value)
