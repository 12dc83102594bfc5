"""The paths of an un-jitted call (interpreted, replayed, compiled): same results, same State
updates, the opt-outs, the bounded cache, and the public hooks that tests and benchmarks use."""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import threading
import time

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import Model, output_for
from oracle import TRANSFORMS, assert_same_result, assert_tree_close

import brainpy_autograd as bpa

X = jnp.array([0.3, -0.7, 1.2], dtype=jnp.float32)


def programs_of(t):
    return t.call_stats().programs


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
    assert programs_of(fast) == 1 and fast.call_stats().last_error is None
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
        assert g.call_stats().signatures <= 3
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
    stats = t.call_stats()
    assert (stats.replayed, stats.compiled, stats.last_error) == (1, 2, None)
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
# The public hooks: compile_at=n, and call_stats()


def _tiny():
    w = brainstate.ParamState(jnp.float32(2.0))
    return bpa.grad(lambda x: jnp.sum(jnp.sin(w.value * x)), grad_vars=w, argnums=0)


@pytest.mark.parametrize("n", [1, 2, 5])
def test_compile_at_n_compiles_every_signature_at_its_nth_call(n):
    g = _tiny()
    with bpa.compiled_calls(compile_at=n):
        for call in range(1, 8):
            g(X)
            stats = g.call_stats()
            assert stats.compiled == max(0, call - n + 1), (call, stats)
            assert stats.replayed == min(call, n - 1)
        g(jnp.ones(4, jnp.float32))  # a new signature starts again at call 1
        assert g.call_stats().signatures == 2
        assert g.call_stats().programs == (2 if n == 1 else 1)
    assert g.call_stats().interpreted == 0


def test_compile_seconds_is_the_time_spent_compiling(compile_at_second_call):
    """``call_stats().compile_seconds``: nothing before the first compilation, then a
    part of the time the calls took (mutation check 2026-12-05: the elapsed time
    multiplied instead of subtracted survived)."""
    g = _tiny()
    start = time.perf_counter()
    g(X)
    assert g.call_stats().compile_seconds == 0.0
    g(X), g(X)
    elapsed = time.perf_counter() - start
    stats = g.call_stats()
    assert (stats.replayed, stats.compiled) == (1, 2)
    assert 0.0 < stats.compile_seconds <= elapsed


def test_call_stats_count_interpreted_calls_too():
    g = _tiny()
    with jax.disable_jit():
        g(X)
    with bpa.compiled_calls(False):
        g(X)
    stats = g.call_stats()
    assert (stats.calls, stats.interpreted, stats.replayed, stats.compiled) == (2, 2, 0, 0)
    assert isinstance(stats, bpa.CallStats)


def test_compile_at_is_validated_and_restored():
    with pytest.raises(TypeError, match=r"set_compiled_calls\(\): compile_at must be a "
                                        r"positive int or 'auto', got a str \('soon'\)"):
        bpa.set_compiled_calls(compile_at="soon")
    with pytest.raises(ValueError, match="compile_at must be a positive int"):
        bpa.set_compiled_calls(compile_at=0)
    with pytest.raises(TypeError, match="compile_at must be"):
        bpa.set_compiled_calls(compile_at=True)
    g = _tiny()
    with bpa.compiled_calls(compile_at=1):
        g(X)
    assert g.call_stats().compiled == 1
    g2 = _tiny()
    g2(X)  # back on the schedule: a tiny program replays at its first call
    assert g2.call_stats().replayed == 1
    bpa.set_compiled_calls(compile_at=3)
    try:
        g3 = _tiny()
        for _ in range(3):
            g3(X)
        assert g3.call_stats().compiled == 1
    finally:
        bpa.set_compiled_calls(compile_at="auto")


def test_compile_at_holds_for_signatures_traced_before_it_was_set():
    """The setting is read at every call (review of issue 17: a benchmark that warmed
    up first went on replaying); "auto" gives the schedule's call back."""
    g = _tiny()
    g(X)  # traced under the schedule (a tiny program replays for a while)
    with bpa.compiled_calls(compile_at=1):
        for _ in range(4):
            g(X)
    assert (g.call_stats().replayed, g.call_stats().compiled) == (1, 4)
    h = _tiny()
    with bpa.compiled_calls(compile_at=1000):
        h(X)
    for _ in range(30):  # back on the schedule: it compiles at its scheduled call
        h(X)
    assert h.call_stats().compiled > 0


