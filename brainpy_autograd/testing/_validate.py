"""Checking ``check_grads``' and ``assert_paths_agree``' arguments before anything runs.

Wrong types raise ``TypeError``, values that are not allowed ``ValueError``;
each message names the argument, what it got, and what to write instead.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import brainstate
import jax
import numpy as np
from brainstate import State

from .._checks import describe_value, is_int
from ._inputs import is_key_dtype

__all__ = ["GradOptions", "check_grads_options", "check_callable", "check_args"]

MODES = ("rev", "fwd")


@dataclass(frozen=True)
class GradOptions:
    args: tuple[Any, ...]
    argnums: int | tuple[int, ...] | None  # for the transforms: None = no argument
    positions: tuple[int, ...]  # resolved, non-negative
    modes: tuple[str, ...]
    order: int


def check_callable(fname: str, name: str, f: Any) -> None:
    if not callable(f):
        raise TypeError(f"{fname}(): {name} must be callable, got {describe_value(f)}.")


def unsupported_argument(fname: str, args: tuple[Any, ...],
                         kwargs: dict[str, Any]) -> str | None:
    """Explain an argument that brainstate cannot trace (a str, an object...), if any,
    in the words of the transforms' own check."""
    named = [(f"positional argument {i}", a) for i, a in enumerate(args)]
    named += [(f"keyword argument {k!r}", v) for k, v in kwargs.items()]
    for what, value in named:
        for path, leaf in jax.tree_util.tree_flatten_with_path(value)[0]:
            if hasattr(leaf, "dtype") or isinstance(leaf, (bool, int, float, complex)):
                continue
            return (f"{fname}(): {what}{jax.tree_util.keystr(path)} is "
                    f"{describe_value(leaf)}. brainstate traces every argument as an "
                    f"array, so arguments must be arrays, numbers, or lists/tuples/dicts "
                    f"of them. Pass other values through a closure or functools.partial, "
                    f"e.g. {_partial_example(fname)}.")
    return None


def _partial_example(fname: str) -> str:
    """How to bind a non-array argument, for the function the user called."""
    if fname == "assert_paths_agree":  # it takes a transform: bind before making it
        return "assert_paths_agree(brainpy_autograd.grad(functools.partial(f, mode=...)), ...)"
    return f"{fname}(functools.partial(f, mode=...), ...)"


def check_args(fname: str, args: Any, kwargs: dict[str, Any] | None = None) -> tuple[Any, ...]:
    """``args`` is a tuple (as documented: a list is one argument that was meant as a
    tuple, or a mistake) of arguments that brainstate can trace."""
    if not isinstance(args, tuple):
        raise TypeError(f"{fname}(): args must be a tuple of the positional arguments "
                        f"(write (x,) for one argument), got {describe_value(args)}.")
    problem = unsupported_argument(fname, args, kwargs or {})
    if problem is not None:
        raise TypeError(problem)
    return args


def _check_grad_vars(grad_vars: Any) -> None:
    if grad_vars is None:
        return
    pairs, _ = jax.tree_util.tree_flatten_with_path(
        grad_vars, is_leaf=lambda x: isinstance(x, State))
    seen: list[tuple[Any, str]] = []
    for path, leaf in pairs:
        name = "grad_vars" + jax.tree_util.keystr(path)
        if not isinstance(leaf, State):
            raise TypeError(
                f"check_grads(): every leaf of grad_vars must be a brainstate State; "
                f"{name} is {describe_value(leaf)}.")
        for other, other_name in seen:
            if other is leaf:
                raise ValueError(
                    f"check_grads(): grad_vars names the same State twice: {other_name} "
                    f"and {name}; name each State once.")
        seen.append((leaf, name))


def _check_argnums(argnums: Any, n_args: int, has_vars: bool) -> tuple[Any, tuple[int, ...]]:
    if argnums is None:
        return (None, ()) if has_vars else (0, (0,))
    single = is_int(argnums)
    if not single and not (isinstance(argnums, Sequence) and not isinstance(argnums, str)
                           and all(is_int(a) for a in argnums)):
        raise TypeError(f"check_grads(): argnums must be an int or a tuple of ints, got "
                        f"{describe_value(argnums)}.")
    shown = (int(argnums),) if single else tuple(int(a) for a in argnums)
    for a in shown:
        if not -n_args <= a < n_args:
            raise ValueError(f"check_grads(): argnums {a} is out of range for the "
                             f"{n_args} positional argument(s) in args.")
    if not shown:  # argnums=(): only grad_vars
        return None, ()
    positions = tuple(a % n_args for a in shown)
    if len(set(positions)) != len(positions):
        raise ValueError(f"check_grads(): argnums names an argument twice: {argnums!r}.")
    return (shown[0] if single else shown), positions


def _check_modes(modes: Any) -> tuple[str, ...]:
    if isinstance(modes, str) or not isinstance(modes, (tuple, list)):
        raise TypeError(f"check_grads(): modes must be a tuple of 'rev' and/or 'fwd' "
                        f"(write ('rev',) for one), got {describe_value(modes)}.")
    wrong = [m for m in modes if m not in MODES]
    if wrong or not modes:
        raise ValueError(f"check_grads(): modes must name 'rev' and/or 'fwd', got {modes!r}.")
    return tuple(dict.fromkeys(modes))


