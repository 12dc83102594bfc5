"""BrainPy 2.9's own objects: Variables, collectors, bm.Array, models, bm.for_loop, bm.jit."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from oracle import TRANSFORMS, assert_tree_close, expected

bp = pytest.importorskip("brainpy")
bm = pytest.importorskip("brainpy.math")

import brainpy_autograd as bpa  # noqa: E402

pytestmark = pytest.mark.brainpy


class Net(bp.DynamicalSystem):
    """Trainable TrainVars, a VarList, a VarDict and a written Variable."""

    def __init__(self):
        super().__init__()
        self.w = bm.TrainVar(bm.asarray([0.5, -1.0, 2.0]))
        self.layers = bm.VarList([bm.TrainVar(bm.asarray([1.0, 2.0])),
                                  bm.TrainVar(bm.asarray([0.3, 0.1]))])
        self.extra = bm.VarDict({"s": bm.TrainVar(bm.asarray([1.5]))})
        self.h = bm.Variable(bm.zeros(3))

    def values(self):
        return {"w": self.w.value, "l0": self.layers[0].value, "l1": self.layers[1].value,
                "s": self.extra["s"].value}

    @staticmethod
    def pure(V, x):
        return (jnp.sum(jnp.sin(V["w"] * x)) * jnp.sum(V["l0"] * V["l1"])
                + jnp.sum(V["s"]) * jnp.sum(x ** 2))

    def update(self, x):
        self.h.value = self.w * x
        return self.pure(self.values(), x)


X = bm.asarray([0.2, -0.4, 1.0])


def unwrap(tree):
    """bm.Array nodes (nested ones too: a Hessian nests the input's layout twice) removed."""
    return jax.tree.map(lambda a: unwrap(a.value) if isinstance(a, bm.Array) else a, tree,
                        is_leaf=lambda a: isinstance(a, bm.Array))


def test_trainvar_as_grad_vars():
    net = Net()
    got = bpa.grad(net.update, grad_vars=net.w)(X)
    want = jax.grad(lambda w: Net.pure({**net.values(), "w": w}, X.value))(net.w.value)
    assert_tree_close(got, want)


def test_varlist_and_vardict_as_grad_vars():
    net = Net()
    got_list = bpa.grad(net.update, grad_vars=net.layers)(X)
    got_dict = bpa.grad(net.update, grad_vars=net.extra)(X)
    assert type(got_list) is list and len(got_list) == 2
    assert type(got_dict) is dict and list(got_dict) == ["s"]
    full = jax.grad(Net.pure)(net.values(), X.value)
    assert_tree_close(got_list, [full["l0"], full["l1"]])
    assert_tree_close(got_dict, {"s": full["s"]})


@pytest.mark.parametrize("collect", ["train_vars", "train_vars.unique", "vars.unique"])
def test_collectors_give_gradients_with_the_same_keys(collect):
    net = Net()
    collection = {"train_vars": net.train_vars, "train_vars.unique":
                  lambda: net.train_vars().unique(), "vars.unique":
                  lambda: net.vars().unique()}[collect]()
    got = bpa.grad(net.update, grad_vars=collection)(X)
    assert type(got) is dict and list(got) == list(collection)
    full = jax.grad(Net.pure)(net.values(), X.value)
    for key, state in collection.items():
        name = {id(net.w): "w", id(net.layers[0]): "l0", id(net.layers[1]): "l1",
                id(net.extra["s"]): "s"}.get(id(state))
        if name is None:  # the written Variable h: never read, so a zero gradient
            assert not np.asarray(got[key]).any()
        else:
            assert_tree_close(got[key], full[name])


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_bm_array_in_argnums_positions_outputs_and_aux(kind):
    scalar = kind in ("grad", "hessian")

    def f(x, y):
        # bm.Array arithmetic returns JAX arrays: wrap explicitly to return bm.Arrays
        out = bm.Array(bm.sin(x) * y)
        return (bm.Array(out.sum()) if scalar else out), {"y": bm.Array(y * 2)}

    x, y = bm.asarray([0.1, 0.7]), bm.asarray([2.0, -1.0])
    grads, value, aux = getattr(bpa, kind)(f, argnums=(0, 1), has_aux=True,
                                           return_value=True)(x, y)

    def pure(V, x, y):
        out = jnp.sin(x) * y
        return (jnp.sum(out) if scalar else out), {"y": y * 2}

    want = expected(kind, pure, None, (x.value, y.value), vars_given=False, argnums=(0, 1),
                    has_aux=True, return_value=True)
    assert_tree_close(unwrap((grads, value, aux)), want)
    assert isinstance(aux["y"], bm.Array)


def test_variable_passed_as_an_argument():
    v = bm.TrainVar(bm.asarray([1.0, 2.0]))
    g = bpa.grad(lambda a: (a ** 2).sum())(v)
    assert_tree_close(g, jnp.asarray([2.0, 4.0]))


class Rate(bp.DynamicalSystem):
    def __init__(self):
        super().__init__()
        self.w = bm.TrainVar(bm.asarray([[0.9, -0.2], [0.3, 0.8]]))
        self.h = bm.Variable(bm.zeros(2))

    def step(self, x):
        self.h.value = bm.tanh(self.h @ self.w + x)
        return self.h.value

    def loss(self, xs):
        self.h.value = bm.zeros(2)
        return bm.mean(bm.for_loop(self.step, xs) ** 2)


def pure_rate(w, xs):
    def step(h, x):
        h = jnp.tanh(h @ w + x)
        return h, h

    return jnp.mean(jax.lax.scan(step, jnp.zeros(2), xs)[1] ** 2)


XS = jnp.sin(jnp.arange(16.0).reshape(8, 2))


def test_model_with_bm_for_loop_in_the_loss():
    model = Rate()
    grads, loss = bpa.grad(model.loss, grad_vars=model.train_vars(), return_value=True)(XS)
    [key] = list(grads)
    assert_tree_close(grads[key], jax.grad(pure_rate)(model.w.value, XS))
    assert_tree_close(loss, pure_rate(model.w.value, XS))


def test_training_step_under_bm_jit():
    model, reference = Rate(), np.asarray(Rate().w.value)
    g = bpa.grad(model.loss, grad_vars=model.train_vars(), return_value=True)

    @bm.jit
    def train(xs):
        grads, loss = g(xs)
        for k, v in model.train_vars().items():
            v.value = v.value - 0.1 * grads[k]
        return loss

    losses = [float(train(XS)) for _ in range(5)]
    w = reference
    for _ in range(5):
        w = w - 0.1 * np.asarray(jax.grad(pure_rate)(w, XS))
    assert_tree_close(model.w.value, jnp.asarray(w, model.w.value.dtype))
    assert losses[-1] < losses[0]


@pytest.mark.parametrize("keyword", ["dyn_vars", "child_objs"])
def test_legacy_keywords_with_brainpy_objects(keyword):
    net, plain = Net(), Net()
    value = {"dyn_vars": net.vars(), "child_objs": net}[keyword]
    with pytest.warns(bpa.LegacyArgumentWarning, match=keyword):
        t = bpa.grad(net.update, grad_vars=net.train_vars(), **{keyword: value})
    got = t(X)
    want = bpa.grad(plain.update, grad_vars=plain.train_vars())(X)
    assert_tree_close(list(got.values()), list(want.values()))


def test_plain_bm_array_as_grad_vars_is_refused_with_the_fix():
    with pytest.raises(TypeError, match=r"grad_vars\[0\] is a brainpy\.Array.*bm\.TrainVar"):
        bpa.grad(lambda x: x.sum(), grad_vars=[bm.ones(2)])
