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
  positional forms (``grad(f, grad_vars, dyn_vars)``) and refuses an unknown
  keyword.

What these keywords may hold is checked in :mod:`._check_legacy`, before they are
warned about.

Nothing here changes global warning filters.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import warnings
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from .._names import OLD_POSITIONAL_ORDER
from .._types import is_state
from ._check_create import unknown_keyword
from ._check_legacy import (
    STATES_ARE_FOUND,
    check_legacy_content,
    check_old_positional,
    check_reduce_axes,
)

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

    Issued (with ``warnings.warn``, at the caller's line) for ``dyn_vars=``,
    ``child_objs=``, an empty ``reduce_axes=`` and the BrainPy 2.2 positional
    ``dyn_vars``. The call still works and gives the same
    result as without the argument; the message says what to write instead.
    """

    __module__ = "brainpy_autograd"  # the public name users import and filter by


#: The package's own directory (this module lives in its ``_adapter`` subpackage).
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _is_library_frame(filename: str) -> bool:
    """Frames of this package's private code: a module or subpackage whose name starts
    with ``_`` (``_adapter/_api.py``, ``_install.py``), not its public ``demo`` or
    ``migrate`` modules, which call the transforms as a user does."""
    path = os.path.abspath(filename)
    if not path.startswith(_PACKAGE_DIR + os.sep):
        return False
    return os.path.relpath(path, _PACKAGE_DIR).split(os.sep)[0].startswith("_")


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


def check_legacy_keywords(
    fname: str, *, dyn_vars: Any, child_objs: Any, reduce_axes: Any
) -> None:
    """Warn about the BrainPy 2.x keywords that are now ignored (after checking them)."""
    if dyn_vars is not None:
        check_legacy_content(fname, "dyn_vars", dyn_vars)
        warn_legacy(
            f"{fname}(dyn_vars=...) is deprecated and ignored: {STATES_ARE_FOUND}, so listing "
            f"the dynamically changed variables is no longer needed. Remove dyn_vars=...; "
            f"the result is the same."
        )
    if child_objs is not None:
        check_legacy_content(fname, "child_objs", child_objs)
        warn_legacy(
            f"{fname}(child_objs=...) is deprecated and ignored: {STATES_ARE_FOUND}, including "
            f"the States of the objects it uses, so listing child objects is no longer "
            f"needed. Remove child_objs=...; the result is the same."
        )
    if reduce_axes is not None:
        check_reduce_axes(fname, reduce_axes)
        warn_legacy(
            f"{fname}(reduce_axes=()) is deprecated and ignored: JAX removed reduce_axes "
            f"from its differentiation API, and an empty value never changed the result. "
            f"Remove reduce_axes=()."
        )


def _holds_only_states(value: Any) -> bool:
    """True for a State or a non-empty list/tuple/dict nesting whose leaves are States."""
    if is_state(value):
        return True
    if isinstance(value, dict):
        return len(value) > 0 and all(_holds_only_states(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return len(value) > 0 and all(_holds_only_states(v) for v in value)
    return False


def public_entry(
    fname: str, signature: inspect.Signature
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a public transform with the legacy call forms and keyword hints.

    - A call whose third positional argument holds States is read with the
      BrainPy 2.1/2.2 positional order of ``fname`` (``OLD_POSITIONAL_ORDER``),
      warned about, and its ``dyn_vars`` dropped (it is ignored anyway).
    - An unknown keyword (not in ``signature``, the transform's public signature)
      raises ``TypeError`` that suggests the closest valid one.
    """
    old_order = OLD_POSITIONAL_ORDER[fname]

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        params = signature.parameters
        known = tuple(params)

        @functools.wraps(fn)
        def entry(*args: Any, **kwargs: Any) -> Any:
            for name in kwargs:
                if name not in params:
                    raise unknown_keyword(fname, name, known)
            if len(args) >= 3 and _holds_only_states(args[2]):
                args, kwargs = _reread_old_positional(fname, old_order, args, kwargs)
            return fn(*args, **kwargs)

        entry.__signature__ = signature  # type: ignore[attr-defined]
        return entry

    return decorate


def _reread_old_positional(
    fname: str, old_order: tuple[str, ...], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    check_old_positional(fname, old_order, args, kwargs)
    rebound = dict(zip(old_order, args))
    given = old_order[: len(args)]
    new_form = ", ".join(["func", "grad_vars"] + [f"{n}=..." for n in given[3:]])
    warn_legacy(
        f"{fname}() was called in the BrainPy 2.2 positional form {fname}({', '.join(given)}), "
        f"so argument {old_order.index('dyn_vars') + 1} is read as dyn_vars, which is "
        f"deprecated and ignored ({STATES_ARE_FOUND}). Write {fname}({new_form}) instead; the "
        f"result is the same."
    )
    rebound.pop("dyn_vars")
    kwargs.update(rebound)
    return (), kwargs