@pytest.mark.parametrize("call, error, match", [
    (lambda: bpa.set_compiled_calls(False, max_programs=0), ValueError,
     r"^set_compiled_calls\(\): max_programs must be a positive int, got 0\.$"),
    (lambda: bpa.set_compiled_calls(False, compile_at=0), ValueError,
     r"^set_compiled_calls\(\): compile_at must be a positive int .*got 0\.$"),
    (lambda: bpa.set_compiled_calls(False, max_programs=3, compile_at="soon"), TypeError,
     r"^set_compiled_calls\(\): compile_at must be a positive int or 'auto', "
     r"got a str \('soon'\)\.$"),
    (lambda: bpa.compiled_calls(False, compile_at=0).__enter__(), ValueError,
     r"^compiled_calls\(\): compile_at must be a positive int .*got 0\.$"),
], ids=["max_programs", "compile_at", "both", "compiled_calls"])
def test_a_settings_call_that_raises_changes_no_setting(call, error, match):
    before = bpa.compiled_calls_enabled()
    with pytest.raises(error, match=match):
        call()
    assert bpa.compiled_calls_enabled() is before is True
    g = _tiny()
    g(X)
    assert g.call_stats().replayed == 1  # compile_at untouched ("auto")


def test_compiled_calls_names_itself_in_its_errors():
    with pytest.raises(ValueError, match=r"^compiled_calls\(\): compile_at must be"):
        with bpa.compiled_calls(compile_at=0):
            pass
    with pytest.raises(TypeError, match=r"^compiled_calls\(\): enabled must be"):
        with bpa.compiled_calls("no"):
            pass


def test_lowering_max_programs_drops_the_signatures_already_held(compile_at_second_call):
    g = _tiny()
    for n in range(1, 7):
        g(jnp.ones(n, jnp.float32))
    assert g.call_stats().signatures == 6
    try:
        bpa.set_compiled_calls(max_programs=2)
        g(jnp.ones(6, jnp.float32))  # a signature it holds: the oldest go
        assert g.call_stats().signatures == 2
    finally:
        bpa.set_compiled_calls(max_programs=32)


def test_a_call_whose_function_raises_while_traced_is_counted_as_interpreted_is():
    def f(x):
        if x.shape[0] == 5:
            raise ValueError("no fives")
        return jnp.sum(x ** 2)

    counts = []
    for compiled in (False, None):
        g = bpa.grad(f, compiled=compiled)
        for n in (2, 5, 5, 2):
            try:
                g(jnp.ones(n))
            except ValueError:
                pass
        stats = g.call_stats()
        counts.append(stats.calls)
        assert stats.calls == stats.compiled + stats.replayed + stats.interpreted
    assert counts == [4, 4]


def test_wait_for_compilations_has_nothing_to_wait_for():
    g = _tiny()
    for _ in range(3):
        g(X)
    assert bpa.wait_for_compilations() is True
    assert bpa.wait_for_compilations(0) is True


def _with_program_broken(monkeypatch, method: str, error: str, calls: int):
    """``Program.<method>`` made to raise ``error``; ``calls`` calls of a model's grad,
    each checked against brainstate's; the model, its reference and the call stats."""
    from brainpy_autograd._engine import _program

    def broken(self, *args):
        raise RuntimeError(error)

    monkeypatch.setattr(_program.Program, method, broken)
    model, reference = Model("grad", aux=True), Model("grad", aux=True)
    g = bpa.grad(model, grad_vars=model.w, has_aux=True)
    ref = bpa.grad(reference, grad_vars=reference.w, has_aux=True, compiled=False)
    for _ in range(calls):
        assert_same_result(g(X), ref(X))
    return model, reference, g.call_stats()


def test_a_failed_compilation_leaves_the_signature_replayed(monkeypatch, compile_at_second_call):
    _, _, stats = _with_program_broken(monkeypatch, "compile", "XLA said no", 4)
    assert (stats.programs, stats.compiled, stats.replayed) == (0, 0, 4)
    assert isinstance(stats.last_error, RuntimeError) and "XLA said no" in str(stats.last_error)


