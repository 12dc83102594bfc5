"""A function that imports brainpy for itself, after the module's own brainpy import."""
import os

import brainpy as bp

net = bp.DynSysGroup()


def make_grad(f):
    import brainpy.math as bm
    return bm.grad(f, grad_vars=net.train_vars(), dyn_vars=net.vars())


os.environ.setdefault("BRAINPY_HOME", ".")
