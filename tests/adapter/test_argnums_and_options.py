"""argnums (negative too), holomorphic, allow_int, hessian options, decorator forms."""

from __future__ import annotations

import typing

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import for_kind
from oracle import SCALAR_TRANSFORMS, TRANSFORMS, assert_tree_close, expected, jax_transform

import brainpy_autograd as bpa

A = jnp.array([0.5, -1.0], dtype=jnp.float32)
B = jnp.array([2.0, 0.25], dtype=jnp.float32)
C = jnp.array([1.5, -0.5], dtype=jnp.float32)


def abc(a, b, c):
    return jnp.sin(a) * b ** 2 + a * c


@pytest.mark.parametrize("kind", TRANSFORMS)
@pytest.mark.parametrize("argnums", [-1, -3, (-1, 0), [0, -2], np.int64(1), (np.int32(2),)],
                         ids=str)
def test_argnums_like_jax_negative_counting_from_the_end(kind, argnums):
    fun = for_kind(kind, abc)
    got = getattr(bpa, kind)(fun, argnums=argnums)(A, B, C)
    # A numpy int is an int (one gradient); jax.jacrev would make it a 1-tuple.
    plain = int(argnums) if np.ndim(argnums) == 0 else tuple(int(a) for a in argnums)
    assert_tree_close(got, jax_transform(kind, fun, plain)(A, B, C))


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_negative_argnums_follow_the_number_of_arguments_of_each_call(kind):
    fun2 = lambda a, b: for_kind(kind, abc)(a, b, C)  # noqa: E731
    fun3 = for_kind(kind, abc)
    t2 = getattr(bpa, kind)(lambda *xs: (fun2 if len(xs) == 2 else fun3)(*xs), argnums=-1)
    assert_tree_close(t2(A, B), jax_transform(kind, fun2, 1)(A, B))
    assert_tree_close(t2(A, B, C), jax_transform(kind, fun3, 2)(A, B, C))


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_negative_argnums_with_grad_vars(kind):
    w = brainstate.ParamState(jnp.float32(0.7))
    pure = lambda V, a, b, c: for_kind(kind, abc)(a * V, b, c)  # noqa: E731
    got = getattr(bpa, kind)(lambda a, b, c: pure(w.value, a, b, c), grad_vars=w, argnums=-2)(
        A, B, C)
    assert_tree_close(got, expected(kind, pure, w.value, (A, B, C), vars_given=True, argnums=-2))


# ----------------------------------------------------------------- holomorphic


@pytest.mark.parametrize("kind", ["grad", "jacrev", "jacfwd", "hessian"])
def test_holomorphic_like_jax(kind):
    z = jnp.array([1.0 + 2.0j, -0.5 + 0.3j], dtype=jnp.complex64)
    fun = (lambda z: jnp.sum(z ** 3)) if kind in SCALAR_TRANSFORMS else (lambda z: z ** 3 + 1j * z)
    got = getattr(bpa, kind)(fun, holomorphic=True)(z)
    assert_tree_close(got, jax_transform(kind, fun, 0, holomorphic=True)(z))


def test_holomorphic_with_states():
    s = brainstate.ParamState(jnp.array([1.0 + 1.0j], dtype=jnp.complex64))
    got = bpa.grad(lambda: jnp.sum(s.value ** 2), grad_vars=s, holomorphic=True)()
    np.testing.assert_allclose(got, 2 * s.value, rtol=1e-6)


def test_holomorphic_needs_complex_inputs_as_in_jax():
    with pytest.raises(TypeError, match="holomorphic"):
        jax.grad(lambda x: jnp.sum(x ** 2), holomorphic=True)(A)
    with pytest.raises(TypeError, match="holomorphic"):
        bpa.grad(lambda x: jnp.sum(x ** 2), holomorphic=True)(A)


# ------------------------------------------------------------------- allow_int


@pytest.mark.parametrize("kind", ["grad", "jacrev", "vector_grad"])
def test_allow_int_differentiates_integer_inputs_like_jax(kind):
    n = jnp.array([1, 2], dtype=jnp.int32)
    fun = (lambda x, n: jnp.sum(x * n)) if kind == "grad" else (lambda x, n: x * n)
    got = getattr(bpa, kind)(fun, argnums=(0, 1), allow_int=True)(A, n)
    # jax.grad and the VJP give float0 for an integer input; jax.jacrev gives int zeros.
    want = jax_transform(kind, fun, (0, 1), allow_int=True)(A, n) if kind != "vector_grad" \
        else jax_transform(kind, fun, (0, 1))(A, n)
    assert_tree_close(got, want)
    if kind != "jacrev":
        assert got[1].dtype == jax.dtypes.float0


