"""Load: one gradient function called from 8 threads at once on shared States.

What is guaranteed (README, "Threads"): calls of brainpy_autograd transforms
are serialised, so each call reads the States, computes and writes them back
before another starts. Concurrent calls therefore give the results of some
sequential order; where the writes commute, the final States equal those of
any sequential run.
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
CALLS = 200


def x_for(thread: int, i: int) -> jax.Array:
    # Multiples of 1/4: every partial sum is exact in float32, in any order.
    return jnp.array([(thread % 4) / 4, (i % 8) / 4, 1.0], dtype=jnp.float32)


def run_threads(work) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def worker(t: int) -> None:
        try:
            barrier.wait()
            for i in range(CALLS):
                work(t, i)
        except BaseException as e:  # noqa: BLE001 - reported to the test
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return errors


def pure_loss(w, x):
    return jnp.sum(jnp.sin(w * x))


@pytest.mark.parametrize("kind", ["grad", "jacrev"])
def test_concurrent_calls_with_commuting_writes(kind):
    w = brainstate.ParamState(jnp.array([0.5, -1.0, 2.0], jnp.float32))
    calls = brainstate.State(jnp.float32(0.0))
    total = brainstate.State(jnp.zeros(3, jnp.float32))

    def loss(x):
        calls.value = calls.value + 1.0
        total.value = total.value + x
        return pure_loss(w.value, x)

    g = getattr(bpa, kind)(loss, grad_vars=w, argnums=0, return_value=True)
    oracle = jax.jit(jax.value_and_grad(pure_loss, argnums=(0, 1)))
    wrong: list[str] = []

    def work(t: int, i: int) -> None:
        x = x_for(t, i)
        (dw, dx), value = g(x)
        want_value, (want_dw, want_dx) = oracle(w.value, x)
        if not (np.allclose(dw, want_dw, rtol=1e-5) and np.allclose(dx, want_dx, rtol=1e-5)
                and np.allclose(value, want_value, rtol=1e-5)):
            wrong.append(f"thread {t} call {i}")

    errors = run_threads(work)
    assert errors == []
    assert wrong == []
    np.testing.assert_array_equal(calls.value, THREADS * CALLS)
    want_total = sum(np.asarray(x_for(t, i)) for t in range(THREADS) for i in range(CALLS))
    np.testing.assert_array_equal(total.value, want_total)


def test_concurrent_calls_without_writes():
    w = brainstate.ParamState(jnp.array([0.5, -1.0, 2.0], jnp.float32))
    g = bpa.grad(lambda x: pure_loss(w.value, x), grad_vars={"w": w})
    want = {(t, i): jax.grad(pure_loss)(w.value, x_for(t, i))
            for t in range(THREADS) for i in range(CALLS) if i < 8}
    wrong: list[tuple[int, int]] = []

    def work(t: int, i: int) -> None:
        got = g(x_for(t, i))["w"]
        if not np.allclose(got, want[(t, i % 8)], rtol=1e-6):
            wrong.append((t, i))

    assert run_threads(work) == []
    assert wrong == []


def test_each_call_is_atomic():
    """Every call reads the counter, adds one and returns what it read: with
    serialised calls the values read are exactly 0 .. N-1, none seen twice."""
    counter = brainstate.State(jnp.float32(0.0))
    w = brainstate.ParamState(jnp.float32(1.0))

    def loss(x):
        seen = counter.value
        counter.value = seen + 1.0
        return w.value * x, seen

    g = bpa.grad(loss, grad_vars=w, has_aux=True)
    seen: list[float] = []
    lock = threading.Lock()

    def work(t: int, i: int) -> None:
        _, value_read = g(jnp.float32(2.0))
        with lock:
            seen.append(float(value_read))

    assert run_threads(work) == []
    assert sorted(seen) == [float(k) for k in range(THREADS * CALLS)]
    np.testing.assert_array_equal(counter.value, THREADS * CALLS)
