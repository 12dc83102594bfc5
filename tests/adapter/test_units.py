"""unit_aware=True: functions of brainunit Quantities, against brainunit's own autograd."""

from __future__ import annotations

import brainstate
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import output_for
from oracle import TRANSFORMS

import brainpy_autograd as bpa

u = pytest.importorskip("brainunit")

X = jnp.array([0.5, 1.0, 2.0]) * u.mV


def assert_quantity_tree_close(actual, want):
    """Same structure, same units, close mantissas."""
    import jax

    a_leaves, a_tree = jax.tree.flatten(actual, is_leaf=lambda q: isinstance(q, u.Quantity))
    w_leaves, w_tree = jax.tree.flatten(want, is_leaf=lambda q: isinstance(q, u.Quantity))
    assert a_tree == w_tree
    for a, w in zip(a_leaves, w_leaves):
        assert u.get_unit(a) == u.get_unit(w), (u.get_unit(a), u.get_unit(w))
        np.testing.assert_allclose(np.asarray(u.get_mantissa(a)),
                                   np.asarray(u.get_mantissa(w)), rtol=1e-5)


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_arguments_that_are_quantities(kind, compile_at_second_call):
    def f(x):
        return output_for(kind, x ** 2 * 3.0, total=u.math.sum)

    t = getattr(bpa, kind)(f, unit_aware=True)
    want = getattr(u.autograd, kind)(f)(X)
    for _ in range(3):  # calls 2 and 3 run compiled
        assert_quantity_tree_close(t(X), want)
    assert t.call_stats().programs == 1 and t.call_stats().last_error is None


@pytest.mark.parametrize("kind", TRANSFORMS)
@pytest.mark.parametrize("layout", ["vars", "vars+args"])
@pytest.mark.parametrize("extras", ["plain", "aux+value"])
def test_states_holding_quantities_in_every_layout(kind, layout, extras):
    w = brainstate.ParamState(jnp.array([1.0, -2.0, 0.5]) * u.siemens)
    has_aux = extras == "aux+value"

    def pure(wv, x):
        return output_for(kind, wv * x * x, total=u.math.sum)

    def f(x):
        out = pure(w.value, x)
        return (out, {"x": x}) if has_aux else out

    opts = dict(grad_vars={"w": w}, has_aux=has_aux, return_value=has_aux, unit_aware=True)
    if layout == "vars+args":
        opts["argnums"] = 0
    result = getattr(bpa, kind)(f, **opts)(X)

    argnums = (0, 1) if layout == "vars+args" else 0
    jac = getattr(u.autograd, kind)(pure, argnums=argnums)(w.value, X)
    if layout == "vars":  # hessian: the grad_vars layout nested in itself
        grads = {"w": {"w": jac}} if kind == "hessian" else {"w": jac}
    elif kind == "hessian":  # jax.hessian's layout of g(V, x) with V = {"w": w}
        grads = ({"w": ({"w": jac[0][0]}, jac[0][1])}, ({"w": jac[1][0]}, jac[1][1]))
    else:
        grads = ({"w": jac[0]}, jac[1])
    if has_aux:
        assert_quantity_tree_close(result[0], grads)
        assert_quantity_tree_close(result[1], pure(w.value, X))
        assert_quantity_tree_close(result[2], {"x": X})
    else:
        assert_quantity_tree_close(result, grads)


def test_the_gradient_carries_the_unit_of_output_over_input():
    w = brainstate.ParamState(jnp.array(2.0) * u.siemens)
    g = bpa.grad(lambda v: u.math.sum(w.value * v), grad_vars=w, argnums=0, unit_aware=True)
    dw, dv = g(X)
    assert u.get_unit(dw) == u.mV and u.get_unit(dv) == u.siemens


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_a_unit_mismatch_is_brainunits_error_and_leaves_states_unchanged(kind):
    h = brainstate.State(jnp.zeros(3) * u.mV)
    before = h.value

    def f(x):
        h.value = h.value + x
        return output_for(kind, x + 1.0 * u.second, total=u.math.sum)  # mV + s

    with pytest.raises(u.UnitMismatchError):
        getattr(bpa, kind)(f, unit_aware=True)(X)
    assert h.value is before


def test_unit_aware_is_validated_and_shown():
    with pytest.raises(TypeError, match="unit_aware"):
        bpa.grad(lambda x: x, unit_aware="yes")
    assert "unit_aware=True" in repr(bpa.grad(lambda x: x, unit_aware=True))
