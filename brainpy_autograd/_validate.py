"""Argument validation, in the user's terms.

What can be checked when a transform is created (the callable, the type of
``argnums``, the flags) is checked then; what needs the call (``argnums``
against the number of positional arguments, dtypes, the shape of the output)
is checked at call or trace time, before brainstate or JAX see anything, so no
message ever mentions an internal argument offset or a tracer type.

Errors follow JAX's conventions: a value of the wrong type is a ``TypeError``
(as is an output that is not a scalar, or an integer input, as in
``jax.grad``); a value of the right type that is not allowed (a repeated or
out-of-range ``argnums``, a non-empty ``reduce_axes``) is a ``ValueError``.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from typing import Any

import jax
import numpy as np
from brainstate import State

from ._grad_vars import describe_type

__all__ = [
    "Argnums",
    "check_callable",
    "check_flag",
    "normalize_argnums",
    "resolve_argnums",
    "check_inexact",
    "describe_value",
]

#: ``None``, one position, or several positions.
Argnums = int | tuple[int, ...] | None


def check_callable(fname: str, func: Any) -> None:
    """Raise ``TypeError`` unless ``func`` can be called."""
    if callable(func):
        return
    hint = ""
    if isinstance(func, (int, np.integer)) and not isinstance(func, bool):
        hint = f" To choose the differentiated argument, write {fname}(f, argnums={func!r})."
    elif isinstance(func, (list, tuple, dict)) or _is_state(func):
        hint = f" To differentiate States, write {fname}(f, grad_vars=...)."
    raise TypeError(
        f"{fname}() differentiates a function, but func is {describe_value(func)}, "
        f"which is not callable.{hint}"
    )


def check_flag(fname: str, name: str, value: Any, *, allow_none: bool = False) -> bool:
    """Return ``value`` as a ``bool``; raise ``TypeError`` for anything but a bool."""
    if value is None and allow_none:
        return False
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    expected = "True, False or None" if allow_none else "True or False"
    raise TypeError(f"{fname}(): {name} must be {expected}, got {describe_value(value)}.")


def normalize_argnums(fname: str, argnums: Any) -> Argnums:
    """Check the type of ``argnums`` when the transform is created.

    An int stays an int (one gradient); any sequence becomes a tuple (a tuple
    of gradients). Negative positions are kept: they are resolved against the
    number of positional arguments at each call, as ``jax.grad`` does.
    """
    if argnums is None:
        return None
    if _is_int(argnums):
        return operator.index(argnums)
    if isinstance(argnums, (str, bytes, Mapping)) or not isinstance(argnums, Sequence):
        raise TypeError(
            f"{fname}(): argnums must be an int or a sequence of ints, got "
            f"{describe_value(argnums)}."
        )
    positions = []
    for i, a in enumerate(argnums):
        if not _is_int(a):
            raise TypeError(
                f"{fname}(): argnums must be an int or a sequence of ints, but "
                f"argnums[{i}] is {describe_value(a)} (argnums={argnums!r})."
            )
        positions.append(operator.index(a))
    if not positions:
        raise ValueError(
            f"{fname}(): argnums={argnums!r} is empty, so there is nothing to "
            f"differentiate. Give at least one position, or leave argnums out to "
            f"differentiate grad_vars only."
        )
    seen: set[int] = set()
    for a in positions:
        if a in seen:
            raise ValueError(
                f"{fname}(): argnums={argnums!r} lists position {a} more than once; "
                f"each positional argument can be differentiated only once."
            )
        seen.add(a)
    return tuple(positions)


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
    single = isinstance(argnums, int)
    wanted: tuple[int, ...] = (argnums,) if isinstance(argnums, int) else argnums
    resolved: list[int] = []
    for a in wanted:
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
    return resolved[0] if single else tuple(resolved)


def check_inexact(
    fname: str, what: str, value: Any, *, allow_int: bool, int_fix: str
) -> None:
    """Raise ``TypeError`` if a differentiated input has an integer or bool dtype.

    ``what`` names the input in the user's terms (``"positional argument 1"``,
    ``"grad_vars['w']"``); ``int_fix`` says what to do about it.
    """
    if allow_int:
        return
    leaves, _ = jax.tree_util.tree_flatten_with_path(value)
    for path, leaf in leaves:
        dtype = getattr(leaf, "dtype", None)
        if dtype is None:
            dtype = np.result_type(leaf) if isinstance(leaf, (bool, int, float, complex)) else None
        if dtype is None or jax.numpy.issubdtype(dtype, jax.numpy.inexact):
            continue
        where = what + jax.tree_util.keystr(path)
        raise TypeError(
            f"{fname}(): {where} has dtype {np.dtype(dtype).name}, but derivatives are only "
            f"defined for floating-point or complex inputs. {int_fix}"
        )


def describe_value(value: Any) -> str:
    """``'an int (3)'``, ``'a jax.Array of shape (2,) and dtype float32'``, ...

    Only plain scalars and strings are shown by their repr; containers and
    other objects are summarised, so a message never shows a tracer.
    """
    if value is None:
        return "None"
    name = describe_type(value)
    article = "an" if name[:1].lower() in "aeiou" else "a"
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
    if isinstance(value, (str, bytes, int, float, complex, bool, np.generic)):
        text = repr(value)
        if len(text) > 60:
            text = text[:57] + "..."
        return f"{article} {name} ({text})"
    return f"{article} {name}"


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _is_state(value: Any) -> bool:
    return isinstance(value, State)


def check_debug_nan(name: str, compiled: bool | None) -> None:
    """``debug_nan=True`` needs brainstate's support, and the interpreted path."""
    import inspect

    import brainstate
    from brainstate.transform import GradientTransform

    if "debug_nan" not in inspect.signature(GradientTransform.__init__).parameters:
        raise ValueError(
            f"{name}(): debug_nan=True needs a brainstate whose GradientTransform takes "
            f"debug_nan (0.5.4 and 0.6 do); brainstate {brainstate.__version__} does not. "
            f"Upgrade brainstate, or use jax.config.update('jax_debug_nans', True).")
    if compiled:
        raise ValueError(
            f"{name}(): debug_nan=True evaluates the gradient equation by equation, so it "
            f"cannot run compiled; drop compiled=True.")
