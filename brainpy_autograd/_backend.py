"""Building the brainstate transform behind one call form.

:func:`build` returns the callable that computes one transform for one
resolved ``argnums``: the user's function wrapped with the trace-time checks
(:class:`._validate.TraceChecks`) and States kept out of its boundary
(:class:`._states.StateFreeFunction`), under ``brainstate.transform.<name>`` (or brainstate's
``GradientTransform`` with a corrected JAX transform), adjusted where
brainstate's result is wrong or incomplete:

- State gradients are put into the user's ``grad_vars`` layout by
  :func:`with_user_layout`. brainstate differentiates a dict
  ``{id(state): value}`` and formats it in
  ``GradientTransform._format_state_grads``, which expects that dict at the top
  of the result: true for ``grad`` and ``vector_grad``, not for
  ``jacrev``/``jacfwd`` of a pytree output (JAX puts one dict per output leaf;
  brainstate raises ``IndexError``, or ``KeyError`` naming a raw ``id``).
- ``jacrev``/``jacfwd`` with States *and* ``argnums``: JAX places the tuple of
  differentiated inputs inside each output leaf, while brainstate slices it as
  if it were outside, which fails for every pytree output.
  :func:`_split_jacobian` regroups JAX's result into the State part and the
  argument part, each with the output's structure outside, exactly as
  ``jax.jacrev`` lays out one input.
- An empty ``grad_vars``: brainstate sees no State, so the empty container is
  put where ``var_grads`` belongs (with no ``argnums`` there is nothing to
  differentiate, and a dummy scalar is differentiated and discarded).
- ``hessian`` with States and ``argnums`` (brainstate refuses it):
  :class:`BlockHessian`, see its docstring.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import brainstate
import brainunit as u
import jax
import numpy as np
from brainstate import State
from brainstate.transform import GradientTransform

from ._grad_vars import VarStructure
from ._states import StateFreeFunction
from ._types import Argnums, positions
from ._validate import TraceChecks

if TYPE_CHECKING:
    from ._options import Options, TransformSpec

__all__ = ["build", "with_user_layout", "BlockHessian"]

T = TypeVar("T", bound=GradientTransform)

#: The JAX Jacobian behind each brainstate Jacobian transform.
_JAX_JACOBIAN: dict[str, Callable[..., Any]] = {"jacrev": jax.jacrev, "jacfwd": jax.jacfwd}


def build(
    spec: TransformSpec, options: Options, func: Callable[..., Any], argnums: Argnums
) -> Callable[..., Any]:
    """The callable computing ``spec``'s transform of ``func`` for one resolved ``argnums``.

    Its result has the layout of the return table: brainstate's, with the
    State gradients in the user's ``grad_vars`` layout, and an empty
    ``grad_vars`` in its place (:func:`_empty_grad_vars`).
    """
    checks = TraceChecks(spec, options, argnums)
    target = StateFreeFunction(func, checks.inputs if checks.needs_input_check else None,
                               checks.output, has_aux=options.has_aux)
    flags = {name: getattr(options, name) for name in spec.backend_flags}
    if options.debug_nan:
        flags["debug_nan"] = True
    has_aux, return_value = options.has_aux, options.return_value
    states, structure = options.states, options.structure
    if states:
        assert structure is not None
        if spec.name == "hessian" and argnums is not None:
            return BlockHessian(target, states, structure, argnums,
                                has_aux=has_aux, return_value=return_value, flags=flags)
        return state_transform(spec.name, spec.backend, target, states, structure, argnums,
                               has_aux=has_aux, return_value=return_value, flags=flags)
    if options.has_vars:
        assert structure is not None
        return _empty_grad_vars(spec.backend, target, structure, argnums,
                                has_aux=has_aux, return_value=return_value, flags=flags)
    return spec.backend(target, argnums=argnums, has_aux=has_aux, return_value=return_value,
                        check_states=False, **flags)


def _empty_grad_vars(
    factory: Callable[..., Any],
    target: Callable[..., Any],
    structure: VarStructure,
    argnums: Argnums,
    *,
    has_aux: bool,
    return_value: bool,
    flags: dict[str, Any],
) -> Callable[..., Any]:
    """An empty ``grad_vars`` (``[]``, ``{}``): its ``var_grads`` is the same empty container.

    brainstate sees no State. Without ``argnums`` it has nothing to
    differentiate, so a dummy scalar is differentiated and discarded: the
    value, the aux data and the State writes must still come back.
    """
    extras = has_aux or return_value
    common = dict(has_aux=has_aux, return_value=return_value, check_states=False)
    if argnums is None:
        dummy = factory(_DummyFirst(target), argnums=0, **flags, **common)

        def only_vars(*args: Any, **kwargs: Any) -> Any:
            res = dummy(np.float32(0.0), *args, **kwargs)
            empty = structure.rebuild(())
            return (empty, *res[1:]) if extras else empty

        return only_vars
    bs = factory(target, argnums=argnums, **flags, **common)

    def with_args(*args: Any, **kwargs: Any) -> Any:
        res = bs(*args, **kwargs)
        grads = (structure.rebuild(()), res[0] if extras else res)
        return (grads, *res[1:]) if extras else grads

    return with_args


def state_transform(
    name: str,
    factory: Callable[..., Any],
    target: Callable[..., Any],
    states: tuple[State, ...],
    structure: VarStructure,
    argnums: int | tuple[int, ...] | None,
    *,
    has_aux: bool,
    return_value: bool,
    flags: dict[str, Any],
) -> Callable[..., Any]:
    """A brainstate transform with ``grad_states``, its result in the user's layout."""
    common = dict(has_aux=has_aux, return_value=return_value, check_states=False)
    if name not in _JAX_JACOBIAN or argnums is None:
        bs = factory(target, grad_states=states, argnums=argnums, **flags, **common)
        return with_user_layout(bs, states, structure)
    single = isinstance(argnums, int)
    params = dict(flags)
    if params.pop("debug_nan", False):  # an option of GradientTransform, not of JAX's
        common["debug_nan"] = True
    bs = GradientTransform(
        target=target,
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
    extras = has_aux or return_value

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
            is_leaf = _is_quantity  # and treats a Quantity output as one leaf

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


def _is_quantity(x: Any) -> bool:
    return isinstance(x, u.Quantity)


class _DummyFirst:
    """``target`` with a leading dummy argument to differentiate (and discard)."""

    __slots__ = ("target", "__name__", "__qualname__")

    def __init__(self, target: Callable[..., Any]) -> None:
        self.target = target
        self.__name__ = getattr(target, "__name__", "function")
        self.__qualname__ = getattr(target, "__qualname__", self.__name__)

    def __call__(self, _dummy: Any, *args: Any, **kwargs: Any) -> Any:
        return self.target(*args, **kwargs)


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

    def __init__(
        self,
        target: Callable[..., Any],
        states: tuple[State, ...],
        structure: VarStructure,
        argnums: int | tuple[int, ...],
        *,
        has_aux: bool,
        return_value: bool,
        flags: dict[str, Any],
    ) -> None:
        self._structure = structure
        self._positions = positions(argnums)
        self._single = isinstance(argnums, int)
        self._has_aux = has_aux
        self._return_value = return_value
        #: with units, a Quantity argument is one block, as brainunit lays it out
        self._is_leaf = _is_quantity if flags.get("unit_aware") else None
        first = state_transform(
            "jacrev", brainstate.transform.jacrev, target, states, structure, argnums,
            has_aux=has_aux, return_value=True, flags=flags,
        )

        def first_with_rest(*args: Any, **kwargs: Any) -> Any:
            res = first(*args, **kwargs)
            return res[0], tuple(res[1:])  # (var_grads, arg_grads), (value[, aux])

        self._second = state_transform(
            "jacfwd", brainstate.transform.jacfwd, first_with_rest, states, structure, argnums,
            has_aux=True, return_value=False, flags=flags,
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
