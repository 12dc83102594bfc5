"""Compiled evaluation of repeated un-jitted calls: same results, same State updates."""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import textwrap
import threading

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import Model, output_for
from oracle import TRANSFORMS, assert_same_result, assert_tree_close

import brainpy_autograd as bpa
from brainpy_autograd import _compiled

X = jnp.array([0.3, -0.7, 1.2], dtype=jnp.float32)


def programs_of(t):
    return len(t._compiled)


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_repeated_calls_are_compiled_and_match_the_interpreted_path(kind, compile_at_second_call):
    compiled_model, interpreted_model = Model(kind, aux=True), Model(kind, aux=True)

    def make(model, compiled):
        return getattr(bpa, kind)(model, grad_vars=model.w, argnums=0, has_aux=True,
                                  return_value=True, compiled=compiled)

    fast, slow = make(compiled_model, True), make(interpreted_model, False)
    for call in range(4):
        assert_same_result(fast(X * (call + 1)), slow(X * (call + 1)))
        assert_tree_close(compiled_model.h.value, interpreted_model.h.value)
    assert programs_of(fast) == 1 and fast._compiled.last_error is None
    assert programs_of(slow) == 0
    # the user's Python code ran as often on both paths (at trace time only)
    assert compiled_model.python_calls == interpreted_model.python_calls


def test_first_call_of_a_signature_is_not_compiled(compile_at_second_call):
    model = Model("grad", aux=True)
    g = bpa.grad(model, grad_vars=model.w, has_aux=True)
    g(X)
    assert programs_of(g) == 0
    g(X)
    assert programs_of(g) == 1
    g(jnp.ones(5, jnp.float32)[:3] * 2)  # same signature: reused
    assert programs_of(g) == 1
    g(jnp.ones((2, 3), jnp.float32))  # new signature: interpreted first
    assert programs_of(g) == 1


@pytest.mark.parametrize("outer", ["brainstate.jit", "jax.vmap", "grad"])
def test_calls_inside_an_outer_trace_are_forwarded(outer):
    w = brainstate.ParamState(jnp.float32(2.0))
    g = bpa.grad(lambda x: jnp.sum(jnp.sin(w.value * x)), argnums=0)
    if outer == "brainstate.jit":
        wrapped = brainstate.transform.jit(g)
        args = (X,)
    elif outer == "jax.vmap":
        wrapped = jax.vmap(g)
        args = (jnp.stack([X, 2 * X]),)
    else:
        wrapped = bpa.grad(lambda x: jnp.sum(g(x)))
        args = (X,)
    first = wrapped(*args)
    for _ in range(3):
        assert_tree_close(wrapped(*args), first)
    assert programs_of(g) == 0


def test_disable_jit_interprets():
    w = brainstate.ParamState(jnp.float32(2.0))
    g = bpa.grad(lambda x: jnp.sum(w.value * x))
    with jax.disable_jit():
        for _ in range(3):
            g(X)
    assert programs_of(g) == 0


def test_per_transform_and_global_opt_out(compile_at_second_call):
    w = brainstate.ParamState(jnp.float32(2.0))
    f = lambda x: jnp.sum(w.value * x)  # noqa: E731
    off = bpa.grad(f, compiled=False)
    for _ in range(3):
        off(X)
    assert programs_of(off) == 0

    assert bpa.compiled_calls_enabled()
    with bpa.compiled_calls(False):
        assert not bpa.compiled_calls_enabled()
        g = bpa.grad(f)
        for _ in range(3):
            g(X)
        assert programs_of(g) == 0
        forced = bpa.grad(f, compiled=True)  # a transform's own choice wins
        for _ in range(3):
            forced(X)
        assert programs_of(forced) == 1
    assert bpa.compiled_calls_enabled()
    g(X)  # the global setting is read at call time: first call of the signature
    g(X)
    assert programs_of(g) == 1


