"""brainpy_autograd.testing.strategies: States' values, arrays like an example, the property."""

from __future__ import annotations

import re

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


DTYPES = [jnp.bfloat16, jnp.float16, jnp.float32, jnp.float64]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: jnp.dtype(d).name)
@pytest.mark.parametrize("min_magnitude", [0.0, 0.1001])
def test_drawn_elements_lie_in_the_bounds_in_every_dtype(dtype, min_magnitude):
    # 0.3001 is no value of these dtypes: a draw rounded to the dtype could leave the bounds
    bounds = {"min_value": -0.3001, "max_value": 0.3001, "min_magnitude": min_magnitude}
    state = brainstate.ParamState(jnp.ones(4, dtype))

    @settings(max_examples=60, deadline=None, database=None)
    @given(arrays_like(jnp.ones(4, dtype), **bounds), state_values({"s": state}, **bounds))
    def in_bounds(x, values):
        for a in (x, values["s"]):
            assert a.dtype == dtype
            m = np.asarray(a, np.float64)
            assert np.all((m >= -0.3001) & (m <= 0.3001)), m
            assert np.all(np.abs(m) >= min_magnitude), m

    in_bounds()


@pytest.mark.parametrize(("dtype", "bounds", "named", "nearest"), [
    (jnp.float32, {"min_value": 0.3000000001, "max_value": 0.3000000002},
     r"min_value=0.3000000001, max_value=0.3000000002", r"0.29999998\d* and 0.30000001\d*"),
    (jnp.bfloat16, {"min_value": 0.3001, "max_value": 0.3001},
     r"min_value=0.3001, max_value=0.3001", r"0.298828125 and 0.30078125"),
    (jnp.float16, {"min_value": 0.1, "max_value": 0.30001, "min_magnitude": 0.30001},
     r"min_magnitude=0.30001, max_value=0.30001", r"0.2998046875 and 0.300048828125"),
], ids=["float32", "bfloat16-equal-bounds", "float16-min_magnitude"])
def test_bounds_with_no_value_of_a_leafs_dtype_between_them_are_a_value_error_at_build(
        dtype, bounds, named, nearest):
    dtype_name = jnp.dtype(dtype).name
    example = jnp.ones(3, dtype)
    state = brainstate.ParamState(example)
    builds = {
        "arrays_like": lambda: arrays_like({"x": example}, **bounds),
        "state_values": lambda: state_values({"w": state}, **bounds),
        "gradient_property": lambda: gradient_property(
            lambda x: jnp.sum(state.value * x), (example,), grad_vars={"w": state}, **bounds),
    }
    where = {"arrays_like": r"example\['x'\]", "state_values": r"states\['w'\]",
             "gradient_property": r"(args\[0\]|grad_vars\['w'\])"}
    for fname, build in builds.items():
        with pytest.raises(ValueError) as info:
            build()
        text = str(info.value)
        assert text.startswith(f"{fname}(): no {dtype_name} value"), text
        assert re.search(where[fname], text), text
        assert re.search(named, text), text
        assert re.search(nearest, text), text


@pytest.mark.parametrize("fname", ["state_values", "gradient_property"])
def test_a_bound_that_a_dtype_cannot_hold_names_the_function_called(fname):
    state = brainstate.ParamState(jnp.ones(2, jnp.float16))
    build = (lambda: state_values(state, max_value=1e6)) if fname == "state_values" else (
        lambda: gradient_property(lambda: jnp.sum(state.value ** 2), (), grad_vars=state,
                                  max_value=1e6))
    with pytest.raises(ValueError, match=rf"^{fname}\(\): max_value=1000000.0 is not "
                                         rf"representable in float16"):
        build()


def test_min_magnitude_with_one_side_empty_in_the_dtype_draws_the_other_side():
    # no float16 value in [0.30001, 0.30001]; the negative side [-1, -0.30001] has some
    @settings(max_examples=20, deadline=None, database=None)
    @given(arrays_like(jnp.ones(3, jnp.float16), min_value=-1.0, max_value=0.30001,
                       min_magnitude=0.30001))
    def negative(x):
        m = np.asarray(x, np.float64)
        assert np.all((m >= -1.0) & (m <= -0.30001)), m

    negative()


@pytest.mark.parametrize(("args", "options", "error", "match"), [
    ((jnp.ones(2),), {"argnums": ()}, ValueError, "nothing to differentiate"),
    ((jnp.zeros(0),), {"argnums": 0}, ValueError, "every differentiated input is empty"),
    ((jnp.arange(3),), {"argnums": 0}, TypeError, "argument 0 has dtype int"),
])
def test_nothing_to_differentiate_is_refused_when_the_property_is_built(
        args, options, error, match):
    # the docs: options that check_grads rejects are refused when the property is built,
    # not at its first example
    with pytest.raises(error, match=match):
        gradient_property(lambda x: jnp.sum(x * 1.0), args, **options)
