"""Testing your gradients: a worked pytest file (docs/testing.md).

Run it with ``pytest docs/examples/test_your_gradients.py``. It checks a
BrainPy-style rate network and a LIF network with a surrogate gradient:

- ``check_grads``: this package's derivatives against finite differences,
  with every State (and the random key) put back afterwards;
- ``assert_paths_agree``: one call gives the same on every evaluation path;
- ``gradient_property``: a hypothesis property over drawn inputs and parameters.
"""

import brainstate
import jax
import jax.numpy as jnp
import pytest
from hypothesis import settings

import brainpy_autograd as bpa
from brainpy_autograd.testing import assert_paths_agree, check_grads, enable_x64
from brainpy_autograd.testing.strategies import gradient_property

# ----------------------------------------------------------------- the models


class RateRNN(brainstate.nn.Module):
    """h <- tanh(h @ w_rec + x @ w_in); the loss reads the last h."""

    def __init__(self, n_in=3, n_rec=4, dtype=jnp.float32):
        super().__init__()
        key = jax.random.PRNGKey(0)
        k1, k2 = jax.random.split(key)
        self.w_in = brainstate.ParamState(0.5 * jax.random.normal(k1, (n_in, n_rec), dtype))
        self.w_rec = brainstate.ParamState(0.5 * jax.random.normal(k2, (n_rec, n_rec), dtype))
        self.h = brainstate.HiddenState(jnp.zeros(n_rec, dtype))

    def loss(self, xs):
        for x in xs:  # a Python loop over time: h is written at every step
            noise = 0.01 * brainstate.random.normal(size=self.h.value.shape)
            self.h.value = jnp.tanh(self.h.value @ self.w_rec.value + x @ self.w_in.value
                                    + noise)
        return jnp.mean(self.h.value ** 2)


@jax.custom_vjp
def spike(v):
    """Heaviside forward, the derivative of sigmoid(4 v) backward: a surrogate gradient."""
    return (v > 0).astype(v.dtype)


def _spike_fwd(v):
    return spike(v), v


def _spike_bwd(v, g):
    s = jax.nn.sigmoid(4.0 * v)
    return (g * 4.0 * s * (1.0 - s),)


spike.defvjp(_spike_fwd, _spike_bwd)


def smooth_spike(v):
    """The smooth function whose derivative the surrogate uses."""
    return jax.nn.sigmoid(4.0 * v)


class LIF(brainstate.nn.Module):
    """Leaky integrate-and-fire neurons, a readout of their spike counts."""

    def __init__(self, n_in=3, n=5, dtype=jnp.float32):
        super().__init__()
        self.w_in = brainstate.ParamState(jnp.linspace(-0.5, 1.5, n_in * n, dtype=dtype)
                                          .reshape(n_in, n))
        self.w_out = brainstate.ParamState(jnp.linspace(1.0, -1.0, n, dtype=dtype))
        self.v = brainstate.HiddenState(jnp.zeros(n, dtype))
        self.spike_fn = spike  # swapped for smooth_spike in a test

    def loss(self, xs):
        count = jnp.zeros_like(self.v.value)
        for x in xs:
            self.v.value = 0.8 * self.v.value + x @ self.w_in.value
            s = self.spike_fn(self.v.value - 1.0)
            self.v.value = self.v.value - s  # reset by subtraction
            count = count + s
        return jnp.sum((count @ self.w_out.value) ** 2) / len(xs)


XS = jnp.linspace(-1.0, 1.0, 4 * 3, dtype=jnp.float32).reshape(4, 3)
DRIVE = jnp.linspace(0.1, 1.0, 4 * 3, dtype=jnp.float32).reshape(4, 3)  # makes the LIF spike

# ------------------------------------------------------------ the rate network


def test_rate_rnn_gradients():
    net = RateRNN()
    params = {"w_in": net.w_in, "w_rec": net.w_rec}
    check_grads(net.loss, (XS,), grad_vars=params, argnums=0)  # States and the input
    assert jnp.all(net.h.value == 0)  # the hidden State is as it was


def test_rate_rnn_gradients_in_float64_with_the_hessian():
    with enable_x64():  # build the model and inputs inside the block
        net = RateRNN(dtype=jnp.float64)
        check_grads(net.loss, (XS.astype(jnp.float64),), grad_vars={"w_rec": net.w_rec},
                    order=2)


def test_rate_rnn_same_result_on_every_path():
    net = RateRNN()
    grad = bpa.grad(net.loss, grad_vars={"w_in": net.w_in, "w_rec": net.w_rec},
                    return_value=True)
    paths = assert_paths_agree(grad, (XS,))
    assert paths["compiled"] == "checked"


_net = RateRNN()
test_rate_rnn_gradients_everywhere = settings(max_examples=5, deadline=None)(
    gradient_property(_net.loss, (XS,), grad_vars={"w_rec": _net.w_rec},
                      min_value=-1.0, max_value=1.0))

# ---------------------------------------------- the LIF network (surrogate gradient)


def test_lif_readout_gradient():
    # The readout comes after the spikes: its gradient does not go through the
    # surrogate, so finite differences agree. Name only the States to check.
    net = LIF()
    check_grads(net.loss, (DRIVE,), grad_vars={"w_out": net.w_out}, argnums=())


def test_lif_surrogate_disagrees_with_finite_differences_by_design():
    net = LIF()
    with pytest.raises(AssertionError, match=r"grad_vars\['w_in'\]"):
        check_grads(net.loss, (DRIVE,), grad_vars={"w_in": net.w_in}, modes=("rev",))


def test_lif_gradients_with_the_smooth_surrogate():
    # Swap the spike for the smooth function the surrogate differentiates:
    # now every gradient must match finite differences.
    net = LIF()
    net.spike_fn = smooth_spike
    check_grads(net.loss, (DRIVE,), grad_vars={"w_in": net.w_in, "w_out": net.w_out},
                argnums=0)


def test_lif_same_result_on_every_path():
    net = LIF()
    grad = bpa.grad(net.loss, grad_vars={"w_in": net.w_in, "w_out": net.w_out})
    assert_paths_agree(grad, (DRIVE,))
