"""Data-parallel gradients on 8 host CPU devices; run by tests/engine/test_multidevice.py.

Needs ``XLA_FLAGS=--xla_force_host_platform_device_count=8`` set before JAX
starts, hence a process of its own. Prints one JSON object with what it found.
This is also the recipe the README's "Beyond one device" section shows.
"""

from __future__ import annotations

import json

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

import brainpy_autograd as bpa


def make_params():
    k = jax.random.split(jax.random.PRNGKey(0), 3)
    return {
        "w1": brainstate.ParamState(jax.random.normal(k[0], (16, 32)) / 4),
        "b1": brainstate.ParamState(jnp.zeros(32)),
        "w2": brainstate.ParamState(jax.random.normal(k[1], (32, 4)) / 6),
    }


def predict(p, x):
    return jnp.tanh(x @ p["w1"] + p["b1"]) @ p["w2"]


def main() -> None:
    devices = jax.devices()
    mesh = Mesh(np.array(devices), ("batch",))
    x = jax.random.normal(jax.random.PRNGKey(1), (64, 16))
    y = jax.random.normal(jax.random.PRNGKey(2), (64, 4))
    n = x.shape[0]

    # one device: the reference
    params = make_params()

    def loss(x, y):
        return jnp.mean((predict({k: s.value for k, s in params.items()}, x) - y) ** 2)

    ref_grads, ref_loss = bpa.grad(loss, grad_vars=params, return_value=True)(x, y)

    # data parallel: the batch sharded over the mesh, parameters replicated
    batch = NamedSharding(mesh, P("batch"))
    xs, ys = jax.device_put(x, batch), jax.device_put(y, batch)
    step = brainstate.transform.jit(bpa.grad(loss, grad_vars=params, return_value=True))
    dp_grads, dp_loss = step(xs, ys)
    hlo = step.lower(xs, ys).compile().as_text()

    # the same loss written per shard with jax.lax.psum (what reduce_axes used to do)
    def local_loss(p, x, y):
        return jax.lax.psum(jnp.sum((predict(p, x) - y) ** 2), "batch") / (n * y.shape[1])

    sharded_loss = jax.shard_map(local_loss, mesh=mesh, in_specs=(P(), P("batch"), P("batch")),
                                 out_specs=P())

    def psum_loss(x, y):
        return sharded_loss({k: s.value for k, s in params.items()}, x, y)

    sm_grads, sm_loss = bpa.grad(psum_loss, grad_vars=params, return_value=True)(xs, ys)
    sm_jit_grads, _ = brainstate.transform.jit(
        bpa.grad(psum_loss, grad_vars=params, return_value=True))(xs, ys)

    # a few training steps on sharded data match the same steps on one device
    def train(data):
        model = make_params()

        def model_loss(x, y):
            return jnp.mean((predict({k: s.value for k, s in model.items()}, x) - y) ** 2)

        g = bpa.grad(model_loss, grad_vars=model)

        @brainstate.transform.jit
        def sgd(x, y):
            grads = g(x, y)
            for k, s in model.items():
                s.value = s.value - 0.1 * grads[k]

        for _ in range(3):
            sgd(*data)
        return {k: np.asarray(s.value) for k, s in model.items()}

    single, parallel = train((x, y)), train((xs, ys))

    def close(a, b):
        return bool(all(np.allclose(np.asarray(a[k]), np.asarray(b[k]), rtol=1e-5, atol=1e-6)
                        for k in a))

    print(json.dumps({
        "devices": len(devices),
        "input_sharded_over": len(xs.sharding.device_set),
        "data_parallel_matches": close(dp_grads, ref_grads)
        and bool(np.allclose(dp_loss, ref_loss, rtol=1e-6)),
        "all_reduce_in_program": "all-reduce" in hlo,
        "shard_map_psum_matches": close(sm_grads, ref_grads)
        and bool(np.allclose(sm_loss, ref_loss, rtol=1e-6)),
        "shard_map_psum_jit_matches": close(sm_jit_grads, ref_grads),
        "training_matches": close(single, parallel),
    }))


if __name__ == "__main__":
    main()
