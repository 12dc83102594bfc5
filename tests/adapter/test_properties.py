"""Differential properties: any generated program, any call layout, JAX as the oracle.

Examples per property: see ``settings(max_examples=...)`` below for the ``ci``
profile (``tests/conftest.py``); the ``thorough`` profile runs 400 of each.
"""

from __future__ import annotations

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import ci_settings, compile_at_second_call
from hypothesis import given, note
from hypothesis import strategies as st
from jax.test_util import check_vjp
from oracle import assert_same_result, assert_tree_close, expected, tolerance
from programs import Example, examples, programs

import brainpy_autograd as bpa
from brainpy_autograd.testing import assert_paths_agree, check_grads

# CI runs this file a second time with compiled evaluation off (nox -s properties-interpreted)
pytestmark = pytest.mark.properties


def check_states(states, want):
    for k, (st_, w) in enumerate(zip(states, want)):
        value = st_.value
        assert not isinstance(value, jax.core.Tracer), f"State {k} holds a tracer"
        assert_tree_close(value, w)


@ci_settings(30)
@given(examples())
def test_matches_jax_and_updates_states(ex: Example):
    """Called three times from the same States. Call 1 replays the traced program and
    calls 2 and 3 run it compiled (with BRAINPY_AUTOGRAD_COMPILED=0 brainstate
    interprets all three); every call returns exactly what call 1 returned: dict key
    order, container and leaf types, values to float rounding."""
    note(f"{ex.kind} argnums={ex.argnums!r} layout={ex.layout!r} form={ex.form}")
    want = expected(
        ex.kind, ex.pure(), ex.var_values(), ex.args, vars_given=ex.layout is not None,
        argnums=ex.argnums, has_aux=ex.has_aux, return_value=ex.return_value,
    )
    t = ex.transform(bpa)
    results = []
    with compile_at_second_call():
        for call in (1, 2, 3):
            note(f"call {call}")
            for st_, v in zip(ex.states, ex.init_values):
                st_.value = v
            results.append(t(*ex.args))
            assert_tree_close(results[-1], want)
            check_states(ex.states, ex.expected_states())
    for result in results[1:]:
        assert_same_result(result, results[0])
    stats = t.call_stats()
    assert stats.last_error is None
    assert stats.compiled == (2 if bpa.compiled_calls_enabled() else 0)
    assert stats.interpreted == (0 if bpa.compiled_calls_enabled() else 3)


@st.composite
def float64_grad_examples(draw):
    program = draw(programs("scalar").filter(lambda p: p.dtype == "float64"))
    n_states = len(program.state_shapes)
    return Example(kind="grad", program=program, has_aux=False, return_value=True,
                   form="direct", argnums=tuple(range(program.n_args)),
                   layout=list(range(n_states)), seed=draw(st.integers(0, 2 ** 31 - 1)))


@ci_settings(15)
@given(float64_grad_examples())
def test_gradients_agree_with_finite_differences(ex: Example):
    """jax.test_util.check_vjp: our gradients against JAX's numerical differentiation."""
    pure = ex.pure()

    def with_ours(V, *args):
        for st_, v in zip(ex.states, V):
            st_.value = v
        (dV, dargs), value = ex.transform(bpa)(*args)
        return value, lambda ct: (jax.tree.map(lambda g: ct * g, dV),
                                  *(ct * g for g in dargs))

    check_vjp(pure, with_ours, (ex.var_values(), *ex.args), eps=1e-6, rtol=1e-5, atol=1e-7)


@st.composite
def float64_examples(draw, kinds=("grad", "jacrev")):
    """float64 examples with States written, differentiated by arguments and States."""
    kind = draw(st.sampled_from(kinds))
    output = "scalar" if kind == "grad" else draw(st.sampled_from(["vector", "dict"]))
    program = draw(programs(output).filter(lambda p: p.dtype == "float64"))
    n_states = len(program.state_shapes)
    return Example(kind=kind, program=program, has_aux=False, return_value=False,
                   form="direct", argnums=tuple(range(program.n_args)),
                   layout={f"s{k}": k for k in range(n_states)},
                   seed=draw(st.integers(0, 2 ** 31 - 1)))