@pytest.mark.parametrize("kind", ["grad", "jacrev", "vector_grad"])
def test_integer_input_without_allow_int_names_the_fix(kind):
    n = jnp.array([1, 2], dtype=jnp.int32)
    with pytest.raises(TypeError, match=r"positional argument 1 has dtype int32.*allow_int=True"):
        getattr(bpa, kind)(lambda x, n: jnp.sum(x * n), argnums=(0, 1))(A, n)


@pytest.mark.parametrize("kind", ["jacfwd", "hessian"])
def test_forward_mode_rejects_integer_inputs_like_jax(kind):
    n = jnp.array([1, 2], dtype=jnp.int32)
    with pytest.raises(TypeError, match="dtype int32.*Cast it"):
        getattr(bpa, kind)(lambda n: jnp.sum(n * 1.0))(n)
    with pytest.raises(TypeError):
        jax_transform(kind, lambda n: jnp.sum(n * 1.0), 0)(n)


def test_integer_state_in_grad_vars_names_its_key():
    s = brainstate.State(jnp.array([1, 2], dtype=jnp.int32))
    with pytest.raises(TypeError, match=r"grad_vars\['count'\] has dtype int32"):
        bpa.grad(lambda: jnp.sum(s.value * 1.0), grad_vars={"count": s})()


# ------------------------------------------------------------------- debug_nan


def test_debug_nan_reports_a_nan_that_appears_after_clean_calls():
    """``debug_nan=True`` calls are brainstate's own, interpreted ones (see
    tests/package/test_internals.py): a NaN or Inf that appears at a later call of the
    same signature is reported in brainstate's words, not by a replayed program's host
    callback (mutation check 2026-12-05: ``compiled`` left True under debug_nan survived)."""
    w = brainstate.ParamState(jnp.array([1.0, 1.0], jnp.float32))
    hunting = bpa.grad(lambda x: jnp.sum(jnp.sqrt(w.value) * x), grad_vars=w, debug_nan=True)
    with bpa.compiled_calls(compile_at=2):
        for _ in range(3):
            assert_tree_close(hunting(B), 0.5 * B)
        w.value = jnp.array([1.0, 0.0], jnp.float32)
        with pytest.raises(RuntimeError) as err:
            hunting(B)
    assert str(err.value).startswith("NaN/Inf detected [grad]")
    stats = hunting.call_stats()
    assert (stats.interpreted, stats.replayed, stats.compiled) == (4, 0, 0)


# --------------------------------------------------------------------- hessian


def test_hessian_return_value_is_the_loss_not_the_gradient():
    f = lambda x: jnp.sum(x ** 3)  # noqa: E731
    h, value = bpa.hessian(f, return_value=True)(A)
    np.testing.assert_allclose(value, f(A), rtol=1e-6)
    assert_tree_close(h, jax.hessian(f)(A))


def test_hessian_has_aux_and_return_value():
    w = brainstate.ParamState(jnp.float32(2.0))
    f = lambda x: (jnp.sum(w.value * x ** 3), {"cube": x ** 3})  # noqa: E731
    h, value, aux = bpa.hessian(f, grad_vars=w, has_aux=True, return_value=True)(A)
    np.testing.assert_allclose(h, 0.0)  # linear in w
    np.testing.assert_allclose(value, 2.0 * jnp.sum(A ** 3), rtol=1e-6)
    np.testing.assert_allclose(aux["cube"], A ** 3, rtol=1e-6)


