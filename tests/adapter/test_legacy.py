"""The BrainPy 2.x migration shim: legacy keywords and positional forms."""

from __future__ import annotations

import warnings
from pathlib import Path

import brainstate
import jax.numpy as jnp
import pytest
from helpers import Model
from oracle import TRANSFORMS, assert_tree_close

import brainpy_autograd as bpa
from brainpy_autograd import LegacyArgumentWarning

X = jnp.array([0.5, -1.0, 2.0], dtype=jnp.float32)


def test_warning_class_is_a_deprecation_warning():
    assert issubclass(LegacyArgumentWarning, DeprecationWarning)


@pytest.mark.parametrize("kind", TRANSFORMS)
@pytest.mark.parametrize("keyword", ["dyn_vars", "child_objs"])
def test_legacy_keyword_warns_at_the_callers_line_and_changes_nothing(kind, keyword):
    plain_model, legacy_model = Model(kind), Model(kind)
    plain = getattr(bpa, kind)(plain_model, grad_vars=plain_model.w, argnums=0)(X)
    value = {"dyn_vars": legacy_model.h, "child_objs": legacy_model}[keyword]
    with pytest.warns(LegacyArgumentWarning, match=keyword) as record:
        transform = getattr(bpa, kind)(legacy_model, grad_vars=legacy_model.w, argnums=0,
                                       **{keyword: value})
    assert_tree_close(transform(X), plain)
    assert_tree_close(legacy_model.h.value, plain_model.h.value)
    [w] = record.list
    assert w.filename == __file__
    message = str(w.message)
    assert f"{keyword}=" in message and "ignored" in message and "Remove" in message


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_empty_reduce_axes_warns(kind):
    with pytest.warns(LegacyArgumentWarning, match=r"reduce_axes=\(\).*Remove") as record:
        getattr(bpa, kind)(Model(kind), reduce_axes=())
    assert record.list[0].filename == __file__


@pytest.mark.parametrize("kind", TRANSFORMS)
@pytest.mark.parametrize("axes", [("batch",), "batch", ["i", "j"]], ids=str)
def test_non_empty_reduce_axes_explains_the_replacement(kind, axes):
    with pytest.raises(ValueError, match=r"no longer supported.*jax\.lax\.psum") as info:
        getattr(bpa, kind)(Model(kind), reduce_axes=axes)
    # the page it names exists, and holds the recipe
    page = Path(__file__).resolve().parents[2] / "docs" / "multidevice.md"
    assert "docs/multidevice.md" in str(info.value) and "psum" in page.read_text()


def test_reduce_axes_of_the_wrong_type():
    with pytest.raises(TypeError, match="reduce_axes must be a tuple"):
        bpa.grad(Model("grad"), reduce_axes=3)


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_no_warning_without_legacy_arguments(kind):
    model = Model(kind)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        getattr(bpa, kind)(model, grad_vars=model.w, argnums=0, return_value=True)(X)
        getattr(bpa, kind)(argnums=0)(model)(X)
    assert record == []


def test_warns_on_every_use():
    model = Model("grad")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for _ in range(3):
            bpa.grad(model, grad_vars=model.w, dyn_vars=model.h)
    assert [type(w.message) for w in record] == [LegacyArgumentWarning] * 3


def test_default_filters_show_it_once_per_call_site():
    model = Model("grad")
    with warnings.catch_warnings(record=True) as record:
        warnings.resetwarnings()
        warnings.simplefilter("default")
        for _ in range(3):
            bpa.grad(model, grad_vars=model.w, dyn_vars=model.h)
    assert len(record) == 1 and record[0].filename == __file__


def test_decorator_form_points_at_the_decorator_line():
    model = Model("grad")
    with pytest.warns(LegacyArgumentWarning) as record:
        @bpa.grad(grad_vars=model.w, dyn_vars=[model.h])
        def loss(x):
            return model(x)

    assert record.list[0].filename == __file__
    # co_firstlineno of a decorated function is the line of its first decorator
    assert record.list[0].lineno == loss.__wrapped__.__code__.co_firstlineno


