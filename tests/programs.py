"""Random differentiable programs over arguments and States, for the property suite.

A :class:`Program` is a small, random, smooth function of 1 to 4 positional
array arguments (scalars included) and 1 to 3 States, in float32 or float64:
chains of elementwise ops (sin, tanh, exp of a bounded input, polynomials, ...)
on every input, reduced to scalars (sums, means, matrix-vector products), mixed
with sums and products across inputs. Some States are only read, some also
written, and the output may read a written State back.

:meth:`Program.evaluate` is the single definition of the computation: the
stateful function (:meth:`Example.stateful`) runs it on values read from
States and writes the new values back; the oracle (:meth:`Example.pure`) runs
it on values passed explicitly, for JAX to differentiate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import strategies as st
from oracle import SCALAR_TRANSFORMS, TRANSFORMS

UNARY = {
    "sin": jnp.sin,
    "cos": jnp.cos,
    "tanh": jnp.tanh,
    "exp_tanh": lambda x: jnp.exp(jnp.tanh(x)),
    "square": lambda x: x ** 2,
    "cubic": lambda x: 0.2 * x ** 3 - x,
    "affine": lambda x: 0.5 * x + 0.25,
    "log1p_sq": lambda x: jnp.log1p(x ** 2),
    "sigmoid": jax.nn.sigmoid,
}
REDUCE = {
    "sum": jnp.sum,
    "mean": jnp.mean,
    "half_sumsq": lambda x: 0.5 * jnp.sum(x ** 2),
    "first": lambda x: jnp.ravel(x)[0],
}
SHAPES = [(), (1,), (2,), (3,), (2, 3), (3, 2), (1, 3)]


@dataclass(frozen=True)
class Write:
    state: int
    op: str  # applied to the old value (if the State is read)
    source: int  # the term that feeds the new value
    coef: float


@dataclass(frozen=True)
class Program:
    dtype: str
    arg_shapes: tuple[tuple[int, ...], ...]
    state_shapes: tuple[tuple[int, ...], ...]
    state_read: tuple[bool, ...]
    state_param: tuple[bool, ...]  # ParamState or plain State
    chains: tuple[tuple[str, ...], ...]  # one per input: args, then States
    reduces: tuple[str, ...]
    coefs: tuple[float, ...]
    pairs: tuple[tuple[int, int], ...]  # products of terms
    matvecs: tuple[tuple[int, int], ...]  # (2-D input, 1-D input) products
    writes: tuple[Write, ...]
    read_after_write: bool
    output: str  # "scalar", "vector", "tuple" or "dict"
    vec_source: int

    @property
    def n_args(self) -> int:
        return len(self.arg_shapes)

    def evaluate(self, args: tuple[Any, ...], state_values: list[Any]) -> tuple[Any, Any, dict]:
        """(output, aux, {state index: new value}) for the given inputs.

        ``state_values`` has one entry per State; unread States are never used.
        """
        inputs = list(args) + [v if read else None
                               for v, read in zip(state_values, self.state_read)]
        mapped: list[Any] = []
        terms: list[Any] = []
        for x, chain, reduce, coef in zip(inputs, self.chains, self.reduces, self.coefs):
            if x is None:
                mapped.append(None)
                terms.append(None)
                continue
            u = jnp.asarray(x, dtype=self.dtype)
            for name in chain:
                u = UNARY[name](u)
            mapped.append(u)
            terms.append(coef * REDUCE[reduce](u))
        live = [t for t in terms if t is not None]
        s = sum(live[1:], live[0])
        for i, j in self.pairs:
            if terms[i] is not None and terms[j] is not None:
                s = s + terms[i] * terms[j]
        for i, j in self.matvecs:
            if mapped[i] is not None and mapped[j] is not None:
                s = s + 0.3 * jnp.sum(mapped[i] @ mapped[j])
        new: dict[int, Any] = {}
        for w in self.writes:
            src = terms[w.source] if terms[w.source] is not None else s
            shape = self.state_shapes[w.state]
            if self.state_read[w.state]:
                old = jnp.asarray(state_values[w.state], dtype=self.dtype)
                value = UNARY[w.op](old) + w.coef * src
            else:
                value = jnp.full(shape, w.coef * src)
            new[w.state] = jnp.asarray(value, dtype=self.dtype).reshape(shape)
        if self.read_after_write and new:
            s = s + 0.5 * jnp.sum(new[min(new)])
        out: Any = s
        if self.output != "scalar":
            base = mapped[self.vec_source]
            vec = jnp.ravel(base) * s + jnp.sin(jnp.ravel(base))
            out = {"vector": vec, "tuple": (vec, s), "dict": {"v": vec, "s": s}}[self.output]
        aux = {"s": s, "terms": [t for t in terms if t is not None][:2]}
        return out, aux, new


@st.composite
def programs(draw: Any, output: str, n_args: tuple[int, int] = (1, 4),
             states: tuple[int, int] = (1, 3), writes: bool = True) -> Program:
    dtype = draw(st.sampled_from(["float32", "float64"]))
    n_args_ = draw(st.integers(*n_args))
    n_states = draw(st.integers(*states))
    arg_shapes = tuple(draw(st.sampled_from(SHAPES)) for _ in range(n_args_))
    state_shapes = tuple(draw(st.sampled_from(SHAPES)) for _ in range(n_states))
    state_read = tuple(draw(st.booleans()) or i == 0 for i in range(n_states))
    n_inputs = n_args_ + n_states
    chains = tuple(tuple(draw(st.lists(st.sampled_from(sorted(UNARY)), min_size=1,
                                       max_size=3))) for _ in range(n_inputs))
    reduces = tuple(draw(st.sampled_from(sorted(REDUCE))) for _ in range(n_inputs))
    coefs = tuple(draw(st.sampled_from([1.0, -0.5, 0.75, 2.0])) for _ in range(n_inputs))
    index = st.integers(0, n_inputs - 1)
    pairs = tuple(draw(st.lists(st.tuples(index, index), max_size=2)))
    shapes = arg_shapes + state_shapes
    candidates = [(i, j) for i in range(n_inputs) for j in range(n_inputs)
                  if len(shapes[i]) == 2 and shapes[j] == (shapes[i][1],)]
    matvecs = tuple(draw(st.lists(st.sampled_from(candidates), max_size=1))) if candidates else ()
    write_list: list[Write] = []
    if writes:
        for k in range(n_states):
            if draw(st.booleans()):
                write_list.append(Write(k, draw(st.sampled_from(["tanh", "affine", "sin"])),
                                        draw(index), draw(st.sampled_from([0.5, -1.0]))))
    vec_candidates = [i for i in range(n_inputs) if i < n_args_ or state_read[i - n_args_]]
    return Program(
        dtype=dtype, arg_shapes=arg_shapes, state_shapes=state_shapes, state_read=state_read,
        state_param=tuple(draw(st.booleans()) for _ in range(n_states)),
        chains=chains, reduces=reduces, coefs=coefs, pairs=pairs, matvecs=matvecs,
        writes=tuple(write_list), read_after_write=bool(write_list) and draw(st.booleans()),
        output=output, vec_source=draw(st.sampled_from(vec_candidates)),
    )


# ------------------------------------------------------------------ call layouts


@st.composite
def nestings(draw: Any, items: list[Any], depth: int = 0) -> Any:
    """A random nesting of ``items`` in lists, tuples and dicts (order kept)."""
    if len(items) == 1 and (depth >= 2 or draw(st.booleans())):
        return items[0]
    kind = draw(st.sampled_from(["list", "tuple", "dict"]))
    cuts = sorted(c for c in draw(st.sets(st.integers(1, 3), max_size=2)) if c < len(items))
    chunks = [items[a:b] for a, b in zip([0, *cuts], [*cuts, len(items)])]
    if len(chunks) == 1 and len(items) > 1:
        chunks = [[x] for x in items]  # always make progress
    children = [draw(nestings(chunk, depth + 1)) for chunk in chunks]
    if kind == "list":
        return children
    if kind == "tuple":
        return tuple(children)
    keys = draw(st.permutations(["w", "b", "a", "z", "h", "m"][: len(children)]))
    return dict(zip(keys, children))


@st.composite
def argnums_for(draw: Any, n_args: int) -> Any:
    positions = draw(st.lists(st.integers(0, n_args - 1), min_size=1, max_size=n_args,
                              unique=True))
    shown = [p - n_args if draw(st.booleans()) else p for p in positions]
    if len(shown) == 1 and draw(st.booleans()):
        return shown[0]
    return tuple(shown) if draw(st.booleans()) else list(shown)


@dataclass
class Example:
    kind: str
    program: Program
    has_aux: bool
    return_value: bool
    form: str  # "direct", "decorator" or "positional"
    argnums: Any  # None, int, tuple or list
    layout: Any  # grad_vars as state indices in a nesting, or None
    seed: int
    states: list[brainstate.State] = field(default_factory=list)
    args: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed)
        p = self.program

        def value(shape: tuple[int, ...]) -> Any:
            return jnp.asarray(rng.uniform(-1.5, 1.5, size=shape), dtype=p.dtype)

        self.init_values = [value(s) for s in p.state_shapes]
        self.args = tuple(value(s) for s in p.arg_shapes)
        self.states = self.fresh_states()

    def fresh_states(self) -> list[brainstate.State]:
        return [(brainstate.ParamState if param else brainstate.State)(v)
                for v, param in zip(self.init_values, self.program.state_param)]

    # -------------------------------------------------------------- functions

    def stateful(self, states: list[brainstate.State] | None = None) -> Any:
        states = self.states if states is None else states
        p, has_aux = self.program, self.has_aux

        def f(*args: Any) -> Any:
            values = [s.value if read else None for s, read in zip(states, p.state_read)]
            out, aux, new = p.evaluate(args, values)
            for k, v in new.items():
                states[k].value = v
            return (out, aux) if has_aux else out

        return f

    def pure(self) -> Any:
        """``pure(V, *args)``: the computation with grad_vars' values passed in V."""
        p, has_aux = self.program, self.has_aux
        indices = jax.tree.leaves(self.layout) if self.layout is not None else []

        def f(V: Any, *args: Any) -> Any:
            values = list(self.init_values)
            for k, v in zip(indices, jax.tree.leaves(V)):
                values[k] = v
            out, aux, _ = p.evaluate(args, values)
            return (out, aux) if has_aux else out

        return f

    def grad_vars(self, states: list[brainstate.State] | None = None) -> Any:
        states = self.states if states is None else states
        if self.layout is None:
            return None
        return jax.tree.map(lambda k: states[k], self.layout)

    def var_values(self) -> Any:
        if self.layout is None:
            return None
        return jax.tree.map(lambda k: self.init_values[k], self.layout)

    def expected_states(self) -> list[Any]:
        values = [v if read else None
                  for v, read in zip(self.init_values, self.program.state_read)]
        _, _, new = self.program.evaluate(self.args, values)
        return [new.get(k, v) for k, v in enumerate(self.init_values)]

    def options(self) -> dict[str, Any]:
        opts: dict[str, Any] = {"has_aux": self.has_aux, "return_value": self.return_value}
        if self.argnums is not None:
            opts["argnums"] = self.argnums
        if self.layout is not None:
            opts["grad_vars"] = self.grad_vars()
        return opts

    def transform(self, module: Any, states: list[brainstate.State] | None = None,
                  **extra: Any) -> Any:
        """The transform under test, built in this example's form."""
        t = getattr(module, self.kind)
        f = self.stateful(states)
        opts = self.options()
        if states is not None and self.layout is not None:
            opts["grad_vars"] = self.grad_vars(states)
        opts.update(extra)
        if self.form == "decorator":
            return t(**opts)(f)
        if self.form == "positional":
            gv = opts.pop("grad_vars", None)
            argnums = opts.pop("argnums", None)
            return t(f, gv, argnums, **opts)
        return t(f, **opts)


@st.composite
def examples(draw: Any, kinds: tuple[str, ...] = TRANSFORMS, writes: bool = True,
             n_args: tuple[int, int] = (1, 4)) -> Example:
    kind = draw(st.sampled_from(kinds))
    output = "scalar" if kind in SCALAR_TRANSFORMS else draw(
        st.sampled_from(["vector", "vector", "tuple", "dict"]))
    program = draw(programs(output, n_args=n_args, writes=writes))
    n_states = len(program.state_shapes)
    use_vars = draw(st.booleans())
    layout = None
    if use_vars:
        chosen = draw(st.lists(st.integers(0, n_states - 1), min_size=1, max_size=n_states,
                               unique=True))
        layout = draw(nestings(chosen))
    argnums = draw(st.none() | argnums_for(program.n_args)) if use_vars else draw(
        st.none() | argnums_for(program.n_args))
    return Example(
        kind=kind, program=program, has_aux=draw(st.booleans()),
        return_value=draw(st.booleans()),
        form=draw(st.sampled_from(["direct", "decorator", "positional"])),
        argnums=argnums, layout=layout, seed=draw(st.integers(0, 2 ** 31 - 1)),
    )
