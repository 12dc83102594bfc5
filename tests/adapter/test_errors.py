"""Bad input: a clear TypeError/ValueError in the user's terms, and nothing lost."""

from __future__ import annotations

import inspect

import brainstate
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import StateSnapshot
from oracle import TRANSFORMS

import brainpy_autograd as bpa

X = jnp.array([0.5, -1.0], dtype=jnp.float32)


@pytest.fixture
def model():
    """States that every bad call below must leave exactly as they were."""
    w = brainstate.ParamState(jnp.array([1.0, 2.0], jnp.float32))
    h = brainstate.State(jnp.array([7.0, 8.0], jnp.float32))

    def f(x, *rest):
        h.value = h.value + 1.0
        return jnp.sum(w.value * x)

    snapshot = StateSnapshot(w, h)
    yield w, h, f
    snapshot.assert_untouched()


def check_message(err, *fragments):
    text = str(err.value)
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    assert "Tracer" not in text


# ------------------------------------------------------------ at wrap time


@pytest.mark.parametrize("kind", TRANSFORMS)
@pytest.mark.parametrize("func", [3, "f", [1.0], brainstate.State(1.0)], ids=str)
def test_func_not_callable(kind, func):
    with pytest.raises(TypeError) as err:
        getattr(bpa, kind)(func)
    check_message(err, "not callable")


@pytest.mark.parametrize("kind", TRANSFORMS)
@pytest.mark.parametrize("argnums, fragment", [
    (1.0, "got a float (1.0)"),
    ("0", "got a str"),
    (True, "got a bool (True)"),
    ([0, 1.5], "argnums[1] is a float (1.5)"),
    ((0, (1,)), "argnums[1] is a tuple"),
    ({0: 1}, "got a dict"),
], ids=str)
def test_argnums_of_the_wrong_type(kind, argnums, fragment, model):
    with pytest.raises(TypeError) as err:
        getattr(bpa, kind)(model[2], argnums=argnums)
    check_message(err, "argnums must be an int or a sequence of ints", fragment)


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_argnums_none_is_not_a_wrong_type(kind):
    """``argnums=None`` is accepted: with no ``grad_vars`` it means argument 0."""
    x = jnp.array([1.0, 2.0], jnp.float32)
    got = getattr(bpa, kind)(lambda v: jnp.sum(v * v), argnums=None)(x)
    want = (np.diag([2.0, 2.0]) if kind == "hessian" else np.array([2.0, 4.0]))
    np.testing.assert_allclose(got, want)


@pytest.mark.parametrize("kind", TRANSFORMS)
@pytest.mark.parametrize("argnums, fragment", [
    ((0, 0), "lists position 0 more than once"),
    ([1, 2, 1], "lists position 1 more than once"),
    ((), "is empty"),
], ids=str)
def test_argnums_repeated_or_empty(kind, argnums, fragment, model):
    with pytest.raises(ValueError) as err:
        getattr(bpa, kind)(model[2], argnums=argnums)
    check_message(err, fragment)


@pytest.mark.parametrize("kind", TRANSFORMS)
@pytest.mark.parametrize("argnums, nargs, fragment", [
    (3, 1, "argnums=3 asks for positional argument 3, but the function was called with "
           "1 positional argument."),
    ((0, 2), 2, "argnums=(0, 2) asks for positional argument 2"),
    ([0, 5], 2, "argnums=[0, 5] asks for positional argument 5"),
    (-3, 2, "argnums=-3 asks for positional argument -3 (argnums -3 counts from the end)"),
    ((0, -2), 2, "names the same positional argument twice in a call with 2 positional"),
], ids=str)
def test_argnums_out_of_range_for_the_call(kind, argnums, nargs, fragment, model):
    t = getattr(bpa, kind)(model[2], argnums=argnums)
    with pytest.raises(ValueError) as err:
        t(*([X] * nargs))
    check_message(err, fragment)
    assert "5 positional" not in str(err.value)  # no internal offset


def test_argnums_for_an_argument_passed_by_keyword(model):
    with pytest.raises(ValueError) as err:
        bpa.grad(lambda x, y: jnp.sum(x * y), argnums=1)(X, y=X)
    check_message(err, "asks for positional argument 1", "keyword (y)", "positionally")


