"""brainpy_autograd.testing.strategies: States' values, arrays like an example, the property."""

from __future__ import annotations

import brainstate
import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings

import brainpy_autograd
from brainpy_autograd.testing.strategies import arrays_like, gradient_property, state_values

PARAMS = {"w": brainstate.ParamState(jnp.ones((2, 3), jnp.float32)),
          "tau": brainstate.ParamState(jnp.array([10.0, 20.0]) * u.ms),
          "layers": [brainstate.State(jnp.zeros(4, jnp.float64))]}


@given(state_values(PARAMS, min_value=-0.5, max_value=0.5))
def test_state_values_have_the_layout_shapes_dtypes_and_units_of_the_states(values):
    assert set(values) == set(PARAMS)
    assert values["w"].shape == (2, 3) and values["w"].dtype == jnp.float32
    assert values["tau"].unit == u.ms and values["tau"].mantissa.shape == (2,)
    assert isinstance(values["layers"], list) and values["layers"][0].dtype == jnp.float64
    for leaf in jax.tree.leaves(values, is_leaf=lambda x: isinstance(x, u.Quantity)):
        m = np.asarray(getattr(leaf, "mantissa", leaf))
        assert np.all(np.isfinite(m)) and np.all(np.abs(m) <= 0.5)


@given(arrays_like((jnp.zeros((), jnp.float32), {"x": jnp.zeros(3, jnp.float64)})))
def test_arrays_like_a_pytree(drawn):
    scalar, d = drawn
    assert scalar.shape == () and scalar.dtype == jnp.float32
    assert d["x"].shape == (3,) and d["x"].dtype == jnp.float64


def test_integer_arrays_are_kept_and_only_states_are_accepted():
    fixed = jnp.arange(3)

    @settings(max_examples=3, deadline=None, database=None)
    @given(arrays_like(fixed))
    def kept(x):
        assert x is fixed  # not drawn: kept as given

    kept()
    with pytest.raises(TypeError, match="must be a brainstate State"):
        state_values({"w": jnp.ones(2)})


W = brainstate.ParamState(jnp.array([0.5, -1.0]))
H = brainstate.State(jnp.zeros(2))


def model_loss(x):
    H.value = jnp.tanh(H.value + W.value * x)
    return jnp.sum(jnp.sin(H.value) ** 2)


test_the_property_holds_on_a_stateful_model = settings(max_examples=5)(
    gradient_property(model_loss, (jnp.ones(2),), grad_vars={"w": W}, argnums=0))


def test_the_property_fails_on_a_wrong_gradient_and_puts_the_states_back(monkeypatch):
    right = brainpy_autograd.grad

    def off(f, **options):
        inner = right(f, **options)
        return lambda *args: jax.tree.map(lambda g: 1.1 * g, inner(*args))

    monkeypatch.setattr(brainpy_autograd, "grad", off)
    w, h = W.value, H.value
    # min_magnitude: every example has a gradient that a 10% error shows (at a drawn
    # zero it is zero, and 1.1 * 0 passes), whatever the draws of the first 3 examples
    prop = settings(max_examples=3, database=None)(
        gradient_property(model_loss, (jnp.ones(2),), grad_vars={"w": W}, argnums=0,
                          modes=("rev",), min_magnitude=0.5))
    with pytest.raises(AssertionError, match=r"grad_vars\['w'\]"):
        prop()
    assert W.value is w and H.value is h
