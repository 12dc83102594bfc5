"""The schedule: a pure function of a program's static facts, unit-tested on its own."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from brainpy_autograd._engine import _schedule
from brainpy_autograd._engine._facts import Facts, facts_of
from brainpy_autograd._engine._schedule import LATEST_CALL, compile_call


def facts(equations=100, top_level=None, loops=0, callbacks=False):
    return Facts(equations=equations, top_level=equations if top_level is None else top_level,
                 loops=loops, callbacks=callbacks)


# ----------------------------------------------------------------- the facts


def test_facts_count_nested_equations_and_loops():
    def f(x):
        y = jax.lax.scan(lambda c, a: (jnp.sin(c) + a, c), 0.0, x)[0]
        z = jax.lax.cond(y > 0, lambda: y * 2, lambda: -y)
        return jax.jit(lambda v: jnp.cos(v) + 1)(z)

    jaxpr = jax.make_jaxpr(f)(jnp.ones(3)).jaxpr
    by_name = {e.primitive.name: e for e in jaxpr.eqns}
    inner = (len(by_name["scan"].params["jaxpr"].jaxpr.eqns)
             + sum(len(b.jaxpr.eqns) for b in by_name["cond"].params["branches"])
             + len(next(e for e in jaxpr.eqns if "jaxpr" in e.params
                        and e.primitive.name != "scan").params["jaxpr"].eqns))
    got = facts_of(jaxpr)
    assert got.top_level == len(jaxpr.eqns)
    assert got.equations == len(jaxpr.eqns) + inner
    assert got.loops == 1 and not got.callbacks


@pytest.mark.parametrize("make", [
    lambda x: jax.debug.print("x={}", x) or x,
    lambda x: jax.debug.callback(lambda v: None, x) or x,
    lambda x: jax.pure_callback(lambda v: v, jax.ShapeDtypeStruct((3,), jnp.float32), x),
    lambda x: jax.lax.scan(lambda c, a: (c + jax.pure_callback(
        lambda v: v, jax.ShapeDtypeStruct((), jnp.float32), a), c), 0.0, x)[0],
], ids=["debug.print", "debug.callback", "pure_callback", "nested in scan"])
def test_facts_see_host_callbacks_at_any_depth(make):
    assert facts_of(jax.make_jaxpr(make)(jnp.ones(3, jnp.float32))).callbacks


# -------------------------------------------------------------- the schedule


def test_programs_with_host_callbacks_are_never_compiled():
    with_callback = facts(callbacks=True)
    assert compile_call(with_callback) is None
    assert compile_call(with_callback, forced=1) is None
    assert compile_call(with_callback, at_once=True) is None


def test_compile_at_overrides_the_size():
    for n in (1, 2, 7):
        assert compile_call(facts(equations=5000), forced=n) == n


def test_small_new_signatures_compile_at_once_only_after_another_signature():
    small = facts(equations=7)
    assert compile_call(small, at_once=True) == 1
    assert compile_call(small) > 1
    big = facts(equations=_schedule.AT_ONCE_MAX + 1)
    assert compile_call(big, at_once=True) == compile_call(big) > 1


def test_loops_weigh_in_for_compiling_at_once():
    loopy = facts(equations=40, top_level=10, loops=4)
    assert compile_call(loopy, at_once=True) > 1


@given(equations=st.integers(1, 100_000), top=st.integers(1, 100_000),
       loops=st.integers(0, 50))
def test_the_call_is_between_2_and_the_latest(equations, top, loops):
    n = compile_call(facts(equations=max(equations, top), top_level=top, loops=loops))
    assert 2 <= n <= LATEST_CALL


@given(equations=st.integers(1, 50_000), top=st.integers(1, 50_000), loops=st.integers(0, 20))
def test_compiling_waits_until_the_replays_have_paid_for_it(equations, top, loops):
    # In the schedule's own cost model: by the call that compiles, the calls before it
    # saved (SAVED_SHARE x one replay each) at least what compiling costs.
    f = facts(equations=max(equations, top), top_level=top, loops=loops)
    n = compile_call(f)
    saved = (n - 1) * _schedule.SAVED_SHARE * _schedule.replay_seconds(f)
    assert n == LATEST_CALL or saved >= _schedule.compile_seconds(f)
    if n > 2:  # and not a call later than that
        assert (n - 2) * _schedule.SAVED_SHARE * _schedule.replay_seconds(f) \
            < _schedule.compile_seconds(f)


@given(st.integers(500, 20_000), st.integers(500, 20_000))
def test_beyond_small_programs_a_bigger_one_never_compiles_earlier(a, b):
    # (Below a few hundred equations XLA's fixed cost dominates, and a tiny program
    # takes more calls to pay for it than a mid-sized one.)
    small, large = sorted((a, b))
    assert compile_call(facts(equations=small)) <= compile_call(facts(equations=large))


def test_more_loops_never_compile_earlier():
    calls = [compile_call(facts(equations=60, top_level=20, loops=n)) for n in range(6)]
    assert calls == sorted(calls)


@pytest.mark.parametrize("platform", ["gpu", "tpu", "METAL"])
def test_accelerators_compile_no_earlier_than_the_cpu(platform):
    for size in (10, 300, 3000):
        assert compile_call(facts(equations=size), platform) >= compile_call(facts(equations=size))


@pytest.mark.parametrize(("equations", "top_level", "loops", "call"), [
    (7, 7, 0, 27),        # the docstring's example: XLA's fixed cost dominates
    (1000, 1000, 0, 28),  # 4.0 s to compile, 0.1 ms + 100 ms a replay
    (1000, 10, 0, 100),   # few dispatches a replay: capped at the latest call
    (60, 60, 1, 34),      # a loop weighs 50 equations to XLA, one dispatch to a replay
])
def test_the_measured_constants_give_these_calls(equations, top_level, loops, call):
    """The schedule's constants are measured (benchmarks/RESULTS.md), not derived: these
    calls pin them, so that a change to one is a deliberate change here too (mutation
    check 2026-12-05: ``REPLAY_PER_EQUATION`` made 1.0001 survived every other test)."""
    assert compile_call(Facts(equations, top_level, loops, False)) == call


def test_the_schedule_is_a_pure_function():
    f = facts(equations=2306)
    assert len({compile_call(f) for _ in range(100)}) == 1
    assert compile_call(f) == compile_call(Facts(2306, 2306, 0, False))
