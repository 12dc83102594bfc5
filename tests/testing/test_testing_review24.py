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

import brainpy_autograd as bpa
from brainpy_autograd.testing import assert_paths_agree, check_grads
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


def test_paths_compare_relative_to_the_leafs_largest_magnitude():
    # float32 sum with cancellation: small gradient elements carry the large ones' rounding
    W = brainstate.ParamState(jnp.linspace(-1, 1, 20000, dtype=jnp.float32))

    def f(x):
        return jnp.sum(jnp.exp(W.value * x) * jnp.cos(W.value * 3.1 + x)) ** 2

    paths = assert_paths_agree(bpa.grad(f, grad_vars=W, return_value=True),
                               (jnp.array(0.7, jnp.float32),))
    assert paths["jit"] == "checked"


def test_paths_allow_a_python_scalar_aux_to_come_out_of_jit_as_an_array():
    w = brainstate.ParamState(jnp.array([0.5, -1.0, 0.3]))
    x = jnp.array([0.3, 0.6, -0.9])
    for aux in (1.5, 3):
        paths = assert_paths_agree(
            bpa.grad(lambda x, aux=aux: (jnp.sum(jnp.tanh(w.value * x)), aux), grad_vars=w,
                     has_aux=True), (x,))
        assert paths["jit"] == "checked"


def test_paths_name_both_types_when_their_names_agree():
    from brainpy_autograd.testing._compare import first_difference

    w = brainstate.ParamState(jnp.array([0.5, -1.0]))
    with bpa.compiled_calls(False):
        _, aux = bpa.grad(lambda x: (jnp.sum(w.value * x), 1.5), grad_vars=w,
                          has_aux=True)(jnp.ones(2))
    found = first_difference(aux, jnp.asarray(1.5), "result")  # on a path that keeps types
    assert found is not None and "jax.Array against a jax.Array" not in found, found
    assert type(aux).__name__ in found, found


def test_paths_a_str_in_the_result_is_a_type_error():
    w = brainstate.ParamState(jnp.array([0.5, -1.0]))
    with pytest.raises(TypeError, match=r"assert_paths_agree\(\): the function returned "
                                        r".*str.* must return an array, a number"):
        assert_paths_agree(bpa.grad(lambda x: (jnp.sum(w.value * x), "hi"), grad_vars=w,
                                    has_aux=True), (jnp.ones(2),))


def test_paths_skip_vmap_for_a_callback_that_cannot_be_batched():
    w = brainstate.ParamState(jnp.array([0.5, -1.0]))

    def f(x):
        y = jax.pure_callback(lambda a: np.asarray(a) * 2,
                              jax.ShapeDtypeStruct(x.shape, x.dtype), x)
        return jnp.sum(jnp.tanh(w.value * y))

    paths = assert_paths_agree(bpa.grad(f, grad_vars=w), (jnp.ones(2),))
    assert paths["vmap"].startswith("skipped: the call cannot be batched"), paths


def _sum_tanh(x):
    return jnp.sum(jnp.tanh(x) ** 2)


@pytest.mark.parametrize("call, error, match", [
    (lambda: check_grads(_sum_tanh, (jnp.ones(2),), seed=2 ** 40), ValueError, "seed"),
    (lambda: check_grads(lambda x: None, (jnp.ones(2),)), TypeError, "f returned no array"),
    (lambda: check_grads(lambda x: "a", (jnp.ones(2),)), TypeError, "must return"),
    (lambda: check_grads(lambda x: jnp.sum(x * (1 + 1j)), (jnp.ones(2),)), TypeError,
     r"output has dtype complex.*f must return a real floating-point array"),
    (lambda: check_grads(lambda x: (jnp.sum(x ** 2), jnp.argmax(x)), (jnp.ones(2),)),
     TypeError, r"output\[1\] has dtype int"),
    (lambda: check_grads(lambda x, s: jnp.sum(x ** 2), (jnp.ones(2), "hello")), TypeError,
     r"positional argument 1 is a str .*functools.partial"),
    (lambda: check_grads(_sum_tanh, [jnp.ones(2)]), TypeError, "args must be a tuple"),
    (lambda: assert_paths_agree(bpa.grad(_sum_tanh), [jnp.ones(2)]), TypeError,
     "args must be a tuple"),
])
def test_check_grads_errors_are_in_the_users_terms(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_check_grads_custom_vjp_with_the_default_modes_says_use_rev():
    @jax.custom_vjp
    def act(x):
        return jnp.tanh(x)

    act.defvjp(lambda x: (jnp.tanh(x), x), lambda x, g: (g * (1 - jnp.tanh(x) ** 2),))
    with pytest.raises(TypeError, match=r'modes=\("rev",\)'):
        check_grads(lambda x: jnp.sum(act(x)), (jnp.ones(2),))
    check_grads(lambda x: jnp.sum(act(x)), (jnp.ones(2),), modes=("rev",))


def test_check_grads_message_has_plain_indices_and_no_huge_relative_error():
    @jax.custom_vjp
    def bad(x):
        return x * 0.0

    bad.defvjp(lambda x: (x * 0.0, None), lambda r, g: (g,))  # finite differences are 0
    with pytest.raises(AssertionError) as info:
        check_grads(lambda x: bad(x), (jnp.ones(3),), modes=("rev",))
    text = str(info.value)
    assert "np.int64" not in text and "e+307" not in text, text
    assert "largest relative error inf" in text, text
