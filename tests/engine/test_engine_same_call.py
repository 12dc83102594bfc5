"""Issue 22's measured cases: each fails on 00d754b, where the engine kept its own idea
of "the same call" (leaf shapes and dtypes only) and of where outputs live.

Every case compares the default path (traced, replayed, then compiled) with
``compiled=False``, brainstate's own call, over calls made before and after a change.
The differential fuzzer (test_fuzz_engine.py) explores the space these come from.
"""

from __future__ import annotations

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

import brainpy_autograd as bpa

PATHS = pytest.mark.parametrize("compile_at", [1, 2, "auto"])


def both(make):
    """``make(compiled)`` for the default path and for compiled=False."""
    return make(None), make(False)


def assert_same(ours, theirs):
    assert jax.tree.structure(ours) == jax.tree.structure(theirs)
    for a, b in zip(jax.tree.leaves(ours), jax.tree.leaves(theirs)):
        assert type(a) is type(b) and a.dtype == b.dtype
        assert getattr(a, "weak_type", None) == getattr(b, "weak_type", None)
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6)


@PATHS
def test_a_states_dict_keys_changing_between_calls(compile_at):
    def make(compiled):
        s = brainstate.State({"a": jnp.ones(3), "b": jnp.full(3, 10.0)})

        def f(x):
            return jnp.sum(x * sum(jax.tree.leaves(s.value))), s.value

        return s, bpa.grad(f, has_aux=True, compiled=compiled)

    (s1, ours), (s2, theirs) = both(make)
    with bpa.compiled_calls(compile_at=compile_at):
        for _ in range(3):
            assert_same(ours(jnp.ones(3)), theirs(jnp.ones(3)))
        for s in (s1, s2):
            s.value = {"a": jnp.ones(3), "c": jnp.full(3, 30.0)}
        for _ in range(2):
            got = ours(jnp.ones(3))
            assert_same(got, theirs(jnp.ones(3)))
            np.testing.assert_array_equal(got[0], [31, 31, 31])
    assert sorted(s1.value) == ["a", "c"]


@PATHS
def test_a_state_changing_unit_between_calls(compile_at):
    def make(compiled):
        v = brainstate.State(jnp.ones(3) * u.mV)

        def f(x):
            return jnp.sum(x ** 2), v.value * 1.0

        return v, bpa.grad(f, has_aux=True, compiled=compiled)

    (v1, ours), (v2, theirs) = both(make)
    with bpa.compiled_calls(compile_at=compile_at):
        for _ in range(3):
            ours(jnp.ones(3)), theirs(jnp.ones(3))
        for v in (v1, v2):
            v.value = jnp.ones(3) * u.volt
        for _ in range(2):
            (_, aux), (_, want) = ours(jnp.ones(3)), theirs(jnp.ones(3))
            assert aux.unit == want.unit == u.volt
            np.testing.assert_allclose(aux.mantissa, want.mantissa)


@PATHS
def test_unit_aware_gradients_follow_a_states_new_unit(compile_at):
    def make(compiled):
        g = brainstate.ParamState(jnp.ones(3) * u.nS)

        def current(v):
            return u.math.sum(g.value * v)

        return g, bpa.grad(current, grad_vars=g, argnums=0, unit_aware=True,
                           return_value=True, compiled=compiled)

    (g1, ours), (g2, theirs) = both(make)
    v = jnp.ones(3) * u.mV
    with bpa.compiled_calls(compile_at=compile_at):
        for _ in range(3):
            ours(v), theirs(v)
        for g in (g1, g2):
            g.value = jnp.ones(3) * u.uS
        for _ in range(2):
            ((dg, dv), value), ((wdg, wdv), wvalue) = ours(v), theirs(v)
            for a, b in ((dg, wdg), (dv, wdv), (value, wvalue)):
                assert u.get_unit(a) == u.get_unit(b)
                np.testing.assert_allclose(u.get_mantissa(a), u.get_mantissa(b))


