import brainpy as bp
import brainpy


class Net(bp.DynamicalSystem):
    def __init__(self):
        super().__init__()
        self.w = bp.math.TrainVar(bp.math.ones(3))

    def __call__(self, x):
        return (self.w * x).sum()


net = Net()
g1 = bp.math.grad(net, grad_vars=net.w, dyn_vars=net.vars())
g2 = bp.math.jacrev(net, grad_vars=net.w)
g3 = brainpy.math.hessian(net, grad_vars=net.w)
