"""The third positional argument: BrainPy 2.9's argnums, or BrainPy 2.2's dyn_vars."""
import brainpy as bp
import brainpy.math as bm
import brainpy_autograd


class Readout(bp.DynamicalSystem):
    def __init__(self, num):
        super().__init__()
        self.w = bm.TrainVar(bm.random.randn(num))
        self.V = bm.Variable(bm.zeros(num))
        self.x_index = 1  # an int: the argnums slot of BrainPy 2.9
        self.dyn_vars = self.vars()

    def loss(self, scale, x):
        return bm.sum(self.w * x) * scale

    def grads(self, x):
        g1 = brainpy_autograd.grad(self.loss, self.train_vars(), self.x_index)(2., x)  # kept: argnums
        g2 = brainpy_autograd.grad(self.loss, self.train_vars(), self.index)(2., x)  # unknown: kept, reported
        g3 = brainpy_autograd.grad(self.loss, self.train_vars())  # a list of Variables
        g4 = brainpy_autograd.grad(self.loss, self.train_vars(), argnums=1)  # named as variables
        g5 = brainpy_autograd.grad(self.loss, self.train_vars())  # 2.2 dyn_vars
        g6 = brainpy_autograd.grad(self.loss, self.train_vars())  # a Variable attribute
        return g1, g2, g3, g4, g5, g6
