"""BrainPy 2.4-2.6 code importing the autodiff functions from internal modules."""
import brainpy._src.math as bm_src
import brainpy_autograd
import brainpy.math.autograd as ag
import brainpy.math.object_transform.autograd as ot
from brainpy_autograd import grad
from brainpy_autograd import vector_grad as vg

w = bm_src.TrainVar(bm_src.ones(3))


def loss(x):
    return (w * x).sum()


g1 = grad(loss, grad_vars=w)
g2 = vg(loss, argnums=0)
g3 = brainpy_autograd.jacobian(loss, grad_vars=w)
g4 = brainpy_autograd.hessian(loss, argnums=0)
g5 = brainpy_autograd.jacfwd(loss, argnums=0)
z = bm_src.zeros(3)  # not an autodiff function: left alone
