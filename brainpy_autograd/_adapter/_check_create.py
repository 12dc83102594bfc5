"""The checks that run when a transform is created, before anything is traced.

The keywords (:func:`unknown_keyword`), the callable, the type and values of
``argnums``, a ``grad_vars`` leaf that is not a State (:func:`not_a_state`,
raised while :mod:`._grad_vars` walks it), ``debug_nan``, and the function
given to a decorator form. The flags are checked with
:func:`brainpy_autograd._checks.check_flag`; the BrainPy 2.x keywords in
:mod:`._check_legacy`.
"""

from __future__ import annotations

import difflib
import operator
from collections.abc import Mapping, Sequence
from typing import Any

from .._checks import a_type, describe_value, is_int
from .._types import Argnums, is_state

__all__ = [
    "check_callable",
    "unknown_keyword",
    "check_decorator_call",
    "check_debug_nan",
    "normalize_argnums",
    "not_a_state",
]


def check_callable(fname: str, func: Any) -> None:
    """Raise ``TypeError`` unless ``func`` can be called."""
    if callable(func):
        return
    hint = ""
    if is_int(func):
        hint = f" To choose the differentiated argument, write {fname}(f, argnums={func!r})."
    elif isinstance(func, (list, tuple, dict)) or is_state(func):
        hint = f" To differentiate States, write {fname}(f, grad_vars=...)."
    raise TypeError(
        f"{fname}() differentiates a function, but func is {describe_value(func)}, "
        f"which is not callable.{hint}"
    )


def unknown_keyword(fname: str, name: str, known: tuple[str, ...]) -> TypeError:
    """The error for keyword ``name``, which ``fname`` does not take: it suggests the closest."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return TypeError(
        f"{fname}() got an unexpected keyword argument {name!r}.{hint} "
        f"Valid keywords: {', '.join(known)}."
    )


def check_decorator_call(form: str, fname: str, args: tuple[Any, ...],
                         kwargs: Mapping[str, Any]) -> Any:
    """The function given to a decorator form (``form``, e.g. ``grad(argnums=1)``)."""
    if len(args) != 1 or kwargs:
        raise TypeError(
            f"{form} is waiting for the function to differentiate: use it as a decorator "
            f"(@{fname}(...)) or call it with the function only ({fname}(...)(f))."
        )
    check_callable(fname, args[0])
    return args[0]


def check_debug_nan(fname: str, compiled: bool | None) -> None:
    """``debug_nan=True`` needs brainstate's support, and the interpreted path."""
    import inspect

    import brainstate
    from brainstate.transform import GradientTransform

    if "debug_nan" not in inspect.signature(GradientTransform.__init__).parameters:
        raise ValueError(
            f"{fname}(): debug_nan=True needs a brainstate whose GradientTransform takes "
            f"debug_nan (0.5.4 and 0.6 do); brainstate {brainstate.__version__} does not. "
            f"Upgrade brainstate, or use jax.config.update('jax_debug_nans', True).")
    if compiled:
        raise ValueError(
            f"{fname}(): debug_nan=True evaluates the gradient equation by equation, so it "
            f"cannot run compiled; drop compiled=True.")


def normalize_argnums(fname: str, argnums: Any) -> Argnums:
    """Check the type of ``argnums`` when the transform is created.

    An int stays an int (one gradient); any sequence becomes a tuple (a tuple
    of gradients). Negative positions are kept: they are resolved against the
    number of positional arguments at each call, as ``jax.grad`` does.
    """
    if argnums is None:
        return None
    if is_int(argnums):
        return operator.index(argnums)
    if isinstance(argnums, (str, bytes, Mapping)) or not isinstance(argnums, Sequence):
        raise TypeError(
            f"{fname}(): argnums must be an int or a sequence of ints, got "
            f"{describe_value(argnums)}."
        )
    chosen = []
    for i, a in enumerate(argnums):
        if not is_int(a):
            raise TypeError(
                f"{fname}(): argnums must be an int or a sequence of ints, but "
                f"argnums[{i}] is {describe_value(a)} (argnums={argnums!r})."
            )
        chosen.append(operator.index(a))
    if not chosen:
        raise ValueError(
            f"{fname}(): argnums={argnums!r} is empty, so there is nothing to "
            f"differentiate. Give at least one position, or leave argnums out to "
            f"differentiate grad_vars only. (In BrainPy 2.2 the third positional "
            f"argument was dyn_vars; there, write dyn_vars=... or leave it out.)"
        )
    seen: set[int] = set()
    for a in chosen:
        if a in seen:
            raise ValueError(
                f"{fname}(): argnums={argnums!r} lists position {a} more than once; "
                f"each positional argument can be differentiated only once."
            )
        seen.add(a)
    return tuple(chosen)


def not_a_state(fname: str, node: Any, path: str, *, cycle: bool = False) -> TypeError:
    """The error of ``fname(...)`` for a ``grad_vars`` leaf at ``path``
    (``"grad_vars['w']"``) that is no State.

    ``cycle``: the leaf is a container that holds itself.
    """
    if cycle:
        return TypeError(f"{fname}(): {path} contains itself; grad_vars must be a tree of "
                         f"States.")
    if isinstance(node, (set, frozenset)):
        return TypeError(
            f"{fname}(): {path} is a {type(node).__name__}, which has no order, so its "
            f"gradients "
            f"could not be matched to its members. Use a list, tuple or dict of States."
        )
    what = a_type(node)
    return TypeError(
        f"{fname}(): {path} is {what}, not a State. grad_vars can only hold States (or "
        f"lists, "
        f"tuples and dicts of them), because the transform differentiates the values "
        f"that the function reads from them. Wrap the value, e.g. "
        f"brainstate.ParamState(value) (bm.TrainVar(value) in BrainPy), and read it "
        f"through .value in the function; or pass the array as an argument and list "
        f"its position in argnums."
    )