@pytest.mark.parametrize("x64, dtype, constant", [
    (False, jnp.float16, 1.0),   # replay raised lax.mul TypeError; compiled kept float16
    (True, jnp.int32, 0),        # a counter reset by cnt.value = 0: lax.add TypeError
    (True, jnp.float32, 2.0),    # compiled gave float32 where brainstate gives weak float64
])
@PATHS
def test_a_python_scalar_written_into_a_state_between_calls(x64, dtype, constant, compile_at):
    previous = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", x64)
    try:
        def make(compiled):
            s = brainstate.State(jnp.ones(3, dtype))

            def f(x):
                s.value = s.value * 2 + 1
                return jnp.sum(x ** 2)

            return s, bpa.grad(f, compiled=compiled)

        (s1, ours), (s2, theirs) = both(make)
        x = jnp.ones(3, jnp.float32)
        with bpa.compiled_calls(compile_at=compile_at):
            for _ in range(3):
                assert_same(ours(x), theirs(x))
            for s in (s1, s2):
                s.value = constant
            for _ in range(3):
                assert_same(ours(x), theirs(x))
                assert_same(s1.value, s2.value)
    finally:
        jax.config.update("jax_enable_x64", previous)


def test_call_stats_count_a_call_that_raised_while_replayed():
    boom = {"on": False}

    def host(v):
        if boom["on"]:
            raise ValueError("planted")
        return v

    def f(x):
        y = jax.pure_callback(host, jax.ShapeDtypeStruct(x.shape, x.dtype),
                              jax.lax.stop_gradient(x))
        return jnp.sum(y * x)

    g = bpa.grad(f)
    g(jnp.ones(2))
    boom["on"] = True
    with pytest.raises(Exception, match="planted"):
        g(jnp.ones(2))
    stats = g.call_stats()
    assert stats.calls == 2 and stats.replayed == 2


def _run(code: str) -> str:
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=2")
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


@pytest.mark.slow  # a fresh process with 2 devices: CI runs it with the slow tests
def test_outputs_land_where_brainstates_call_puts_them():
    """Inputs committed to device 1 (and sharded on a mesh): a constant aux output stays
    uncommitted on device 0 (a SingleDeviceSharding), as brainstate returns it."""
    out = _run("""
        import jax, jax.numpy as jnp, numpy as np
        from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
        import brainpy_autograd as bpa

        def f(x):
            return jnp.sum(x ** 2), jnp.zeros(2)

        def where(a):
            return (type(a.sharding).__name__, sorted(d.id for d in a.devices()), a.committed)

        mesh = Mesh(np.array(jax.devices()), ("i",))
        inputs = {"device 1": jax.device_put(jnp.ones(4), jax.devices()[1]),
                  "mesh": jax.device_put(jnp.ones(4), NamedSharding(mesh, P("i")))}
        for name, x in inputs.items():
            ours, theirs = bpa.grad(f, has_aux=True), bpa.grad(f, has_aux=True, compiled=False)
            with bpa.compiled_calls(compile_at=1):
                for _ in range(4):
                    got, want = ours(x), theirs(x)
                    assert [where(a) for a in got] == [where(a) for a in want], (name, got)
                    (got[1] + jnp.ones(2, device=jax.devices()[0])).block_until_ready()
        print("same placement")
    """)
    assert out.split()[-2:] == ["same", "placement"]


@pytest.mark.slow  # a fresh process with 2 devices: CI runs it with the slow tests
def test_a_committed_call_is_still_compiled_where_placement_agrees():
    out = _run("""
        import jax, jax.numpy as jnp
        import brainpy_autograd as bpa
        x = jax.device_put(jnp.ones(4), jax.devices()[1])
        g = bpa.grad(lambda x: jnp.sum(x ** 2))
        with bpa.compiled_calls(compile_at=2):
            for _ in range(4):
                out = g(x)
        assert out.committed and out.devices() == {jax.devices()[1]}
        print(g.call_stats().compiled)
    """)
    assert int(out.split()[-1]) >= 2
