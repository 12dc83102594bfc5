"""``check_grads``: this package's derivatives of a stateful function against finite differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np
from brainstate import State

from ._derivs import Call, contract, unit_ratio
from ._fd import central_difference, only, random_directions
from ._inputs import Inputs, in_unit, is_quantity
from ._report import Mismatch, compare, message
from ._reuse import kept_for
from ._save import Discovered, Snapshot, discover
from ._tolerance import STEP, TOLERANCE, check_dtype
from ._validate import check_float_inputs, check_grads_options, check_key_states, check_outputs

__all__ = ["check_grads"]

#: Up to this many input elements, "fwd" checks the whole ``jacfwd`` (the return layout
#: of grad_vars included); above it, ``jacfwd`` along the direction only: a full
#: ``jacfwd`` costs one forward pass per input element (about 60 s for an MLP's 25k
#: weights, against 0.2 s for JAX's check_grads; benchmarks/check_grads_cost.py).
FULL_JACFWD_MAX = 256


def check_grads(
    f: Callable[..., Any],
    args: tuple[Any, ...],
    *,
    grad_vars: Any = None,
    argnums: int | Sequence[int] | None = None,
    order: int = 1,
    modes: Sequence[str] = ("rev", "fwd"),
    eps: float | None = None,
    atol: float | None = None,
    rtol: float | None = None,
    seed: int = 0,
) -> None:
    """Check this package's derivatives of a stateful function against finite differences.

    Like ``jax.test_util.check_grads``, for functions that read and write
    States: the derivatives of ``f(*args)`` with respect to the States in
    ``grad_vars`` and the arguments at ``argnums``, as
    :func:`brainpy_autograd.grad` (or :func:`~brainpy_autograd.jacrev` for a
    non-scalar output) and :func:`~brainpy_autograd.jacfwd` compute them, are
    compared with central finite differences along a random direction;
    ``order=2`` also checks :func:`~brainpy_autograd.hessian`. (With more than
    256 input elements, ``jacfwd`` is applied to ``f`` along the direction
    instead of computing the whole Jacobian, which costs one forward pass per
    input element.) When they
    disagree, each input is checked alone to name the ones that are wrong.

    Every State that ``f`` touches (found by tracing it once with
    ``brainstate.transform.StatefulFunction``), ``brainstate.random``'s key
    included, is saved first and put back before and after each evaluation:
    each evaluation sees the same model, and afterwards every State holds what
    it held before, bit for bit, also when ``f`` raises (in that trace too). A
    State that ``f`` first touches at a later call, not in that trace, is not
    saved: name it in ``grad_vars`` or reset it yourself.

    The transforms made for ``f`` are kept for a later check of the same
    function (a hypothesis property checks it at every drawn point), which
    replays them instead of tracing again, as long as that trace of ``f`` gives
    the same program; a program with a ``custom_jvp``/``custom_vjp`` rule or a
    host callback gets new transforms at every check.

    Parameters
    ----------
    f : callable
        The function to check. It may read and write States and draw random
        numbers; its output is an array or a pytree of arrays (brainunit
        Quantities are checked in their units).
    args : tuple
        The positional arguments of ``f`` (write ``(x,)`` for one).
    grad_vars : State or pytree of States, optional
        The States to differentiate with respect to, as for
        :func:`brainpy_autograd.grad`. A failure names a State by its path in
        this tree (``grad_vars['w']``).
    argnums : int or tuple of int, optional
        The positions of the arguments to differentiate with respect to.
        Default: ``0`` without ``grad_vars``, none with it (as the transforms).
    order : int, default 1
        ``1`` checks first derivatives; ``2`` checks them and the Hessian
        (``f`` must return a scalar).
    modes : tuple of str, default ("rev", "fwd")
        ``"rev"``: :func:`~brainpy_autograd.grad` (scalar output) or
        :func:`~brainpy_autograd.jacrev`; ``"fwd"``: :func:`~brainpy_autograd.jacfwd`.
    eps : float, optional
        The finite-difference step, absolute, in the units of each input (the
        same for every input: for inputs far from order 1, pick ``eps`` near
        ``1e-3`` times their magnitude in float32). Default: by the least
        precise dtype of the inputs and the output (float32 ``1e-3``, float64
        ``1e-5``).
    atol : float, optional
        Absolute tolerance. Default: float32 ``2e-3``, float64 ``1e-5`` (as JAX).
    rtol : float, optional
        Relative tolerance, with the same defaults as ``atol``.
    seed : int, default 0
        Seed of the random directions.

    Raises
    ------
    AssertionError
        A derivative disagrees with finite differences; the message names the
        argument or State, the transform, the largest absolute and relative
        errors, and the tolerance.
    TypeError
        ``f`` is not callable, ``args`` is not a tuple or holds a value that
        brainstate cannot trace (a str: use ``functools.partial``), a
        ``grad_vars`` leaf is not a State, an option has the wrong type, a
        differentiated input is not a floating-point array (a random key in
        ``grad_vars`` included), ``f`` returns something other than real
        floating-point arrays, or the forward mode is
        checked and a differentiated input's tangent reaches a ``custom_vjp``
        function (pass ``modes=("rev",)``; a ``custom_vjp`` that only inputs
        outside ``grad_vars`` and ``argnums`` reach is no obstacle).
    ValueError
        ``argnums`` out of range or repeated, a State named twice in
        ``grad_vars``, ``order`` not 1 or 2, an unknown mode, a non-positive
        tolerance, ``seed`` outside 0 to 2**32 - 1, or nothing to differentiate
        (no input, or only empty ones: a zero-size input beside others has
        nothing to check, and the others are checked), nothing to compare
        (every output empty), none of the differentiated inputs read by ``f``
        (another model's States, arguments its program does not use),
        ``order=2`` with ``f`` not returning a scalar array,
        an input that is not finite, or an ``eps`` that rounding takes away
        (``x + eps * direction`` rounds back to ``x`` for an input: values far
        from order 1 in float32 need a larger ``eps``) or that leaves the
        dtype's range.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> import brainstate
    >>> from brainpy_autograd.testing import check_grads
    >>> w = brainstate.ParamState(jnp.array([0.5, -1.0, 2.0]))
    >>> h = brainstate.State(jnp.zeros(3))
    >>> def loss(x):
    ...     h.value = jnp.tanh(h.value + w.value * x)  # writes a State
    ...     return jnp.sum(h.value ** 2)
    >>> check_grads(loss, (jnp.ones(3),), grad_vars={"w": w}, argnums=0)
    >>> h.value  # as it was
    Array([0., 0., 0.], dtype=float32)
    """
    opts = check_grads_options(f, args, grad_vars, argnums, order, modes, eps, atol, rtol, seed)
    traced = discover(f, opts.args, name="check_grads")
    var_states = [] if grad_vars is None else jax.tree.leaves(
        grad_vars, is_leaf=lambda x: isinstance(x, State))
    snapshot = Snapshot([*traced.states, *var_states])
    try:
        _check(f, opts, grad_vars, snapshot, traced, eps, atol, rtol, seed)
    except TypeError as err:
        if "forward-mode autodiff (jvp) to a custom_vjp" not in str(err):
            raise
        raise TypeError("check_grads(): the forward mode (jacfwd) cannot differentiate f: "
                        "the tangent of a differentiated input reaches a jax.custom_vjp "
                        "function, which has no forward mode; check only the reverse mode "
                        "with modes=(\"rev\",), or give it a custom_jvp rule.") from err
    finally:
        snapshot.restore()


def differentiated(grad_vars: Any, opts: Any) -> Inputs:
    """The inputs a check differentiates; refused when there is nothing to check (also
    what ``gradient_property`` refuses when it is built)."""
    inputs = Inputs(grad_vars, opts.args, opts.positions)
    if not inputs.leaves:
        raise ValueError("check_grads(): nothing to differentiate: give grad_vars (States) "
                         "or argnums (argument positions) with at least one array.")
    check_key_states([(leaf.whole or leaf.name, leaf.state) for leaf in inputs.leaves
                      if leaf.state is not None])
    check_float_inputs([(leaf.name, leaf.value.dtype, leaf.whole) for leaf in inputs.leaves])
    if not any(leaf.value.size for leaf in inputs.leaves):
        shapes = ", ".join(f"{leaf.name} has shape {leaf.value.shape}"
                           for leaf in inputs.leaves)
        raise ValueError(f"check_grads(): nothing to differentiate: every differentiated "
                         f"input is empty ({shapes}); give grad_vars or argnums with at "
                         f"least one array that has elements.")
    return inputs


def _check(f: Callable[..., Any], opts: Any, grad_vars: Any, snapshot: Snapshot,
           traced: Discovered, eps: float | None, atol: float | None, rtol: float | None,
           seed: int) -> None:
    inputs = differentiated(grad_vars, opts)
    # the output's structure, units, shapes and dtypes, from the trace that found the States
    out_pairs, _ = jax.tree_util.tree_flatten_with_path(traced.out_shapes, is_leaf=is_quantity)
    out_names = ["output" + jax.tree_util.keystr(p) for p, _ in out_pairs]
    out_units = [leaf.unit if is_quantity(leaf) else None for _, leaf in out_pairs]
    out_values = [leaf.mantissa if is_quantity(leaf) else leaf for _, leaf in out_pairs]
    check_outputs([(name, v.dtype, v.shape) for name, v in zip(out_names, out_values)])
    untouched(inputs, traced, opts.args)
    # grad and hessian take a scalar array (not a container holding one)
    scalar = traced_leaf(traced.out_shapes) and out_values[0].shape == ()
    if opts.order == 2 and not scalar:
        returned = (f"a {type(traced.out_shapes).__name__} holding "
                    if not traced_leaf(traced.out_shapes) else "")
        raise ValueError(f"check_grads(): order=2 checks brainpy_autograd.hessian, which "
                         f"needs f to return a scalar array; f returned {returned}"
                         f"{len(out_values)} array(s) of shapes "
                         f"{[v.shape for v in out_values]}. Return the scalar itself.")
    dtype = check_dtype([leaf.value.dtype for leaf in inputs.leaves]
                        + [v.dtype for v in out_values])
    eps = STEP[dtype] if eps is None else float(eps)
    atol = TOLERANCE[dtype] if atol is None else float(atol)
    rtol = TOLERANCE[dtype] if rtol is None else float(rtol)
    unit_aware = any(u is not None for u in out_units) or any(
        leaf.unit is not None for leaf in inputs.leaves)
    kept = kept_for(f, grad_vars, opts.argnums, unit_aware, opts.args, traced)
    call = Call(f, inputs, grad_vars, opts.argnums, unit_aware, snapshot, kept)

    def evaluate(values: list[np.ndarray]) -> list[np.ndarray]:
        result = snapshot.run(lambda: f(*inputs.apply(values)))
        leaves = jax.tree.leaves(result, is_leaf=is_quantity)
        return [in_unit(leaf, unit) for leaf, unit in zip(leaves, out_units)]

    directions = random_directions(inputs.values, seed)
    slopes, taken = central_difference(evaluate, inputs.values, directions, eps,
                                       names=[leaf.name for leaf in inputs.leaves])
    report = _Report(atol, rtol, eps, dtype)
    size = sum(leaf.value.size for leaf in inputs.leaves)
    for mode in opts.modes:
        name = "jacfwd" if mode == "fwd" else ("grad" if scalar else "jacrev")
        what = f"{'forward' if mode == 'fwd' else 'reverse'} mode (brainpy_autograd.{name})"
        directional = mode == "fwd" and size > FULL_JACFWD_MAX
        blocks = [] if directional else call.blocks(name, len(out_values))

        def along(step: list[np.ndarray], blocks: list[list[Any]] = blocks,
                  directional: bool = directional) -> list[np.ndarray]:
            if directional:
                return [in_unit(leaf, unit) for leaf, unit in
                        zip(call.jvp_along(step, dtype), out_units)]
            return [_apply(row, step, unit, inputs, what)
                    for row, unit in zip(blocks, out_units)]

        whole = compare(along(taken), slopes, out_names, "all inputs together", atol, rtol)
        if whole is not None:
            wrong = []
            for i, leaf in enumerate(inputs.leaves):
                if not leaf.value.size:  # empty: nothing to be wrong
                    continue
                s_i, t_i = central_difference(evaluate, inputs.values, only(directions, i), eps)
                found = compare(along(t_i), s_i, out_names, leaf.name, atol, rtol)
                if found is not None:
                    wrong.append(found)
            report.fail(what, wrong or [whole])
    if opts.order == 2:
        _check_hessian(call, inputs, evaluate_unit=out_units[0], directions=directions,
                       report=report)


def traced_leaf(out_shapes: Any) -> bool:
    """``f`` returned one array (or Quantity), not a container."""
    return jax.tree_util.treedef_is_leaf(jax.tree.structure(out_shapes, is_leaf=is_quantity))


def untouched(inputs: Inputs, traced: Discovered, args: tuple[Any, ...]) -> None:
    """Refuse a check none of whose differentiated inputs ``f`` reads: every derivative is
    zero on both sides whatever the gradient is (another model's States, passed by
    mistake). What ``f`` reads is what its trace says: the States it touched, and the
    arguments whose values its program uses. An unread input beside read ones is
    checked: its derivative must be zero."""
    touched = {id(s) for s in traced.states}
    used = _used_argument_leaves(traced.jaxpr.jaxpr, len(jax.tree.leaves(args)))
    starts = np.cumsum([0] + [len(jax.tree.leaves(a)) for a in args])
    for leaf in inputs.leaves:
        if not leaf.value.size:
            continue  # an empty input is checked by nothing
        if leaf.state is not None and id(leaf.state) in touched:
            return
        if leaf.state is None and any(used[starts[leaf.arg]:starts[leaf.arg + 1]]):
            return
    said = ", ".join(dict.fromkeys(leaf.whole or leaf.name for leaf in inputs.leaves
                                   if leaf.value.size))
    raise ValueError(f"check_grads(): nothing to check: f does not read any of the "
                     f"differentiated inputs ({said}), so every derivative is zero on both "
                     f"sides whatever the gradient is. Pass the States of the model that f "
                     f"uses (not another instance's) or the arguments it reads.")


def _used_argument_leaves(jaxpr: Any, n_args: int) -> list[bool]:
    """For each of the first ``n_args`` inputs of ``jaxpr`` (the arguments' leaves, in
    the order brainstate traces them), whether an equation or the output uses it."""
    used = {id(v) for eqn in jaxpr.eqns for v in eqn.invars}
    used |= {id(v) for v in jaxpr.outvars}
    return [id(v) in used for v in jaxpr.invars[:n_args]]


def _apply(row: list[Any], step: list[np.ndarray], out_unit: Any, inputs: Inputs,
           what: str) -> np.ndarray:
    """One output's Jacobian blocks (one per input leaf) applied to ``step``."""
    total: Any = 0.0
    for block, d, leaf in zip(row, step, inputs.leaves):
        total = total + contract(block, d, unit_ratio(out_unit, leaf.unit),
                                 f"the derivative for {leaf.name} from {what}")
    return np.asarray(total)


class _Report:
    def __init__(self, atol: float, rtol: float, eps: float, dtype: str) -> None:
        self.atol, self.rtol, self.eps, self.dtype = atol, rtol, eps, dtype

    def fail(self, what: str, mismatches: list[Mismatch]) -> None:
        raise AssertionError(message(what, mismatches, self.atol, self.rtol, self.eps,
                                     self.dtype))


def _check_hessian(call: Call, inputs: Inputs, evaluate_unit: Any,
                   directions: list[np.ndarray], report: _Report) -> None:
    """``hessian`` applied to a direction against finite differences of ``grad``."""
    n = len(inputs.leaves)
    what = "the second derivative (brainpy_autograd.hessian)"
    rows = call.blocks("hessian", n)

    def grads(values: list[np.ndarray]) -> list[np.ndarray]:
        row = call.blocks("grad", 1, values)[0]
        return [in_unit(g, unit_ratio(evaluate_unit, leaf.unit))
                for g, leaf in zip(row, inputs.leaves)]

    slopes, taken = central_difference(grads, inputs.values, directions, report.eps)
    wrong = []
    for i, (row, leaf) in enumerate(zip(rows, inputs.leaves)):
        got: Any = 0.0
        for block, d, other in zip(row, taken, inputs.leaves):
            got = got + contract(block, d, unit_ratio(evaluate_unit, leaf.unit, other.unit),
                                 f"the hessian block ({leaf.name}, {other.name})")
        found = compare([np.asarray(got)], [slopes[i]], [f"d/d{leaf.name}"],
                        f"{leaf.name} (hessian row)", report.atol, report.rtol)
        if found is not None:
            wrong.append(found)
    if wrong:
        report.fail(what, wrong)
