"""brainpy_autograd.testing.assert_paths_agree: agrees on every path, finds a planted difference."""

from __future__ import annotations

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from oracle import TRANSFORMS

import brainpy_autograd as bpa
from brainpy_autograd.testing import assert_paths_agree

X = jnp.array([0.7, -0.3], jnp.float32)


class Model:
    def __init__(self) -> None:
        self.w = brainstate.ParamState(jnp.array([0.5, -1.0], jnp.float32))
        self.b = brainstate.ParamState(jnp.array([0.25, 0.5], jnp.float32))
        self.h = brainstate.State(jnp.zeros(2, jnp.float32))

    def loss(self, x):
        self.h.value = jnp.tanh(self.h.value + self.w.value * x + self.b.value)
        return jnp.sum(jnp.sin(self.h.value) ** 2)

    def pure_out(self, x):
        return {"z": jnp.sin(self.w.value * x), "a": jnp.sum(self.b.value * x)}

    def transform(self, kind, f):
        return getattr(bpa, kind)(f, grad_vars={"w": self.w, "b": self.b}, argnums=0,
                                  return_value=True)


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_every_path_agrees_on_a_model_that_writes_a_state(kind):
    m = Model()
    f = m.loss if kind in ("grad", "hessian") else (lambda x: jnp.tanh(m.loss(x) * x))
    h = m.h.value
    report = assert_paths_agree(m.transform(kind, f), (X,))
    assert report == {"interpreted": "checked", "replayed": "checked", "compiled": "checked",
                      "jit": "checked", "vmap": "skipped: the call writes States"}
    assert m.h.value is h  # put back


def test_vmap_is_checked_when_the_call_writes_nothing():
    m = Model()
    report = assert_paths_agree(m.transform("jacrev", m.pure_out), (X,))
    assert report["vmap"] == "checked"


def test_random_numbers_and_the_key_agree_on_every_path():
    m = Model()
    key = brainstate.random.DEFAULT.value

    def noisy(x):
        return m.loss(x + brainstate.random.normal(size=(2,)))

    assert_paths_agree(m.transform("grad", noisy), (X,))
    assert brainstate.random.DEFAULT.value is key


class Planted:
    """A transform that changes its result (or a State) on one path: the planted bug."""

    def __init__(self, inner, path, plant) -> None:
        self.inner, self.path, self.plant = inner, path, plant

    def call_stats(self):
        return self.inner.call_stats()

    def __call__(self, *args):
        before = self.inner.call_stats()
        out = self.inner(*args)
        after = self.inner.call_stats()
        if any(isinstance(a, jax.core.Tracer) for a in jax.tree.leaves(args)):
            taken = "jit"
        else:
            taken = next(p for p in ("interpreted", "replayed", "compiled")
                         if getattr(after, p) > getattr(before, p))
        return self.plant(out) if taken == self.path else out


def reversed_keys(out):
    (var, arg), value = out
    return ({k: var[k] for k in reversed(var)}, arg), value


def numpy_leaf(out):
    (var, arg), value = out
    return (var, np.asarray(arg)), value


def float64_value(out):
    grads, value = out
    return grads, value.astype(jnp.float64)


@pytest.mark.parametrize(("path", "plant", "found"), [
    ("compiled", reversed_keys, "result[0][0]: dict keys ['w', 'b'] against ['b', 'w']"),
    ("replayed", numpy_leaf, "result[0][1]: a jax.Array against a numpy.ndarray"),
    ("jit", float64_value, "result[1]: dtype float32 against float64"),
])
def test_a_planted_difference_in_the_result_is_found(path, plant, found):
    m = Model()
    planted = Planted(m.transform("grad", m.loss), path, plant)
    with pytest.raises(AssertionError) as info:
        assert_paths_agree(planted, (X,))
    assert f"the {path} path differs from the interpreted one at {found}" in str(info.value)


@pytest.mark.parametrize("path", ["replayed", "compiled"])
def test_a_state_not_written_back_is_found(path):
    m = Model()

    def forget_h(out):
        m.h.value = jnp.zeros(2, jnp.float32)  # as if the call had not written h
        return out

    with pytest.raises(AssertionError) as info:
        assert_paths_agree(Planted(m.transform("grad", m.loss), path, forget_h), (X,))
    text = str(info.value)
    assert f"the {path} path differs" in text
    assert "(State of shape (2,))" in text and "result" not in text.split(" at ")[1]


def test_an_already_compiled_signature_is_refused_with_the_fix():
    m = Model()
    g = m.transform("grad", m.loss)
    with bpa.compiled_calls(compile_at=1):
        g(X)
    with pytest.raises(ValueError, match=r"pass a new transform"):
        assert_paths_agree(g, (X,))


def test_a_transform_made_with_compiled_false_reports_the_paths_it_did_not_reach():
    m = Model()
    g = bpa.grad(m.loss, grad_vars=m.w, compiled=False)
    report = assert_paths_agree(g, (X,))
    assert report["replayed"].startswith("not reached: this call ran interpreted")
    assert report["compiled"].startswith("not reached")
    assert report["jit"] == "checked"


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: assert_paths_agree(lambda x: x, (X,)), TypeError, "a transform of this package"),
    (lambda: assert_paths_agree(bpa.grad(jnp.sum), X), TypeError, "args must be a tuple"),
    (lambda: assert_paths_agree(bpa.grad(jnp.sum), (X,), [1]), TypeError, "kwargs must be"),
    (lambda: assert_paths_agree(bpa.grad(jnp.sum, compiled=True), (X,)), ValueError,
     "compiled=True"),
])
def test_arguments_are_checked(call, error, match):
    with pytest.raises(error, match=match):
        call()
