"""Callables of every kind; States as arguments, outputs and written values."""

from __future__ import annotations

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import StateSnapshot
from oracle import TRANSFORMS, assert_tree_close

import brainpy_autograd as bpa

X = jnp.array([0.5, -1.0, 2.0], dtype=jnp.float32)


def reference(x):
    return jnp.sum(jnp.sin(x) * 2.0)


class CallableObject:
    def __init__(self):
        self.w = brainstate.ParamState(jnp.float32(2.0))

    def __call__(self, x):
        return jnp.sum(jnp.sin(x) * self.w.value)

    def loss(self, x):
        return self(x)


class BrainstateModel(brainstate.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = brainstate.ParamState(jnp.float32(2.0))

    def __call__(self, x):
        return jnp.sum(jnp.sin(x) * self.w.value)

    def loss(self, x):
        return self(x)


CALLABLES = {
    "function": lambda: reference,
    "lambda": lambda: (lambda x: jnp.sum(jnp.sin(x) * 2.0)),
    "callable-object": CallableObject,
    "bound-method": lambda: CallableObject().loss,
    "brainstate-module": BrainstateModel,
    "module-method": lambda: BrainstateModel().loss,
}


@pytest.mark.parametrize("name", list(CALLABLES))
def test_every_kind_of_callable(name):
    f = CALLABLES[name]()
    assert_tree_close(bpa.grad(f)(X), jax.grad(reference)(X))


@pytest.mark.parametrize("name", ["callable-object", "bound-method", "brainstate-module"])
def test_states_of_objects_are_found_and_differentiated(name):
    f = CALLABLES[name]()
    owner = getattr(f, "__self__", f)
    dw = bpa.grad(f, grad_vars=owner.w)(X)
    np.testing.assert_allclose(dw, jnp.sum(jnp.sin(X)), rtol=1e-6)


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_state_argument_in_argnums_is_differentiated_through_its_value(kind):
    s = brainstate.ParamState(X)
    fun = reference if kind in ("grad", "hessian") else jnp.sin
    got = getattr(bpa, kind)(fun)(s)
    want = getattr(bpa, kind)(fun)(X)
    assert_tree_close(got, want)
    np.testing.assert_array_equal(s.value, X)  # the State itself is untouched


def test_state_argument_outside_argnums_is_passed_as_its_value():
    s = brainstate.State(jnp.float32(3.0))
    g = bpa.grad(lambda x, scale: jnp.sum(x) * scale, argnums=0)(X, s)
    np.testing.assert_allclose(g, [3.0, 3.0, 3.0])


def test_states_nested_in_argument_containers():
    s = brainstate.ParamState(X)
    g = bpa.grad(lambda d: jnp.sum(d["x"] ** 2) + d["c"])({"x": s, "c": jnp.float32(1.0)})
    np.testing.assert_allclose(g["x"], 2 * X)


@pytest.mark.parametrize("kind", ["grad", "vector_grad", "jacrev", "jacfwd"])
def test_state_returned_by_the_function_comes_back_as_its_value(kind):
    w = brainstate.ParamState(jnp.array([1.0, 2.0], jnp.float32))
    out = brainstate.State(jnp.zeros(2, jnp.float32))

    def f(x):
        out.value = w.value * x
        value = jnp.sum(out.value) if kind == "grad" else out.value
        return value, out  # the aux data is the State itself

    grads, value, aux = getattr(bpa, kind)(f, grad_vars=w, has_aux=True, return_value=True)(
        jnp.float32(3.0))
    assert isinstance(aux, jax.Array)
    np.testing.assert_allclose(aux, [3.0, 6.0])
    np.testing.assert_allclose(out.value, [3.0, 6.0])


def test_function_returning_a_state_as_its_output():
    w = brainstate.ParamState(jnp.array([1.0, 2.0], jnp.float32))
    got = bpa.jacrev(lambda: w, grad_vars=w)()
    np.testing.assert_allclose(got, np.eye(2))


class F2:
    """The reference's F2: a differentiated function that writes a State."""

    def __init__(self):
        self.a = brainstate.ParamState(jnp.ones(1, jnp.float32))
        self.b = brainstate.ParamState(jnp.ones(1, jnp.float32))

    def __call__(self, c):
        ab = self.a.value * self.b.value
        ab = ab * 2
        self.a.value = ab
        return (ab + c).mean()


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_state_writes_persist_after_the_call(kind):
    f2 = F2()
    fun = f2 if kind in ("grad", "hessian") else (lambda c: f2(c) * jnp.ones(2))
    getattr(bpa, kind)(fun, grad_vars=f2.b)(jnp.float32(10.0))
    np.testing.assert_allclose(f2.a.value, [2.0])
    getattr(bpa, kind)(fun, grad_vars=f2.b)(jnp.float32(10.0))
    np.testing.assert_allclose(f2.a.value, [4.0])  # again, from the new value


def test_reference_f2_gradient():
    f2 = F2()
    np.testing.assert_allclose(bpa.grad(f2, grad_vars=f2.b)(10.0), [2.0])


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_a_raising_function_leaves_every_state_as_it_was(kind):
    a = brainstate.ParamState(jnp.array([1.0, 2.0], jnp.float32))
    b = brainstate.State(jnp.array([5.0], jnp.float32))

    def f(x):
        b.value = b.value + 100.0
        a.value = a.value * 3.0
        raise RuntimeError("user error")

    snapshot = StateSnapshot(a, b)
    with pytest.raises(RuntimeError, match="user error"):
        getattr(bpa, kind)(f, grad_vars=a)(jnp.float32(1.0))
    snapshot.assert_untouched()
    # and the transform still works afterwards
    ok = getattr(bpa, kind)(lambda x: jnp.sum(a.value * x), grad_vars=a)
    want = np.zeros((2, 2)) if kind == "hessian" else np.ones(2)  # d/da sum(a * 1)
    np.testing.assert_allclose(ok(jnp.float32(1.0)), want)


def test_a_function_that_raises_only_sometimes_keeps_earlier_writes():
    """A failing call undoes nothing that an earlier successful call wrote."""
    counter = brainstate.State(jnp.float32(0.0))
    w = brainstate.ParamState(jnp.float32(1.0))

    def f(x, fail):
        counter.value = counter.value + 1.0
        if fail:
            raise ValueError("bad input")
        return w.value * x

    g = bpa.grad(lambda x: f(x, False), grad_vars=w)
    g(jnp.float32(2.0))
    with pytest.raises(ValueError, match="bad input"):
        bpa.grad(lambda x: f(x, True), grad_vars=w)(jnp.float32(2.0))
    np.testing.assert_allclose(counter.value, 1.0)
