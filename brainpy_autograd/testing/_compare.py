"""Where two results differ: containers, dict key order, leaf types, dtypes, values.

Used by :func:`assert_paths_agree`. ``jax.tree.structure`` equality ignores dict
key order and leaf types; this walk does not, and it says where it found the
first difference by the path a user would write (``result[0]['w']``).
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from .._checks import a_type

__all__ = ["first_difference", "VALUE_TOLERANCE"]

#: (rtol, atol) by dtype: a compiled program may fuse operations and round differently
VALUE_TOLERANCE = {
    "bfloat16": (1e-2, 1e-3),
    "float16": (1e-2, 1e-3),
    "float32": (2e-4, 2e-5),
    "float64": (1e-9, 1e-11),
    "complex64": (2e-4, 2e-5),
    "complex128": (1e-9, 1e-11),
}


def _is_quantity(x: Any) -> bool:
    return type(x).__name__ == "Quantity" and hasattr(x, "mantissa")


def first_difference(a: Any, b: Any, where: str, key_order: bool = True) -> str | None:
    """The first place where ``b`` is not ``a`` (``a``: the reference), or ``None``.

    With ``key_order=False`` dicts need the same keys in any order (what comes out
    of ``jax.jit`` and ``jax.vmap``: JAX sorts a returned dict's keys).
    """
    if not key_order and _jit_scalar(a, b):
        # jit and vmap return a Python scalar as a weak-typed 0-d jax.Array
        return None if np.asarray(a) == np.asarray(b) or (a != a and b != b) else (
            f"{where}: {_plain(a)!r} against {_plain(b)!r}")
    if type(a) is not type(b):
        name_a, name_b = a_type(a), a_type(b)
        if name_a == name_b:  # two classes with one name: say which
            name_a, name_b = _qualified(a), _qualified(b)
        return f"{where}: {name_a} against {name_b}"
    if isinstance(a, dict):
        if list(a) != list(b) and (key_order or set(a) != set(b)):
            return f"{where}: dict keys {list(a)} against {list(b)}" + (
                " (order counts)" if key_order else "")
        items = [(f"{where}[{k!r}]", a[k], b[k]) for k in a]
    elif isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return f"{where}: {len(a)} elements against {len(b)}"
        items = [(f"{where}[{i}]", x, y) for i, x, y in zip(range(len(a)), a, b)]
    elif _is_quantity(a):
        if a.unit != b.unit:
            return f"{where}: unit {a.unit} against {b.unit}"
        return first_difference(a.mantissa, b.mantissa, f"{where}.mantissa", key_order)
    elif a is None or isinstance(a, (str, bool, int, float, complex)):
        return None if a == b or (a != a and b != b) else f"{where}: {a!r} against {b!r}"
    elif hasattr(a, "dtype") and hasattr(a, "shape"):
        return _array_difference(a, b, where)
    else:
        return None if a == b else f"{where}: {a!r} against {b!r}"
    for name, x, y in items:
        found = first_difference(x, y, name, key_order)
        if found is not None:
            return found
    return None


def _jit_scalar(a: Any, b: Any) -> bool:
    """``a`` a Python number (or JAX's typed literal, a subclass) and ``b`` the weak-typed
    0-d array that jit makes of it."""
    return (isinstance(a, (int, float, complex)) and not isinstance(a, bool)
            and isinstance(b, jax.Array) and b.ndim == 0
            and bool(getattr(getattr(b, "aval", None), "weak_type", False)))


def _qualified(x: Any) -> str:
    return f"{type(x).__module__}.{type(x).__qualname__}"


def _plain(x: Any) -> Any:
    """A number as a plain Python int/float/complex/bool (not ``np.float32(1.5)``)."""
    return np.asarray(x).item() if np.ndim(x) == 0 else x


def _array_difference(a: Any, b: Any, where: str) -> str | None:
    if isinstance(b, jax.core.Tracer):
        return f"{where}: a leaked tracer"
    if np.shape(a) != np.shape(b):
        return f"{where}: shape {np.shape(a)} against {np.shape(b)}"
    if a.dtype != b.dtype:
        return f"{where}: dtype {a.dtype} against {b.dtype}"
    weak_a = getattr(getattr(a, "aval", None), "weak_type", None)
    weak_b = getattr(getattr(b, "aval", None), "weak_type", None)
    if weak_a != weak_b:
        return f"{where}: weak type {weak_a} against {weak_b}"
    if jax.dtypes.issubdtype(a.dtype, jax.dtypes.prng_key):
        a, b = jax.random.key_data(a), jax.random.key_data(b)
    x, y = np.asarray(a), np.asarray(b)
    if x.dtype == jax.dtypes.float0:
        return None
    rtol, atol = VALUE_TOLERANCE.get(x.dtype.name, (0.0, 0.0))
    if x.dtype.kind in "fc":
        # relative to the leaf's largest magnitude too: a sum with cancellation rounds
        # its small elements by the size of its large ones
        finite = np.abs(x[np.isfinite(x)])
        atol = max(atol, rtol * float(finite.max())) if finite.size else atol
        close = np.isclose(y, x, rtol=rtol, atol=atol, equal_nan=True)
    else:
        close = x == y
    if bool(np.all(close)):
        return None
    index = np.unravel_index(int(np.argmin(close)), x.shape) if x.ndim else ()
    shown = [int(i) for i in index]
    return (f"{where}{shown if index else ''}: {_plain(x[index])!r} against "
            f"{_plain(y[index])!r} "
            f"(dtype {x.dtype}, rtol={rtol:g}, atol={atol:g})")
