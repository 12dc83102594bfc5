"""A function that imports brainpy for itself, after the module's own brainpy import."""
import os

import brainpy as bp

net = bp.DynSysGroup()


def make_grad(f):
    import brainpy.math as bm
    import brainpy_autograd
    return brainpy_autograd.grad(f, grad_vars=net.train_vars())


os.environ.setdefault("BRAINPY_HOME", ".")
