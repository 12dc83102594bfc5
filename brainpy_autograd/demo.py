"""Demo: train a BrainPy-style rate RNN with ``brainpy_autograd.grad``.

Run it with ``python -m brainpy_autograd.demo``. It builds a small recurrent
rate network the way BrainPy 2.x code does (a class holding trainable
variables), calls ``grad`` with the BrainPy 2.x keywords (``grad_vars``,
``return_value`` and the legacy ``dyn_vars``), shows the one deprecation
warning that the legacy keyword gives, and trains the network to low-pass
filter its input, printing the loss as it falls.
"""

from __future__ import annotations

import argparse
import time
import warnings
from typing import cast

import brainstate
import jax
import jax.numpy as jnp

import brainpy_autograd as bpa


class RateRNN:
    """A BrainPy-style model: trainable and dynamical variables as attributes.

    ``h[t+1] = tanh(h[t] @ w_rec + x[t] @ w_in + b)`` and ``y[t] = h[t] @ w_out``.
    """

    def __init__(self, n_in: int = 1, n_rec: int = 32, n_out: int = 1, seed: int = 0):
        k1, k2, k3 = jax.random.split(jax.random.PRNGKey(seed), 3)
        self.w_in = brainstate.ParamState(jax.random.normal(k1, (n_in, n_rec)) * 0.5)
        self.w_rec = brainstate.ParamState(
            jax.random.normal(k2, (n_rec, n_rec)) * (0.9 / jnp.sqrt(n_rec)))
        self.b = brainstate.ParamState(jnp.zeros(n_rec))
        self.w_out = brainstate.ParamState(jax.random.normal(k3, (n_rec, n_out)) * 0.1)
        self.h = brainstate.HiddenState(jnp.zeros(n_rec))  # written every step

    def train_vars(self) -> dict[str, brainstate.State]:
        """Like BrainPy's ``model.train_vars()``: name -> trainable State."""
        return {"w_in": self.w_in, "w_rec": self.w_rec, "b": self.b, "w_out": self.w_out}

    def vars(self) -> dict[str, brainstate.State]:
        """Like BrainPy's ``model.vars()``: every variable, the hidden state too."""
        return {**self.train_vars(), "h": self.h}

    def step(self, x: jax.Array) -> jax.Array:
        # State.value is typed to allow unit-carrying values too; these are arrays.
        h, w_rec, w_in = (cast(jax.Array, s.value) for s in (self.h, self.w_rec, self.w_in))
        self.h.value = jnp.tanh(h @ w_rec + x @ w_in + self.b.value)
        return cast(jax.Array, self.h.value) @ cast(jax.Array, self.w_out.value)

    def loss(self, xs: jax.Array, targets: jax.Array) -> jax.Array:
        self.h.value = jnp.zeros_like(self.h.value)
        ys = brainstate.transform.for_loop(self.step, xs)
        return jnp.mean((ys - targets) ** 2)


def make_task(n_steps: int = 60, seed: int = 1) -> tuple[jax.Array, jax.Array]:
    """Noisy input pulses; the target is their exponentially filtered trace."""
    xs = jax.random.normal(jax.random.PRNGKey(seed), (n_steps, 1))

    def low_pass(y, x):
        y = 0.8 * y + 0.2 * x
        return y, y

    _, targets = jax.lax.scan(low_pass, jnp.zeros(1), xs)
    return xs, targets


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(prog="python -m brainpy_autograd.demo",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300,
                        help="training steps, 0 or more (default 300)")
    parser.add_argument("--lr", type=float, default=0.1, help="learning rate (default 0.1)")
    args = parser.parse_args(argv)
    if args.steps < 0:
        parser.error(f"--steps must be 0 or more, got {args.steps}")

    print(f"brainpy_autograd {bpa.__version__} demo (brainstate {brainstate.__version__}, "
          f"jax {jax.__version__}, {jax.default_backend()})")
    print("Task: a 32-unit rate RNN learns to low-pass filter its input.\n")

    model = RateRNN()
    xs, targets = make_task()

    print("1. The BrainPy 2.x call, unchanged:")
    print("   bm.grad(model.loss, grad_vars=model.train_vars(), return_value=True,")
    print("           dyn_vars=model.vars())")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", bpa.LegacyArgumentWarning)
        grad_fn = bpa.grad(model.loss, grad_vars=model.train_vars(), return_value=True,
                           dyn_vars=model.vars())
    for w in caught:
        print(f"   -> {w.category.__name__}: {w.message}")
    print("   (remove dyn_vars= and the warning goes; the gradients are the same)\n")

    @brainstate.transform.jit
    def train_step(xs, targets):
        grads, loss = grad_fn(xs, targets)
        for name, state in model.train_vars().items():
            state.value = state.value - args.lr * grads[name]
        return loss  # the loss before this update

    evaluate = brainstate.transform.jit(model.loss)

    steps = f"{args.steps} step{'s' if args.steps != 1 else ''}"
    print(f"2. Training for {steps} (brainstate.transform.jit around the update):")
    print("   step        loss")
    start = time.perf_counter()
    report = max(1, args.steps // 10)
    first = float("nan")
    for i in range(args.steps):
        loss = float(train_step(xs, targets))  # the loss after i steps
        if i == 0:
            first = loss
        if i % report == 0:
            print(f"   {i:4d}   {loss:9.5f}")
    last = float(evaluate(xs, targets))  # after all the steps
    if args.steps == 0:
        first = last
    print(f"   {args.steps:4d}   {last:9.5f}")
    elapsed = time.perf_counter() - start
    print(f"\nLoss fell from {first:.5f} to {last:.5f} ({first / last:.1f}x lower) "
          f"in {elapsed:.1f} s.")
    return last


if __name__ == "__main__":
    main()
