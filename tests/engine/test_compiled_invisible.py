"""Replayed and compiled calls are invisible: each case here once differed from brainstate's
own interpreted call (issue 17, 3a-3j). brainstate (``compiled=False``) is the oracle."""

from __future__ import annotations

import collections
import dataclasses
import gc
import os
import subprocess
import sys
import textwrap

import brainstate
import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from oracle import assert_same_result, assert_tree_close, exact_layout

import brainpy_autograd as bpa
from brainpy_autograd._engine._program import Program

X = jnp.array([0.3, -0.7, 1.2], dtype=jnp.float32)


def run_python(code: str, timeout: float = 240, **env: str) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter; a hang fails the test instead of the suite."""
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, timeout=timeout, env=dict(os.environ, **env))
    assert out.returncode == 0, out.stderr[-3000:]
    return out


# 3a ------------------------------------------------------------------------


def test_a_numpy_array_changed_in_place_is_read_as_it_is_now(compile_at_second_call):
    t = np.ones(3, np.float32)
    ours = bpa.grad(lambda x: jnp.sum(t * x))
    theirs = bpa.grad(lambda x: jnp.sum(t * x), compiled=False)
    for _ in range(3):
        assert_same_result(ours(X), theirs(X))
    t[:] = 5
    assert ours.call_stats().compiled == 2
    assert_same_result(ours(X), theirs(X))
    np.testing.assert_array_equal(np.asarray(ours(X)), [5, 5, 5])
    assert ours.call_stats().compiled == 4


# 3b ------------------------------------------------------------------------


@pytest.mark.parametrize("compiled", [None, False])
def test_a_host_callback_that_calls_a_transform_on_another_thread_finishes(compiled):
    out = run_python(f"""
        from concurrent.futures import ThreadPoolExecutor
        import jax, jax.numpy as jnp, numpy as np, brainstate
        import brainpy_autograd as bpa

        inner = bpa.grad(lambda y: jnp.sum(y ** 3), compiled={compiled})
        pool = ThreadPoolExecutor(1)

        def host(v):
            return np.asarray(pool.submit(inner, jnp.asarray(v)).result(), np.float32)

        def loss(x):
            shape = jax.ShapeDtypeStruct((3,), jnp.float32)
            return jnp.sum(jax.pure_callback(host, shape, jax.lax.stop_gradient(x)) * x)

        x = jnp.array([1.0, 2.0, 3.0], jnp.float32)
        ours = bpa.grad(loss, compiled={compiled})
        theirs = brainstate.transform.grad(loss)
        for _ in range(3):
            np.testing.assert_allclose(ours(x), theirs(x), rtol=1e-6)
        print("done", ours(x).tolist())
    """, timeout=180)
    assert out.stdout.split()[0] == "done"


# 3c ------------------------------------------------------------------------


def _raised(call):
    with pytest.raises(Exception) as info:
        call()
    return info.value


def _outcome(call):
    """What ``call()`` returned, or the exception it raised."""
    try:
        return call()
    except Exception as err:  # noqa: BLE001 - compared with the reference's
        return err


@pytest.mark.parametrize("where", ["output", "intermediate"])
def test_jax_debug_nans_raises_as_brainstate_does_and_writes_nothing(where, compile_at_second_call):
    def make(compiled):
        s = brainstate.State(jnp.float32(0.0))

        def f(x):
            s.value = s.value + 1.0
            if where == "output":
                return jnp.sum(jnp.sqrt(x))  # the gradient of sqrt(-0.7) is NaN
            return jnp.sum(jnp.where(jnp.isnan(jnp.log(x)), 0.0, 1.0) * x)

        return s, bpa.grad(f, compiled=compiled)

    (s1, ours), (s2, theirs) = make(None), make(False)
    ok = jnp.linspace(0.1, 1.0, 7, dtype=jnp.float32)
    bad = jnp.linspace(-1.0, 1.0, 7, dtype=jnp.float32)
    for _ in range(3):
        ours(ok), theirs(ok)
    assert ours.call_stats().compiled == 2
    jax.config.update("jax_debug_nans", True)
    try:
        reference = _outcome(lambda: theirs(bad))
        mine = _outcome(lambda: ours(bad))
    finally:
        jax.config.update("jax_debug_nans", False)
    assert type(mine) is type(reference)
    if isinstance(reference, BaseException):
        assert type(reference) is FloatingPointError  # (jax 0.8.0 may skip the check)
    else:
        assert_same_result(mine, reference)
    assert float(s1.value) == float(s2.value)
    assert float(s1.value) == (3.0 if isinstance(reference, BaseException) else 4.0)


@pytest.mark.parametrize("compile_at", [1, 2])
@pytest.mark.parametrize("where", ["output", "intermediate"])
def test_jax_debug_infs_raises_once_the_program_is_compiled(where, compile_at):
    """``jax_debug_infs`` sends a call to brainstate, as ``jax_debug_nans`` does: an Inf
    in the gradient, or only in an intermediate that no output shows, raises
    FloatingPointError at every call, after the signature's program was compiled too."""
    s = brainstate.State(jnp.float32(0.0))

    def f(x):
        s.value = s.value + 1.0
        if where == "output":
            return jnp.sum(jnp.log(x))  # the gradient of log at 0 is Inf
        return jnp.sum(jnp.where(jnp.isinf(1.0 / x), 0.0, 1.0) * x)  # 1/0 inside only

    ok = jnp.linspace(0.1, 1.0, 7, dtype=jnp.float32)
    bad = jnp.linspace(0.0, 1.0, 7, dtype=jnp.float32)  # same signature, one 0
    g = bpa.grad(f)
    with bpa.compiled_calls(compile_at=compile_at):
        for _ in range(3):
            g(ok)
        assert g.call_stats().compiled == 4 - compile_at
        g(bad)  # without the flag: no check, no error
        jax.config.update("jax_debug_infs", True)
        try:
            if not isinstance(_outcome(lambda: bpa.grad(f, compiled=False)(bad)),
                              FloatingPointError):
                pytest.skip("this jax does not check for Inf here")  # as the nans test allows
            s.value = jnp.float32(4.0)  # the reference call above wrote nothing
            for _ in range(3):
                with pytest.raises(FloatingPointError, match=r"(?i)inf"):
                    g(bad)
        finally:
            jax.config.update("jax_debug_infs", False)
    assert g.call_stats().compiled == 5 - compile_at  # the flagged calls were interpreted
    assert float(s.value) == 4.0  # a call that raised wrote nothing


