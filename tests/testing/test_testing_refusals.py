"""A check that would compare nothing is refused, and a bad point or output is named.

Each case here passed silently, or failed with an error from deep inside JAX,
until a helper attacked the module as a new user (issue 24, 2026-12-05).
"""

from __future__ import annotations

import functools
import warnings

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainpy_autograd as bpa
from brainpy_autograd.testing import assert_paths_agree, check_grads, enable_x64


@jax.custom_jvp
def triple_slope(x):
    """sin(x), with a derivative three times too large."""
    return jnp.sin(x)


triple_slope.defjvp(lambda p, t: (jnp.sin(p[0]), 3.0 * jnp.cos(p[0]) * t[0]))


def key_bits(state):
    return np.asarray(jax.random.key_data(state.value)).tobytes()


# ------------------------------------------------------- steps that rounding takes away

@pytest.mark.parametrize(("values", "dtype", "eps"), [
    ([3e4, 5e4, 7e4], jnp.float32, None),  # float32 values 0.004 to 0.008 apart
    ([1.0, 2.0, 3.0], jnp.float32, 1e-30),
])
def test_a_wrong_gradient_is_not_passed_when_the_step_rounds_away(values, dtype, eps):
    big = brainstate.ParamState(jnp.array(values, dtype))
    small = brainstate.ParamState(jnp.ones(3, dtype))

    def loss():  # d/dbig is cos(big * 1e-4), order 1: three times that is far off
        return jnp.sum(triple_slope(big.value * 1e-4)) * 1e4 + jnp.sum(small.value ** 2)

    for grad_vars in ({"big": big}, {"big": big, "small": small}):
        with pytest.raises(ValueError, match=r"too small for grad_vars\['big'\].*rounds back "
                                             r"to x for 3 of its 3 elements"):
            check_grads(loss, (), grad_vars=grad_vars, eps=eps)
    # with a step the values can hold, the wrong rule is found
    with pytest.raises(AssertionError, match=r"grad_vars\['big'\]"):
        check_grads(loss, (), grad_vars={"big": big}, eps=float(np.max(values)) * 1e-3)


def test_a_step_lost_for_a_few_elements_only_is_refused_and_float64_checks_them():
    # float32 values near 1e3 are 6e-5 apart: eps * direction rounds to 0 where the
    # direction is below about 0.03, a few of 200 elements, whose derivatives would go
    # unchecked; a rule wrong only there passed when the whole step's length decided
    values = np.linspace(900.0, 1100.0, 200)
    w = brainstate.ParamState(jnp.asarray(values, jnp.float32))
    with pytest.raises(ValueError, match=r"rounds back to x for [1-9]\d? of its 200 "
                                         r"elements .*Check in float64"):
        check_grads(lambda: jnp.sum(jnp.sin(w.value)), (), grad_vars=w)
    with enable_x64():
        w64 = brainstate.ParamState(jnp.asarray(values, jnp.float64))
        check_grads(lambda: jnp.sum(jnp.sin(w64.value)), (), grad_vars=w64)
        with pytest.raises(AssertionError):
            check_grads(lambda: jnp.sum(triple_slope(w64.value)), (), grad_vars=w64)


def test_a_step_lost_where_rounding_up_lengthens_the_others_is_refused():
    # 1000 values at 5e4 (0.004 apart): most steps vanish and the few that survive are
    # rounded up to a whole spacing, so the step as a whole keeps most of its length
    x = jnp.full(1000, 5e4, jnp.float32)
    with pytest.raises(ValueError, match=r"too small for argument 0 \(float32\)"):
        check_grads(lambda x: jnp.sum(triple_slope(x / 5e4)), (x,), modes=("rev",))
    mixed = jnp.array([1e5, 1.0], jnp.float32)  # one large element among order-1 ones
    with pytest.raises(ValueError, match=r"rounds back to x for 1 of its 2 elements"):
        check_grads(lambda x: jnp.sum(jnp.sin(x)), (mixed,), modes=("rev",))


def test_the_refusal_names_the_spacing_and_a_step_for_a_bfloat16_input_too():
    w = brainstate.ParamState(jnp.array([300.0, 500.0], jnp.bfloat16))  # 2 apart near 500
    with pytest.raises(ValueError, match=r"grad_vars \(bfloat16\).*\(values up to 500, "
                                         r"where bfloat16 values are 2 apart\).*a larger eps "
                                         r"\(near 0\.1 times its magnitude, here about 50\)"):
        check_grads(lambda: jnp.sum(w.value.astype(jnp.float32)), (), grad_vars=w)


def test_a_step_out_of_the_dtypes_range_is_refused_before_f_runs():
    calls = []

    def f(x):
        calls.append(1)
        return jnp.sum(x)

    with pytest.raises(ValueError, match=r"eps=1e\+40 moves argument 0 out of the range "
                                         r"of float32"):
        check_grads(f, (jnp.ones(3, jnp.float32),), eps=1e40)
    assert len(calls) == 1  # the discovery trace only: f never saw an infinite input


