"""A differential fuzzer of the compiled-call engine: every call against ``compiled=False``.

A hypothesis ``RuleBasedStateMachine`` keeps two identical models, one called
through a transform on the default path (traced, replayed, compiled), the other
through the same transform with ``compiled=False`` (brainstate's own call).
Between calls its rules change, identically in both models, what a cached program
could wrongly take for "the same call": a State's tree structure and dict keys,
its dtype, a Python scalar written into it (weak type), its shape and its
brainunit unit; the device an argument or State is committed to; 64-bit mode; a
captured NumPy array changed in place; the argument's kind (Python scalar, NumPy,
JAX, several dtypes); and ``compile_at`` (1, 2, auto).

After every call the two results must have the same tree and container types
(dict key order included), the same leaf types, dtypes, weak types, units and
placement (sharding, committed), equal values to float rounding, the same States
afterwards, or the same exception type.

Budget: the ``ci`` profile runs a fixed, derandomized number of programs. Set
``BRAINPY_AUTOGRAD_FUZZ=long`` for a long local run; it prints how many calls it
compared (run pytest with ``-s`` to see it).
"""

from __future__ import annotations

import os

import brainstate
import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

import brainpy_autograd as bpa

LONG = os.environ.get("BRAINPY_AUTOGRAD_FUZZ", "") == "long"
#: ``BRAINPY_AUTOGRAD_FUZZ_RULES=tree,unit``: only these kinds of change (default: all)
ONLY = set(filter(None, os.environ.get("BRAINPY_AUTOGRAD_FUZZ_RULES", "").split(",")))


def kind(name: str):
    """A rule that changes ``name`` (skipped when ``BRAINPY_AUTOGRAD_FUZZ_RULES`` omits it)."""
    return precondition(lambda self: not ONLY or name in ONLY)
CALLS = {"compared": 0}

TREES = [("a", "b"), ("a", "c"), ("b",), ("c", "a")]
NUMS = ["f32", "f16", "f64", "py_float", "py_int", "shape2", "bf16"]
UNITS = [u.mV, u.volt, u.uvolt]
COUNTS = ["py0", "i32", "i64"]
ARGS = ["jax_f32", "jax_f64", "np_f32", "np_f64", "py_float", "jax_f16", "py_int"]
COMPILE_AT = [1, 2, "auto"]


def _array(kind: str, value: float, shape: tuple[int, ...] = (3,)):
    x64 = jax.config.jax_enable_x64
    if kind == "py_float":
        return float(value)
    if kind == "py_int":
        return int(value)
    if kind.startswith("np_"):
        dtype = np.float64 if kind == "np_f64" else np.float32
        return np.full(shape, value, dtype)
    dtype = {"jax_f32": jnp.float32, "f32": jnp.float32, "jax_f16": jnp.float16,
             "f16": jnp.float16, "bf16": jnp.bfloat16,
             "jax_f64": jnp.float64 if x64 else jnp.float32,
             "f64": jnp.float64 if x64 else jnp.float32}[kind]
    return jnp.full(shape, value, dtype)


class Model:
    """A BrainPy-style model whose States the rules change between calls."""

    def __init__(self) -> None:
        self.w = brainstate.ParamState(jnp.ones(3, jnp.float32))
        self.tree = brainstate.State({"a": jnp.ones(3), "b": jnp.full(3, 10.0)})
        self.num = brainstate.State(jnp.ones(3, jnp.float32))
        self.volt = brainstate.State(jnp.ones(3, jnp.float32) * u.mV)
        self.count = brainstate.State(jnp.int32(0))
        self.const = np.ones(3, np.float32)  # captured; changed in place by a rule

    def loss(self, x):
        tree_sum = sum(jnp.sum(v) for v in jax.tree.leaves(self.tree.value))
        num = self.num.value
        self.count.value = self.count.value + 1
        self.num.value = num * 2
        volt = self.volt.value
        loss = (jnp.sum(self.w.value * x * jnp.asarray(self.const))
                + tree_sum * jnp.sum(num) + jnp.sum(jnp.sum(num) * x)
                + jnp.sum(u.get_mantissa(volt)) + jnp.sum(self.count.value * x))
        aux = {"tree": self.tree.value, "num": num + 1, "volt": volt * 2,
               "zeros": jnp.zeros(2), "count": self.count.value, "one": 1}
        return loss, aux


def _describe(x):
    """Everything about a result but its values: containers, key order, leaf kinds."""
    if isinstance(x, dict):
        return (type(x), tuple(x.keys()), tuple(_describe(v) for v in x.values()))
    if isinstance(x, (list, tuple)):
        return (type(x), tuple(_describe(v) for v in x))
    if isinstance(x, u.Quantity):
        return (u.Quantity, x.unit, _describe(x.mantissa))
    if isinstance(x, jax.Array):
        return (type(x), x.dtype, x.weak_type, x.shape, x.sharding, x.committed)
    if isinstance(x, np.ndarray):
        return (type(x), x.dtype, x.shape)
    return (type(x), x)


def assert_same(ours, theirs, what: str) -> None:
    assert _describe(ours) == _describe(theirs), what
    for a, b in zip(jax.tree.leaves(ours), jax.tree.leaves(theirs)):
        a, b = np.asarray(a), np.asarray(b)
        tol = 1e-2 if a.dtype in (np.float16, jnp.bfloat16) else 1e-5
        np.testing.assert_allclose(a.astype(np.float64), b.astype(np.float64),
                                   rtol=tol, atol=tol, err_msg=what)


