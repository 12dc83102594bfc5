"""``hessian`` with ``grad_vars`` and ``argnums`` together (brainstate refuses it)."""

from __future__ import annotations

from typing import Any

import brainstate
import jax

from .._types import positions
from ._job import Job
from ._state_grads import is_quantity, state_transform

__all__ = ["BlockHessian"]


class BlockHessian:
    """``hessian`` with ``grad_vars`` and ``argnums`` together.

    Computed as brainstate's ``jacfwd`` of its ``jacrev`` (what ``jax.hessian``
    does), and laid out exactly as ``jax.hessian(g, argnums=(0, 1, ...))`` lays
    out ``g(V, x1, ...)``, with ``grad_vars`` as the input ``V`` ahead of the
    arguments in ``argnums`` order: ``H[i]`` has the layout of input ``i``, and
    each of its leaves holds the tuple of blocks against every input ``j``
    (each block laid out like input ``j``). For one State and an int
    ``argnums`` this is ``((H_vv, H_vx), (H_xv, H_xx))``. The value
    (``return_value``) and the aux data (``has_aux``) are the function's own.
    """

    def __init__(self, job: Job) -> None:
        assert job.argnums is not None
        self._structure = job.layout
        self._positions = positions(job.argnums)
        self._single = isinstance(job.argnums, int)
        self._has_aux = job.has_aux
        self._return_value = job.return_value
        #: with units, a Quantity argument is one block, as brainunit lays it out
        self._is_leaf = is_quantity if job.flags.get("unit_aware") else None
        first = state_transform("jacrev", brainstate.transform.jacrev,
                                job.but(return_value=True))

        def first_with_rest(*args: Any, **kwargs: Any) -> Any:
            res = first(*args, **kwargs)
            return res[0], tuple(res[1:])  # (var_grads, arg_grads), (value[, aux])

        self._second = state_transform(
            "jacfwd", brainstate.transform.jacfwd,
            job.but(target=first_with_rest, has_aux=True, return_value=False),
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        (by_vars, by_args), rest = self._second(*args, **kwargs)
        arg_trees = [jax.tree.structure(args[p], is_leaf=self._is_leaf) for p in self._positions]
        hess = self._blocks(by_vars, by_args, arg_trees)
        if self._return_value:
            return (hess, *rest) if self._has_aux else (hess, rest[0])
        return (hess, rest[1]) if self._has_aux else hess

    def _blocks(self, by_vars: Any, by_args: Any, arg_trees: list[Any]) -> tuple[Any, ...]:
        # by_vars = (d var_grads / d V, d arg_grads / d V)
        # by_args = (d var_grads / d args, d arg_grads / d args)
        # each with the first derivative's layout outside (JAX's Jacobian layout).
        vv, av = by_vars
        va, aa = by_args
        structure = self._structure
        if self._single:
            va_blocks = [(leaf,) for leaf in structure.leaves(va)]
            av, aa = (av,), (aa,)
        else:
            va_blocks = [tuple(leaf) for leaf in structure.leaves(va)]
        row_v = structure.rebuild(
            [(h, *cols) for h, cols in zip(structure.leaves(vv), va_blocks)]
        )
        rows = []
        for tree, av_k, aa_k in zip(arg_trees, av, aa):
            against_v = tree.flatten_up_to(av_k)
            against_args = tree.flatten_up_to(aa_k)
            if self._single:
                against_args = [(block,) for block in against_args]
            rows.append(tree.unflatten([(h, *cols) for h, cols in zip(against_v, against_args)]))
        return (row_v, *rows)
