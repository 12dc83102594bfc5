"""The derivatives a check tests: this package's transforms, called as a user calls them.

Each transform is read from :mod:`brainpy_autograd` when it is used (so a test
can plant a wrong one there), built with the user's ``grad_vars`` and
``argnums``, and called from the saved State values. Its result, laid out by the
return table, is cut into blocks: one per (output leaf, input leaf) for a
Jacobian, one per (input leaf, input leaf) for a Hessian.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jax
import numpy as np

import brainpy_autograd

from ._inputs import Inputs, in_unit, is_quantity
from ._reuse import Kept
from ._save import Snapshot

__all__ = ["Call", "unit_ratio", "contract"]


def unit_ratio(top: Any, *bottom: Any) -> Any:
    """``top / bottom[0] / ...``; ``None`` when every unit is ``None`` (plain numbers)."""
    if top is None and all(b is None for b in bottom):
        return None
    import brainunit as u

    out = u.UNITLESS if top is None else top
    for b in bottom:
        if b is not None:
            out = out / b
    return out


def _by_dtype(values: list[np.ndarray]) -> list[list[int]]:
    """The positions of ``values``, grouped by dtype (groups in order of first appearance)."""
    groups: dict[Any, list[int]] = {}
    for i, v in enumerate(values):
        groups.setdefault(np.dtype(v.dtype), []).append(i)
    return list(groups.values())


def contract(block: Any, direction: np.ndarray, unit: Any, what: str) -> np.ndarray:
    """``block`` (shape ``out + in``) applied to ``direction`` (shape ``in``), in ``unit``."""
    import brainunit as u

    try:
        numbers = in_unit(block, unit)
    except u.UnitMismatchError as err:
        raise AssertionError(
            f"check_grads: {what} has the wrong unit: got {getattr(block, 'unit', 'none')}, "
            f"expected {unit}") from err
    numbers = np.asarray(numbers, np.float64)
    d = np.asarray(direction, np.float64)
    if not d.ndim:
        return numbers * d
    out_shape = numbers.shape[:numbers.ndim - d.ndim]
    if not d.size:  # an empty input: its derivative is empty, and adds nothing
        return np.zeros(out_shape)
    # a product and a sum, not np.tensordot: BLAS threads cost more than the sum here
    rows = numbers.reshape(-1, d.size) * d.reshape(-1)
    return rows.sum(axis=1).reshape(out_shape)


@dataclass
class Call:
    """How to call a transform on the checked function: its options and the saved model.

    The transforms are made once per function and kept between checks while the
    function's traced program is unchanged (:mod:`._reuse`); each is read from
    :mod:`brainpy_autograd` when it is used, and made again if that changed.
    """

    f: Callable[..., Any]
    inputs: Inputs
    grad_vars: Any
    argnums: Any  # as the user gave it (int or tuple), None for none
    unit_aware: bool
    snapshot: Snapshot
    kept: Kept = field(default_factory=Kept)

    def transform(self, name: str, f: Callable[..., Any], **extra: Any) -> Any:
        """``brainpy_autograd.<name>`` of ``f``, the kept one if it was made from the
        same factory."""
        factory = getattr(brainpy_autograd, name)
        key = name if not extra else f"{name} along"
        held = self.kept.made.get(key)
        if held is not None and held[0] is factory:
            return held[1]
        options: dict[str, Any] = dict(extra)
        if not extra:
            if self.grad_vars is not None:
                options["grad_vars"] = self.grad_vars
            if self.argnums is not None:
                options["argnums"] = self.argnums
        if self.unit_aware:
            options["unit_aware"] = True
        made = factory(f, **options)
        self.kept.made[key] = (factory, made)
        return made

    def result(self, name: str, values: list[np.ndarray] | None = None) -> Any:
        """Transform ``name`` of ``f`` at the saved model (or at ``values``)."""
        transform = self.transform(name, self.f)

        def run() -> Any:
            args = self.inputs.args if values is None else self.inputs.apply(values)
            return transform(*args)

        return self.snapshot.run(run)

    def jvp_along(self, step: list[np.ndarray], dtype: str) -> list[Any]:
        """``jacfwd`` of ``t -> f(inputs + t * step)`` at ``t = 0``: the derivative along
        ``step`` for one forward pass (a full ``jacfwd`` costs one per input element).

        The inputs of one dtype move together: one flat base and one flat step per
        dtype, ``base + t * step`` once, then split into the leaves. (Per leaf, that
        product and sum, and their forward derivatives under ``jacfwd``'s batch of
        one, are as many operations as a small model's own: for the MLP of
        ``benchmarks/check_grads_cost.py``, 16 leaves, a third of the program.)
        """
        import jax.numpy as jnp

        kept = self.kept
        kept.inputs = self.inputs  # read when the transform traces ``along``
        if kept.along is None:
            f = self.f

            def along(t: Any, args: tuple[Any, ...], bases: list[Any],
                      steps: list[Any]) -> Any:
                inputs = kept.inputs
                moved: list[Any] = [None] * len(inputs.leaves)
                for group, base, d in zip(_by_dtype(inputs.values), bases, steps):
                    flat = base + t * d
                    sizes = [int(np.size(inputs.values[i])) for i in group]
                    parts = jax.lax.split(flat, sizes) if len(group) > 1 else [flat]
                    for i, part in zip(group, parts):
                        moved[i] = part.reshape(np.shape(inputs.values[i]))
                return f(*inputs.apply(moved, args))

            kept.along = along
        transform = self.transform("jacfwd", kept.along, argnums=0)
        values = self.inputs.values
        groups = _by_dtype(values)
        flat_bases = [np.concatenate([np.ravel(values[i]) for i in g]) for g in groups]
        flat_steps = [np.concatenate([np.ravel(np.asarray(step[i], values[i].dtype))
                                      for i in g]) for g in groups]
        bases, steps = jax.device_put((flat_bases, flat_steps))  # one transfer for all
        result = self.snapshot.run(
            lambda: transform(jnp.zeros((), dtype), self.inputs.args, bases, steps))
        return jax.tree.leaves(result, is_leaf=is_quantity)

    def blocks(self, name: str, rows: int,
               values: list[np.ndarray] | None = None) -> list[list[Any]]:
        """The result of ``name`` as ``rows`` lists of one block per input leaf.

        The return table puts the States' part first and the arguments' part
        second; within each part, rows (output leaves, or input leaves for a
        Hessian) come first, so the leaves of each part are row-major.
        """
        result = self.result(name, values)
        n_in = len(self.inputs.leaves)
        n_vars = self.inputs.n_vars
        if n_in == n_vars or n_vars == 0 or name == "hessian":
            parts = [result]
            widths = [n_in]
        else:
            parts = list(result)
            widths = [n_vars, n_in - n_vars]
        chunks: list[list[list[Any]]] = []
        for part, width in zip(parts, widths):
            leaves = jax.tree.leaves(part, is_leaf=is_quantity)
            if len(leaves) != rows * width:
                raise AssertionError(
                    f"check_grads: brainpy_autograd.{name} returned {len(leaves)} arrays "
                    f"where {rows} x {width} were expected: its result is not laid out by "
                    f"the return table (grad_vars, then argnums)")
            chunks.append([leaves[r * width:(r + 1) * width] for r in range(rows)])
        return [sum((chunk[r] for chunk in chunks), []) for r in range(rows)]