@pytest.mark.parametrize("kind", TRANSFORMS)
@pytest.mark.parametrize("grad_vars, fragment", [
    ([brainstate.State(1.0), jnp.ones(2)], "grad_vars[1] is a jax.Array"),
    ({"w": np.ones(2)}, "grad_vars['w'] is a numpy.ndarray"),
    ({"w": [brainstate.State(1.0), 3.0]}, "grad_vars['w'][1] is a float"),
    ((brainstate.State(1.0), None), "grad_vars[1] is None"),
    (jnp.ones(2), "grad_vars is a jax.Array"),
    ({brainstate.State(1.0)}, "grad_vars is a set"),
], ids=str)
def test_grad_vars_leaf_that_is_not_a_state(kind, grad_vars, fragment, model):
    with pytest.raises(TypeError) as err:
        getattr(bpa, kind)(model[2], grad_vars=grad_vars)
    check_message(err, fragment)
    if "set" not in fragment:
        check_message(err, "not a State", "brainstate.ParamState(value)", "bm.TrainVar(value)")


def test_grad_vars_that_contains_itself(model):
    loop = [brainstate.State(1.0)]
    loop.append(loop)
    with pytest.raises(TypeError, match="contains itself"):
        bpa.grad(model[2], grad_vars=loop)


@pytest.mark.parametrize("kind", TRANSFORMS)
@pytest.mark.parametrize("name", ["has_aux", "return_value"])
@pytest.mark.parametrize("value", ["yes", 1, (), jnp.ones(2)], ids=str)
def test_flags_must_be_bools(kind, name, value, model):
    with pytest.raises(TypeError) as err:
        getattr(bpa, kind)(model[2], **{name: value})
    check_message(err, f"{name} must be True")


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_unknown_keyword_suggests_the_right_one(kind, model):
    with pytest.raises(TypeError) as err:
        getattr(bpa, kind)(model[2], has_axu=True)
    check_message(err, "unexpected keyword argument 'has_axu'", "Did you mean 'has_aux'?")
    with pytest.raises(TypeError) as err:
        getattr(bpa, kind)(model[2], banana=1)
    check_message(err, "unexpected keyword argument 'banana'", "Valid keywords:")


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_too_many_positional_arguments_are_counted_as_python_counts_them(kind, model):
    """Two positional arguments more than the transform takes: Python's own message,
    in the transform's name (mutation check 2026-12-05: the ``except TypeError`` of
    ``_api._make`` never reached survived)."""
    most = sum(p.kind is p.POSITIONAL_OR_KEYWORD
               for p in inspect.signature(getattr(bpa, kind)).parameters.values())
    with pytest.raises(TypeError) as err:
        getattr(bpa, kind)(model[2], *[None] * (most + 1))
    assert str(err.value) == (f"{kind}() takes from 0 to {most} positional arguments but "
                              f"{most + 2} were given")


@pytest.mark.parametrize("kind", ["jacfwd", "hessian"])
def test_allow_int_is_not_a_forward_mode_option(kind, model):
    with pytest.raises(TypeError, match="allow_int"):
        getattr(bpa, kind)(model[2], allow_int=True)


# ------------------------------------------------------------ at call time


@pytest.mark.parametrize("kind", ["grad", "hessian"])
@pytest.mark.parametrize("shape", [(2,), (1,), (2, 3)], ids=str)
def test_non_scalar_output(kind, shape, model):
    w, h, _ = model

    def f(x):
        h.value = h.value + 1.0
        return jnp.ones(shape) * jnp.sum(w.value * x)

    with pytest.raises(TypeError) as err:
        getattr(bpa, kind)(f, grad_vars=w)(X)
    check_message(err, f"Gradient only defined for scalar-output functions. Output had shape: "
                       f"{shape}.", "scalar output")
    assert ("vector_grad" in str(err.value)) or ("jacfwd(jacrev" in str(err.value))


def test_forgotten_has_aux_is_suggested(model):
    with pytest.raises(TypeError) as err:
        bpa.grad(lambda x: (jnp.sum(x), {"aux": x}))(X)
    check_message(err, "returned a tuple of 2 elements", "pass has_aux=True")


@pytest.mark.parametrize("size", [1, 3])
def test_has_aux_is_suggested_for_a_pair_only(size):
    """A tuple of one or three outputs is no forgotten (output, aux) pair: the message
    does not suggest has_aux (mutation check 2026-12-05: ``len == 2`` made ``<= 2``
    survived)."""
    with pytest.raises(TypeError) as err:
        bpa.grad(lambda x: (jnp.sum(x),) * size)(X)
    check_message(err, "Gradient only defined for scalar-output functions. The function "
                       f"returned a tuple of {size} element", "scalar output")
    assert "has_aux" not in str(err.value)


