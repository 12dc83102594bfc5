"""The third positional argument: BrainPy 2.9's argnums, or BrainPy 2.2's dyn_vars."""
import brainpy as bp
import brainpy.math as bm


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
        g1 = bm.grad(self.loss, self.train_vars(), self.x_index)(2., x)  # kept: argnums
        g2 = bm.grad(self.loss, self.train_vars(), self.index)(2., x)  # unknown: kept, reported
        g3 = bm.grad(self.loss, self.train_vars(), [self.V, self.w])  # a list of Variables
        g4 = bm.grad(self.loss, self.train_vars(), self.dyn_vars, 1)  # named as variables
        g5 = bm.grad(self.loss, self.train_vars(), self.vars().unique())  # 2.2 dyn_vars
        g6 = bm.grad(self.loss, self.train_vars(), self.V)  # a Variable attribute
        return g1, g2, g3, g4, g5, g6
