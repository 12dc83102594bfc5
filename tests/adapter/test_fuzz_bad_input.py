"""Fuzzed wrong calls: always TypeError/ValueError naming the parameter, nothing touched."""

from __future__ import annotations

from dataclasses import dataclass

import brainstate
import jax.numpy as jnp
import numpy as np
from helpers import StateSnapshot, ci_settings, output_for
from hypothesis import given, note
from hypothesis import strategies as st
from oracle import SCALAR_TRANSFORMS, TRANSFORMS
from programs import nestings

import brainpy_autograd as bpa

KEYWORDS = {
    "grad": {"func", "grad_vars", "argnums", "holomorphic", "allow_int", "has_aux",
             "return_value", "compiled", "dyn_vars", "child_objs", "reduce_axes"},
    "vector_grad": {"func", "grad_vars", "argnums", "return_value", "has_aux", "allow_int",
                    "compiled", "dyn_vars", "child_objs", "reduce_axes"},
    "jacrev": {"func", "grad_vars", "argnums", "has_aux", "return_value", "holomorphic",
               "allow_int", "compiled", "dyn_vars", "child_objs", "reduce_axes"},
    "jacfwd": {"func", "grad_vars", "argnums", "has_aux", "return_value", "holomorphic",
               "compiled", "dyn_vars", "child_objs", "reduce_axes"},
    "hessian": {"func", "grad_vars", "argnums", "has_aux", "holomorphic", "return_value",
                "compiled", "dyn_vars", "child_objs", "reduce_axes"},
}

scalar_junk = st.one_of(
    st.floats(allow_nan=False, width=32), st.text(max_size=4), st.binary(max_size=2),
    st.complex_numbers(max_magnitude=5, allow_nan=False), st.just(object()),
    st.integers(-3, 3).map(lambda i: np.float64(i)), st.just(Ellipsis),
)
nested_junk = st.recursive(
    scalar_junk,
    lambda inner: st.lists(inner, min_size=1, max_size=2)
    | st.dictionaries(st.text(max_size=2), inner, min_size=1, max_size=2),
    max_leaves=4,
)
non_bool = st.one_of(scalar_junk, st.integers(-2, 3), st.lists(st.booleans(), max_size=2),
                     st.just(jnp.ones(2)))


@dataclass
class World:
    """States a wrong call must leave exactly as they were, and a valid function."""

    kind: str

    def __post_init__(self) -> None:
        self.w = brainstate.ParamState(jnp.array([1.0, -2.0], jnp.float32))
        self.h = brainstate.State(jnp.array([3.0, 4.0], jnp.float32))
        self.snapshot = StateSnapshot(self.w, self.h)

    def f(self, x, y):
        self.h.value = self.h.value + 1.0
        out = jnp.tanh(self.w.value * x) + y
        return output_for(self.kind, out)

    def check_untouched(self) -> None:
        self.snapshot.assert_untouched()


X = jnp.array([0.5, 1.5], jnp.float32)


@st.composite
def bad_argnums(draw):
    return draw(st.one_of(
        scalar_junk.filter(lambda v: not isinstance(v, (int, np.integer))),
        st.booleans(),
        st.lists(st.one_of(st.integers(0, 1), scalar_junk), min_size=1, max_size=3).filter(
            lambda v: any(not isinstance(a, int) for a in v)),
        st.integers(0, 1).map(lambda i: (i, i)),
        st.just(()),
        st.dictionaries(st.integers(0, 1), st.integers(0, 1), min_size=1, max_size=1),
    ))


