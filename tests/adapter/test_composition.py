"""Composition with jit, vmap, nested transforms and brainstate loops."""

from __future__ import annotations

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import Model, for_kind, pure_rate_loss
from oracle import TRANSFORMS, assert_tree_close

import brainpy_autograd as bpa

X = jnp.array([0.3, -0.8, 1.1], dtype=jnp.float32)


def tanh_wx(w, x):
    return jnp.tanh(w * x) * x


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_under_brainstate_jit_with_state_writes(kind):
    eager, jitted = Model(kind), Model(kind)
    t_eager = getattr(bpa, kind)(eager, grad_vars=eager.w, argnums=0, return_value=True)
    t_jit = brainstate.transform.jit(
        getattr(bpa, kind)(jitted, grad_vars=jitted.w, argnums=0, return_value=True))
    for _ in range(3):
        assert_tree_close(t_jit(X), t_eager(X))
    for a, b in ((jitted.calls, eager.calls), (jitted.h, eager.h)):
        np.testing.assert_allclose(a.value, b.value, rtol=1e-6)
    np.testing.assert_allclose(jitted.calls.value, 3.0)


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_under_jax_jit_without_state_writes(kind):
    w = brainstate.ParamState(jnp.array([0.5, 1.5, -1.0], dtype=jnp.float32))
    fun = for_kind(kind, tanh_wx)
    t = getattr(bpa, kind)(lambda x: fun(w.value, x), argnums=0)
    assert_tree_close(jax.jit(t)(X), t(X))
    assert_tree_close(t(X), getattr(jax, kind if kind != "vector_grad" else "grad")(
        lambda x: fun(w.value, x) if kind != "vector_grad" else jnp.sum(fun(w.value, x)))(X))


@pytest.mark.parametrize("vmap", [jax.vmap, brainstate.transform.vmap], ids=["jax", "brainstate"])
@pytest.mark.parametrize("kind", TRANSFORMS)
def test_under_vmap(kind, vmap):
    w = brainstate.ParamState(jnp.array([0.5, 1.5, -1.0], dtype=jnp.float32))
    fun = for_kind(kind, tanh_wx)
    t = getattr(bpa, kind)(lambda x: fun(w.value, x), grad_vars=w, argnums=0)
    xs = jnp.stack([X, 2 * X, -X])
    batched = vmap(t)(xs)
    one_by_one = [t(x) for x in xs]
    assert_tree_close(batched, jax.tree.map(lambda *r: jnp.stack(r), *one_by_one))


def test_grad_of_grad_matches_jax_second_derivative():
    f = lambda x: jnp.sin(x) * x ** 3  # noqa: E731
    got = bpa.grad(bpa.grad(f))(jnp.float32(0.7))
    np.testing.assert_allclose(got, jax.grad(jax.grad(f))(jnp.float32(0.7)), rtol=1e-5)


def test_grad_of_grad_with_states():
    w = brainstate.ParamState(jnp.float32(1.3))
    inner = bpa.grad(lambda x: jnp.sin(w.value * x) * x, argnums=0)
    outer = bpa.grad(inner, grad_vars=w, argnums=0)
    dw, dx = outer(jnp.float32(0.4))
    pure = lambda w_, x: jax.grad(lambda x_: jnp.sin(w_ * x_) * x_)(x)  # noqa: E731
    want_w, want_x = jax.grad(pure, argnums=(0, 1))(jnp.float32(1.3), jnp.float32(0.4))
    np.testing.assert_allclose(dw, want_w, rtol=1e-5)
    np.testing.assert_allclose(dx, want_x, rtol=1e-5)


def test_jacfwd_of_jacrev_is_the_hessian():
    f = lambda x: jnp.sum(jnp.sin(x) * x[::-1] ** 2)  # noqa: E731
    got = bpa.jacfwd(bpa.jacrev(f))(X)
    assert_tree_close(got, jax.hessian(f)(X))
    assert_tree_close(bpa.hessian(f)(X), got)


def test_jacfwd_of_jacrev_with_states_matches_hessian():
    w = brainstate.ParamState(jnp.array([0.5, 1.5, -1.0], dtype=jnp.float32))
    f = lambda: jnp.sum(jnp.tanh(w.value) ** 3)  # noqa: E731
    nested = bpa.jacfwd(bpa.jacrev(f, grad_vars=w), grad_vars=w)()
    direct = bpa.hessian(f, grad_vars=w)()
    want = jax.hessian(lambda v: jnp.sum(jnp.tanh(v) ** 3))(w.value)
    assert_tree_close(nested, want)
    assert_tree_close(direct, want)


def test_hessian_of_a_function_of_several_states():
    a = brainstate.ParamState(jnp.array([0.5, 1.5], dtype=jnp.float32))
    b = brainstate.ParamState(jnp.float32(-0.3))
    f = lambda: jnp.sum(a.value ** 2 * b.value) + jnp.sin(b.value) * a.value[0]  # noqa: E731
    got = bpa.hessian(f, grad_vars={"a": a, "b": b})()
    pure = lambda V: jnp.sum(V["a"] ** 2 * V["b"]) + jnp.sin(V["b"]) * V["a"][0]  # noqa: E731
    assert_tree_close(got, jax.hessian(pure)({"a": a.value, "b": b.value}))


class Rate:
    """A rate RNN stepped with brainstate.transform.for_loop inside the loss."""

    def __init__(self):
        self.w = brainstate.ParamState(jnp.array([[0.9, -0.2], [0.3, 0.8]], jnp.float32))
        self.h = brainstate.HiddenState(jnp.zeros(2, jnp.float32))

    def step(self, x):
        self.h.value = jnp.tanh(self.h.value @ self.w.value + x)
        return self.h.value

    def loss(self, xs):
        self.h.value = jnp.zeros(2, jnp.float32)
        hs = brainstate.transform.for_loop(self.step, xs)
        return jnp.mean(hs ** 2)


XS = jnp.sin(jnp.arange(20, dtype=jnp.float32).reshape(10, 2))


def test_for_loop_inside_the_loss():
    model = Rate()
    dw, loss = bpa.grad(model.loss, grad_vars=model.w, return_value=True)(XS)
    want_dw, want_loss = jax.grad(pure_rate_loss, has_aux=False)(model.w.value, XS), \
        pure_rate_loss(model.w.value, XS)
    np.testing.assert_allclose(dw, want_dw, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(loss, want_loss, rtol=1e-6)
    assert model.h.value.shape == (2,)  # the hidden State holds the last step


def test_scan_inside_the_loss():
    w = brainstate.ParamState(jnp.array([[0.9, -0.2], [0.3, 0.8]], jnp.float32))

    def loss(xs):
        def step(h, x):
            h = jnp.tanh(h @ w.value + x)
            return h, h

        _, hs = brainstate.transform.scan(step, jnp.zeros(2, jnp.float32), xs)
        return jnp.mean(hs ** 2)

    dw = bpa.grad(loss, grad_vars=w)(XS)
    np.testing.assert_allclose(dw, jax.grad(pure_rate_loss)(w.value, XS), rtol=1e-5, atol=1e-6)


def test_jit_of_a_training_step_with_for_loop():
    model = Rate()
    g = bpa.grad(model.loss, grad_vars={"w": model.w}, return_value=True)

    @brainstate.transform.jit
    def train_step(xs):
        grads, loss = g(xs)
        model.w.value = model.w.value - 0.1 * grads["w"]
        return loss

    losses = [float(train_step(XS)) for _ in range(5)]
    assert losses[-1] < losses[0]
