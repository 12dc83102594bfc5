"""The migration shim for BrainPy 2.x call forms.

Everything that keeps old code running lives here:

- :class:`LegacyArgumentWarning`, the one warning class (a
  ``DeprecationWarning``, so ``-W error::DeprecationWarning`` and the usual
  filters apply to it; filter it alone with
  ``warnings.filterwarnings("ignore", category=LegacyArgumentWarning)``);
- :func:`warn_legacy`, the one place that emits it, with ``stacklevel``
  computed so that the warning points at the user's own line;
- :func:`check_legacy_keywords` for ``dyn_vars=``, ``child_objs=`` and
  ``reduce_axes=``;
- :func:`public_entry`, the decorator that recognises the BrainPy 2.1/2.2
  positional forms (``grad(f, grad_vars, dyn_vars)``) and suggests the right
  spelling of a mistyped keyword.

Nothing here changes global warning filters.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import os
import sys
import warnings
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from brainstate import State

from ._validate import describe_value

__all__ = [
    "LegacyArgumentWarning",
    "warn_legacy",
    "check_legacy_keywords",
    "public_entry",
    "OLD_POSITIONAL_ORDER",
]

P = ParamSpec("P")
R = TypeVar("R")


class LegacyArgumentWarning(DeprecationWarning):
    """A BrainPy 2.x argument that brainpy_autograd accepts but no longer needs.

    Raised for ``dyn_vars=``, ``child_objs=``, an empty ``reduce_axes=`` and the
    BrainPy 2.2 positional ``dyn_vars``. The call still works and gives the same
    result as without the argument; the message says what to write instead.
    """


#: BrainPy 2.1/2.2 positional orders, used to re-read a call whose third
#: positional argument holds States (the old ``dyn_vars``/``grad_vars`` slot).
OLD_POSITIONAL_ORDER: dict[str, tuple[str, ...]] = {
    "grad": (
        "func", "grad_vars", "dyn_vars", "argnums", "holomorphic", "allow_int",
        "reduce_axes", "has_aux", "return_value",
    ),
    "jacrev": (
        "func", "grad_vars", "dyn_vars", "argnums", "holomorphic", "allow_int",
        "has_aux", "return_value",
    ),
    "jacfwd": (
        "func", "grad_vars", "dyn_vars", "argnums", "holomorphic", "has_aux", "return_value",
    ),
    "hessian": ("func", "dyn_vars", "grad_vars", "argnums", "holomorphic", "return_value"),
    "vector_grad": ("func", "dyn_vars", "grad_vars", "argnums", "return_value", "has_aux"),
}

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _is_library_frame(filename: str) -> bool:
    """Frames of this package's private modules (not its demo or migrate tool)."""
    directory, base = os.path.split(os.path.abspath(filename))
    return directory == _PACKAGE_DIR and base.startswith("_")


def warn_legacy(message: str) -> None:
    """Emit :class:`LegacyArgumentWarning` pointing at the user's line.

    ``stacklevel`` is counted past every frame of this package's private
    modules, so the warning's filename and line are the caller's whatever
    path (direct call, decorator form, legacy positional form) led here.
    """
    frame = sys._getframe(0)
    level = 1
    while frame is not None and _is_library_frame(frame.f_code.co_filename):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    warnings.warn(message, LegacyArgumentWarning, stacklevel=level)


_REMOVED_IN = "brainpy_autograd finds every State the function reads or writes by itself"


def check_legacy_keywords(
    fname: str, *, dyn_vars: Any, child_objs: Any, reduce_axes: Any
) -> None:
    """Validate and warn about the BrainPy 2.x keywords that are now ignored."""
    if dyn_vars is not None:
        _check_legacy_content(fname, "dyn_vars", dyn_vars)
        warn_legacy(
            f"{fname}(dyn_vars=...) is deprecated and ignored: {_REMOVED_IN}, so listing "
            f"the dynamically changed variables is no longer needed. Remove dyn_vars=...; "
            f"the result is the same."
        )
    if child_objs is not None:
        _check_legacy_content(fname, "child_objs", child_objs)
        warn_legacy(
            f"{fname}(child_objs=...) is deprecated and ignored: {_REMOVED_IN}, including "
            f"the States of the objects it uses, so listing child objects is no longer "
            f"needed. Remove child_objs=...; the result is the same."
        )
    if reduce_axes is not None:
        _check_reduce_axes(fname, reduce_axes)
        warn_legacy(
            f"{fname}(reduce_axes=()) is deprecated and ignored: JAX removed reduce_axes "
            f"from its differentiation API, and an empty value never changed the result. "
            f"Remove reduce_axes=()."
        )


