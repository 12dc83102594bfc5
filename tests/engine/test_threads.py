"""Threads: what docs/speed.md ("Threads and host callbacks") promises, sentence by sentence.

- Replayed and compiled calls (the default path) are serialised: each takes the
  call lock before it reads any State, a State passed as an argument included,
  and writes its States back before another starts; concurrent calls give the
  results of some sequential order.
- A host callback runs with the lock released, so it may wait for calls of
  transforms on other threads (through an executor, a thread, asyncio): such
  calls run and the wait ends.
- A call whose program runs a host callback is atomic up to the callback and from
  it on: the States it writes after the callback are computed from what it read
  before it.
- Calls that brainstate interprets (``compiled=False`` and the other cases of the
  table) take no lock: they behave as brainstate's own calls.
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


@pytest.mark.slow  # 8 threads x 300 calls: CI runs it with the slow tests
@pytest.mark.parametrize("kind", ["grad", "jacrev"])
def test_concurrent_calls_with_commuting_writes(kind):
    n, compiled = CALLS, None
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


@pytest.mark.slow  # 8 threads x 300 calls: CI runs it with the slow tests
def test_concurrent_calls_without_writes():
    n, compiled = CALLS, None
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


@pytest.mark.slow  # 8 threads x 300 calls: CI runs it with the slow tests
def test_each_call_is_atomic():
    """Every call reads the counter, adds one and returns what it read: with
    serialised calls the values read are exactly 0 .. N-1, none seen twice."""
    n, compiled = CALLS, None
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


def test_a_call_nested_in_a_call_still_lets_its_callback_wait_for_other_threads():
    """A State whose value getter runs a transform: reading it, the call makes a call of
    its own on the same thread (the lock taken twice). After that nested call returned,
    the program's host callback joins a thread calling a transform: the lock was let go
    at every level, and the wait ends (mutation check 2026-12-05: the nested call's exit
    forgetting which thread holds the lock survived)."""
    inner = bpa.grad(lambda y: jnp.sum(y ** 3))
    nested = bpa.grad(lambda y: jnp.sum(y ** 2))

    class Reading(brainstate.State):
        @property
        def value(self):
            nested(jnp.ones(3, jnp.float32))
            return brainstate.State.value.fget(self)

        @value.setter
        def value(self, v):
            brainstate.State.value.fset(self, v)

    w = Reading(jnp.full(3, 2.0, jnp.float32))
    results = []

    def host(v):
        worker = threading.Thread(target=lambda: results.append(inner(jnp.asarray(v))))
        worker.start()
        worker.join(timeout=20)
        assert not worker.is_alive(), "the callback's wait did not end"
        return np.asarray(results[-1], np.float32)

    def loss(x):
        shape = jax.ShapeDtypeStruct((3,), jnp.float32)
        return jnp.sum(jax.pure_callback(host, shape, jax.lax.stop_gradient(x)) * x * w.value)

    x = jnp.array([1.0, 2.0, 3.0], jnp.float32)
    g = bpa.grad(loss)
    for _ in range(2):
        np.testing.assert_allclose(g(x), 3 * x ** 2 * 2.0, rtol=1e-6)
    assert g.call_stats().replayed == 2


# --- issue 22: the scenarios that lost updates, raised or hung on 00d754b ----------------


def test_a_state_passed_as_an_argument_is_read_under_the_lock():
    """8 threads x 50 calls of g(s), the function writing ``s.value = x + 1``: every
    sequential order gives 400 (the State was read before the lock: 51)."""
    s = brainstate.State(jnp.float32(0.0))

    def f(x):
        s.value = x + 1.0
        return x * 2.0

    g = bpa.grad(f)
    assert run_threads(lambda t, i: g(s), 50, timeout=300) == []
    assert float(s.value) == THREADS * 50


@pytest.mark.parametrize("wait", ["wait", "as_completed"])
def test_a_callback_waiting_on_several_futures_of_transform_calls(wait):
    """Each future runs a transform that increments a State: none is lost, none races
    (the calls were let past the lock together: 14 of 18, tracer errors)."""
    import concurrent.futures as cf

    pool = cf.ThreadPoolExecutor(4)
    count = brainstate.State(jnp.float32(0.0))

    def increment(y):
        count.value = count.value + 1.0
        return jnp.sum(y ** 2)

    inner = bpa.grad(increment)

    def host(v):
        futures = [pool.submit(inner, jnp.asarray(v)) for _ in range(6)]
        done = cf.wait(futures)[0] if wait == "wait" else list(cf.as_completed(futures))
        assert len(done) == 6
        return v

    def f(x):
        shape = jax.ShapeDtypeStruct(x.shape, x.dtype)
        return jnp.sum(jax.pure_callback(host, shape, jax.lax.stop_gradient(x)) * x)

    g = bpa.grad(f)
    for _ in range(3):
        g(jnp.ones(3, jnp.float32))
    pool.shutdown()
    assert float(count.value) == 18.0


def test_a_two_level_hand_off_through_executors_finishes():
    """A callback waits on a future whose transform's callback waits on another future."""
    import concurrent.futures as cf

    pool = cf.ThreadPoolExecutor(2)
    leaf = bpa.grad(lambda y: jnp.sum(y ** 3))

    def through(transform):
        def host(v):
            return np.asarray(pool.submit(transform, jnp.asarray(v)).result(), np.float32)

        def f(x):
            shape = jax.ShapeDtypeStruct(x.shape, jnp.float32)
            return jnp.sum(jax.pure_callback(host, shape, jax.lax.stop_gradient(x)) * x)
        return f

    middle = bpa.grad(through(leaf))
    top = bpa.grad(through(middle))
    x = jnp.array([1.0, 2.0], jnp.float32)
    errors = run_threads(lambda t, i: top(x), 2, threads=1, timeout=120)
    assert errors == []
    np.testing.assert_allclose(top(x), 3 * x ** 2)  # d/dx of sum(stop_gradient(.) * x)
    pool.shutdown()