def _check_positive(name: str, value: Any) -> None:
    if value is None:
        return
    scalar_array = (getattr(value, "shape", None) == () and hasattr(value, "dtype")
                    and (np.issubdtype(value.dtype, np.floating)
                         or np.issubdtype(value.dtype, np.integer)))  # jnp.float32(1e-3)
    if (not isinstance(value, numbers.Real) and not scalar_array) or isinstance(value, bool):
        raise TypeError(f"check_grads(): {name} must be a positive number or None (the "
                        f"dtype's default), got {describe_value(value)}.")
    number = float(value)
    if not number > 0 or not np.isfinite(number):
        raise ValueError(f"check_grads(): {name} must be a positive finite number, got "
                         f"{value!r}.")


def check_grads_options(f: Any, args: Any, grad_vars: Any, argnums: Any, order: Any,
                        modes: Any, eps: Any, atol: Any, rtol: Any, seed: Any) -> GradOptions:
    """Every option checked, in the order of the signature; argnums resolved."""
    check_callable("check_grads", "f", f)
    args = check_args("check_grads", args)
    _check_grad_vars(grad_vars)
    shown, positions = _check_argnums(argnums, len(args), grad_vars is not None)
    if not is_int(order):
        raise TypeError(f"check_grads(): order must be 1 or 2, got {describe_value(order)}.")
    if order not in (1, 2):
        raise ValueError(f"check_grads(): order must be 1 (first derivatives) or 2 "
                         f"(and the hessian), got {order!r}.")
    checked_modes = _check_modes(modes)
    for name, value in (("eps", eps), ("atol", atol), ("rtol", rtol)):
        _check_positive(name, value)
    if not is_int(seed):
        raise TypeError(f"check_grads(): seed must be an int, got {describe_value(seed)}.")
    if not 0 <= seed < 2 ** 32:
        raise ValueError(f"check_grads(): seed must be from 0 to 2**32 - 1, got {seed!r}.")
    return GradOptions(args, shown, positions, checked_modes, int(order))


def check_float_inputs(names_and_dtypes: Sequence[tuple[str, Any, str | None]]) -> None:
    """Every differentiated input is a real floating-point array.

    Each entry is ``(name, dtype, whole)``: ``whole`` is the name of the State that
    holds the leaf when that State holds a pytree of several arrays (a State is
    differentiated whole, so the advice is about the State), else ``None``.
    """
    for name, dtype, whole in names_and_dtypes:
        if is_key_dtype(dtype):
            raise TypeError(
                f"check_grads(): {name} holds a random key (dtype {dtype}), which has no "
                f"derivative: {_leave_key_out(name)}.")
        if not jax.numpy.issubdtype(dtype, jax.numpy.floating):
            leave_out = ("or leave it out of grad_vars/argnums" if whole is None else
                         f"or, since a State is differentiated whole, leave {whole} out "
                         f"of grad_vars or keep this leaf in a State of its own")
            raise TypeError(
                f"check_grads(): {name} has dtype {np.dtype(dtype)}; finite differences "
                f"need real floating-point inputs. Give it a float dtype, {leave_out}.")


def _leave_key_out(name: str) -> str:
    if name.startswith("argument"):
        return "leave its position out of argnums"
    return ("leave it out of grad_vars (give the model's parameters, e.g. "
            "model.states(brainstate.ParamState)); check_grads saves and puts back the "
            "random keys f uses by itself")


def check_key_states(names_and_states: Sequence[tuple[str, Any]]) -> None:
    """A ``brainstate.random.RandomState`` in ``grad_vars`` is refused as a key, also when
    it holds an old-style ``uint32`` key (whose dtype alone says integer)."""
    for name, state in names_and_states:
        if isinstance(state, brainstate.random.RandomState):
            raise TypeError(f"check_grads(): {name} is a random key "
                            f"(brainstate.random.RandomState), which has no derivative: "
                            f"{_leave_key_out(name)}.")


def check_outputs(outputs: Sequence[tuple[str, Any, tuple[int, ...]]]) -> None:
    """``f`` returned at least one array with elements, every one real floating point
    (each entry is ``(name, dtype, shape)``)."""
    what = ("f must return a real floating-point array (a scalar loss), or a pytree of "
            "them; for an auxiliary output that is not differentiated (an int, a "
            "label), check a function that returns only the differentiated part")
    if not outputs:
        raise TypeError(f"check_grads(): f returned no array (None or an empty "
                        f"container); {what}.")
    for name, dtype, _ in outputs:
        if not jax.numpy.issubdtype(dtype, jax.numpy.floating):
            raise TypeError(f"check_grads(): {name} has dtype {np.dtype(dtype)}; {what}.")
    if not any(int(np.prod(shape)) for _, _, shape in outputs):
        shapes = ", ".join(f"{name} has shape {tuple(shape)}" for name, _, shape in outputs)
        raise ValueError(f"check_grads(): nothing to compare: every output of f is empty "
                         f"({shapes}); a check of an empty output would pass whatever the "
                         f"gradient is.")


def check_transform(fname: str, transform: Any) -> Callable[..., Any]:
    check_callable(fname, "transform", transform)
    return transform
