"""Load: one gradient function called from 8 threads at once on shared States.

What is guaranteed (README, "Threads"): calls of brainpy_autograd transforms
are serialised, so each call reads the States, computes and writes them back
before another starts. Concurrent calls therefore give the results of some
sequential order; where the writes commute, the final States equal those of
any sequential run.

Each test runs on both evaluation paths: ``compiled=True`` (repeated calls run
the cached compiled program) and ``compiled=False`` (every call interpreted by
brainstate, where unserialised calls lose updates).
"""

from __future__ import annotations

import threading

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainpy_autograd as bpa

THREADS = 8
CALLS = 300  # per thread, compiled path (the default)
INTERPRETED_CALLS = 50  # per thread, interpreted path (about 40x slower a call)


def x_for(thread: int, i: int) -> jax.Array:
    # Multiples of 1/4: every partial sum is exact in float32, in any order.
    return jnp.array([(thread % 4) / 4, (i % 8) / 4, 1.0], dtype=jnp.float32)


def run_threads(work, calls: int, threads: int = THREADS,
                timeout: float | None = None) -> list[BaseException]:
    """``work(t, i)`` for ``i < calls`` on each of ``threads`` threads, started together;
    the errors they raised (a thread still running after ``timeout`` is one)."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def worker(t: int) -> None:
        try:
            barrier.wait()
            for i in range(calls):
                work(t, i)
        except BaseException as e:  # noqa: BLE001 - reported to the test
            errors.append(e)

    started = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for th in started:
        th.start()
    for th in started:
        th.join(timeout)
        if th.is_alive():
            errors.append(TimeoutError(f"a thread still ran after {timeout} s"))
    return errors


def pure_loss(w, x):
    return jnp.sum(jnp.sin(w * x))


PATHS = pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "interpreted"])


@PATHS
@pytest.mark.parametrize("kind", ["grad", "jacrev"])
def test_concurrent_calls_with_commuting_writes(kind, compiled):
    n = CALLS if compiled else INTERPRETED_CALLS
    w = brainstate.ParamState(jnp.array([0.5, -1.0, 2.0], jnp.float32))
    calls = brainstate.State(jnp.float32(0.0))
    total = brainstate.State(jnp.zeros(3, jnp.float32))

    def loss(x):
        calls.value = calls.value + 1.0
        total.value = total.value + x
        return pure_loss(w.value, x)

    g = getattr(bpa, kind)(loss, grad_vars=w, argnums=0, return_value=True, compiled=compiled)
    oracle = jax.jit(jax.value_and_grad(pure_loss, argnums=(0, 1)))
    wrong: list[str] = []

    def work(t: int, i: int) -> None:
        x = x_for(t, i)
        (dw, dx), value = g(x)
        want_value, (want_dw, want_dx) = oracle(w.value, x)
        if not (np.allclose(dw, want_dw, rtol=1e-5) and np.allclose(dx, want_dx, rtol=1e-5)
                and np.allclose(value, want_value, rtol=1e-5)):
            wrong.append(f"thread {t} call {i}")

    errors = run_threads(work, n)
    assert errors == []
    assert wrong == []
    np.testing.assert_array_equal(calls.value, THREADS * n)
    want_total = sum(np.asarray(x_for(t, i)) for t in range(THREADS) for i in range(n))
    np.testing.assert_array_equal(total.value, want_total)


@PATHS
def test_concurrent_calls_without_writes(compiled):
    n = CALLS if compiled else INTERPRETED_CALLS
    w = brainstate.ParamState(jnp.array([0.5, -1.0, 2.0], jnp.float32))
    g = bpa.grad(lambda x: pure_loss(w.value, x), grad_vars={"w": w}, compiled=compiled)
    want = {(t, i): jax.grad(pure_loss)(w.value, x_for(t, i))
            for t in range(THREADS) for i in range(n) if i < 8}
    wrong: list[tuple[int, int]] = []

    def work(t: int, i: int) -> None:
        got = g(x_for(t, i))["w"]
        if not np.allclose(got, want[(t, i % 8)], rtol=1e-6):
            wrong.append((t, i))

    assert run_threads(work, n) == []
    assert wrong == []


@PATHS
def test_each_call_is_atomic(compiled):
    """Every call reads the counter, adds one and returns what it read: with
    serialised calls the values read are exactly 0 .. N-1, none seen twice."""
    n = CALLS if compiled else INTERPRETED_CALLS
    counter = brainstate.State(jnp.float32(0.0))
    w = brainstate.ParamState(jnp.float32(1.0))

    def loss(x):
        seen = counter.value
        counter.value = seen + 1.0
        return w.value * x, seen

    g = bpa.grad(loss, grad_vars=w, has_aux=True, compiled=compiled)
    seen: list[float] = []
    lock = threading.Lock()

    def work(t: int, i: int) -> None:
        _, value_read = g(jnp.float32(2.0))
        with lock:
            seen.append(float(value_read))

    assert run_threads(work, n) == []
    assert sorted(seen) == [float(k) for k in range(THREADS * n)]
    np.testing.assert_array_equal(counter.value, THREADS * n)


@pytest.mark.parametrize("compiled", [None, False], ids=["default", "interpreted"])
def test_a_call_inside_a_host_callback_that_does_not_wait_still_serialises(compiled):
    """A call that holds the lock while its host callback sleeps (review of issue 17):
    other threads' calls wait for it; only a callback blocked waiting on another thread
    lets them past (tests/test_compiled_invisible.py has that one)."""
    import time

    s = brainstate.State(jnp.zeros(()))

    def slow(x):
        jax.debug.callback(lambda v: time.sleep(0.02), x)
        s.value = s.value + 1.0
        return jnp.sum(x ** 2)

    def plain(x):
        s.value = s.value + 1.0
        return jnp.sum(x ** 2)

    calls = [bpa.grad(slow, compiled=compiled), bpa.grad(plain, compiled=compiled)]
    assert not run_threads(lambda t, i: calls[t](jnp.ones(2)), 8, threads=2, timeout=120)
    assert float(s.value) == 16.0  # no update lost


def test_a_callback_of_an_unrelated_program_lets_no_call_past_the_lock():
    """A jitted function of the user's, on a thread of its own, waiting inside its
    host callback: the transforms' calls on two other threads stay serialised."""
    import time

    release = threading.Event()
    s = brainstate.State(jnp.zeros(()))

    def host(v):
        release.wait(timeout=60)
        return v

    unrelated = jax.jit(lambda x: jax.pure_callback(
        host, jax.ShapeDtypeStruct((), jnp.float32), x))
    blocker = threading.Thread(target=lambda: unrelated(jnp.float32(1.0)))
    blocker.start()
    time.sleep(0.2)  # the blocker is inside its callback now

    def add(x):
        s.value = s.value + x
        return s.value * x

    g = bpa.grad(add)
    errors = run_threads(lambda t, i: g(jnp.float32(1.0)), 60, threads=2, timeout=120)
    release.set()
    blocker.join(timeout=60)
    assert not errors and float(s.value) == 120.0


