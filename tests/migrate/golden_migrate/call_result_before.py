"""A Hodgkin-Huxley neuron that differentiates its own equation inside update()."""
import brainpy as bp
import brainpy.math as bm


class HH(bp.dyn.NeuDyn):
    def __init__(self, size, ENa=50., EK=-77., EL=-54.387, C=1.0):
        super().__init__(size)
        self.ENa, self.EK, self.EL, self.C = ENa, EK, EL, C
        self.V = bm.Variable(bm.ones(size) * -65.)
        self.m = bm.Variable(bm.ones(size) * 0.05)
        self.h = bm.Variable(bm.ones(size) * 0.6)
        self.n = bm.Variable(bm.ones(size) * 0.32)

    def dV(self, V, t, m, h, n, Iext):
        I_Na = (120. * m ** 3 * h) * (V - self.ENa)
        I_K = (36. * n ** 4) * (V - self.EK)
        return (-I_Na - I_K - 0.03 * (V - self.EL) + Iext) / self.C

    def update(self, x=None):
        t = bp.share['t']
        # the returned function is called at once: its arguments are dV's
        dV_grad = bm.vector_grad(self.dV, argnums=0)(self.V.value, t, self.m.value, self.h.value,
                                                     self.n.value, x)
        dfdx = bm.grad(self.dV, argnums=5, dyn_vars=self.vars())(self.V.value, t, self.m.value,
                                                                 self.h.value, self.n.value, x)
        jac = bm.jacobian(self.dV)(self.V.value, t, self.m.value, self.h.value, self.n.value, x)
        return dV_grad, dfdx, jac