def _outcome(call):
    try:
        return call(), None
    except Exception as err:  # noqa: BLE001 - compared with the reference's
        return None, err


class EngineAgainstBrainstate(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.x64 = jax.config.jax_enable_x64
        self.models = (Model(), Model())
        self.grads = [bpa.grad(m.loss, grad_vars={"w": m.w}, argnums=0, has_aux=True,
                               return_value=True, compiled=c)
                      for m, c in zip(self.models, (None, False))]
        self.arg = "jax_f32"
        self.value = 1.0

    def teardown(self) -> None:
        jax.config.update("jax_enable_x64", self.x64)
        bpa.set_compiled_calls(compile_at="auto")

    def _both(self, change) -> None:
        """Make the change in both models, then call both (every step ends in a call)."""
        for m in self.models:
            change(m)
        self.call()

    @initialize()
    def first_calls(self):
        self.call()
        self.call()

    @rule()
    def call(self):
        x = _array(self.arg, self.value)
        (ours, our_err), (theirs, their_err) = [_outcome(lambda g=g: g(x))
                                                 for g in self.grads]
        CALLS["compared"] += 1
        assert type(our_err) is type(their_err), (our_err, their_err)
        if our_err is None:
            assert_same(ours, theirs, "result")

    @invariant()
    def states_agree(self):
        a, b = self.models
        for name in ("w", "tree", "num", "volt", "count"):
            assert_same(getattr(a, name).value, getattr(b, name).value, f"State {name}")

    def _transition(self, change, first, then) -> None:
        """``change(model, first)``, a call, ``change(model, then)``, a call: every rule
        checks one change between two calls of a transform that has run before."""
        self._both(lambda m: change(m, first))
        self._both(lambda m: change(m, then))

    @kind("tree")
    @rule(first=st.sampled_from(TREES), then=st.sampled_from(TREES))
    def change_tree(self, first, then):
        def change(m, keys):
            m.tree.value = {k: jnp.full(3, float(i + 1)) for i, k in enumerate(keys)}
        self._transition(change, first, then)

    @kind("dtype")
    @rule(first=st.sampled_from(NUMS), then=st.sampled_from(NUMS))
    def change_num(self, first, then):
        def change(m, kind):
            value = {"py_float": 1.0, "py_int": 1}.get(kind)
            m.num.value = value if value is not None else _array(
                "f32" if kind == "shape2" else kind, 0.5, (2,) if kind == "shape2" else (3,))
        self._transition(change, first, then)

    @kind("unit")
    @rule(first=st.sampled_from(UNITS), then=st.sampled_from(UNITS))
    def change_volt(self, first, then):
        def change(m, unit):
            m.volt.value = jnp.ones(3, jnp.float32) * unit
        self._transition(change, first, then)

    @kind("dtype")
    @rule(first=st.sampled_from(COUNTS), then=st.sampled_from(COUNTS))
    def reset_count(self, first, then):
        def change(m, kind):
            int64 = jnp.int64 if jax.config.jax_enable_x64 else jnp.int32
            m.count.value = {"py0": 0, "i32": jnp.int32(0), "i64": jnp.asarray(0, int64)}[kind]
        self._transition(change, first, then)

    @kind("device")
    @rule(which=st.sampled_from(["w", "num", "none"]), last=st.booleans())
    def commit(self, which, last):
        device = jax.devices()[-1 if last else 0]
        for m in self.models:
            for name in ("w", "num"):
                state = getattr(m, name)
                if not isinstance(state.value, jax.Array):
                    continue
                host = np.asarray(state.value)
                state.value = (jax.device_put(host, device) if name == which
                               else jnp.asarray(host))
        self.call()

    @kind("x64")
    @rule()
    def toggle_x64(self):
        jax.config.update("jax_enable_x64", not jax.config.jax_enable_x64)
        self.call()

    @kind("numpy")
    @rule(delta=st.sampled_from([1.0, -0.5]))
    def mutate_captured_numpy(self, delta):
        self._both(lambda m: m.const.__iadd__(delta))

    @kind("argument")
    @rule(kind=st.sampled_from(ARGS), value=st.sampled_from([1.0, 0.5, 2.0]))
    def set_argument(self, kind, value):
        self.arg, self.value = kind, value
        self.call()

    @kind("compile_at")
    @rule(n=st.sampled_from(COMPILE_AT))
    def set_compile_at(self, n):
        bpa.set_compiled_calls(compile_at=n)
        self.call()


EngineAgainstBrainstate.TestCase.settings = settings(
    max_examples=150 if LONG else 12,
    stateful_step_count=30 if LONG else 12,
    deadline=None,
    derandomize=not LONG,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.slow  # minutes: CI runs it in its sessions for slow tests (tests-slow, wheel)
@pytest.mark.filterwarnings(
    # brainstate's own float16/bfloat16 reductions may warn about precision; both
    # paths warn alike, and the values are compared to float16's rounding anyway
    "ignore::RuntimeWarning")
def test_the_engine_agrees_with_brainstate_between_changing_calls():
    EngineAgainstBrainstate.TestCase().runTest()
    if LONG:
        print(f"\nfuzzer: {CALLS['compared']} calls compared with compiled=False")
    assert CALLS["compared"] > 0