# 3d ------------------------------------------------------------------------


def _live_programs() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) is Program)


def test_evicted_signatures_free_their_programs(compile_at_second_call):
    w = brainstate.ParamState(jnp.float32(2.0))
    g = bpa.grad(lambda x: jnp.sum(w.value * x))
    before = _live_programs()
    bpa.set_compiled_calls(max_programs=2)
    try:
        for n in range(1, 7):  # six signatures, four of them evicted
            for _ in range(2):
                g(jnp.ones(n, jnp.float32))
        assert g.call_stats().signatures == 2
        assert _live_programs() - before <= 2
    finally:
        bpa.set_compiled_calls(max_programs=32)


# 3e ------------------------------------------------------------------------


def test_a_much_larger_program_is_not_compiled_at_once_after_small_ones():
    w = brainstate.ParamState(jnp.float32(0.9))

    def loss(xs):
        h = jnp.float32(0.0)
        for t in range(xs.shape[0]):  # the program grows with the sequence length
            h = jnp.tanh(w.value * h + xs[t])
        return h

    g = bpa.grad(loss, grad_vars=w)
    with bpa.compiled_calls(compile_at=2):
        for _ in range(2):
            g(jnp.ones(2, jnp.float32))
    for n in (3, 4):  # small ones: compiled at once now
        g(jnp.ones(n, jnp.float32))
    assert g.call_stats().programs == 3
    g(jnp.ones(160, jnp.float32))  # 80 times the first program
    stats = g.call_stats()
    assert stats.programs == 3 and stats.replayed == 2  # replayed, not compiled


# 3f ------------------------------------------------------------------------


@jax.tree_util.register_dataclass
@dataclasses.dataclass
class Record:
    loss: jax.Array
    tag: int


def _aux_cases():
    def ordered(y, x):
        return collections.OrderedDict([("z", y), ("n", 3), ("a", 2.5)])

    def record(y, x):
        return Record(y, 7)

    def quantity(y, x):
        return {"q": u.Quantity(1.5, u.mV), "y": y}

    def arguments(y, x):
        return (y, x)

    return {"OrderedDict": ordered, "dataclass": record, "Quantity": quantity,
            "arguments": arguments}


@pytest.mark.parametrize("case", list(_aux_cases()))
@pytest.mark.parametrize("x", [np.float32(0.4) * np.ones(3, np.float32), 0.4],
                         ids=["numpy", "float"])
