"""The legacy keywords: dropped where that is certain, reported where it is not."""
import brainpy as bp
import brainpy.math as bm
import brainpy_autograd


class Net(bp.DynamicalSystem):
    def __init__(self):
        super().__init__()
        self.w = bm.TrainVar(bm.ones(3))

    def loss(self, x):
        return (self.w * x).sum()


net = Net()
g1 = brainpy_autograd.grad(net.loss, grad_vars=net.w)
g2 = brainpy_autograd.vector_grad(net.loss, argnums=0)
g3 = brainpy_autograd.jacrev(net.loss, grad_vars=net.w)
g4 = brainpy_autograd.hessian(net.loss)
g5 = brainpy_autograd.grad(net.loss, grad_vars=net.w, reduce_axes=("batch",))  # reported, kept
options = {"has_aux": False}
g6 = brainpy_autograd.jacfwd(net.loss, **options)  # dropped, and **options reported