def test_filterable_by_its_own_class():
    model = Model("grad")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=LegacyArgumentWarning)
        bpa.grad(model, grad_vars=model.w, dyn_vars=model.h, child_objs=model)
    assert record == []


# ------------------------------------------------------------- positional forms


@pytest.mark.parametrize("kind", ["grad", "jacrev", "jacfwd"])
def test_brainpy22_positional_dyn_vars_third(kind):
    plain_model, legacy_model = Model(kind), Model(kind)
    want = getattr(bpa, kind)(plain_model, plain_model.w)(X)
    with pytest.warns(LegacyArgumentWarning, match=r"positional form.*dyn_vars") as record:
        t = getattr(bpa, kind)(legacy_model, legacy_model.w, [legacy_model.h, legacy_model.w])
    assert record.list[0].filename == __file__
    assert_tree_close(t(X), want)


def test_brainpy22_positional_with_argnums_fourth():
    model = Model("grad")
    with pytest.warns(LegacyArgumentWarning, match=r"grad\(func, grad_vars, argnums=\.\.\.\)"):
        got = bpa.grad(model, model.w, model.h, 0)(X)
    plain = Model("grad")
    want = bpa.grad(plain, grad_vars=plain.w, argnums=0)(X)
    assert got[0].shape == (3,) and got[1].shape == (3,)
    assert_tree_close(got, want)
    assert_tree_close(model.h.value, plain.h.value)


@pytest.mark.parametrize("kind", ["hessian", "vector_grad"])
def test_brainpy22_positional_dyn_vars_second_for_hessian_and_vector_grad(kind):
    """BrainPy 2.2's hessian/vector_grad took (func, dyn_vars, grad_vars, ...)."""
    plain_model, legacy_model = Model(kind), Model(kind)
    want = getattr(bpa, kind)(plain_model, grad_vars={"w": plain_model.w})(X)
    with pytest.warns(LegacyArgumentWarning, match="dyn_vars"):
        t = getattr(bpa, kind)(legacy_model, [legacy_model.h], {"w": legacy_model.w})
    assert_tree_close(t(X), want)


def test_third_positional_int_is_argnums_without_warning():
    model = Model("grad")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        var_grads, arg_grads = bpa.grad(model, model.w, 0)(X)
    assert record == [] and arg_grads.shape == (3,)


def test_positional_form_with_the_same_argument_twice():
    model = Model("grad")
    with pytest.raises(TypeError, match="multiple values for argument 'argnums'"):
        bpa.grad(model, model.w, model.h, 0, argnums=0)


# --------------------------------------------------------------- junk values


@pytest.mark.parametrize("junk", ["abc", 3, 1.5, [brainstate.State(1.0), "x"], {"a": None}],
                         ids=str)
def test_dyn_vars_junk_is_refused(junk):
    with pytest.raises(TypeError, match="dyn_vars"):
        bpa.grad(Model("grad"), dyn_vars=junk)


@pytest.mark.parametrize("junk", ["abc", 3, [1.5]], ids=str)
def test_child_objs_junk_is_refused(junk):
    with pytest.raises(TypeError, match="child_objs"):
        bpa.grad(Model("grad"), child_objs=junk)


@pytest.mark.parametrize("kind, position", [("grad", 3), ("jacrev", 3), ("hessian", 2),
                                            ("vector_grad", 2)])
def test_the_positional_form_warning_names_dyn_vars_position(kind, position):
    """grad(func, grad_vars, dyn_vars) reads argument 3 as dyn_vars; BrainPy 2.2's
    hessian/vector_grad(func, dyn_vars, grad_vars) read argument 2."""
    model = Model(kind)
    args = ((model.w, [model.h, model.w]) if position == 3
            else ([model.h, model.w], {"w": model.w}))
    with pytest.warns(LegacyArgumentWarning,
                      match=rf"so argument {position} is read as dyn_vars, which is"):
        getattr(bpa, kind)(model, *args)
