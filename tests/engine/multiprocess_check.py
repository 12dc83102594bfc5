"""One process of a 2-process ``jax.distributed`` job on CPU (run by test_multiprocess.py).

Usage: ``python multiprocess_check.py PROCESS_ID PORT``, with
``XLA_FLAGS=--xla_force_host_platform_device_count=2``. Both processes build the
same model, shard one batch over the job's 4 devices (2 per process) and take
40 un-jitted data-parallel SGD steps with ``brainpy_autograd.grad``, three times:
with compiled evaluation (the default schedule), with ``compiled=False`` and
under ``brainstate.transform.jit``. Prints one JSON line: the losses of each
mode, and at which call each compiled transform ran its first compiled call.
"""

from __future__ import annotations

import json
import sys

import jax

jax.config.update("jax_cpu_collectives_implementation", "gloo")
process_id, port = int(sys.argv[1]), int(sys.argv[2])
jax.distributed.initialize(coordinator_address=f"localhost:{port}", num_processes=2,
                           process_id=process_id)

import brainstate  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax.sharding import Mesh, NamedSharding  # noqa: E402
from jax.sharding import PartitionSpec as P  # noqa: E402

import brainpy_autograd as bpa  # noqa: E402

STEPS, LR = 40, 0.05  # the default schedule compiles this program within 40 calls
mesh = Mesh(np.array(jax.devices()), ("batch",))
replicated = NamedSharding(mesh, P())
by_batch = NamedSharding(mesh, P("batch"))


def global_batch():
    rng = np.random.default_rng(0)  # every process draws the same global batch
    x = rng.normal(size=(16, 8)).astype(np.float32)
    y = (x @ rng.normal(size=(8, 2)).astype(np.float32)).astype(np.float32)
    return (jax.make_array_from_callback(x.shape, by_batch, lambda i: x[i]),
            jax.make_array_from_callback(y.shape, by_batch, lambda i: y[i]))


class Model:
    def __init__(self):
        w0 = np.full((8, 2), 0.1, np.float32)
        self.w = brainstate.ParamState(jax.make_array_from_callback(w0.shape, replicated,
                                                                    lambda i: w0[i]))

    def loss(self, x, y):
        return jnp.mean((x @ self.w.value - y) ** 2)


def local(value):
    return float(np.asarray(value.addressable_shards[0].data))


def train(mode):
    model = Model()
    x, y = global_batch()
    step = bpa.grad(model.loss, grad_vars={"w": model.w}, return_value=True,
                    compiled=mode == "compiled")
    if mode == "jit":
        step = brainstate.transform.jit(step)
    losses, first_compiled = [], None
    for k in range(1, STEPS + 1):
        grads, loss = step(x, y)
        model.w.value = model.w.value - LR * grads["w"]
        losses.append(local(loss))
        if mode == "compiled" and first_compiled is None and step.call_stats().compiled:
            first_compiled = k
    return losses, first_compiled


result = {}
for mode in ("compiled", "interpreted", "jit"):
    losses, first = train(mode)
    result[mode] = losses
    if mode == "compiled":
        result["first_compiled_call"] = first
result["process"] = process_id
result["devices"] = [jax.device_count(), jax.local_device_count()]
print(json.dumps(result), flush=True)
jax.distributed.shutdown()
