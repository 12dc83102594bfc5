"""brainpy_autograd.testing.check_grads: passes on right gradients, names the wrong ones."""

from __future__ import annotations

import brainstate
import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainpy_autograd
from brainpy_autograd.testing import check_grads, enable_x64


class StateSnapshot:
    """The bits of some States now (the random key's data included), to compare later."""

    def __init__(self, *states) -> None:
        self.states = states
        self.bits = [self._bits(s.value) for s in states]

    @staticmethod
    def _bits(value):
        if jnp.issubdtype(value.dtype, jax.dtypes.prng_key):
            value = jax.random.key_data(value)
        assert not isinstance(value, jax.core.Tracer)
        return np.asarray(value).dtype, np.asarray(value).tobytes()

    def assert_untouched(self) -> None:
        for k, (state, bits) in enumerate(zip(self.states, self.bits)):
            assert self._bits(state.value) == bits, f"State {k} changed"


class Net:
    """A small stateful model: two parameters, a hidden State it writes, random noise."""

    def __init__(self, dtype=jnp.float64) -> None:
        self.w = brainstate.ParamState(jnp.array([[0.5, -1.0], [0.3, 0.8]], dtype))
        self.b = brainstate.ParamState(jnp.array([0.1, -0.2], dtype))
        self.h = brainstate.State(jnp.array([0.2, -0.4], dtype))
        self.dtype = dtype

    def step(self, x, w=None, b=None):
        w = self.w.value if w is None else w
        b = self.b.value if b is None else b
        noise = 0.1 * brainstate.random.normal(size=(2,), dtype=self.dtype)
        self.h.value = jnp.tanh(self.h.value @ w + x + b + noise)
        return self.h.value

    def loss(self, x):
        return jnp.sum(jnp.sin(self.step(x)) ** 2)

    def outputs(self, x):
        h = self.step(x)
        return {"h": h, "total": jnp.sum(h * x)}

    def states(self):
        return (self.w, self.b, self.h, brainstate.random.DEFAULT)


X64 = jnp.array([0.7, -0.3])


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("modes", [("rev", "fwd"), ("rev",), ("fwd",)])
@pytest.mark.parametrize("argnums", [None, 0])
def test_passes_on_a_model_that_writes_states_and_draws_random_numbers(order, modes, argnums):
    net = Net()
    before = StateSnapshot(*net.states())
    key = brainstate.random.DEFAULT.value
    check_grads(net.loss, (X64,), grad_vars={"w": net.w, "b": net.b}, argnums=argnums,
                order=order, modes=modes)
    before.assert_untouched()  # every State and the key hold the same bits
    assert brainstate.random.DEFAULT.value is key


@pytest.mark.parametrize("dtype", [jnp.float32, jnp.float64])
def test_passes_on_a_pytree_output_in_both_dtypes(dtype):
    net = Net(dtype)
    before = StateSnapshot(*net.states())
    check_grads(net.outputs, (X64.astype(dtype),), grad_vars=[net.w, net.h], argnums=(0,))
    before.assert_untouched()


def test_the_states_are_put_back_when_the_check_fails():
    net = Net()
    before = StateSnapshot(*net.states())
    with pytest.raises(AssertionError):
        check_grads(lambda x: net.loss(x) + jax.lax.stop_gradient(jnp.sum(net.b.value ** 2)),
                    (X64,), grad_vars={"b": net.b})
    before.assert_untouched()


@jax.custom_vjp
def wrong_square(x):
    return x ** 2


wrong_square.defvjp(lambda x: (x ** 2, x), lambda x, g: (3.0 * x * g,))  # should be 2x


@pytest.mark.parametrize(("where", "named"), [("state", "grad_vars['b']"),
                                              ("argument", "argument 1"),
                                              ("nested", "grad_vars['layer'][1]")])
@pytest.mark.parametrize("modes", [("rev",), ("rev", "fwd")])
def test_a_wrong_custom_vjp_rule_is_named(where, named, modes):
    net = Net()
    scale = jnp.array([1.5, -0.5])

    def f(x, s):
        b = wrong_square(net.b.value) if where in ("state", "nested") else net.b.value
        s = wrong_square(s) if where == "argument" else s
        return jnp.sum(net.step(x, b=b) * s)

    grad_vars = ({"layer": [net.w, net.b]} if where == "nested"
                 else {"w": net.w, "b": net.b})
    before = StateSnapshot(*net.states())
    with pytest.raises(AssertionError) as info:
        check_grads(f, (X64, scale), grad_vars=grad_vars, argnums=(0, 1), modes=modes)
    text = str(info.value)
    assert "reverse mode (brainpy_autograd.grad)" in text
    first = text.splitlines()[0]
    assert named in first
    for other in ("grad_vars['w']", "argument 0", "grad_vars['layer'][0]"):
        assert other not in first
    assert "largest absolute error" in text and "largest relative error" in text
    assert "atol=1e-05, rtol=1e-05 (float64)" in text
    before.assert_untouched()