def test_set_compiled_calls_validates():
    with pytest.raises(TypeError, match="enabled must be True or False"):
        bpa.set_compiled_calls("yes")
    with pytest.raises(ValueError, match="max_programs must be a positive int"):
        bpa.set_compiled_calls(max_programs=0)


def test_program_cache_is_bounded(compile_at_second_call):
    w = brainstate.ParamState(jnp.float32(2.0))
    g = bpa.grad(lambda x: jnp.sum(w.value * x))
    try:
        bpa.set_compiled_calls(max_programs=3)
        for n in range(1, 7):
            for _ in range(2):
                g(jnp.ones(n, jnp.float32))
            assert programs_of(g) <= 3
        assert len(g._compiled._signatures) <= 3
    finally:
        bpa.set_compiled_calls(max_programs=32)


def test_state_that_changes_shape_is_recompiled(compile_at_second_call):
    w = brainstate.ParamState(jnp.ones(3, jnp.float32))
    g = bpa.grad(lambda x: jnp.sum(w.value * x) * jnp.sum(w.value), grad_vars=w)
    g(jnp.float32(2.0))
    g(jnp.float32(2.0))
    assert programs_of(g) == 1
    w.value = jnp.ones(5, jnp.float32)  # out of band: a new shape
    assert_tree_close(g(jnp.float32(2.0)), jnp.full(5, 2.0 * 5 + 2.0 * 5, jnp.float32))
    assert_tree_close(g(jnp.float32(2.0)), jnp.full(5, 20.0, jnp.float32))
    assert_tree_close(g(jnp.float32(2.0)), jnp.full(5, 20.0, jnp.float32))


def test_random_state_advances_identically(compile_at_second_call):
    def run(compiled):
        brainstate.random.seed(7)
        w = brainstate.ParamState(jnp.ones(3, jnp.float32))

        def noisy(x):
            return jnp.sum(w.value * (x + brainstate.random.normal(size=(3,))))

        g = bpa.grad(noisy, grad_vars=w, compiled=compiled)
        return [g(X) for _ in range(5)]

    compiled, interpreted = run(True), run(False)
    assert_tree_close(compiled, interpreted)
    assert not np.allclose(compiled[1], compiled[2])  # the key really advanced


