"""JAX as the oracle: what a brainpy_autograd transform must return.

A test writes its function once, as a pure function ``pure(V, *args)`` of the
State values ``V`` (in the layout of ``grad_vars``) and the arguments. The
stateful version (:func:`stateful`) reads ``V`` from the States; the expected
result (:func:`expected`) is JAX's transform of ``pure``, arranged by the
return table. Because JAX lays out a gradient like its input, the expected
``var_grads`` layout is JAX's own handling of ``V``'s containers.

Tolerances for comparing floating-point results are set here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from brainstate import State

TRANSFORMS = ("grad", "vector_grad", "jacrev", "jacfwd", "hessian")
#: transforms whose function must return a scalar
SCALAR_TRANSFORMS = ("grad", "hessian")

#: (rtol, atol) by dtype. float32 results go through different but equivalent
#: programs (brainstate evaluates a traced jaxpr), so allow a few ulps of
#: accumulated rounding; float64 must agree to near machine precision.
TOLERANCES = {
    np.dtype("float16"): (1e-2, 1e-3),
    np.dtype("float32"): (2e-4, 2e-5),
    np.dtype("float64"): (1e-9, 1e-11),
    np.dtype("complex64"): (2e-4, 2e-5),
    np.dtype("complex128"): (1e-9, 1e-11),
}


def tolerance(dtype: Any) -> tuple[float, float]:
    return TOLERANCES.get(np.dtype(dtype), (0.0, 0.0))


def _vjp_ones(fun: Callable[..., Any], argnums: int | Sequence[int], has_aux: bool):
    """JAX's counterpart of vector_grad: the VJP of the output with ones."""
    single = isinstance(argnums, (int, np.integer))
    positions = (int(argnums),) if single else tuple(int(a) for a in argnums)

    def call(*args: Any) -> Any:
        n = len(args)
        positions_ = tuple(p + n if p < 0 else p for p in positions)

        def partial(*dyn: Any) -> Any:
            full = list(args)
            for p, d in zip(positions_, dyn):
                full[p] = d
            return fun(*full)

        dyn = [args[p] for p in positions_]
        if has_aux:
            out, vjp, aux = jax.vjp(partial, *dyn, has_aux=True)
        else:
            out, vjp = jax.vjp(partial, *dyn)
        grads = vjp(jax.tree.map(jnp.ones_like, out))
        grads = grads[0] if single else tuple(grads)
        return (grads, aux) if has_aux else grads

    return call


def jax_transform(
    kind: str, fun: Callable[..., Any], argnums: int | Sequence[int], has_aux: bool = False,
    **options: Any,
) -> Callable[..., Any]:
    """JAX's own version of transform ``kind``."""
    if kind == "vector_grad":
        return _vjp_ones(fun, argnums, has_aux)
    transform = {"grad": jax.grad, "jacrev": jax.jacrev, "jacfwd": jax.jacfwd,
                 "hessian": jax.hessian}[kind]
    return transform(fun, argnums=argnums, has_aux=has_aux, **options)


def arrange(grads: Any, value: Any, aux: Any, *, has_aux: bool, return_value: bool) -> Any:
    """The return table: gradients, then the value and the aux data if asked."""
    if return_value:
        return (grads, value, aux) if has_aux else (grads, value)
    return (grads, aux) if has_aux else grads


def expected(
    kind: str,
    pure: Callable[..., Any],
    values: Any,
    args: Sequence[Any],
    *,
    vars_given: bool,
    argnums: int | Sequence[int] | None,
    has_aux: bool = False,
    return_value: bool = False,
    **options: Any,
) -> Any:
    """What transform ``kind`` must return for ``pure(values, *args)``.

    ``values`` holds the State values in the layout of ``grad_vars`` (plain
    containers); ``argnums`` is the user's (negative positions allowed).
    """
    def compute(values: Any, args: Sequence[Any]) -> Any:
        return _expected(kind, pure, values, args, vars_given, argnums, has_aux,
                         return_value, options)

    # One compiled program per example: evaluated eagerly, JAX compiles every
    # primitive separately for each new shape, which made the oracle most of
    # the property suite's time. Outputs JAX cannot return from jit (Python
    # objects in aux) fall back to eager evaluation: the same JAX either way.
    try:
        return jax.jit(compute)(values, tuple(args))
    except TypeError:
        return compute(values, tuple(args))