def test_a_callback_that_runs_a_transform_through_asyncio_finishes():
    import asyncio

    inner = bpa.grad(lambda y: jnp.sum(y ** 3))

    async def in_executor(v):
        return await asyncio.get_running_loop().run_in_executor(None, inner, jnp.asarray(v))

    def host(v):
        return np.asarray(asyncio.run(in_executor(v)), np.float32)

    def f(x):
        shape = jax.ShapeDtypeStruct(x.shape, jnp.float32)
        return jnp.sum(jax.pure_callback(host, shape, jax.lax.stop_gradient(x)) * x)

    x = jnp.array([1.0, 2.0], jnp.float32)
    g = bpa.grad(f)
    errors = run_threads(lambda t, i: g(x), 2, threads=1, timeout=120)
    assert errors == []
    np.testing.assert_allclose(g(x), 3 * x ** 2)


def test_another_threads_call_runs_while_a_callback_waits():
    """The callback waits until a call on another thread has finished: that call could
    not start were the lock held across the callback."""
    other_done = threading.Event()
    other = bpa.grad(lambda y: jnp.sum(y ** 2))

    def host(v):
        assert other_done.wait(timeout=60), "the other thread's call never ran"
        return v

    def f(x):
        shape = jax.ShapeDtypeStruct(x.shape, x.dtype)
        return jnp.sum(jax.pure_callback(host, shape, jax.lax.stop_gradient(x)) * x)

    g = bpa.grad(f)
    x = jnp.ones(2, jnp.float32)
    other_done.set()
    g(x)  # traced and replayed once, with the event already set
    other_done.clear()
    first = threading.Thread(target=lambda: g(x))
    first.start()

    def second():
        other(x)
        other_done.set()
    errors = run_threads(lambda t, i: second(), 1, threads=1, timeout=60)
    first.join(timeout=60)
    assert errors == [] and not first.is_alive()


def test_states_written_after_a_callback_come_from_what_was_read_before_it():
    """The documented price of releasing the lock: an update that another call makes
    while this call's callback runs is overwritten by this call's own write."""
    s = brainstate.State(jnp.float32(0.0))

    def add_100(y):
        s.value = s.value + 100.0
        return y * 1.0

    bump = bpa.grad(add_100)

    def host(v):
        thread = threading.Thread(target=lambda: bump(jnp.float32(1.0)))
        thread.start()
        thread.join(timeout=60)
        return v

    def f(x):
        before = s.value
        y = jax.pure_callback(host, jax.ShapeDtypeStruct((), jnp.float32),
                              jax.lax.stop_gradient(x))
        s.value = before + 1.0
        return y * x

    bpa.grad(f)(jnp.float32(1.0))
    assert float(s.value) == 1.0  # read 0 before the callback, wrote 0 + 1 after it


@pytest.mark.parametrize("inside", ["scan", "cond", "jit"])
def test_a_callback_nested_in_a_loop_conditional_or_inner_jit_releases_the_lock(inside):
    """The lock is released around the whole top-level equation that holds the callback."""
    import concurrent.futures as cf

    pool = cf.ThreadPoolExecutor(1)
    inner = bpa.grad(lambda y: jnp.sum(y ** 3))

    def host(v):
        return np.asarray(pool.submit(inner, jnp.asarray(v)).result(), np.float32)

    def call_back(x):
        return jax.pure_callback(host, jax.ShapeDtypeStruct(x.shape, jnp.float32), x)

    def nested(x):
        if inside == "scan":
            return jax.lax.scan(lambda c, _: (call_back(c), None), x, None, length=2)[0]
        if inside == "cond":
            return jax.lax.cond(x[0] > 0, call_back, lambda c: c, x)
        return jax.jit(call_back)(x)

    def f(x):
        return jnp.sum(nested(jax.lax.stop_gradient(x)) * x)

    g = bpa.grad(f)
    x = jnp.array([1.0, 2.0], jnp.float32)
    errors = run_threads(lambda t, i: g(x), 2, threads=1, timeout=120)
    pool.shutdown()
    assert errors == []
    assert g.call_stats().replayed == 2 and g.call_stats().compiled == 0