@pytest.mark.parametrize("kind", TRANSFORMS)
@pytest.mark.parametrize("out", ["scalar", "triple", "dict"])
def test_has_aux_without_a_pair(kind, out, model):
    w, h, _ = model
    outs = {"scalar": lambda x: jnp.sum(x), "triple": lambda x: (jnp.sum(x), x, x),
            "dict": lambda x: {"loss": jnp.sum(x)}}

    def f(x):
        h.value = h.value + 1.0
        return outs[out](w.value * x)

    with pytest.raises(TypeError) as err:
        getattr(bpa, kind)(f, grad_vars=w, has_aux=True)(X)
    check_message(err, "has_aux=True) expects the function to return a pair")


@pytest.mark.parametrize("kind", ["grad", "vector_grad", "jacrev", "jacfwd", "hessian"])
def test_integer_input(kind, model):
    w, h, f = model
    with pytest.raises(TypeError) as err:
        getattr(bpa, kind)(lambda n: f(n * 1.0) * (jnp.ones(2) if kind not in ("grad", "hessian")
                                                    else 1.0))(jnp.array([1, 2]))
    check_message(err, "positional argument 0 has dtype int", "floating-point")


@pytest.mark.parametrize("kind", ["grad", "vector_grad", "jacrev", "jacfwd", "hessian"])
def test_an_integer_leaf_after_a_float_leaf_is_named(kind, model):
    """Every leaf of a differentiated argument is checked, not only up to the first
    floating-point one (mutation check 2026-12-05: ``continue`` made ``break`` survived)."""
    w, h, f = model
    scale = jnp.ones(2) if kind not in ("grad", "hessian") else 1.0
    with pytest.raises(TypeError) as err:
        getattr(bpa, kind)(lambda pair: f(pair[0] + pair[1] * 1.0) * scale)(
            (jnp.ones(2, jnp.float32), jnp.array([1, 2])))
    check_message(err, "positional argument 0[1] has dtype int", "floating-point")


def test_argument_that_is_not_an_array(model):
    with pytest.raises(TypeError) as err:
        bpa.grad(model[2], argnums=0)(X, "mode")
    check_message(err, "positional argument 1 is a str ('mode')", "functools.partial")


def test_errors_at_call_time_can_be_followed_by_good_calls(model):
    w, h, f = model
    t = bpa.grad(f, grad_vars=w, argnums=0)
    with pytest.raises(ValueError):
        bpa.grad(f, grad_vars=w, argnums=1)(X)
    dw, dx = t(X)
    np.testing.assert_allclose(dw, X)
    h.value = jnp.array([7.0, 8.0], jnp.float32)  # the good call wrote it; reset for the fixture


def test_every_message_starts_with_the_transform_call_form():
    """One prefix for all: ``grad(): ...`` (not ``grad: ...``), in every module.

    The whole package is read (``rglob``), except the migration command, whose
    ``f"{name}: ..."`` messages start with a file name, not a transform. (check_grads'
    AssertionError reports, ``"check_grads: ... disagrees ..."``, are test failures, not
    usage errors, and are not matched.)
    """
    import re
    from pathlib import Path

    package = Path(bpa.__file__).parent
    files = [p for p in sorted(package.rglob("*.py")) if "_migrate" not in p.parts]
    lines = [(p, i, line) for p in files
             for i, line in enumerate(p.read_text().splitlines(), 1)]
    prefixed = [1 for _, _, line in lines if re.search(r'f"\{fname\}\(\): ', line)]
    # the scan reads the subpackages, where most messages are written
    assert len(prefixed) >= 15, len(prefixed)
    bare = [f"{p.relative_to(package)}:{i}" for p, i, line in lines
            if re.search(r'f"\{(fname|name|spec\.name|self\._spec\.name)\}: ', line)
            or re.search(r'"(grad|vector_grad|jacrev|jacfwd|hessian|compiled_calls|'
                         r'set_compiled_calls): ', line)]
    assert not bare, bare


_W = brainstate.ParamState(jnp.ones(2, jnp.float32))


def _f(x, *rest):
    return jnp.sum(_W.value * x)


