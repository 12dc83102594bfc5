"""Every row of the return table, for every transform, against JAX."""

from __future__ import annotations

import brainstate
import jax.numpy as jnp
import pytest
from oracle import SCALAR_TRANSFORMS, TRANSFORMS, assert_tree_close, expected, stateful

import brainpy_autograd as bpa

X = jnp.array([0.3, -1.2, 2.0], dtype=jnp.float32)
Y = jnp.array([1.5, 0.5, -0.7], dtype=jnp.float32)


def scalar_model(V, x, y):
    loss = jnp.sum(jnp.tanh(V["w"] * x) * y) + V["b"] * jnp.sum(x ** 2)
    return loss, {"h": V["w"] * x, "n": jnp.sum(y)}


def vector_model(V, x, y):
    out = jnp.tanh(V["w"] * x) * y + V["b"] * x ** 2
    return out, {"h": V["w"] * x, "n": jnp.sum(y)}


def make(kind, has_aux):
    """The pure function for ``kind``, returning (out, aux) only if has_aux."""
    model = scalar_model if kind in SCALAR_TRANSFORMS else vector_model
    if has_aux:
        return model
    return lambda V, x, y: model(V, x, y)[0]


def fresh_vars():
    return {
        "w": brainstate.ParamState(jnp.array([0.5, -0.25, 1.0], dtype=jnp.float32)),
        "b": brainstate.ParamState(jnp.array(0.75, dtype=jnp.float32)),
    }


CASES = [
    # (grad_vars given, argnums)
    pytest.param(False, None, id="args-default-argnums"),
    pytest.param(False, 1, id="args-int"),
    pytest.param(False, (0, 1), id="args-tuple"),
    pytest.param(True, None, id="vars-only"),
    pytest.param(True, 0, id="vars-and-int"),
    pytest.param(True, (0, 1), id="vars-and-tuple"),
]


@pytest.mark.parametrize("kind", TRANSFORMS)
@pytest.mark.parametrize("vars_given, argnums", CASES)
@pytest.mark.parametrize("has_aux", [False, True], ids=["no-aux", "aux"])
@pytest.mark.parametrize("return_value", [False, True], ids=["no-value", "value"])
def test_layout_matches_jax(kind, vars_given, argnums, has_aux, return_value):
    layout = fresh_vars()
    pure = make(kind, has_aux)
    kwargs = dict(has_aux=has_aux, return_value=return_value)
    if vars_given:
        kwargs["grad_vars"] = layout
    if argnums is not None:
        kwargs["argnums"] = argnums
    transform = getattr(bpa, kind)(stateful(pure, layout), **kwargs)
    got = transform(X, Y)
    values = {k: s.value for k, s in layout.items()}
    want = expected(kind, pure, values, (X, Y), vars_given=vars_given, argnums=argnums,
                    has_aux=has_aux, return_value=return_value)
    assert_tree_close(got, want)


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_layout_is_the_same_table_for_every_transform(kind):
    """The shape of the result (not its values) is the table's, row by row."""
    layout = fresh_vars()
    pure = make(kind, True)
    f = stateful(pure, layout)
    t = getattr(bpa, kind)
    # row 12: ((var_grads, arg_grads), value, aux)
    (var_grads, arg_grads), value, aux = t(f, grad_vars=layout, argnums=0, has_aux=True,
                                           return_value=True)(X, Y)
    assert isinstance(var_grads, dict) and list(var_grads) == ["w", "b"]
    assert set(aux) == {"h", "n"}
    # row 5: var_grads alone
    assert list(t(f, grad_vars=layout, has_aux=True)(X, Y)[0]) == ["w", "b"]
    # row 1: arg_grads alone, shaped like the output then the input
    g = t(lambda x, y: pure({k: s.value for k, s in layout.items()}, x, y)[0])(X, Y)
    assert g.shape == ((3, 3) if kind in ("jacrev", "jacfwd", "hessian") else (3,))


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_default_argnums_is_zero_without_grad_vars(kind):
    pure = make(kind, False)
    V = {"w": jnp.ones(3, jnp.float32), "b": jnp.float32(2.0)}
    got = getattr(bpa, kind)(lambda x, y: pure(V, x, y))(X, Y)
    want = getattr(bpa, kind)(lambda x, y: pure(V, x, y), argnums=0)(X, Y)
    assert_tree_close(got, want)


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_grad_vars_alone_differentiates_no_argument(kind):
    """With only grad_vars, argnums defaults to none: the result is var_grads only."""
    layout = fresh_vars()
    got = getattr(bpa, kind)(stateful(make(kind, False), layout), grad_vars=layout)(X, Y)
    assert isinstance(got, dict) and list(got) == ["w", "b"]


@pytest.mark.parametrize("kind", TRANSFORMS)
@pytest.mark.parametrize("argnums, single", [(0, True), ([0], False), ((1, 0), False)])
def test_int_argnums_gives_one_gradient_sequence_gives_tuple(kind, argnums, single):
    pure = make(kind, False)
    V = {"w": jnp.ones(3, jnp.float32), "b": jnp.float32(2.0)}
    got = getattr(bpa, kind)(lambda x, y: pure(V, x, y), argnums=argnums)(X, Y)
    if single:
        assert not isinstance(got, tuple)
    else:
        assert isinstance(got, tuple) and len(got) == len(argnums)
    want = expected(kind, pure, V, (X, Y), vars_given=False, argnums=argnums)
    assert_tree_close(got, want)
