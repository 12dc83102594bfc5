"""Train on the CPU when asked: the platform is chosen before JAX is first imported."""
import os
import sys

if "--cpu" in sys.argv:
    os.environ["JAX_PLATFORM_NAME"] = "cpu"

import jax
import brainpy as bp
import brainpy.math as bm
import brainpy_autograd

bm.set_environment(x64=True)


class Readout(bp.DynamicalSystem):
    def __init__(self, num):
        super().__init__()
        self.w = bm.TrainVar(bm.zeros(num))

    def loss(self, x):
        return jax.numpy.sum(self.w * x)


model = Readout(10)
f_grad = brainpy_autograd.grad(model.loss, grad_vars=model.train_vars(),
                               return_value=True)