@pytest.mark.parametrize("refusal", ["Stale", "Unplaceable"])
def test_a_compiled_program_that_refuses_a_call_is_never_compiled_again(
        monkeypatch, refusal, compile_at_second_call):
    """An executable that refuses its inputs (``Stale``) or would put an output elsewhere
    (``Unplaceable``): that call and every later one of the signature are replayed, with
    what ``compiled=False`` gives, and the program is compiled once, not at every call
    (mutation check 2026-12-05: ``replay_only`` left False after the refusal survived)."""
    from brainpy_autograd._engine import _executable, _program

    error = getattr(_executable, refusal)

    def refuses(self, flat):
        raise error("refused")

    compiles = []
    compile = _program.Program.compile

    def counted(self, *args):
        compiles.append(self)
        return compile(self, *args)

    monkeypatch.setattr(_executable.Executable, "outputs", refuses)
    monkeypatch.setattr(_program.Program, "compile", counted)
    model, reference = Model("grad", aux=True), Model("grad", aux=True)
    g = bpa.grad(model, grad_vars=model.w, has_aux=True)
    ref = bpa.grad(reference, grad_vars=reference.w, has_aux=True, compiled=False)
    for _ in range(5):
        assert_same_result(g(X), ref(X))
    stats = g.call_stats()
    assert len(compiles) == 1
    assert (stats.programs, stats.compiled, stats.replayed) == (0, 0, 5)
    assert isinstance(stats.last_error, error)


def test_a_trace_that_fails_outside_the_users_code_falls_back_to_brainstate(monkeypatch):
    model, reference, stats = _with_program_broken(
        monkeypatch, "_index_outputs", "cannot index the outputs", 3)
    assert (stats.interpreted, stats.replayed, stats.compiled) == (3, 0, 0)
    assert "cannot index" in str(stats.last_error)
    assert model.python_calls == reference.python_calls == 1


def test_states_are_read_and_written_on_the_calling_thread_only(compile_at_second_call):
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
    for _ in range(4):
        g(X)
    assert g.call_stats().compiled == 3
    assert threads == {threading.get_ident()}
    assert not [t for t in threading.enumerate() if "brainpy_autograd" in t.name]


def _sin_grad(compiled=None):
    w = brainstate.ParamState(jnp.float32(2.0))
    return bpa.grad(lambda x: jnp.sum(jnp.sin(w.value * x)), grad_vars=w, argnums=0,
                    compiled=compiled)


@pytest.mark.parametrize("compile_at", [1, 2, "auto"], ids=str)
def test_a_float64_call_after_a_float32_call_of_the_same_shape(compile_at):
    """The signature's key holds the dtype: a float64 array of the same shape as an
    earlier float32 one is a new signature, with what ``compiled=False`` gives (x64 is on)."""
    assert jax.config.jax_enable_x64
    x32, x64 = X, X.astype(jnp.float64)
    g, ref = _sin_grad(), _sin_grad(compiled=False)
    with bpa.compiled_calls(compile_at=compile_at):
        for x in [x32, x64, x32, x64, x64, x32, x64]:
            assert_same_result(g(x), ref(x))
    assert g.call_stats().signatures == 2


@pytest.mark.parametrize("compile_at", [1, 2, "auto"], ids=str)
def test_weak_and_strong_typed_arrays_are_different_signatures(compile_at):
    """Two ``jax.Array`` scalars of one shape, dtype and placement, one weakly typed
    (``jnp.asarray(0.5)``) and one not: each call gives exactly what ``compiled=False``
    gives, the weak type of the argument's gradient included."""
    assert jax.config.jax_enable_x64
    weak, strong = jnp.asarray(0.5), jnp.float64(0.5)
    assert weak.aval.weak_type and not strong.aval.weak_type and weak.dtype == strong.dtype
    g, ref = _sin_grad(), _sin_grad(compiled=False)
    with bpa.compiled_calls(compile_at=compile_at):
        for x in [weak, strong, weak, strong, strong, weak, 0.5, weak]:
            assert_same_result(g(x), ref(x))
    assert g.call_stats().signatures == 3  # the Python float is a third (no placement)