#: one bad use of each kind; each message must start with the transform's name
#: and an opening parenthesis: ``grad(): ...``, ``grad() got ...``, ``grad(has_aux=True) ...``
BAD_USES = {
    "func not callable": lambda t: t(3),
    "argnums type": lambda t: t(_f, argnums=1.0),
    "argnums item type": lambda t: t(_f, argnums=[0, 1.5]),
    "argnums empty": lambda t: t(_f, argnums=()),
    "argnums repeated": lambda t: t(_f, argnums=(0, 0)),
    "flag type": lambda t: t(_f, has_aux="yes"),
    "compiled type": lambda t: t(_f, compiled="yes"),
    "unknown keyword": lambda t: t(_f, has_axu=True),
    "reduce_axes": lambda t: t(_f, reduce_axes="x"),
    "debug_nan compiled": lambda t: t(_f, debug_nan=True, compiled=True),
    "dyn_vars leaf": lambda t: t(_f, grad_vars=_W, dyn_vars=[3]),
    "argnums out of range": lambda t: t(_f, argnums=3)(X),
    "argnums twice in a call": lambda t: t(_f, argnums=(0, -2))(X, X),
    "argument not an array": lambda t: t(_f, argnums=0)(X, "mode"),
    "integer argument": lambda t: t(lambda x: jnp.sum(x * 1.0), argnums=0)(jnp.array([1, 2])),
    "has_aux without a pair": lambda t: t(_f, grad_vars=_W, has_aux=True)(X),
}
#: the messages written as ``name(): ...`` (the others name an argument or option inside
#: the parentheses, or are Python's own ``name() got an unexpected keyword`` form)
COLON_FORM = {"argnums type", "argnums item type", "argnums empty", "argnums repeated",
              "flag type", "compiled type", "debug_nan compiled", "dyn_vars leaf",
              "argnums out of range", "argnums twice in a call", "argument not an array",
              "integer argument"}


@pytest.mark.parametrize("kind", TRANSFORMS)
@pytest.mark.parametrize("use", list(BAD_USES))
def test_each_error_of_each_transform_starts_with_its_name(kind, use):
    with pytest.raises((TypeError, ValueError)) as err:
        BAD_USES[use](getattr(bpa, kind))
    text = str(err.value)
    prefix = f"{kind}(): " if use in COLON_FORM else f"{kind}("
    assert text.startswith(prefix), text


@pytest.mark.parametrize("kind", TRANSFORMS)
@pytest.mark.parametrize("grad_vars", [[_W, 3], {"s": {1, 2}}], ids=["int", "set"])
def test_a_grad_vars_error_starts_with_the_transforms_name(kind, grad_vars):
    with pytest.raises(TypeError) as err:
        getattr(bpa, kind)(_f, grad_vars=grad_vars)
    assert str(err.value).startswith(f"{kind}(): grad_vars["), str(err.value)


def test_a_grad_vars_that_holds_itself_is_named_with_the_transform():
    loop: list = [_W]
    loop.append(loop)
    with pytest.raises(TypeError, match=r"^jacfwd\(\): grad_vars\[1\] contains itself"):
        bpa.jacfwd(_f, grad_vars=loop)


def test_a_grad_vars_leaf_is_named_with_the_right_article():
    w = brainstate.ParamState(jnp.ones(2))
    with pytest.raises(TypeError, match=r"grad_vars\[1\] is an int, not a State"):
        bpa.jacrev(lambda x: x, grad_vars=[w, 3])
    with pytest.raises(TypeError, match=r"grad_vars\[1\] is a str, not a State"):
        bpa.jacrev(lambda x: x, grad_vars=[w, "w"])


def test_an_empty_third_positional_mentions_brainpy_22s_dyn_vars():
    w = brainstate.ParamState(jnp.ones(2))
    with pytest.raises(ValueError, match=r"argnums=\[\] is empty.*BrainPy 2\.2.*dyn_vars"):
        bpa.grad(lambda: jnp.sum(w.value), w, [])


@pytest.mark.parametrize("kind", TRANSFORMS)
@pytest.mark.parametrize("extra", [("func",), (None, 0, "argnums")], ids=["func", "argnums"])
def test_an_argument_given_twice_is_named_in_pythons_words(kind, extra):
    # positionally and again by keyword: Python's own "got multiple values" message,
    # with the transform's name, never an internal error
    def f(x):
        return jnp.sum(x)

    *positional, keyword = extra
    with pytest.raises(TypeError, match=rf"^{kind}\(\) got multiple values for argument "
                                        rf"'{keyword}'$"):
        getattr(bpa, kind)(f, *positional, **{keyword: f if keyword == "func" else 0})
