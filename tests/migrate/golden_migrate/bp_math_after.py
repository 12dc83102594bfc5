import brainpy as bp
import brainpy_autograd
import brainpy


class Net(bp.DynamicalSystem):
    def __init__(self):
        super().__init__()
        self.w = bp.math.TrainVar(bp.math.ones(3))

    def __call__(self, x):
        return (self.w * x).sum()


net = Net()
g1 = brainpy_autograd.grad(net, grad_vars=net.w)
g2 = brainpy_autograd.jacrev(net, grad_vars=net.w)
g3 = brainpy_autograd.hessian(net, grad_vars=net.w)