@st.composite
def bad_calls(draw):
    """(kind, what is wrong, the call, a fragment the message must contain)."""
    kind = draw(st.sampled_from(TRANSFORMS))
    world = World(kind)
    t = getattr(bpa, kind)
    what = draw(st.sampled_from([
        "func", "argnums", "grad_vars", "has_aux", "return_value", "holomorphic",
        "allow_int", "unknown", "dyn_vars", "child_objs", "reduce_axes",
        "nonscalar", "no_pair", "integer_input", "argnums_range", "argument_type",
    ]))
    if what == "func":
        junk = draw(nested_junk.filter(lambda v: not callable(v)))
        return kind, what, world, lambda: t(junk), "func"
    if what == "argnums":
        junk = draw(bad_argnums())
        return kind, what, world, lambda: t(world.f, argnums=junk), "argnums"
    if what == "grad_vars":
        junk = draw(st.one_of(scalar_junk, st.none(), st.just(jnp.ones(2)), st.just(np.ones(1))))
        items = [world.w, world.h]
        items.insert(draw(st.integers(0, 2)), junk)
        layout = draw(nestings(items))
        return kind, what, world, lambda: t(world.f, grad_vars=layout), "grad_vars"
    if what in ("has_aux", "return_value", "holomorphic", "allow_int"):
        junk = draw(non_bool if what != "has_aux" else non_bool.filter(lambda v: v is not None))
        return kind, what, world, lambda: t(world.f, **{what: junk}), what
    if what == "unknown":
        name = draw(st.from_regex(r"[a-z][a-z_]{0,9}", fullmatch=True).filter(
            lambda n: n not in KEYWORDS[kind]))
        return kind, what, world, lambda: t(world.f, **{name: 1}), repr(name)
    if what in ("dyn_vars", "child_objs"):
        # child_objs accepts any object (a plain class holding States is a valid
        # "child object"), so only scalars and strings are junk there.
        leaf = scalar_junk if what == "dyn_vars" else scalar_junk.filter(
            lambda v: isinstance(v, (str, bytes, int, float, complex)))
        junk = draw(st.one_of(leaf, st.lists(st.one_of(leaf, st.just(world.h)), min_size=1,
                                             max_size=3).filter(
            lambda v: any(x is not world.h for x in v))))
        return kind, what, world, lambda: t(world.f, **{what: junk}), what
    if what == "reduce_axes":
        junk = draw(st.one_of(
            st.lists(st.text(min_size=1, max_size=3), min_size=1, max_size=2).map(tuple),
            st.text(min_size=1, max_size=3), st.integers(), st.floats(allow_nan=False),
            st.dictionaries(st.text(max_size=1), st.integers(), max_size=1)))
        return kind, what, world, lambda: t(world.f, reduce_axes=junk), "reduce_axes"
    if what == "nonscalar":
        kind = draw(st.sampled_from(SCALAR_TRANSFORMS))
        world = World("vector")
        return kind, what, world, lambda: getattr(bpa, kind)(world.f, grad_vars=world.w)(X, X), \
            "scalar output"
    if what == "no_pair":
        return kind, what, world, lambda: t(world.f, has_aux=True)(X, X), "has_aux"
    if what == "integer_input":
        n = jnp.array([1, 2], jnp.int32)
        pos = draw(st.integers(0, 1))
        args = (n, X) if pos == 0 else (X, n)
        return kind, what, world, lambda: t(world.f, argnums=pos)(*args), \
            f"positional argument {pos}"
    if what == "argnums_range":
        argnums = draw(st.one_of(st.integers(2, 5), st.integers(-6, -3),
                                 st.tuples(st.integers(0, 1), st.integers(2, 9))))
        return kind, what, world, lambda: t(world.f, argnums=argnums)(X, X), "argnums"
    junk = draw(st.one_of(st.text(max_size=3), st.just(object()), st.just(Ellipsis)))
    return kind, what, world, lambda: t(world.f, argnums=0)(X, junk), "positional argument 1"


@ci_settings(150)
@given(bad_calls())
def test_wrong_calls_raise_clear_errors_and_touch_nothing(case):
    kind, what, world, call, fragment = case
    note(f"{kind}: wrong {what}")
    try:
        call()
    except (TypeError, ValueError) as err:
        assert type(err).__module__ == "builtins", f"{type(err)} is not a plain Python error"
        message = str(err)
        assert fragment in message, f"{fragment!r} not in {message!r}"
        assert "Tracer" not in message
    else:
        raise AssertionError(f"{kind} with a wrong {what} did not raise")
    world.check_untouched()