@pytest.mark.parametrize("argnums", [0, (0, 2), (2, 0)], ids=str)
@pytest.mark.parametrize("layout", ["single", "dict"])
def test_hessian_with_grad_vars_and_argnums_is_jax_block_layout(argnums, layout):
    w = brainstate.ParamState(jnp.array([0.3, -0.6], dtype=jnp.float32))
    u = brainstate.ParamState(jnp.float32(1.2))
    grad_vars = w if layout == "single" else {"w": w, "u": u}

    def pure(V, a, b, c):
        ww, uu = (V, jnp.float32(1.2)) if layout == "single" else (V["w"], V["u"])
        return jnp.sum(jnp.sin(ww * a) * c["k"] ** 2) * uu + jnp.sum(b)

    def f(a, b, c):
        V = w.value if layout == "single" else {"w": w.value, "u": u.value}
        return pure(V, a, b, c)

    args = (A, B, {"k": C})
    V = w.value if layout == "single" else {"w": w.value, "u": u.value}
    got, value = bpa.hessian(f, grad_vars=grad_vars, argnums=argnums, return_value=True)(*args)
    want = expected("hessian", pure, V, args, vars_given=True, argnums=argnums,
                    return_value=True)
    assert_tree_close((got, value), want)


# ------------------------------------------------------------------ decorators


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_decorator_forms(kind):
    fun = for_kind(kind, abc)

    @getattr(bpa, kind)
    def bare(a, b, c):
        return fun(a, b, c)

    @getattr(bpa, kind)(argnums=1)
    def with_argnums(a, b, c):
        return fun(a, b, c)

    @getattr(bpa, kind)(has_aux=True, return_value=True)
    def with_aux(a, b, c):
        return fun(a, b, c), {"b": b}

    assert_tree_close(bare(A, B, C), jax_transform(kind, fun, 0)(A, B, C))
    assert_tree_close(with_argnums(A, B, C), jax_transform(kind, fun, 1)(A, B, C))
    grads, value, aux = with_aux(A, B, C)
    assert_tree_close(grads, jax_transform(kind, fun, 0)(A, B, C))
    assert_tree_close(value, fun(A, B, C))
    assert_tree_close(aux, {"b": B})
    assert bare.__name__ == "bare" and with_argnums.__wrapped__.__name__ == "with_argnums"


def test_decorator_keeps_the_function_docstring():
    @bpa.grad(argnums=0)
    def loss(x):
        """My loss."""
        return jnp.sum(x)

    assert loss.__doc__ == "My loss."
    assert "grad" in repr(loss) and "argnums=0" in repr(loss)


def test_waiting_transform_refuses_arrays():
    pending = bpa.jacfwd(has_aux=True)
    with pytest.raises(TypeError, match="waiting for the function"):
        pending(A, B)


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_the_decorator_form_is_a_plain_function_that_makes_the_transform(kind):
    pending = getattr(bpa, kind)(argnums=1)
    assert not isinstance(pending, bpa.AutogradFunction)
    assert pending.__name__ == f"{kind}(argnums=1)"
    made = pending(for_kind(kind, abc))
    assert isinstance(made, bpa.AutogradFunction)
    with pytest.raises(TypeError, match=f"{kind}\\(\\) differentiates a function"):
        pending(A)


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_overloads_tell_the_decorator_form_from_the_direct_form(kind):
    overloads = typing.get_overloads(getattr(bpa, kind))
    assert [o.__annotations__["return"] for o in overloads] == ["Decorator", "AutogradFunction"]
    assert [o.__annotations__["func"] for o in overloads] == ["None", "Callable[..., Any]"]


def test_a_type_checker_tells_grad_f_from_grad_argnums(tmp_path):
    mypy = pytest.importorskip("mypy.api")
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        "import jax.numpy as jnp\n"
        "import brainpy_autograd as bpa\n"
        "def f(x: jnp.ndarray) -> jnp.ndarray:\n"
        "    return jnp.sum(x)\n"
        "reveal_type(bpa.grad(f))\n"
        "reveal_type(bpa.grad(argnums=1))\n"
        "reveal_type(bpa.hessian(has_aux=True)(f))\n"
        "bpa.jacrev(f, argnums='x')\n"
    )
    out, _, _ = mypy.run(["--cache-dir", str(tmp_path / "cache"), "--no-error-summary",
                          "--follow-imports=silent", str(snippet)])
    lines = [line.split(": ", 1)[1] for line in out.splitlines()]
    function = 'note: Revealed type is "brainpy_autograd._adapter._transform.AutogradFunction"'
    decorator = ('note: Revealed type is "def (def (*Any, **Any) -> Any) -> '
                 'brainpy_autograd._adapter._transform.AutogradFunction"')
    assert lines[:3] == [function, decorator, function], out
    assert 'error: Argument "argnums" to "jacrev" has incompatible type "str"' in lines[3], out