def test_a_stop_gradient_that_drops_a_states_path_is_named():
    net = Net()

    def f(x):
        w = net.w.value
        direct = jnp.sum(jnp.cos(net.b.value) * x)
        return net.loss(x) + jax.lax.stop_gradient(direct) + jnp.sum(w)

    with pytest.raises(AssertionError) as info:
        check_grads(f, (X64,), grad_vars={"w": net.w, "b": net.b}, modes=("fwd",))
    first = str(info.value).splitlines()[0]
    assert "forward mode (brainpy_autograd.jacfwd)" in first
    assert "grad_vars['b']" in first and "grad_vars['w']" not in first


@pytest.mark.parametrize("n", [4, 300])  # the whole jacfwd, and jacfwd along the direction
def test_forward_mode_names_a_dropped_state_path_at_any_size(n):
    w = brainstate.ParamState(jnp.linspace(-1.0, 1.0, n))
    b = brainstate.ParamState(jnp.linspace(0.5, 1.5, n))
    h = brainstate.State(jnp.zeros(n))

    def f(x):
        h.value = jnp.tanh(w.value * x)
        return jnp.sum(h.value ** 2) + jax.lax.stop_gradient(jnp.sum(jnp.sin(b.value) * x))

    check_grads(lambda x: jnp.sum(jnp.tanh(w.value * x) * b.value), (jnp.ones(n),),
                grad_vars={"w": w, "b": b}, modes=("fwd",))
    with pytest.raises(AssertionError) as info:
        check_grads(f, (jnp.ones(n),), grad_vars={"w": w, "b": b}, modes=("fwd",))
    first = str(info.value).splitlines()[0]
    assert "grad_vars['b']" in first and "grad_vars['w']" not in first
    assert np.all(np.asarray(h.value) == 0)


def test_forward_mode_along_the_direction_with_mixed_dtypes_units_and_pytrees():
    """Above 256 input elements jacfwd runs along the direction: inputs of two dtypes, a
    State holding a pytree, a Quantity State and an argument all move along it."""
    n = 150
    w32 = brainstate.ParamState(jnp.linspace(-1.0, 1.0, n, dtype=jnp.float32))
    tree = brainstate.ParamState({"a": jnp.linspace(0.5, 1.5, n), "b": jnp.full((3, 2), 0.3)})
    tau = brainstate.ParamState(jnp.linspace(10.0, 20.0, n) * u.ms)
    h = brainstate.State(jnp.zeros(n))
    before = StateSnapshot(w32, h)

    def f(x, scale):
        decay = u.math.exp(-(5.0 * u.ms) / tau.value)
        h.value = jnp.tanh(w32.value.astype(jnp.float64) * x * tree.value["a"]) * decay
        return jnp.sum(h.value ** 2) + jnp.sum(tree.value["b"] * scale) ** 2

    grad_vars = {"w32": w32, "tree": tree, "tau": tau}
    args = (jnp.linspace(0.2, 0.9, n), jnp.full((3, 2), 1.5))
    check_grads(f, args, grad_vars=grad_vars, argnums=1, modes=("fwd",), atol=1e-2, rtol=1e-2)
    before.assert_untouched()

    def dropped(x, scale):  # the path through tree["a"] is cut: jacfwd misses it
        a = jax.lax.stop_gradient(tree.value["a"])
        decay = u.math.exp(-(5.0 * u.ms) / tau.value)
        return jnp.sum((jnp.tanh(w32.value * x * a) * decay) ** 2) + jnp.sum(
            tree.value["b"] * scale) ** 2

    with pytest.raises(AssertionError) as info:
        check_grads(dropped, args, grad_vars=grad_vars, argnums=1,
                    modes=("fwd",), atol=1e-2, rtol=1e-2)
    first = str(info.value).splitlines()[0]
    assert "grad_vars['tree']['a']" in first
    assert "grad_vars['w32']" not in first and "argument 1" not in first
    before.assert_untouched()


