"""The inputs a check differentiates: States of ``grad_vars`` and arguments at ``argnums``.

Each input leaf has the name a failure message gives it (``grad_vars['w']``,
``argument 1['b']``), its value as a plain array (the mantissa of a brainunit
Quantity) and its unit. :meth:`Inputs.apply` puts new values in place: into
the States, and into a copy of the arguments that it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import brainunit as u
import jax
import numpy as np
from brainstate import State

__all__ = ["Inputs", "Leaf", "is_key", "is_key_dtype", "is_quantity", "split_unit",
           "join_unit", "in_unit"]


def is_quantity(x: Any) -> bool:
    return isinstance(x, u.Quantity)


def is_key_dtype(dtype: Any) -> bool:
    """The dtype of a typed random key (``jax.random.key``, brainstate's RandomState)."""
    return bool(jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key))


def is_key(x: Any) -> bool:
    """A typed random key: it holds no numbers."""
    dtype = getattr(x, "dtype", None)
    return dtype is not None and is_key_dtype(dtype)


def split_unit(x: Any) -> tuple[np.ndarray, Any]:
    """``(mantissa, unit)``; the unit is ``None`` for a plain array. A random key is
    returned as it is (NumPy cannot hold it; a check refuses it by its dtype)."""
    if is_quantity(x):
        return np.asarray(x.mantissa), x.unit
    if is_key(x):
        return x, None
    return np.asarray(x), None


def join_unit(mantissa: Any, unit: Any) -> Any:
    return mantissa if unit is None else u.Quantity(mantissa, unit=unit)


def in_unit(x: Any, unit: Any) -> np.ndarray:
    """The numbers of ``x`` in ``unit`` (``None``: a plain number, or unitless)."""
    if is_quantity(x):
        return np.asarray(x.to_decimal(u.UNITLESS if unit is None else unit))
    if unit is not None and not u.get_unit(unit).is_unitless:
        raise u.UnitMismatchError(f"expected a quantity in {unit}, got a plain number")
    return np.asarray(x)


@dataclass
class Leaf:
    name: str
    value: np.ndarray  # the mantissa
    unit: Any  # None for a plain array
    state: Any = None  # the State, for a grad_vars leaf
    arg: int = -1  # the argument's position, for an argument leaf
    whole: str | None = None  # the State's name, when it holds several arrays


def _jax_dtype(dtype: Any) -> Any:
    """``dtype`` as JAX holds it: float64 is float32 while x64 is off (asking JAX for
    float64 then warns)."""
    return jax.dtypes.canonicalize_dtype(dtype)


def _named_leaves(tree: Any, prefix: str) -> list[tuple[str, Any]]:
    pairs, _ = jax.tree_util.tree_flatten_with_path(
        tree, is_leaf=lambda x: isinstance(x, State) or is_quantity(x))
    return [(prefix + jax.tree_util.keystr(path), leaf) for path, leaf in pairs]


class Inputs:
    """The differentiated inputs of one check, in the transforms' order: States, then arguments."""

    def __init__(self, grad_vars: Any, args: Sequence[Any], argnums: tuple[int, ...]) -> None:
        self.args = tuple(args)
        self.argnums = argnums
        self.leaves: list[Leaf] = []
        self._state_defs: list[tuple[Any, Any]] = []  # (State, tree of its value)
        if grad_vars is not None:
            for name, state in _named_leaves(grad_vars, "grad_vars"):
                # a State may hold a pytree (ParamState({"a": ...})): one leaf per array
                parts = _named_leaves(state.value, name)
                self._state_defs.append((state, jax.tree.structure(state.value,
                                                                   is_leaf=is_quantity)))
                whole = name if len(parts) > 1 else None
                for part_name, part in parts:
                    mantissa, unit = split_unit(part)
                    self.leaves.append(Leaf(part_name, mantissa, unit, state=state,
                                            whole=whole))
        self.n_vars = len(self.leaves)
        self._arg_defs = {}
        for pos in argnums:
            named = _named_leaves(args[pos], f"argument {pos}")
            self._arg_defs[pos] = jax.tree.structure(
                args[pos], is_leaf=is_quantity)
            for name, leaf in named:
                mantissa, unit = split_unit(leaf)
                self.leaves.append(Leaf(name, mantissa, unit, arg=pos))

    def apply(self, values: Sequence[Any],
              args: Sequence[Any] | None = None) -> tuple[Any, ...]:
        """Put ``values`` (mantissas, one per leaf) into the States; the arguments with them
        (``args``, default the check's own, with the differentiated leaves replaced)."""
        args = list(self.args if args is None else args)
        by_arg: dict[int, list[Any]] = {pos: [] for pos in self.argnums}
        by_state: dict[int, list[Any]] = {id(state): [] for state, _ in self._state_defs}
        placed = all(isinstance(v, np.ndarray) for v in values)
        if placed:  # one transfer for all leaves, each in its own dtype already
            values = jax.device_put([np.asarray(v, _jax_dtype(leaf.value.dtype))
                                     for v, leaf in zip(values, self.leaves)])
        for leaf, value in zip(self.leaves, values):
            if not placed:
                value = jax.numpy.asarray(value, dtype=_jax_dtype(leaf.value.dtype))
            full = join_unit(value, leaf.unit)
            if leaf.state is not None:
                by_state[id(leaf.state)].append(full)
            else:
                by_arg[leaf.arg].append(full)
        for state, treedef in self._state_defs:
            state.value = jax.tree.unflatten(treedef, by_state[id(state)])
        for pos, leaves in by_arg.items():
            args[pos] = jax.tree.unflatten(self._arg_defs[pos], leaves)
        return tuple(args)

    @property
    def values(self) -> list[np.ndarray]:
        return [leaf.value for leaf in self.leaves]
