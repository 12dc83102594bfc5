"""brainpy_autograd.testing: the findings of the issue-24 review, each kept fixed."""

from __future__ import annotations

import warnings

import brainstate
import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings

from brainpy_autograd.testing import check_grads
from brainpy_autograd.testing.strategies import arrays_like, gradient_property, state_values


def test_state_rewritten_in_another_unit_is_put_back_when_the_trace_raises():
    # brainstate raises mid-trace (V written back in volts) and its own recovery fails;
    # check_grads must still leave V as it was, not a leaked tracer
    V = brainstate.HiddenState(jnp.array([-65.0, -60.0]) * u.mV)
    g = brainstate.ParamState(jnp.array([0.5, 1.5]) * u.nS)

    def step(current):
        V.value = (V.value + current / g.value * 0.01).in_unit(u.volt)
        return u.math.sum((V.value / u.volt) * 3.0)

    with pytest.raises(ValueError):
        check_grads(step, (jnp.array([1.0, 2.0]) * u.pA,), grad_vars={"g": g})
    assert not isinstance(V.value.mantissa, jax.core.Tracer)
    assert V.value.unit == u.mV
    np.testing.assert_array_equal(np.asarray(V.value.mantissa), [-65.0, -60.0])


def test_the_same_state_twice_in_grad_vars_is_a_value_error():
    w = brainstate.ParamState(jnp.array([0.5, -1.0]))
    with pytest.raises(ValueError, match=r"names the same State twice: grad_vars\['a'\] "
                                         r"and grad_vars\['b'\]"):
        check_grads(lambda x: jnp.sum(jnp.tanh(w.value * x)), (jnp.ones(2),),
                    grad_vars={"a": w, "b": w})


def test_a_pytree_valued_state_is_checked_leaf_by_leaf():
    P = brainstate.ParamState({"a": jnp.array([0.3, 0.1]), "b": [jnp.array(0.5)]})

    @jax.custom_vjp
    def bad(x):
        return x

    bad.defvjp(lambda x: (x, None), lambda r, g: (g * 1.5,))

    def good(x):
        return jnp.sum(jnp.tanh(P.value["a"] * x)) + P.value["b"][0] ** 2

    check_grads(good, (jnp.ones(2),), grad_vars={"P": P})
    with pytest.raises(AssertionError, match=r"grad_vars\['P'\]\['b'\]\[0\]"):
        check_grads(lambda x: jnp.sum(P.value["a"] * x) + bad(P.value["b"][0]) ** 2,
                    (jnp.ones(2),), grad_vars={"P": P}, modes=("rev",))
    assert P.value["b"][0] == 0.5


def test_a_numpy_float64_input_with_x64_off_does_not_warn():
    s = brainstate.ParamState(np.array([0.5, -1.0]))
    jax.config.update("jax_enable_x64", False)  # the tests run with x64 on
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            check_grads(lambda x: jnp.tanh(x) ** 2, (1.0,))
            check_grads(lambda x: jnp.sum(jnp.tanh(s.value * x)), (np.ones(2),), grad_vars=s)
    finally:
        jax.config.update("jax_enable_x64", True)
    assert [str(w.message) for w in caught] == []


def _relu_loss_and_w():
    w = brainstate.ParamState(jnp.array([0.5, -1.0, 0.3], jnp.float32))

    def loss(x):
        return jnp.sum(jax.nn.relu(w.value * x) * jnp.cos(x))

    return loss, w


def test_gradient_property_min_magnitude_keeps_draws_off_the_relu_kink():
    loss, w = _relu_loss_and_w()
    prop = gradient_property(loss, (jnp.ones(3, jnp.float32),), grad_vars={"w": w},
                             argnums=0, min_magnitude=0.05)
    settings(max_examples=15, deadline=None, database=None)(prop)()


def test_arrays_like_min_magnitude_and_fixed_integers_and_bfloat16():
    @settings(max_examples=20, deadline=None, database=None)
    @given(arrays_like((jnp.zeros(4, jnp.float32), jnp.array([3, 1]), jnp.zeros(2, jnp.bfloat16)),
                       min_magnitude=0.5))
    def drawn(tree):
        x, labels, b = tree
        assert bool(jnp.all(jnp.abs(x) >= 0.5))
        np.testing.assert_array_equal(np.asarray(labels), [3, 1])
        assert b.dtype == jnp.bfloat16

    drawn()


def test_gradient_property_keeps_integer_arguments_and_states_fixed():
    w = brainstate.ParamState(jnp.array([0.5, -1.0], jnp.float32))
    steps = brainstate.State(jnp.array(3))

    def ce(x, labels):
        return -jnp.mean(jax.nn.log_softmax(x * w.value)[jnp.arange(2), labels]) * steps.value

    prop = gradient_property(ce, (jnp.ones((2, 2), jnp.float32), jnp.array([0, 1])),
                             grad_vars={"w": w}, argnums=0)
    settings(max_examples=5, deadline=None, database=None)(prop)()

    @settings(max_examples=5, deadline=None, database=None)
    @given(state_values({"w": w, "steps": steps}))
    def values(v):
        assert int(v["steps"]) == 3

    values()


@pytest.mark.parametrize("bounds, error", [
    ({"max_value": float("inf")}, "max_value must be finite"),
    ({"min_value": float("nan")}, "min_value must be finite"),
    ({"min_value": 1.0, "max_value": -1.0}, "larger than max_value"),
    ({"min_value": -1e6, "max_value": 1e6, "dtype": jnp.float16}, "not representable in float16"),
    ({"min_magnitude": 3.0}, "min_magnitude"),
])
def test_strategy_bounds_are_checked(bounds, error):
    dtype = bounds.pop("dtype", jnp.float32)
    with pytest.raises(ValueError, match=error):
        arrays_like(jnp.zeros(3, dtype), **bounds)


def test_gradient_property_checks_its_options_when_built():
    w = brainstate.ParamState(jnp.array([0.5, -1.0], jnp.float32))
    with pytest.raises(TypeError, match="f must be callable"):
        gradient_property(3, (jnp.ones(2),))
    with pytest.raises(TypeError, match="unknown option"):
        gradient_property(lambda x: x, (jnp.ones(2),), orderr=2)
    with pytest.raises(ValueError, match="order"):
        gradient_property(lambda x: x, (jnp.ones(2),), grad_vars=w, order=3)
