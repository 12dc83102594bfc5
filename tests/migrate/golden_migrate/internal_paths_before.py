"""BrainPy 2.4-2.6 code importing the autodiff functions from internal modules."""
import brainpy._src.math as bm_src
import brainpy.math.autograd as ag
import brainpy.math.object_transform.autograd as ot
from brainpy._src.math import grad
from brainpy._src.math.object_transform.autograd import vector_grad as vg

w = bm_src.TrainVar(bm_src.ones(3))


def loss(x):
    return (w * x).sum()


g1 = grad(loss, grad_vars=w, dyn_vars=[w])
g2 = vg(loss, argnums=0, child_objs=None)
g3 = ag.jacobian(loss, grad_vars=w, dyn_vars=[w])
g4 = ot.hessian(loss, argnums=0, dyn_vars=[w])
g5 = bm_src.jacfwd(loss, argnums=0, dyn_vars=[w])
z = bm_src.zeros(3)  # not an autodiff function: left alone
