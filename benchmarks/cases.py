"""Benchmark workloads, each written once as a stateful model and as a pure function.

A case is a ``build(kind, quick)`` function registered with :func:`case`; the
benchmark (``run.py``) runs every registered case, in the order of this file.

Every case builds (for one transform and one size) the differentiated States,
the stateful function of the arguments that reads them, and the equivalent
pure function ``pure(params, *args)`` for plain JAX, so that every
implementation computes the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import brainstate
import jax
import jax.numpy as jnp

# A first call's time includes its compilations, and calls.py runs each implementation
# in a fresh process so that none shares another's compiled code: JAX's persistent
# compilation cache (JAX_COMPILATION_CACHE_DIR, which CI sets for its test runs) would
# turn those compilations into disk reads, so no benchmark uses it.
jax.config.update("jax_enable_compilation_cache", False)


@dataclass
class Built:
    params: dict[str, brainstate.State]  # the States differentiated (grad_vars)
    loss: Callable[..., Any]  # stateful: reads the params (and may write other States)
    pure: Callable[..., Any]  # pure(param_values: dict, *args)
    args: tuple[Any, ...]


@dataclass(frozen=True)
class Case:
    name: str
    description: str
    kinds: tuple[str, ...]  # grad, and at least one Jacobian/Hessian transform
    build: Callable[[str, bool], Built]  # (kind, quick) -> Built


#: Every case, in the order the benchmark runs them (see :func:`case`).
CASES: list[Case] = []

BuildFn = TypeVar("BuildFn", bound=Callable[..., Built])


def case(name: str, description: str, kinds: tuple[str, ...]) -> Callable[[BuildFn], BuildFn]:
    """Register the decorated ``build(kind, quick)`` as the case ``name``."""
    def register(build: BuildFn) -> BuildFn:
        CASES.append(Case(name, description, kinds, build))
        return build

    return register


def _key(i: int) -> jax.Array:
    return jax.random.fold_in(jax.random.PRNGKey(0), i)


def _values(params: dict[str, brainstate.State]) -> dict[str, Any]:
    return {k: s.value for k, s in params.items()}


# ------------------------------------------------------------------------ tiny


@case("tiny", "sum(sin(w * x)), 8 parameters: dispatch overhead", ("grad", "hessian"))
def build_tiny(kind: str, quick: bool) -> Built:
    params = {"w": brainstate.ParamState(jnp.linspace(-1.0, 1.0, 8))}

    def pure(p, x):
        return jnp.sum(jnp.sin(p["w"] * x))

    return Built(params, lambda x: pure(_values(params), x), pure, (jnp.ones(8),))


# ------------------------------------------------------------------------- mlp


@case("mlp", "8-layer tanh MLP (64-128x7-10), batch 32, ParamState weights",
      ("grad", "jacrev"))
def build_mlp(kind: str, quick: bool) -> Built:
    sizes = [64] + [128] * (2 if quick else 7) + [10]
    params: dict[str, brainstate.State] = {}
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        params[f"w{i}"] = brainstate.ParamState(jax.random.normal(_key(i), (a, b)) / jnp.sqrt(a))
        params[f"b{i}"] = brainstate.ParamState(jnp.zeros(b))
    n_layers = len(sizes) - 1
    per_example = kind != "grad"  # a vector output for the Jacobians

    def pure(p, x, y):
        h = x
        for i in range(n_layers):
            h = h @ p[f"w{i}"] + p[f"b{i}"]
            if i < n_layers - 1:
                h = jnp.tanh(h)
        losses = jnp.mean((h - y) ** 2, axis=-1)
        return losses if per_example else jnp.mean(losses)

    x = jax.random.normal(_key(100), (32, 64))
    y = jax.random.normal(_key(101), (32, 10))
    return Built(params, lambda x, y: pure(_values(params), x, y), pure, (x, y))


# ------------------------------------------------------------------- rate RNN


def _rnn(kind: str, quick: bool, use_for_loop: bool, steps: int | None = None) -> Built:
    n_in, n_rec, n_out = 4, 32, 4
    if steps is None:
        steps = 10 if quick else 300  # quick: a smoke run of the code path, not a measurement
    params = {
        "w_in": brainstate.ParamState(jax.random.normal(_key(1), (n_in, n_rec)) * 0.5),
        "w_rec": brainstate.ParamState(jax.random.normal(_key(2), (n_rec, n_rec)) * 0.9
                                       / jnp.sqrt(n_rec)),
        "w_out": brainstate.ParamState(jax.random.normal(_key(3), (n_rec, n_out)) * 0.1),
    }
    h = brainstate.HiddenState(jnp.zeros(n_rec))  # written every step
    xs = jax.random.normal(_key(4), (steps, n_in))
    target = jnp.sin(jnp.arange(steps * n_out, dtype=jnp.float32).reshape(steps, n_out) / 7)
    vector = kind != "grad"

    def finish(ys, last):
        return last @ params["w_out"].value if vector else jnp.mean((ys - target) ** 2)

    def step(x):
        h.value = jnp.tanh(h.value @ params["w_rec"].value + x @ params["w_in"].value)
        return h.value @ params["w_out"].value

    def loss(xs):
        h.value = jnp.zeros(n_rec)
        if use_for_loop:
            ys = brainstate.transform.for_loop(step, xs)
        else:
            ys = jnp.stack([step(xs[t]) for t in range(steps)])
        return finish(ys, h.value)

    def pure(p, xs):
        def body(hh, x):
            hh = jnp.tanh(hh @ p["w_rec"] + x @ p["w_in"])
            return hh, hh @ p["w_out"]

        if use_for_loop:
            last, ys = jax.lax.scan(body, jnp.zeros(n_rec), xs)
        else:
            hh, out = jnp.zeros(n_rec), []
            for t in range(steps):
                hh, y = body(hh, xs[t])
                out.append(y)
            last, ys = hh, jnp.stack(out)
        return last @ p["w_out"] if vector else jnp.mean((ys - target) ** 2)

    return Built(params, loss, pure, (xs,))


@case("rnn_python_loop", "rate RNN, 32 units, 300 steps unrolled in a Python loop",
      ("grad", "jacrev"))
def build_rnn_python_loop(kind: str, quick: bool, steps: int | None = None) -> Built:
    """The rate RNN in the BrainPy 2.x style: a Python loop over time steps."""
    return _rnn(kind, quick, use_for_loop=False, steps=steps)


@case("rnn_for_loop", "rate RNN, 32 units, 300 steps with brainstate.transform.for_loop",
      ("grad", "jacfwd"))
def build_rnn_for_loop(kind: str, quick: bool) -> Built:
    """The rate RNN stepped by ``brainstate.transform.for_loop`` (a scan)."""
    return _rnn(kind, quick, use_for_loop=True)


# ------------------------------------------------------------- spiking network


@jax.custom_jvp
def spike(v: jax.Array) -> jax.Array:
    """Heaviside spike with a fast-sigmoid surrogate gradient."""
    return (v > 0).astype(v.dtype)


@spike.defjvp
def _spike_jvp(primals, tangents):
    (v,), (dv,) = primals, tangents
    return spike(v), dv / (1.0 + 10.0 * jnp.abs(v)) ** 2


@case("snn", "LIF spiking network, 100 neurons, 500 steps, surrogate gradient",
      ("grad", "jacrev"))
def build_snn(kind: str, quick: bool) -> Built:
    n_in, n_rec, n_out = 40, 100, 10
    steps = 20 if quick else 500  # quick: a smoke run of the code path, not a measurement
    decay, threshold = 0.9, 1.0
    params = {
        "w_in": brainstate.ParamState(jax.random.normal(_key(11), (n_in, n_rec)) * 0.3),
        "w_rec": brainstate.ParamState(jax.random.normal(_key(12), (n_rec, n_rec)) * 0.05),
        "w_out": brainstate.ParamState(jax.random.normal(_key(13), (n_rec, n_out)) * 0.3),
    }
    v = brainstate.HiddenState(jnp.zeros(n_rec))
    s = brainstate.HiddenState(jnp.zeros(n_rec))
    inputs = (jax.random.uniform(_key(14), (steps, n_in)) < 0.1).astype(jnp.float32)
    target = jnp.linspace(0.05, 0.3, n_out)
    vector = kind != "grad"

    def readout(rates):
        return rates if vector else jnp.mean((rates - target) ** 2)

    def step(x):
        current = x @ params["w_in"].value + s.value @ params["w_rec"].value
        vv = decay * v.value + current
        spikes = spike(vv - threshold)
        v.value = vv * (1.0 - spikes)
        s.value = spikes
        return spikes @ params["w_out"].value

    def loss(xs):
        v.value = jnp.zeros(n_rec)
        s.value = jnp.zeros(n_rec)
        outs = brainstate.transform.for_loop(step, xs)
        return readout(jnp.mean(outs, axis=0))

    def pure(p, xs):
        def body(carry, x):
            vv, ss = carry
            current = x @ p["w_in"] + ss @ p["w_rec"]  # the same operations, same order
            vv = decay * vv + current
            spikes = spike(vv - threshold)
            return (vv * (1.0 - spikes), spikes), spikes @ p["w_out"]

        _, outs = jax.lax.scan(body, (jnp.zeros(n_rec), jnp.zeros(n_rec)), xs)
        return readout(jnp.mean(outs, axis=0))

    return Built(params, loss, pure, (inputs,))