def _check_reduce_axes(fname: str, reduce_axes: Any) -> None:
    if isinstance(reduce_axes, (tuple, list)) and len(reduce_axes) == 0:
        return
    if isinstance(reduce_axes, (str, tuple, list)):
        raise ValueError(
            f"{fname}(reduce_axes={reduce_axes!r}) is no longer supported: JAX removed "
            f"reduce_axes from jax.grad and jax.vjp, so the gradient can no longer be "
            f"summed over a named axis by the transform. Sum inside the loss instead, "
            f"e.g. `loss = jax.lax.psum(loss, {_first_axis(reduce_axes)!r})` (or "
            f"jax.lax.pmean for a mean) inside jax.shard_map/jax.vmap with that axis "
            f"name, and drop reduce_axes. The README's 'Beyond one device' section "
            f"shows the recipe."
        )
    raise TypeError(
        f"{fname}(): reduce_axes must be a tuple of axis names (and only the empty "
        f"tuple is still accepted), got {describe_value(reduce_axes)}."
    )


def _first_axis(reduce_axes: Any) -> Any:
    if isinstance(reduce_axes, str):
        return reduce_axes
    return reduce_axes[0]


def _holds_only_states(value: Any) -> bool:
    """True for a State or a non-empty list/tuple/dict nesting whose leaves are States."""
    if isinstance(value, State):
        return True
    if isinstance(value, dict):
        return len(value) > 0 and all(_holds_only_states(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return len(value) > 0 and all(_holds_only_states(v) for v in value)
    return False


#: what each legacy keyword may hold, as its error message says it
_LEGACY_CONTENT = {
    "dyn_vars": (False, "States or arrays"),
    "child_objs": (True, "objects such as BrainPy models or brainstate Modules"),
}


def _check_legacy_content(fname: str, keyword: str, value: Any) -> None:
    """``dyn_vars``/``child_objs`` are ignored, but junk in them is still a mistake."""
    allow_objects, holds = _LEGACY_CONTENT[keyword]
    bad = _find_junk(value, keyword, allow_objects=allow_objects)
    if bad is not None:
        path, leaf = bad
        raise TypeError(
            f"{fname}(): {path} is {describe_value(leaf)}; {keyword} (deprecated, and "
            f"ignored) may only hold {holds}. Remove {keyword}=... altogether: "
            f"{_REMOVED_IN}."
        )


_SCALARS = (str, bytes, int, float, complex, bool)


def _find_junk(value: Any, path: str, *, allow_objects: bool) -> tuple[str, Any] | None:
    """The first leaf that cannot be a legacy variable/object, with its path."""
    if isinstance(value, State):
        return None
    if isinstance(value, dict):
        for k, v in value.items():
            found = _find_junk(v, f"{path}[{k!r}]", allow_objects=allow_objects)
            if found is not None:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            found = _find_junk(v, f"{path}[{i}]", allow_objects=allow_objects)
            if found is not None:
                return found
        return None
    if value is None or isinstance(value, _SCALARS):
        return path, value
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return None  # an array (BrainPy 2.1 allowed plain JaxArrays in dyn_vars)
    if allow_objects or hasattr(value, "vars") or hasattr(value, "states"):
        return None  # a BrainPy object or brainstate Module
    return path, value


def public_entry(fname: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a public transform with the legacy call forms and keyword hints.

    - A call whose third positional argument holds States is read with the
      BrainPy 2.1/2.2 positional order of ``fname`` (``OLD_POSITIONAL_ORDER``),
      warned about, and its ``dyn_vars`` dropped (it is ignored anyway).
    - An unknown keyword raises ``TypeError`` that suggests the closest valid one.
    """
    old_order = OLD_POSITIONAL_ORDER[fname]

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        params = inspect.signature(fn).parameters
        known = tuple(params)

        @functools.wraps(fn)
        def entry(*args: Any, **kwargs: Any) -> Any:
            for name in kwargs:
                if name not in params:
                    raise TypeError(_unknown_keyword_message(fname, name, known))
            if len(args) >= 3 and _holds_only_states(args[2]):
                args, kwargs = _reread_old_positional(fname, old_order, args, kwargs)
            return fn(*args, **kwargs)

        return entry

    return decorate


def _reread_old_positional(
    fname: str, old_order: tuple[str, ...], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    if len(args) > len(old_order):
        raise TypeError(
            f"{fname}() takes at most {len(old_order)} positional arguments in its "
            f"BrainPy 2.2 form {fname}({', '.join(old_order)}), but {len(args)} were given."
        )
    rebound = dict(zip(old_order, args))
    for name in rebound:
        if name in kwargs:
            raise TypeError(
                f"{fname}() got multiple values for argument {name!r} (read with the "
                f"BrainPy 2.2 positional order {fname}({', '.join(old_order)}))."
            )
    given = old_order[: len(args)]
    new_form = ", ".join(["func", "grad_vars"] + [f"{n}=..." for n in given[3:]])
    warn_legacy(
        f"{fname}() was called in the BrainPy 2.2 positional form {fname}({', '.join(given)}), "
        f"so argument {old_order.index('dyn_vars') + 1} is read as dyn_vars, which is "
        f"deprecated and ignored ({_REMOVED_IN}). Write {fname}({new_form}) instead; the "
        f"result is the same."
    )
    rebound.pop("dyn_vars")
    kwargs.update(rebound)
    return (), kwargs


def _unknown_keyword_message(fname: str, name: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return (
        f"{fname}() got an unexpected keyword argument {name!r}.{hint} "
        f"Valid keywords: {', '.join(known)}."
    )