def _swap_var_grads(transform):
    """``transform`` whose States' gradients come back in the wrong order."""

    def made(f, **options):
        inner = transform(f, **options)

        def call(*args):
            out = inner(*args)
            var, arg = out if "argnums" in options else (out, None)
            keys = list(var)
            swapped = dict(zip(keys, [var[k] for k in reversed(keys)]))
            return swapped if arg is None else (swapped, arg)

        return call

    return made


@pytest.mark.parametrize("name", ["grad", "jacfwd"])
def test_a_transform_with_its_grad_vars_order_mixed_up_is_caught(monkeypatch, name):
    net = Net()
    a = brainstate.ParamState(jnp.array([0.5, 2.0]))
    c = brainstate.ParamState(jnp.array([-1.0, 0.25]))
    monkeypatch.setattr(brainpy_autograd, name, _swap_var_grads(getattr(brainpy_autograd, name)))

    def f(x):
        return jnp.sum(jnp.sin(a.value) * x) + jnp.sum(c.value ** 3) + net.loss(x)

    with pytest.raises(AssertionError) as info:
        check_grads(f, (X64,), grad_vars={"a": a, "c": c}, argnums=0,
                    modes=("fwd",) if name == "jacfwd" else ("rev",))
    first = str(info.value).splitlines()[0]
    assert f"brainpy_autograd.{name}" in first
    assert "grad_vars['a']" in first and "grad_vars['c']" in first
    assert "argument 0" not in first


def test_a_wrong_hessian_is_named(monkeypatch):
    net = Net()
    right = brainpy_autograd.hessian

    def doubled(f, **options):
        inner = right(f, **options)
        return lambda *args: jax.tree.map(lambda h: 2 * h, inner(*args))

    monkeypatch.setattr(brainpy_autograd, "hessian", doubled)
    check_grads(net.loss, (X64,), grad_vars={"b": net.b}, order=1)  # order 1 never asks it
    with pytest.raises(AssertionError, match=r"hessian\) disagrees .* for grad_vars\['b'\]"):
        check_grads(net.loss, (X64,), grad_vars={"b": net.b}, order=2)


def test_float32_failures_say_how_to_check_in_float64():
    w = brainstate.ParamState(jnp.array([0.5, -1.0], jnp.float32))
    with pytest.raises(AssertionError) as info:
        check_grads(lambda x: jnp.sum(wrong_square(w.value) * x), (jnp.ones(2, jnp.float32),),
                    grad_vars=w)
    text = str(info.value)
    assert "atol=0.002, rtol=0.002 (float32)" in text and "enable_x64()" in text


def test_enable_x64_makes_float64_and_puts_the_flag_back():
    flag = jax.config.jax_enable_x64
    with enable_x64():
        assert jnp.ones(2).dtype == jnp.float64
        w = brainstate.ParamState(jnp.array([0.5, -1.0]))
        check_grads(lambda x: jnp.sum(jnp.tanh(w.value * x)), (jnp.ones(2),), grad_vars=w)
    assert jax.config.jax_enable_x64 == flag


def test_quantities_are_checked_in_their_units():
    tau = brainstate.ParamState(jnp.array([10.0, 20.0]) * u.ms)

    def decay(v):
        return u.math.sum(v * u.math.exp(-(5.0 * u.ms) / tau.value))

    check_grads(decay, (jnp.array([1.0, -2.0]) * u.mV,), grad_vars={"tau": tau}, argnums=0)

    @jax.custom_vjp
    def wrong(t):
        return t

    wrong.defvjp(lambda t: (t, None), lambda _, g: (2.0 * g,))

    def decay_wrong(v):
        t = u.Quantity(wrong(tau.value.mantissa), unit=tau.value.unit)
        return u.math.sum(v * u.math.exp(-(5.0 * u.ms) / t))

    with pytest.raises(AssertionError, match=r"grad_vars\['tau'\]"):
        check_grads(decay_wrong, (jnp.array([1.0, -2.0]) * u.mV,), grad_vars={"tau": tau},
                    argnums=0)


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"f": 3}, TypeError, "f must be callable, got an int"),
    ({"args": jnp.ones(2)}, TypeError, r"args must be a tuple .*\(write \(x,\)"),
    ({"grad_vars": {"w": 1.0}}, TypeError, r"grad_vars\['w'\] is a float"),
    ({"argnums": "0"}, TypeError, "argnums must be an int or a tuple of ints"),
    ({"argnums": 3}, ValueError, "argnums 3 is out of range"),
    ({"argnums": (0, -1)}, ValueError, "names an argument twice"),
    ({"order": 3}, ValueError, "order must be 1"),
    ({"order": 1.0}, TypeError, "order must be 1 or 2"),
    ({"modes": "rev"}, TypeError, r"write \('rev',\)"),
    ({"modes": ("rev", "lin")}, ValueError, "'rev' and/or 'fwd'"),
    ({"eps": -1e-3}, ValueError, "eps must be a positive"),
    ({"atol": "1e-3"}, TypeError, "atol must be a positive number"),
    ({"seed": -1}, ValueError, r"seed must be from 0 to 2\*\*32 - 1"),
    ({"args": (jnp.arange(2),)}, TypeError, "argument 0 has dtype int"),
    ({"grad_vars": {}, "argnums": ()}, ValueError, "nothing to differentiate"),
])
def test_options_are_checked_in_the_users_terms(kwargs, error, match):
    call = {"f": lambda x: jnp.sum(x ** 2), "args": (jnp.ones(2),), **kwargs}
    with pytest.raises(error, match=match):
        check_grads(call.pop("f"), call.pop("args"), **call)