def test_a_float64_step_that_overflows_is_refused_without_numpy_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"eps=1e\+308 moves argument 0 out of the "
                                             r"range of float64"):
            check_grads(lambda x: jnp.sum(x * 0.0), (jnp.full(100, 1e308, jnp.float64),),
                        eps=1e308)


def test_an_input_that_is_not_finite_is_refused():
    with pytest.raises(ValueError, match=r"argument 0 holds values that are not finite"):
        check_grads(lambda x: jnp.sum(x ** 2), (jnp.array([1.0, jnp.nan]),))


# ------------------------------------------------------------- inputs that are not inputs

class Noisy(brainstate.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w = brainstate.ParamState(jnp.array([0.5, -1.0, 2.0]))
        self.rng = brainstate.random.RandomState(0)

    def __call__(self, x):
        return jnp.sum(self.w.value * x * self.rng.uniform(size=3))


def test_a_random_key_in_grad_vars_is_a_type_error_naming_it_and_keys_are_kept():
    model = Noisy()
    before = key_bits(model.rng)
    with pytest.raises(TypeError, match=r"random key .* leave it out of grad_vars"):
        check_grads(model, (jnp.ones(3),), grad_vars=model.states())
    assert key_bits(model.rng) == before
    check_grads(model, (jnp.ones(3),), grad_vars=model.states(brainstate.ParamState))
    assert key_bits(model.rng) == before


def test_a_random_key_argument_at_argnums_says_to_leave_it_out_of_argnums():
    with pytest.raises(TypeError, match=r"argument 1 holds a random key .* leave its "
                                        r"position out of argnums"):
        check_grads(lambda x, k: jnp.sum(x), (jnp.ones(2), jax.random.key(0)),
                    argnums=(0, 1))


def test_a_random_key_is_kept_by_the_strategies_and_refused_by_the_property():
    pytest.importorskip("hypothesis")
    from hypothesis import given, settings

    from brainpy_autograd.testing.strategies import gradient_property, state_values

    model = Noisy()
    before = key_bits(model.rng)

    @settings(max_examples=3, deadline=None)
    @given(state_values(model.states()))
    def drawn(values):
        key = [v for v in jax.tree.leaves(values)
               if jnp.issubdtype(v.dtype, jax.dtypes.prng_key)]
        assert len(key) == 1 and np.asarray(jax.random.key_data(key[0])).tobytes() == before

    drawn()
    with pytest.raises(TypeError, match="is a random key"):
        gradient_property(model, (jnp.ones(3),), grad_vars=model.states())


def test_grad_vars_that_f_never_reads_are_refused_when_nothing_else_is_checked(monkeypatch):
    a, b = Noisy(), Noisy()
    with pytest.raises(ValueError, match=r"f does not read any of the differentiated "
                                         r"inputs \(grad_vars\['w'\]\)"):
        check_grads(a, (jnp.ones(3),), grad_vars={"w": b.w})
    # beside a State it reads, an unread one is checked: its derivative must be zero
    check_grads(a, (jnp.ones(3),), grad_vars={"other": b.w, "w": a.w})
    check_grads(a, (jnp.ones(3),), grad_vars={"w": b.w}, argnums=0)
    right = bpa.grad

    def leaks(f, **options):  # a transform that gives the unread State a's gradient
        g = right(f, **options)

        def call(*args):
            out = g(*args)
            return {"other": out["w"], "w": out["w"]} if isinstance(out, dict) else out

        return call

    monkeypatch.setattr(bpa, "grad", leaks)
    with pytest.raises(AssertionError, match=r"grad_vars\['other'\]"):
        check_grads(a, (jnp.ones(3),), grad_vars={"other": b.w, "w": a.w}, modes=("rev",))


def test_an_integer_leaf_of_a_pytree_state_says_the_state_is_differentiated_whole():
    p = brainstate.ParamState({"a": jnp.ones(2), "n": jnp.array(3)})
    with pytest.raises(TypeError, match=r"grad_vars\['p'\]\['n'\] has dtype int.*leave "
                                        r"grad_vars\['p'\] out of grad_vars or keep this "
                                        r"leaf in a State of its own"):
        check_grads(lambda: jnp.sum(p.value["a"] ** 2), (), grad_vars={"p": p})


# ----------------------------------------------------------------------------- outputs

def test_an_empty_output_is_nothing_to_compare():
    with pytest.raises(ValueError, match=r"nothing to compare: every output of f is empty "
                                         r"\(output has shape \(0,\)\)"):
        check_grads(lambda x: x[:0], (jnp.ones(3),))


@pytest.mark.parametrize("wrap", [lambda y: {"a": y}, lambda y: (y,)], ids=["dict", "tuple"])
def test_a_scalar_in_a_container(wrap):
    x = jnp.array([0.5, 1.0, 1.5])
    check_grads(lambda x: wrap(jnp.sum(x ** 3)), (x,))  # first order: jacrev's layout
    with pytest.raises(ValueError, match=r"order=2 .* needs f to return a scalar array; f "
                                         r"returned a (dict|tuple) holding 1 array"):
        check_grads(lambda x: wrap(jnp.sum(x ** 3)), (x,), order=2)


def test_a_nan_output_says_f_is_not_finite_there():
    with pytest.raises(AssertionError, match="finite differences are not finite: f is nan"):
        check_grads(lambda x: jnp.sum(jnp.log(x - 1.0)), (jnp.array([1.0, 2.0]),),
                    modes=("rev",))


def test_a_float32_failure_with_x64_on_says_the_inputs_are_float32():
    w = brainstate.ParamState(jnp.array([1.0, 2.0], jnp.float32))  # made before the block
    with enable_x64():
        with pytest.raises(AssertionError, match="float32 although x64 is on") as info:
            check_grads(lambda: jnp.sum(triple_slope(w.value)), (), grad_vars=w)
    assert "call check_grads there" not in str(info.value)


# ------------------------------------------------------------------ the others' advice

def test_assert_paths_agrees_advice_for_a_str_argument_works():
    w = brainstate.ParamState(jnp.array([0.5, -1.0]))

    def f(x, mode):
        return jnp.sum(w.value * x) * (2.0 if mode == "b" else 1.0)

    with pytest.raises(TypeError, match=r"assert_paths_agree\(brainpy_autograd\.grad\("
                                        r"functools\.partial\(f, mode=\.\.\.\)\), \.\.\.\)"):
        assert_paths_agree(bpa.grad(f, grad_vars=w), (jnp.ones(2), "b"))
    assert_paths_agree(bpa.grad(functools.partial(f, mode="b"), grad_vars=w), (jnp.ones(2),))


def test_arrays_like_a_numpy_float64_example_draws_the_dtype_jax_holds():
    pytest.importorskip("hypothesis")
    from hypothesis import given, settings

    from brainpy_autograd.testing.strategies import arrays_like

    low, high = 0.1000000001, 0.1000000002  # no float32 between them
    with jax.enable_x64(False):  # the suite runs with x64 on
        with pytest.raises(ValueError, match="no float32 value lies in"):
            arrays_like(np.zeros(3), min_value=low, max_value=high)

        @settings(max_examples=5, deadline=None)
        @given(arrays_like(np.zeros(3)), arrays_like(0.0))
        def drawn(x, y):
            assert x.dtype == jnp.float32 and y.dtype == jnp.float32

        with warnings.catch_warnings():
            warnings.simplefilter("error")  # JAX's "float64 ... truncated to float32"
            drawn()

    @settings(max_examples=3, deadline=None)
    @given(arrays_like(np.zeros(3), min_value=low, max_value=high))
    def drawn64(x):  # with x64 on, float64 is what JAX holds, and it has values there
        assert x.dtype == jnp.float64 and bool(jnp.all((x >= low) & (x <= high)))

    drawn64()


# ------------------------------------------------------------ the second attack's cases

def test_an_empty_or_unused_argument_does_not_make_a_check_of_unread_states_count():
    other = brainstate.ParamState(jnp.ones(3))
    x = jnp.array([0.5, 1.0, 1.5])
    for empty in (jnp.zeros(0), {}, ()):
        with pytest.raises(ValueError, match="f does not read any of the differentiated"):
            check_grads(lambda x, e: jnp.sum(x), (x, empty), grad_vars={"o": other},
                        argnums=1)
    with pytest.raises(ValueError, match=r"differentiated inputs \(argument 1\)"):
        check_grads(lambda x, y: jnp.sum(x ** 2), (x, x), argnums=1)  # y is not used
    check_grads(lambda x, y: jnp.sum(x ** 2), (x, x), argnums=(0, 1))  # y beside x: zero


@pytest.mark.parametrize("two_leaves", [False, True])
def test_a_nan_in_one_element_of_an_output_is_what_the_message_reports(two_leaves):
    x0 = jnp.array([0.3, 0.1])

    def f(x):  # element 0: finite at the point, nan where a step moved it
        first = jnp.where((x == x0) | (jnp.arange(2) == 1), x ** 2, jnp.nan)
        return (first, jnp.sum(x)) if two_leaves else first

    with pytest.raises(AssertionError) as info:
        check_grads(f, (x0,), modes=("rev",))
    text = str(info.value)
    assert "finite differences are not finite" in text, text
    assert "largest absolute error nan" in text and "output[0]" in text, text
    assert "output[1]" not in text and "output[0][1]" not in text, text


def test_an_infinite_output_warns_nothing_from_numpy():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AssertionError, match="not finite"):
            check_grads(lambda x: jnp.sum(1.0 / (x - 0.5) ** 2 * 0.0 + jnp.where(
                jnp.abs(x - 0.5) < 1e-2, jnp.inf, 0.0)), (jnp.array([0.5, 0.1]),),
                modes=("rev",))


def test_a_jax_scalar_is_a_number_for_eps_atol_and_rtol():
    check_grads(lambda x: jnp.sum(jnp.sin(x)), (jnp.array([0.5, 1.0]),),
                eps=jnp.float32(1e-3), atol=jnp.float32(2e-3), rtol=np.float64(2e-3))
    with pytest.raises(TypeError, match="eps must be a positive number"):
        check_grads(lambda x: jnp.sum(x), (jnp.ones(2),), eps=jnp.ones(2))
