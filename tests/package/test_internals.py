"""The private JAX/brainstate names we use: each one missing, and what happens then.

The names and their fallbacks are listed in ``brainpy_autograd/_internals.py``.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import brainstate
import jax.numpy as jnp
import pytest
from oracle import TRANSFORMS, assert_same_result

import brainpy_autograd as bpa
from brainpy_autograd import _internals

X = jnp.array([0.3, -0.7, 1.2], dtype=jnp.float32)


def _calls(kind):
    w = brainstate.ParamState(jnp.array([0.5, 1.5, -1.0], jnp.float32))

    def f(x):
        y = jnp.sin(w.value * x)
        return jnp.sum(y) if kind in ("grad", "hessian") else y

    compiled = getattr(bpa, kind)(f, grad_vars={"w": w}, argnums=0)
    interpreted = getattr(bpa, kind)(f, grad_vars={"w": w}, argnums=0, compiled=False)
    return compiled, interpreted


@pytest.mark.parametrize("name", ["jax_trace_ctx", "brainstate_trace_context"])
@pytest.mark.parametrize("kind", TRANSFORMS)
def test_without_a_trace_context_every_call_is_interpreted_with_the_same_result(
        monkeypatch, name, kind, compile_at_second_call):
    monkeypatch.setattr(_internals, name, None)
    assert _internals.outside_traces() is False
    compiled, interpreted = _calls(kind)
    for _ in range(3):
        assert_same_result(compiled(X), interpreted(X))
    assert compiled.call_stats().programs == 0 and compiled.call_stats().last_error is None


def test_a_trace_context_that_changed_shape_is_treated_as_missing(monkeypatch):
    class Changed:
        def is_top_level(self):
            raise AttributeError("moved")

    monkeypatch.setattr(_internals, "jax_trace_ctx", Changed())
    assert _internals.outside_traces() is False


def test_trace_ctx_is_looked_up_through_brainstates_shim_first(monkeypatch):
    shim = pytest.importorskip("brainstate._compatible_import")
    import jax._src.core as jax_core

    if hasattr(shim, "trace_ctx"):
        assert _internals._lookup_jax_trace_ctx() is shim.trace_ctx
        monkeypatch.delattr(shim, "trace_ctx")
    assert _internals._lookup_jax_trace_ctx() is jax_core.trace_ctx
    monkeypatch.delattr(jax_core, "trace_ctx")
    assert _internals._lookup_jax_trace_ctx() is None


def test_brainstate_trace_context_lookup_falls_back_to_none(monkeypatch):
    import brainstate._state as bs_state

    assert _internals._lookup_brainstate_trace_context() is bs_state.TRACE_CONTEXT
    monkeypatch.setattr(bs_state, "TRACE_CONTEXT", object())  # no state_stack
    assert _internals._lookup_brainstate_trace_context() is None


def test_import_and_calls_work_when_jax_trace_ctx_is_gone():
    # JAX itself needs the name, so its absence is simulated where brainpy_autograd
    # looks it up: importlib finds neither module while brainpy_autograd is imported.
    code = textwrap.dedent("""
        import importlib
        import brainstate, jax.numpy as jnp
        real = importlib.import_module
        def without(name, *a):
            if name in ("jax._src.core", "brainstate._compatible_import"):
                raise ImportError(name)
            return real(name, *a)
        importlib.import_module = without
        import brainpy_autograd as bpa
        bpa.grad  # the package is lazy: its first use imports the adapter
        importlib.import_module = real
        assert bpa._internals.jax_trace_ctx is None
        w = brainstate.ParamState(jnp.array([1.0, 2.0]))
        g = bpa.grad(lambda x: jnp.sum(w.value * x), grad_vars=w)
        print([g(jnp.array([3.0, 4.0])).tolist() for _ in range(3)], g.call_stats().programs)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[[3.0, 4.0], [3.0, 4.0], [3.0, 4.0]] 0"


def test_without_the_state_gradient_formatter_grad_vars_says_what_to_do(monkeypatch):
    from brainstate.transform import GradientTransform

    monkeypatch.delattr(GradientTransform, "_format_state_grads")
    w = brainstate.ParamState(jnp.ones(2))
    with pytest.raises(ImportError, match="_format_state_grads .*Transforms without grad_vars"):
        bpa.grad(lambda x: jnp.sum(w.value * x), grad_vars=w)
    # argnums-only transforms are unaffected
    assert bpa.grad(lambda x: jnp.sum(w.value * x))(jnp.ones(2)).tolist() == [1.0, 1.0]


# ------------------------------------------------------------------ debug_nan


def test_debug_nan_reports_the_first_nan_and_runs_interpreted():
    w = brainstate.ParamState(jnp.array([1.0, 0.0]))

    def f(x):
        return jnp.sum(jnp.sqrt(w.value) * x)

    plain = bpa.grad(f, grad_vars=w)
    assert not jnp.isfinite(plain(jnp.ones(2))).all()
    hunting = bpa.grad(f, grad_vars=w, debug_nan=True)
    assert "debug_nan=True" in repr(hunting)
    for _ in range(2):
        with pytest.raises(RuntimeError, match="NaN/Inf detected"):
            hunting(jnp.ones(2))
    assert hunting.call_stats().programs == 0


def test_debug_nan_with_compiled_true_is_refused():
    with pytest.raises(ValueError, match="drop compiled=True"):
        bpa.grad(lambda x: x, debug_nan=True, compiled=True)
