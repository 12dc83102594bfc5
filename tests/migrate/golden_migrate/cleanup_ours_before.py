import brainpy_autograd as bpa
import brainpy.math as bm

w = bm.TrainVar(bm.ones(3))
g = bpa.grad(lambda x: (w * x).sum(), grad_vars=w, dyn_vars=[w])
h = bpa.hessian(lambda x: (x ** 3).sum(), reduce_axes=())
