"""The checks that run at each call, when the arguments are known.

``argnums`` against the call's positional arguments (:func:`resolve_argnums`,
negative positions counted from the end), and an argument that brainstate
cannot trace (:func:`unsupported_argument`), all before brainstate sees them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax

from .._checks import describe_value
from .._types import PYTHON_NUMBERS, positions

__all__ = [
    "resolve_argnums",
    "unsupported_argument",
]


def resolve_argnums(
    fname: str,
    argnums: int | tuple[int, ...],
    nargs: int,
    kwargs: Mapping[str, Any],
    shown: str,
) -> int | tuple[int, ...]:
    """Map negative positions onto a call with ``nargs`` positional arguments.

    Raises ``ValueError`` when a position is out of range or two positions name
    the same argument, quoting the user's ``argnums`` (``shown``, as they wrote
    it) and ``nargs``.
    """
    resolved: list[int] = []
    for a in positions(argnums):
        r = a + nargs if a < 0 else a
        if not 0 <= r < nargs:
            resolved_note = f" (argnums {a} counts from the end)" if a < 0 else ""
            kw_note = ""
            if kwargs:
                names = ", ".join(sorted(kwargs))
                kw_note = (
                    f" Arguments passed by keyword ({names}) cannot be differentiated; "
                    f"pass the argument positionally."
                )
            raise ValueError(
                f"{fname}(): argnums={shown} asks for positional argument "
                f"{a}{resolved_note}, but the function was called with {nargs} positional "
                f"argument{'s' if nargs != 1 else ''}.{kw_note}"
            )
        resolved.append(r)
    if len(set(resolved)) != len(resolved):
        raise ValueError(
            f"{fname}(): argnums={shown} names the same positional "
            f"argument twice in a call with {nargs} positional arguments (negative "
            f"positions count from the end). Each argument can be differentiated once."
        )
    return resolved[0] if isinstance(argnums, int) else tuple(resolved)


def unsupported_argument(fname: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    """Explain an argument that brainstate cannot trace (a str, an object...), if any."""
    named = [(f"positional argument {i}", a) for i, a in enumerate(args)]
    named += [(f"keyword argument {k!r}", v) for k, v in kwargs.items()]
    for what, value in named:
        for path, leaf in jax.tree_util.tree_flatten_with_path(value)[0]:
            if hasattr(leaf, "dtype") or isinstance(leaf, PYTHON_NUMBERS):
                continue
            return (
                f"{fname}(): {what}{jax.tree_util.keystr(path)} is "
                f"{describe_value(leaf)}. brainstate traces every argument as an array, "
                f"so arguments must be arrays, numbers, or lists/tuples/dicts of them. "
                f"Pass other values through a closure or functools.partial, e.g. "
                f"{fname}(functools.partial(f, mode=...))."
            )
    return None
