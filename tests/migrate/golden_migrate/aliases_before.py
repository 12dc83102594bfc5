"""A module-level alias of a BrainPy transform, called with legacy keywords later."""
import brainpy.math as bm

grad = bm.grad
jac = bm.jacobian

w = bm.TrainVar(bm.ones(3))


def loss(x):
    return (w * x).sum()


def local_shadow(grad):
    return grad(loss, dyn_vars=[w])  # not the alias, but may be passed one: a finding


g1 = grad(loss, grad_vars=w, dyn_vars=[w])
g2 = jac(loss, argnums=0, child_objs=w)