def test_aux_leaves_keep_their_types(case, x, compile_at_second_call):
    aux_of = _aux_cases()[case]
    w = brainstate.ParamState(jnp.array([0.5, 1.5, -1.0], jnp.float32))

    def loss(scale, x):
        y = jnp.sin(w.value * scale)
        return jnp.sum(y * x), aux_of(y, x)

    ours = bpa.grad(loss, grad_vars=w, has_aux=True)
    theirs = bpa.grad(loss, grad_vars=w, has_aux=True, compiled=False)
    want = theirs(X, x)
    for _ in range(3):
        got = ours(X, x)
        assert jax.tree.structure(got) == jax.tree.structure(want)
        assert [type(a) for a in jax.tree.leaves(got)] == [type(b) for b in jax.tree.leaves(want)]
        assert exact_layout(got) == exact_layout(want)
        assert_tree_close(jax.tree.leaves(got), jax.tree.leaves(want))
    if case == "arguments":  # the caller's own object comes back, as brainstate gives it
        assert (ours(X, x)[1][1] is x) == (theirs(X, x)[1][1] is x)
    stats = ours.call_stats()
    assert stats.compiled == stats.calls - 1 >= 2


def _constant_outputs():
    w = brainstate.ParamState(jnp.ones(3))
    b = brainstate.ParamState(jnp.float32(0.5))
    return {
        "bias gradient": (bpa.grad, dict(grad_vars={"w": w, "b": b}),
                          lambda x: jnp.sum(w.value * x) + b.value, X),
        "unused argument": (bpa.grad, dict(argnums=(0, 1)),
                            lambda x, y: jnp.sum(x ** 2), (X, jnp.float32(2.0))),
        "vector_grad of x + 1 at a scalar": (bpa.vector_grad, {}, lambda x: x + 1.0,
                                             jnp.float32(2.0)),
    }


@pytest.mark.parametrize("path", ["replayed", "compiled"])
@pytest.mark.parametrize("case", list(_constant_outputs()))
def test_a_constant_output_is_a_new_array_that_no_later_call_shares(case, path):
    """A gradient that is a constant of the program (review of issue 17): brainstate
    computes a new jax.Array each call; the program's own (writable NumPy) constant
    must never be handed out, or changing it in place would change every later call."""
    transform, options, f, args = _constant_outputs()[case]
    args = args if isinstance(args, tuple) else (args,)
    want = transform(f, compiled=False, **options)(*args)
    with bpa.compiled_calls(compile_at=1 if path == "compiled" else 100):
        ours = transform(f, **options)
        first = ours(*args)
        leaves = jax.tree.leaves(first)
        assert all(isinstance(leaf, jax.Array) for leaf in leaves), [type(v) for v in leaves]
        assert [type(v) for v in leaves] == [type(v) for v in jax.tree.leaves(want)]
        for leaf in leaves:  # what a user's in-place update would do, were it NumPy's
            assert not isinstance(leaf, np.ndarray)
        second = ours(*args)
        assert all(a is not b for a, b in zip(leaves, jax.tree.leaves(second)))
        assert_same_result(second, want)
        assert getattr(ours.call_stats(), path) == 2


@pytest.mark.parametrize("constant", [1.0, np.float32(1.0), np.ones(3, np.float32)],
                         ids=["float", "numpy scalar", "numpy array"])
def test_a_state_assigned_a_constant_holds_what_brainstate_writes(constant,
                                                                  compile_at_second_call):
    def make(compiled):
        s = brainstate.State(jnp.zeros(np.shape(constant), jnp.float32))

        def f(x):
            s.value = constant
            return jnp.sum(x ** 2)

        return s, bpa.grad(f, compiled=compiled)

    (s1, ours), (s2, theirs) = make(None), make(False)
    for _ in range(20):
        ours(X), theirs(X)
        assert type(s1.value) is type(s2.value)
        np.testing.assert_array_equal(np.asarray(s1.value), np.asarray(s2.value))
    stats = ours.call_stats()
    # the State holds another kind of value after call 1 (the constant's, as brainstate
    # writes it): a different key, so the program is traced once more, then compiled
    assert stats.traces == 2 and stats.compiled == 18


# 3g ------------------------------------------------------------------------