def test_env_variable_switches_it_off_at_import():
    code = ("import brainpy_autograd as b; print(b.compiled_calls_enabled())")
    env = dict(os.environ, BRAINPY_AUTOGRAD_COMPILED="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


# ---------------------------------------------------------------------------
# Compiled calls return exactly what the interpreted call returns (issue 10)

Pair = collections.namedtuple("Pair", "z a")


def _layouts():
    w = brainstate.ParamState(jnp.array([0.5, 1.5, -1.0], jnp.float32))
    b = brainstate.ParamState(jnp.array([0.1, 0.2, 0.3], jnp.float32))
    return [
        None,
        {"w": w, "b": b},  # not sorted: jax.jit alone would return b first
        {"z": {"w": w}, "a": [b]},
        {},
        [b, w],
        Pair(w, b),
    ]


def _loss_with_aux(states, kind):
    def loss(x):
        total = x * 1.0
        for s in states:
            total = total * s.value
        y = jnp.sin(total)
        out = output_for(kind, y)
        # aux: a dict out of key order, constants of several kinds, a namedtuple
        return out, {"z": y, "a": 3, "m": [1.0, x], "t": Pair(x, 2.0)}

    return loss


@pytest.mark.parametrize("kind", TRANSFORMS)
@pytest.mark.parametrize("layout", range(6))
@pytest.mark.parametrize("extras", ["plain", "aux", "value", "both"])
def test_calls_1_2_3_return_exactly_what_the_interpreted_call_returns(
        kind, layout, extras, compile_at_second_call):
    grad_vars = _layouts()[layout]
    states = jax.tree.leaves(grad_vars, is_leaf=lambda s: isinstance(s, brainstate.State))
    has_aux = extras in ("aux", "both")
    loss = _loss_with_aux(states, kind)
    f = loss if has_aux else (lambda x: loss(x)[0])
    opts = dict(grad_vars=grad_vars, has_aux=has_aux, return_value=extras in ("value", "both"))
    if grad_vars is not None and layout % 2:
        opts["argnums"] = 0
    t = getattr(bpa, kind)(f, **opts)
    interpreted = getattr(bpa, kind)(f, compiled=False, **opts)(X)
    calls = [t(X) for _ in range(3)]
    assert programs_of(t) == 1 and t._compiled.last_error is None  # calls 2, 3: compiled
    for result in calls:
        assert_same_result(result, calls[0])
        assert_same_result(result, interpreted)


def test_the_reported_key_order_case(compile_at_second_call):
    w = brainstate.ParamState(jnp.ones(3))
    b = brainstate.ParamState(jnp.zeros(3))
    g = bpa.grad(lambda x: jnp.sum(x * w.value + b.value), grad_vars={"w": w, "b": b})
    assert [list(g(jnp.ones(3)).keys()) for _ in range(3)] == [["w", "b"]] * 3
    assert programs_of(g) == 1


# ---------------------------------------------------------------------------
# The schedule: never slower than interpreting, compile in the background


class FakeClock:
    """``time.perf_counter`` for the policy: advances only when told to."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(_compiled.time, "perf_counter", fake)
    yield fake
    assert bpa.wait_for_compilations(60)


class Costed:
    """A brainstate gradient whose runs cost what the test says, on the fake clock.

    An interpreted run costs ``interpreted(shape_seen_before)``; tracing it (the
    foreground part of a compilation) costs ``traced``; a compiled run costs
    nothing, since the backend is not called at all.
    """

    def __init__(self, clock, interpreted, traced=1.0):
        self.clock, self.interpreted, self.traced = clock, interpreted, traced
        self.seen = set()
        w = brainstate.ParamState(jnp.float32(1.5))
        self.backend = brainstate.transform.grad(lambda x: jnp.sum(jnp.tanh(w.value * x)))
        self.calls = _compiled.CompiledCalls(None)

    def __call__(self, x):
        return self.calls.call(0, self._run, (x,), {})

    def _run(self, x):
        if isinstance(x, jax.core.Tracer):
            self.clock.now += self.traced
        else:
            self.clock.now += self.interpreted(x.shape in self.seen)
            self.seen.add(x.shape)
        return self.backend(x)


def _run_and_check_budget(clock, g, inputs, interpreted_cost):
    totals = []
    for k, x in enumerate(inputs, 1):
        g(x)
        # The fake clock stands still while the background compilation runs
        # (in real time it overlaps the calls that go on interpreted).
        assert bpa.wait_for_compilations(60)
        totals.append(clock.now)
        assert clock.now <= 1.25 * interpreted_cost(k) + 1e-9, (k, totals)
    return totals


def test_a_repeated_signature_compiles_only_once_it_has_paid_for_itself(clock):
    # Tracing and lowering cost 2 interpreted calls here; the first call 3.
    g = Costed(clock, lambda seen: 1.0 if seen else 3.0, traced=2.0)
    calls = [jnp.ones(3, jnp.float32)] * 80
    totals = _run_and_check_budget(clock, g, calls, lambda k: 2.0 + 1.0 * k)
    assert g.calls.ready() == 1 and g.calls.last_error is None
    assert totals[-1] < 65  # it did switch, long before the 80 calls were over
    before = clock.now
    g(calls[0])
    assert clock.now == before  # the program ran: no interpreted work at all


def test_a_signature_called_a_few_times_is_never_compiled(clock):
    g = Costed(clock, lambda seen: 1.0, traced=2.0)
    for _ in range(5):
        g(X)
    assert len(g.calls) == 0 and clock.now == 5.0


def test_new_signatures_compile_at_once_when_that_is_cheaper(clock):
    # A new shape costs 10 to interpret (every primitive compiles), a known one 1.
    g = Costed(clock, lambda seen: 1.0 if seen else 10.0, traced=1.0)
    shapes = [jnp.ones(1, jnp.float32)] * 60 + [jnp.ones(n, jnp.float32) for n in range(2, 8)]

    def interpreted(k):
        return 10.0 * (1 + max(0, k - 60)) + 1.0 * min(k - 1, 59)

    totals = _run_and_check_budget(clock, g, shapes, interpreted)
    assert g.calls.ready() == 7  # every new shape was compiled at its first call
    assert totals[-1] - totals[59] == 6.0  # each new shape cost one trace, no interpretation


def test_new_signatures_are_interpreted_when_compiling_costs_more(clock):
    g = Costed(clock, lambda seen: 1.0 if seen else 2.0, traced=5.0)
    shapes = [jnp.ones(1, jnp.float32)] * 120 + [jnp.ones(n, jnp.float32) for n in range(2, 5)]
    _run_and_check_budget(clock, g, shapes, lambda k: 2.0 * (1 + max(0, k - 120))
                          + 1.0 * min(k - 1, 119) + 5.0)
    assert g.calls.ready() == 1


def test_states_are_read_and_written_on_the_calling_thread_only(monkeypatch):
    threads = set()

    class Watched(brainstate.State):
        @property
        def value(self):
            threads.add(threading.get_ident())
            return brainstate.State.value.fget(self)

        @value.setter
        def value(self, v):
            threads.add(threading.get_ident())
            brainstate.State.value.fset(self, v)

    h = Watched(jnp.zeros(3, jnp.float32))
    w = brainstate.ParamState(jnp.ones(3, jnp.float32))

    def f(x):
        h.value = h.value + w.value * x
        return jnp.sum(h.value ** 2)

    g = bpa.grad(f, grad_vars=w)
    monkeypatch.setattr(_compiled, "FOREGROUND_SHARE", 1e9)  # compile at the second call
    for _ in range(3):
        g(X)
    assert programs_of(g) == 1 and g._compiled.ready() == 0  # compiling in the background
    assert bpa.wait_for_compilations(60)
    for _ in range(3):
        g(X)
    assert g._compiled.ready() == 1
    assert threads == {threading.get_ident()}


def test_a_failed_compilation_leaves_the_calls_interpreted(monkeypatch, compile_at_second_call):
    def fail(self):
        self.error = RuntimeError("XLA said no")
        self.done = True

    monkeypatch.setattr(_compiled._Program, "compile", fail)
    model, reference = Model("grad", aux=True), Model("grad", aux=True)
    g = bpa.grad(model, grad_vars=model.w, has_aux=True)
    ref = bpa.grad(reference, grad_vars=reference.w, has_aux=True, compiled=False)
    for _ in range(4):
        assert_same_result(g(X), ref(X))
    assert programs_of(g) == 0
    assert isinstance(g._compiled.last_error, RuntimeError)
    assert "XLA said no" in str(g._compiled.last_error)


def test_exit_while_a_compilation_runs_is_clean():
    code = textwrap.dedent("""
        import jax.numpy as jnp, brainstate
        import brainpy_autograd as bpa
        from brainpy_autograd import _compiled
        _compiled.FOREGROUND_SHARE = 1e9  # start compiling at the second call
        W = brainstate.ParamState(jnp.eye(16) * 0.5)
        def loss(xs):
            h = jnp.zeros(16)
            for t in range(120):
                h = jnp.tanh(W.value @ h + xs[t])
            return jnp.sum(h)
        g = bpa.grad(loss, grad_vars=W)
        xs = jnp.ones((120, 16))
        g(xs); g(xs)
        print("pending", not _compiled.wait_for_compilations(0), flush=True)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "pending True"
    assert out.stderr.strip() == ""
