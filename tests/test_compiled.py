"""Compiled evaluation of repeated un-jitted calls: same results, same State updates."""

from __future__ import annotations

import os
import subprocess
import sys

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from oracle import SCALAR_TRANSFORMS, TRANSFORMS, assert_tree_close

import brainpy_autograd as bpa

X = jnp.array([0.3, -0.7, 1.2], dtype=jnp.float32)


class Model:
    def __init__(self, kind):
        self.w = brainstate.ParamState(jnp.array([0.5, 1.5, -1.0], jnp.float32))
        self.h = brainstate.State(jnp.zeros(3, jnp.float32))
        self.kind = kind
        self.python_calls = 0

    def __call__(self, x):
        self.python_calls += 1  # a Python side effect: runs when traced
        self.h.value = jnp.tanh(self.h.value + self.w.value * x)
        y = jnp.sin(self.w.value * x) * self.h.value
        out = jnp.sum(y) if self.kind in SCALAR_TRANSFORMS else y
        return out, {"h": self.h.value}


def programs_of(t):
    return len(t._compiled)


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_repeated_calls_are_compiled_and_match_the_interpreted_path(kind):
    compiled_model, interpreted_model = Model(kind), Model(kind)

    def make(model, compiled):
        return getattr(bpa, kind)(model, grad_vars=model.w, argnums=0, has_aux=True,
                                  return_value=True, compiled=compiled)

    fast, slow = make(compiled_model, True), make(interpreted_model, False)
    for call in range(4):
        assert_tree_close(fast(X * (call + 1)), slow(X * (call + 1)))
        assert_tree_close(compiled_model.h.value, interpreted_model.h.value)
    assert programs_of(fast) == 1 and fast._compiled.last_error is None
    assert programs_of(slow) == 0
    # the user's Python code ran as often on both paths (at trace time only)
    assert compiled_model.python_calls == interpreted_model.python_calls


def test_first_call_of_a_signature_is_not_compiled():
    model = Model("grad")
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


def test_per_transform_and_global_opt_out():
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


def test_program_cache_is_bounded():
    w = brainstate.ParamState(jnp.float32(2.0))
    g = bpa.grad(lambda x: jnp.sum(w.value * x))
    try:
        bpa.set_compiled_calls(max_programs=3)
        for n in range(1, 7):
            for _ in range(2):
                g(jnp.ones(n, jnp.float32))
            assert programs_of(g) <= 3
        assert len(g._compiled._programs) <= 3
    finally:
        bpa.set_compiled_calls(max_programs=32)


def test_state_that_changes_shape_is_recompiled():
    w = brainstate.ParamState(jnp.ones(3, jnp.float32))
    g = bpa.grad(lambda x: jnp.sum(w.value * x) * jnp.sum(w.value), grad_vars=w)
    g(jnp.float32(2.0))
    g(jnp.float32(2.0))
    assert programs_of(g) == 1
    w.value = jnp.ones(5, jnp.float32)  # out of band: a new shape
    assert_tree_close(g(jnp.float32(2.0)), jnp.full(5, 2.0 * 5 + 2.0 * 5, jnp.float32))
    assert_tree_close(g(jnp.float32(2.0)), jnp.full(5, 20.0, jnp.float32))
    assert_tree_close(g(jnp.float32(2.0)), jnp.full(5, 20.0, jnp.float32))


def test_random_state_advances_identically():
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
