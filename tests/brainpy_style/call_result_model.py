"""BrainPy 2.x code that calls the returned gradient function at once (issue 11, defect 1).

Run as it is through ``brainpy_autograd.install()`` and after the migration
command: both must give the same numbers. ``run()`` returns them by name.
"""
import brainpy as bp
import brainpy.math as bm


class HH(bp.BrainPyObject):
    def __init__(self, size, ENa=50., EK=-77., EL=-54.387, C=1.0):
        super().__init__()
        self.ENa, self.EK, self.EL, self.C = ENa, EK, EL, C
        self.V = bm.Variable(bm.linspace(-70., -60., size))
        self.m = bm.Variable(bm.ones(size) * 0.05)
        self.h = bm.Variable(bm.ones(size) * 0.6)
        self.n = bm.Variable(bm.ones(size) * 0.32)
        self.w = bm.TrainVar(bm.linspace(0.5, 1.5, size))
        self.x_index = 1

    def dV(self, V, t, m, h, n, Iext):
        I_Na = (120. * m ** 3 * h) * (V - self.ENa)
        I_K = (36. * n ** 4) * (V - self.EK)
        return (-I_Na - I_K - 0.03 * (V - self.EL) + Iext) / self.C

    def loss(self, scale, x):
        return bm.sum(self.w * x * self.V) * scale

    def step(self, t, x):
        dV_grad = bm.vector_grad(self.dV, argnums=0)(self.V.value, t, self.m.value, self.h.value,
                                                     self.n.value, x)
        dfdx = bm.grad(lambda *a: bm.sum(self.dV(*a)), argnums=5,
                       dyn_vars=self.vars())(self.V.value, t, self.m.value, self.h.value,
                                             self.n.value, x)
        jac = bm.jacobian(self.dV)(self.V.value, t, self.m.value, self.h.value, self.n.value, x)
        var_grads, x_grad = bm.grad(self.loss, self.train_vars(), self.x_index)(2., x)
        return {"dV_grad": dV_grad, "dfdx": dfdx, "jac": jac,
                "var_grads": var_grads, "x_grad": x_grad}


def run():
    model = HH(4)
    return model.step(0., bm.ones(4) * 3.)
