"""Gradients with respect to States, in the user's ``grad_vars`` layout.

- brainstate differentiates a dict ``{id(state): value}`` and formats it in
  ``GradientTransform._format_state_grads``, which expects that dict at the top
  of the result: true for ``grad`` and ``vector_grad``, not for
  ``jacrev``/``jacfwd`` of a pytree output (JAX puts one dict per output leaf;
  brainstate raises ``IndexError``, or ``KeyError`` naming a raw ``id``).
  :func:`with_user_layout` maps every such dict onto the user's layout.
- ``jacrev``/``jacfwd`` with States *and* ``argnums``: JAX places the tuple of
  differentiated inputs inside each output leaf, while brainstate slices it as
  if it were outside, which fails for every pytree output.
  :func:`_split_jacobian` regroups JAX's result into the State part and the
  argument part, each with the output's structure outside, exactly as
  ``jax.jacrev`` lays out one input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import brainunit as u
import jax
from brainstate import State
from brainstate.transform import GradientTransform

from ._grad_vars import VarStructure
from ._job import Job

__all__ = ["state_transform", "with_user_layout", "is_quantity"]

T = TypeVar("T", bound=GradientTransform)

#: The JAX Jacobian behind each brainstate Jacobian transform.
_JAX_JACOBIAN: dict[str, Callable[..., Any]] = {"jacrev": jax.jacrev, "jacfwd": jax.jacfwd}


def state_transform(name: str, factory: Callable[..., Any], job: Job) -> Callable[..., Any]:
    """``name``'s brainstate transform (``factory``) of ``job``, with ``grad_states``, its
    result in the user's layout."""
    common = job.common()
    states, structure, argnums = job.states, job.layout, job.argnums
    if name not in _JAX_JACOBIAN or argnums is None:
        bs = factory(job.target, grad_states=states, argnums=argnums, **job.flags, **common)
        return with_user_layout(bs, states, structure)
    single = isinstance(argnums, int)
    params = dict(job.flags)
    if params.pop("debug_nan", False):  # an option of GradientTransform, not of JAX's
        common["debug_nan"] = True
    bs = GradientTransform(
        target=job.target,
        transform=_split_jacobian(_JAX_JACOBIAN[name], single),
        grad_states=states,
        argnums=argnums,
        transform_params=params,
        **common,
    )
    bs = with_user_layout(bs, states, structure)
    if single:
        return bs
    # brainstate returns grads[1:] for a sequence argnums: a 1-tuple around the
    # argument part that _split_jacobian produced.
    extras = job.has_aux or job.return_value

    def call(*args: Any, **kwargs: Any) -> Any:
        res: Any = bs(*args, **kwargs)
        var_grads, (arg_grads,) = res[0] if extras else res
        return ((var_grads, arg_grads), *res[1:]) if extras else (var_grads, arg_grads)

    return call


def with_user_layout(transform: T, states: tuple[State, ...], structure: VarStructure) -> T:
    """Make ``transform`` return State gradients laid out as ``structure``.

    Replaces brainstate's formatter on this one instance by one that maps every
    ``{id(state): gradient}`` dict, wherever it sits in the result and however
    deeply such dicts nest (Hessians), onto the user's layout.
    """
    ids = tuple(id(s) for s in states)
    id_keys = frozenset(ids)

    def is_state_grads(x: Any) -> bool:
        return type(x) is dict and x.keys() == id_keys

    def place(x: Any) -> Any:
        if is_state_grads(x):
            return structure.rebuild([place(x[i]) for i in ids])
        return x

    def format_state_grads(grads_of_states: Any) -> Any:
        return jax.tree.map(place, grads_of_states, is_leaf=is_state_grads)

    transform._format_state_grads = format_state_grads  # type: ignore[method-assign]
    return transform


def _split_jacobian(jax_jacobian: Callable[..., Any], single: bool) -> Callable[..., Any]:
    """``jax_jacobian`` regrouped as ``(state_part, arg_part)`` for GradientTransform.

    brainstate differentiates with ``argnums=(0, a + 2, ...)``: position 0 holds
    the State values. JAX returns, per output leaf, a tuple over those
    positions; this returns the State part and the argument part separately,
    each with the output structure outside (``jax.jacrev``'s layout for one
    input, or for the user's ``argnums``).
    """

    def transform(fun: Callable[..., Any], argnums: Any, has_aux: bool, **params: Any) -> Any:
        out_trees: list[Any] = []
        jacobian = jax_jacobian
        is_leaf = None
        if params.pop("unit_aware", False):  # brainunit's Jacobian keeps the units
            jacobian = getattr(u.autograd, jax_jacobian.__name__)
            is_leaf = is_quantity  # and treats a Quantity output as one leaf

        def recording(*args: Any, **kwargs: Any) -> Any:
            y, aux = fun(*args, **kwargs)
            out_trees.append(jax.tree.structure(y, is_leaf=is_leaf))
            return y, aux

        jac_fn = jacobian(recording, argnums=argnums, has_aux=True, **params)

        def call(*args: Any, **kwargs: Any) -> Any:
            out_trees.clear()
            jac, aux = jac_fn(*args, **kwargs)
            tree = out_trees[-1]
            per_leaf = tree.flatten_up_to(jac)
            state_part = tree.unflatten([p[0] for p in per_leaf])
            arg_part = tree.unflatten([p[1] if single else tuple(p[1:]) for p in per_leaf])
            return (state_part, arg_part), aux

        return call

    return transform


def is_quantity(x: Any) -> bool:
    return isinstance(x, u.Quantity)
