"""The checks of BrainPy 2.x's keywords and call forms (before :mod:`._legacy` warns).

What ``dyn_vars``/``child_objs`` may hold, which ``reduce_axes`` is still
accepted, and whether a call read in BrainPy 2.2's positional order fits it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._checks import describe_value
from .._types import PYTHON_NUMBERS, is_state

__all__ = [
    "STATES_ARE_FOUND",
    "check_old_positional",
    "check_legacy_content",
    "check_reduce_axes",
]


#: Why the BrainPy 2.x variable-listing keywords are no longer needed.
STATES_ARE_FOUND = "brainpy_autograd finds every State the function reads or writes by itself"


def check_old_positional(
    fname: str, old_order: tuple[str, ...], args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> None:
    """A call read with BrainPy 2.2's positional order ``old_order`` must fit it."""
    if len(args) > len(old_order):
        raise TypeError(
            f"{fname}() takes at most {len(old_order)} positional arguments in its "
            f"BrainPy 2.2 form {fname}({', '.join(old_order)}), but {len(args)} were given."
        )
    for name in old_order[: len(args)]:
        if name in kwargs:
            raise TypeError(
                f"{fname}() got multiple values for argument {name!r} (read with the "
                f"BrainPy 2.2 positional order {fname}({', '.join(old_order)}))."
            )


#: what each ignored BrainPy 2.x keyword may hold, as its error message says it
_LEGACY_CONTENT = {
    "dyn_vars": (False, "States or arrays"),
    "child_objs": (True, "objects such as BrainPy models or brainstate Modules"),
}


def check_legacy_content(fname: str, keyword: str, value: Any) -> None:
    """``dyn_vars``/``child_objs`` are ignored, but junk in them is still a mistake."""
    allow_objects, holds = _LEGACY_CONTENT[keyword]
    bad = _find_junk(value, keyword, allow_objects=allow_objects)
    if bad is not None:
        path, leaf = bad
        raise TypeError(
            f"{fname}(): {path} is {describe_value(leaf)}; {keyword} (deprecated, and "
            f"ignored) may only hold {holds}. Remove {keyword}=... altogether: "
            f"{STATES_ARE_FOUND}."
        )


def _find_junk(value: Any, path: str, *, allow_objects: bool) -> tuple[str, Any] | None:
    """The first leaf that cannot be a legacy variable/object, with its path."""
    if is_state(value):
        return None
    if isinstance(value, dict):
        items: Any = ((f"{path}[{k!r}]", v) for k, v in value.items())
    elif isinstance(value, (list, tuple)):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    elif value is None or isinstance(value, (str, bytes, *PYTHON_NUMBERS)):
        return path, value
    elif hasattr(value, "shape") and hasattr(value, "dtype"):
        return None  # an array (BrainPy 2.1 allowed plain JaxArrays in dyn_vars)
    elif allow_objects or hasattr(value, "vars") or hasattr(value, "states"):
        return None  # a BrainPy object or brainstate Module
    else:
        return path, value
    for child_path, child in items:
        found = _find_junk(child, child_path, allow_objects=allow_objects)
        if found is not None:
            return found
    return None


def check_reduce_axes(fname: str, reduce_axes: Any) -> None:
    """Only an empty ``reduce_axes`` is still accepted; say what replaces the rest."""
    if isinstance(reduce_axes, (tuple, list)) and len(reduce_axes) == 0:
        return
    if isinstance(reduce_axes, (str, tuple, list)):
        first = reduce_axes if isinstance(reduce_axes, str) else reduce_axes[0]
        raise ValueError(
            f"{fname}(reduce_axes={reduce_axes!r}) is no longer supported: JAX removed "
            f"reduce_axes from jax.grad and jax.vjp, so the gradient can no longer be "
            f"summed over a named axis by the transform. Sum inside the loss instead, "
            f"e.g. `loss = jax.lax.psum(loss, {first!r})` (or "
            f"jax.lax.pmean for a mean) inside jax.shard_map/jax.vmap with that axis "
            f"name, and drop reduce_axes. The recipe is in the documentation's "
            f"'Beyond one device' page (docs/multidevice.md)."
        )
    raise TypeError(
        f"{fname}(): reduce_axes must be a tuple of axis names (and only the empty "
        f"tuple is still accepted), got {describe_value(reduce_axes)}."
    )