@pytest.mark.parametrize("wait", ["event", "other job"])
def test_a_callback_waiting_for_something_else_lets_no_call_past(wait):
    """Second review of issue 17: a callback blocked on an Event, or on a pool job that
    calls no transform, is not waiting for the calls queued at the lock."""
    import concurrent.futures
    import time

    pool = concurrent.futures.ThreadPoolExecutor(1)
    count = brainstate.ShortTermState(jnp.zeros(()))

    def host(x):
        if wait == "event":
            threading.Event().wait(0.003)
        else:
            pool.submit(time.sleep, 0.003).result()
        return x

    def f(x):
        before = count.value
        shape = jax.ShapeDtypeStruct(x.shape, x.dtype)
        x = jax.pure_callback(host, shape, jax.lax.stop_gradient(x)) + 0 * x
        count.value = before + 1
        return jnp.sum(x ** 2)

    g = bpa.grad(f)
    g(jnp.ones(3))
    errors = run_threads(lambda t, i: g(jnp.ones(3)), 15, threads=3, timeout=120)
    pool.shutdown()
    assert not errors and int(count.value) == 46  # no update lost


def test_a_callback_that_joins_a_thread_calling_a_transform_finishes():
    inner = bpa.grad(lambda y: jnp.sum(y ** 3))
    results = []

    def host(v):
        worker = threading.Thread(target=lambda: results.append(inner(jnp.asarray(v))))
        worker.start()
        worker.join(timeout=60)
        return np.asarray(results[-1], np.float32)

    def loss(x):
        shape = jax.ShapeDtypeStruct((3,), jnp.float32)
        return jnp.sum(jax.pure_callback(host, shape, jax.lax.stop_gradient(x)) * x)

    x = jnp.array([1.0, 2.0, 3.0], jnp.float32)
    got = bpa.grad(loss)(x)
    np.testing.assert_allclose(got, 3 * x ** 2, rtol=1e-6)
