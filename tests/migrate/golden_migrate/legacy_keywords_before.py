"""The legacy keywords: dropped where that is certain, reported where it is not."""
import brainpy as bp
import brainpy.math as bm


class Net(bp.DynamicalSystem):
    def __init__(self):
        super().__init__()
        self.w = bm.TrainVar(bm.ones(3))

    def loss(self, x):
        return (self.w * x).sum()


net = Net()
g1 = bm.grad(net.loss, grad_vars=net.w, dyn_vars=net.vars())
g2 = bm.vector_grad(net.loss, child_objs=net, argnums=0)
g3 = bm.jacrev(net.loss, reduce_axes=(), grad_vars=net.w)
g4 = bm.hessian(net.loss, reduce_axes=[])
g5 = bm.grad(net.loss, grad_vars=net.w, reduce_axes=("batch",))  # reported, kept
options = {"has_aux": False}
g6 = bm.jacfwd(net.loss, dyn_vars=net.vars(), **options)  # dropped, and **options reported