def _expected(kind: str, pure: Callable[..., Any], values: Any, args: Sequence[Any],
              vars_given: bool, argnums: Any, has_aux: bool, return_value: bool,
              options: dict[str, Any]) -> Any:
    n = len(args)

    def shifted(a: int) -> int:
        return (a + n if a < 0 else a) + 1

    full_args = (values, *args)
    out = pure(values, *args)
    value, aux = (out[0], out[1]) if has_aux else (out, None)
    if not vars_given:
        a = 0 if argnums is None else argnums
        grads = jax_transform(kind, lambda *xs: pure(values, *xs), a, has_aux, **options)(*args)
        grads = grads[0] if has_aux else grads
    elif argnums is None:
        grads = jax_transform(kind, pure, 0, has_aux, **options)(*full_args)
        grads = grads[0] if has_aux else grads
    else:
        arg_pos = shifted(argnums) if isinstance(argnums, int) else tuple(map(shifted, argnums))
        if kind == "hessian":
            positions = (0, arg_pos) if isinstance(arg_pos, int) else (0, *arg_pos)
            grads = jax.hessian(pure, argnums=positions, has_aux=has_aux, **options)(*full_args)
            grads = grads[0] if has_aux else grads
        else:
            var_grads = jax_transform(kind, pure, 0, has_aux, **options)(*full_args)
            arg_grads = jax_transform(kind, pure, arg_pos, has_aux, **options)(*full_args)
            if has_aux:
                var_grads, arg_grads = var_grads[0], arg_grads[0]
            grads = (var_grads, arg_grads)
    return arrange(grads, value, aux, has_aux=has_aux, return_value=return_value)


def values_of(layout: Any) -> Any:
    """The values of the States in ``layout``, in plain containers.

    This is the layout the library returns gradients in: list subclasses become
    lists, dict subclasses dicts, namedtuples keep their class.
    """
    if isinstance(layout, State):
        return layout.value
    if isinstance(layout, dict):
        return {k: values_of(v) for k, v in layout.items()}
    if isinstance(layout, list):
        return [values_of(v) for v in layout]
    if hasattr(layout, "_fields"):
        return type(layout)(*(values_of(v) for v in layout))
    return tuple(values_of(v) for v in layout)


def stateful(pure: Callable[..., Any], layout: Any) -> Callable[..., Any]:
    """``pure`` as a function of its arguments that reads ``V`` from States."""

    def f(*args: Any) -> Any:
        return pure(values_of(layout), *args)

    return f


def assert_tree_close(actual: Any, want: Any, *, check_dtype: bool = True) -> None:
    """Same structure (container types, dict keys, order) and close leaves."""
    a_leaves, a_tree = jax.tree.flatten(actual)
    w_leaves, w_tree = jax.tree.flatten(want)
    assert a_tree == w_tree, f"layout differs:\n  got      {a_tree}\n  expected {w_tree}"
    for i, (a, w) in enumerate(zip(a_leaves, w_leaves)):
        a, w = np.asarray(a), np.asarray(w)
        assert a.shape == w.shape, f"leaf {i}: shape {a.shape} != {w.shape}"
        if check_dtype:
            assert a.dtype == w.dtype, f"leaf {i}: dtype {a.dtype} != {w.dtype}"
        if a.dtype == jax.dtypes.float0:
            continue
        rtol, atol = tolerance(w.dtype)
        np.testing.assert_allclose(a, w, rtol=rtol, atol=atol, err_msg=f"leaf {i}")


def exact_layout(tree: Any) -> Any:
    """Everything about ``tree`` but its numbers: container types, dict key *order*,
    namedtuple classes, and each leaf's Python type, shape, dtype and weak type.

    ``jax.tree.structure`` equality ignores dict key order; this does not.
    """
    cls = type(tree)
    if isinstance(tree, dict):
        return (cls, tuple((k, exact_layout(v)) for k, v in tree.items()))
    if isinstance(tree, (list, tuple)):
        return (cls, tuple(exact_layout(v) for v in tree))
    if tree is None:
        return None
    aval = getattr(tree, "aval", None)
    return (cls, np.shape(tree), getattr(tree, "dtype", None), getattr(aval, "weak_type", None))


def assert_same_result(actual: Any, want: Any) -> None:
    """``actual`` is ``want`` exactly: :func:`exact_layout` and the values, bit for bit
    up to the float tolerance (a compiled program may fuse operations)."""
    assert exact_layout(actual) == exact_layout(want), (
        f"layouts differ:\n  got      {exact_layout(actual)}\n  expected {exact_layout(want)}")
    assert_tree_close(actual, want)
