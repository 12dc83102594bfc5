import brainpy as bp
import brainpy.math as bm
from brainpy.math import *


class Linear(bp.BrainPyObject):
    def __init__(self):
        super().__init__()
        self.w = bm.random.random((1, 10))
        self.b = bm.zeros(1)
        self.v = bm.TrainVar(bm.zeros(1))

    def update(self, x):
        r = bm.dot(self.w, x) + self.b + self.v
        return r.sum()


l = Linear()
g1 = bm.grad(l.update, grad_vars=(l.w, l.b))
g2 = bm.grad(l.update, grad_vars=[bm.zeros(3), l.v])
g3 = bm.grad(l.update, argnums=0, reduce_axes=('batch',))
options = dict(argnums=0)
g4 = bm.grad(l.update, **options)