def test_importing_the_module_does_not_import_hypothesis():
    import subprocess
    import sys

    code = ("import sys, brainpy_autograd.testing as t; t.check_grads; "
            "assert 'hypothesis' not in sys.modules, 'hypothesis was imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_numbers_in_a_message_are_the_real_errors():
    w = brainstate.ParamState(jnp.array([1.0, 2.0]))
    with pytest.raises(AssertionError) as info:
        check_grads(lambda: jnp.sum(wrong_square(w.value)), (), grad_vars=w, modes=("rev",))
    line = str(info.value).splitlines()[1]
    # d/dw sum(w^2) along a direction: the wrong rule gives 3/2 of the right value. The
    # finite differences run in float32 (eps 1e-3), so they hold to about 1e-4 relative.
    got = float(line.split("got ")[1].split(",")[0])
    fd = float(line.split("finite differences ")[1].split(")")[0])
    np.testing.assert_allclose(got, 1.5 * fd, rtol=1e-3)
    absolute = float(line.split("largest absolute error ")[1].split(" ")[0])
    np.testing.assert_allclose(absolute, abs(got - fd), rtol=5e-3)  # printed to 3 digits


def _counting(monkeypatch, name):
    """Plant a factory for ``brainpy_autograd.<name>`` that counts the transforms it makes."""
    made = []
    right = getattr(brainpy_autograd, name)

    def factory(f, **options):
        made.append(f)
        return right(f, **options)

    monkeypatch.setattr(brainpy_autograd, name, factory)
    return made


def test_a_later_check_of_the_same_function_uses_its_transforms_again(monkeypatch):
    made = _counting(monkeypatch, "grad")
    net = Net()
    before = StateSnapshot(*net.states())
    for x in (X64, 2 * X64, X64):
        check_grads(net.loss, (x,), grad_vars={"w": net.w, "b": net.b}, modes=("rev",))
    assert len(made) == 1  # traced at the first check, replayed at the later ones
    check_grads(net.loss, (X64,), grad_vars={"w": net.w}, modes=("rev",))  # other grad_vars
    assert len(made) == 2
    before.assert_untouched()


def test_a_function_whose_program_changed_between_checks_is_checked_as_it_is_now(monkeypatch):
    made = _counting(monkeypatch, "grad")
    w = brainstate.ParamState(jnp.array([0.5, -1.0]))
    wrong = {"now": False}

    def f(x):
        v = jax.lax.stop_gradient(w.value) if wrong["now"] else w.value  # read when traced
        return jnp.sum(jnp.sin(v) * x)

    check_grads(f, (X64,), grad_vars={"w": w}, modes=("rev",))
    wrong["now"] = True
    with pytest.raises(AssertionError, match=r"grad_vars\['w'\]"):
        check_grads(f, (X64,), grad_vars={"w": w}, modes=("rev",))
    assert len(made) == 2


@pytest.mark.parametrize("modes", [("rev",), ("fwd",)])
def test_a_custom_rule_changed_between_checks_is_checked_as_it_is_now(modes):
    rule = {"factor": 2.0}

    @jax.custom_vjp
    def square(x):
        return x ** 2

    square.defvjp(lambda x: (x ** 2, x), lambda x, g: (rule["factor"] * x * g,))

    @jax.custom_jvp
    def cube(x):
        return x ** 3

    cube.defjvp(lambda p, t: (cube(p[0]), rule["factor"] * 1.5 * p[0] ** 2 * t[0]))
    w = brainstate.ParamState(jnp.array([0.5, -1.0]))

    def f(x):  # the rule is not in the traced program: such a program is never kept
        return jnp.sum((square(w.value) if modes == ("rev",) else cube(w.value)) * x)

    check_grads(f, (X64,), grad_vars={"w": w}, modes=modes)
    rule["factor"] = 3.0
    with pytest.raises(AssertionError, match=r"grad_vars\['w'\]"):
        check_grads(f, (X64,), grad_vars={"w": w}, modes=modes)


def test_a_captured_numpy_array_changed_in_place_between_checks_is_read_as_it_is_now():
    w = brainstate.ParamState(jnp.array([0.5, -1.0]))
    scale = np.array([1.0, 2.0])

    def f(x):
        return jnp.sum(jnp.sin(w.value * scale) * x)

    for value in (1.0, 3.0):
        scale[:] = value
        check_grads(f, (X64,), grad_vars={"w": w}, modes=("rev", "fwd"))


@pytest.mark.parametrize("n", [2, 300])  # the whole jacfwd, and jacfwd along the direction
@pytest.mark.parametrize("order", [1, 2])
def test_an_empty_input_has_nothing_to_check_and_the_others_are_checked(n, order):
    empty = brainstate.ParamState(jnp.zeros((0, 3)))
    w = brainstate.ParamState(jnp.linspace(-1.0, 1.0, n))
    h = brainstate.State(jnp.zeros(n))

    def f(a, b):
        h.value = jnp.tanh(w.value * b)
        return (jnp.sum(a ** 2) + jnp.sum(empty.value ** 3) + jnp.sum(h.value ** 2)
                + jnp.sum(jnp.sin(b)))

    before = StateSnapshot(empty, w, h)
    check_grads(f, (jnp.zeros((0,)), jnp.ones(n)), grad_vars={"e": empty, "w": w},
                argnums=(0, 1), order=order)
    before.assert_untouched()

    def g(a, b):  # the derivative for w dropped: still found beside the empty inputs
        return f(a, b) + jax.lax.stop_gradient(jnp.sum(jnp.cos(w.value) * b))

    with pytest.raises(AssertionError) as info:
        check_grads(g, (jnp.zeros((0,)), jnp.ones(n)), grad_vars={"e": empty, "w": w},
                    argnums=(0, 1), order=order)
    first = str(info.value).splitlines()[0]
    assert "grad_vars['w']" in first
    assert "grad_vars['e']" not in first and "argument 0" not in first
    before.assert_untouched()


@pytest.mark.parametrize("grad_vars", [None, "empty state"])
def test_only_empty_inputs_is_nothing_to_differentiate(grad_vars):
    empty = brainstate.ParamState(jnp.zeros((0,)))
    options = {} if grad_vars is None else {"grad_vars": {"e": empty}, "argnums": 0}
    before = StateSnapshot(empty)
    with pytest.raises(ValueError, match=r"nothing to differentiate: every differentiated "
                                         r"input is empty.*argument 0 has shape \(0,\)"):
        check_grads(lambda a: jnp.sum(a ** 2) + jnp.sum(empty.value) + 1.0,
                    (jnp.zeros((0,)),), **options)
    before.assert_untouched()


@jax.custom_vjp
def vjp_only_square(x):
    return x ** 2


vjp_only_square.defvjp(lambda x: (x ** 2, x), lambda x, g: (2.0 * x * g,))


def test_forward_mode_fails_only_where_a_tangent_reaches_a_custom_vjp():
    w = brainstate.ParamState(jnp.array([0.5, -1.0]))

    def f(x, readout):
        return jnp.sum(jnp.tanh(readout * vjp_only_square(w.value * x)) ** 2)

    args = (jnp.ones(2), jnp.array([0.3, 0.7]))
    before = StateSnapshot(w)
    check_grads(f, args, argnums=1)  # the readout's tangent does not reach it: both modes
    for options in ({"argnums": 0}, {"grad_vars": {"w": w}}):
        with pytest.raises(TypeError, match=r"the tangent of a differentiated input reaches "
                                            r"a jax.custom_vjp function.*modes=\(\"rev\",\)"):
            check_grads(f, args, **options)
        check_grads(f, args, modes=("rev",), **options)
    before.assert_untouched()