def test_an_exception_in_a_debug_callback_comes_back_as_itself(compile_at_second_call):
    def check(v):
        if v > 1:
            raise ValueError("too big")

    def loss(x):
        jax.debug.callback(check, jnp.max(x))
        return jnp.sum(x ** 2)

    ours, theirs = bpa.grad(loss), bpa.grad(loss, compiled=False)
    small = jnp.array([0.1, 0.2, 0.3], jnp.float32)
    for _ in range(3):
        ours(small)
    mine, reference = _raised(lambda: ours(X)), _raised(lambda: theirs(X))
    assert type(mine) is type(reference) is ValueError
    assert str(mine) == str(reference) == "too big"
    assert ours.call_stats().compiled == 0  # host callbacks: never compiled


# 3h ------------------------------------------------------------------------


def test_results_land_on_the_default_device_as_interpreted_ones_do():
    out = run_python("""
        import jax, jax.numpy as jnp, brainstate
        import brainpy_autograd as bpa
        devices = jax.devices()
        w = brainstate.ParamState(jnp.ones(3))
        ours = bpa.grad(lambda x: jnp.sum(w.value * x ** 2), grad_vars=w, argnums=0)
        theirs = bpa.grad(lambda x: jnp.sum(w.value * x ** 2), grad_vars=w, argnums=0,
                          compiled=False)
        x = jnp.arange(3.0)
        with bpa.compiled_calls(compile_at=2):
            for _ in range(3):
                ours(x)
            for d in (devices[1], devices[0], devices[1]):
                with jax.default_device(d):
                    for _ in range(3):
                        before = ours.call_stats().compiled
                        got, want = ours(jnp.arange(3.0)), theirs(jnp.arange(3.0))
                        assert [a.devices() for a in jax.tree.leaves(got)] == \\
                            [b.devices() for b in jax.tree.leaves(want)], (d, got, want)
                        assert jax.tree.leaves(got)[0].devices() == {d}
                    assert ours.call_stats().compiled == before + 1  # the last one was
        print(ours.call_stats().compiled)
    """, XLA_FLAGS="--xla_force_host_platform_device_count=2", JAX_PLATFORMS="cpu")
    assert int(out.stdout.split()[-1]) == 2 + 2 + 2 + 3


# 3i ------------------------------------------------------------------------


def test_a_function_that_raises_while_traced_runs_once_per_call():
    runs = {"ours": 0, "theirs": 0}

    def make(name, compiled):
        w = brainstate.ParamState(jnp.float32(2.0))

        def f(x):
            runs[name] += 1
            if x.shape[0] == 5:
                raise ValueError("five is not allowed")
            return jnp.sum(w.value * x)

        return bpa.grad(f, grad_vars=w, compiled=compiled)

    ours, theirs = make("ours", None), make("theirs", False)
    with bpa.compiled_calls(compile_at=2):
        for _ in range(2):
            ours(X), theirs(X)
    ours(jnp.ones(4, jnp.float32)), theirs(jnp.ones(4, jnp.float32))  # compiled at once
    assert ours.call_stats().programs == 2
    for _ in range(2):
        mine = _raised(lambda: ours(jnp.ones(5, jnp.float32)))
        reference = _raised(lambda: theirs(jnp.ones(5, jnp.float32)))
        assert type(mine) is type(reference) and str(mine) == str(reference)
    assert runs["ours"] == runs["theirs"]


# 3j ------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_waits_for_nothing_and_can_take_the_call_lock():
    # (JAX itself cannot compute in a child forked after it started its threads: that
    # is JAX's limit. What this package owns must not hang there.)
    out = run_python("""
        import os, threading, warnings
        warnings.simplefilter("ignore")  # JAX warns that fork() and threads do not mix
        import jax.numpy as jnp, brainstate
        import brainpy_autograd as bpa
        from brainpy_autograd._engine import _serial
        w = brainstate.ParamState(jnp.ones(16) * 0.5)
        g = bpa.grad(lambda x: jnp.sum(jnp.tanh(w.value * x)), grad_vars=w)
        for _ in range(3):
            g(jnp.ones(16))
        holding, release = threading.Event(), threading.Event()
        def hold():
            with _serial.serialised():  # a call in progress in another thread
                holding.set()
                release.wait()
        threading.Thread(target=hold, daemon=True).start()
        holding.wait()
        pid = os.fork()
        if pid == 0:
            ok = bpa.wait_for_compilations(5)
            with _serial.serialised():
                pass
            os._exit(0 if ok else 3)
        release.set()
        _, status = os.waitpid(pid, 0)
        print("child", os.waitstatus_to_exitcode(status))
    """, timeout=120)
    assert out.stdout.split()[-1] == "0"