@ci_settings(6)
@given(float64_examples(), st.sampled_from([1, 2]))
def test_check_grads_holds_on_random_programs(ex: Example, order: int):
    """The public check_grads, dogfooded: our derivatives of the stateful program against
    finite differences; every State is put back bit for bit. JAX's own check_vjp on the
    pure version (the oracle) agrees that the gradients are right."""
    order = order if ex.kind == "grad" else 1
    before = [st_.value for st_ in ex.states]
    check_grads(ex.stateful(), ex.args, grad_vars=ex.grad_vars(), argnums=ex.argnums,
                order=order)
    assert all(st_.value is v for st_, v in zip(ex.states, before))
    pure = ex.pure()
    jax.test_util.check_grads(lambda V, *a: pure(V, *a), (ex.var_values(), *ex.args),
                              order=1, modes=("rev",), eps=1e-5, atol=1e-5, rtol=1e-5)


@ci_settings(10)
@given(float64_examples(kinds=("grad",)))
def test_check_grads_catches_a_gradient_off_by_one_percent(ex: Example):
    """check_grads is not vacuous on the random programs: a grad 1% off is caught."""
    import pytest

    right = bpa.grad

    def off(f, **options):
        inner = right(f, **options)
        return lambda *args: jax.tree.map(lambda g: 1.01 * g, inner(*args))

    bpa.grad = off
    try:
        with pytest.raises(AssertionError, match="brainpy_autograd.grad"):
            check_grads(ex.stateful(), ex.args, grad_vars=ex.grad_vars(),
                        argnums=ex.argnums, modes=("rev",), atol=1e-7, rtol=1e-7)
    finally:
        del bpa.grad  # the lazy export brings the real one back
        assert bpa.grad is right


@ci_settings(6)
@given(examples())
def test_paths_agree_on_random_programs(ex: Example):
    """The public assert_paths_agree, dogfooded on the random programs and call layouts."""
    report = assert_paths_agree(ex.transform(bpa), ex.args)
    assert report["interpreted"] == report["jit"] == "checked"


@ci_settings(15)
@given(examples())
def test_same_result_under_brainstate_jit(ex: Example):
    jit_states = ex.fresh_states()
    eager = ex.transform(bpa)(*ex.args)
    jitted = brainstate.transform.jit(ex.transform(bpa, states=jit_states))
    assert_tree_close(jitted(*ex.args), eager)
    check_states(jit_states, ex.expected_states())


@ci_settings(12)
@given(examples(writes=False))
def test_same_result_under_jax_vmap(ex: Example):
    t = ex.transform(bpa)
    batch = [ex.args, tuple(0.5 * a - 0.1 for a in ex.args)]
    stacked = tuple(jnp.stack(xs) for xs in zip(*batch))
    batched = jax.vmap(t)(*stacked)
    one_by_one = jax.tree.map(lambda *r: jnp.stack(r), *[t(*args) for args in batch])
    assert_tree_close(batched, one_by_one)


@ci_settings(15)
@given(examples(kinds=("grad",), writes=False, n_args=(1, 3)))
def test_grad_of_grad_matches_jax(ex: Example):
    f = ex.stateful()
    pure = ex.pure()
    V = ex.var_values()

    def first(*args):
        out = f(*args)
        return out[0] if ex.has_aux else out

    def pure_first(*args):
        out = pure(V, *args)
        return out[0] if ex.has_aux else out

    ours = bpa.grad(lambda *a: jnp.sum(bpa.grad(first, argnums=0)(*a)), argnums=0)(*ex.args)
    want = jax.grad(lambda *a: jnp.sum(jax.grad(pure_first, argnums=0)(*a)), argnums=0)(
        *ex.args)
    assert_tree_close(ours, want)


@ci_settings(12)
@given(examples(kinds=("hessian",)).filter(lambda e: (e.layout is None) != (e.argnums is None)))
def test_hessian_equals_jacfwd_of_jacrev(ex: Example):
    ex.has_aux = ex.return_value = False
    nested_states = ex.fresh_states()
    opts = {k: v for k, v in ex.options().items() if k in ("argnums",)}
    hess = bpa.hessian(ex.stateful(), **opts, grad_vars=ex.grad_vars())(*ex.args)
    gv = ex.grad_vars(nested_states)
    f = ex.stateful(nested_states)
    nested = bpa.jacfwd(bpa.jacrev(f, grad_vars=gv, **opts), grad_vars=gv, **opts)(*ex.args)
    assert_tree_close(hess, nested)


def test_tolerances_are_stated_once():
    assert tolerance(np.float32) > tolerance(np.float64)
