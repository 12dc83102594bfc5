import brainpy as bp
import brainpy.math as bm
import brainpy_autograd


class F(bp.BrainPyObject):
    def __init__(self):
        super().__init__()
        self.a = bm.TrainVar(bm.ones(1))
        self.b = bm.TrainVar(bm.ones(1))

    def __call__(self, c):
        return (self.a * self.b * 2 + c).mean()


f = F()
dyn_vars = f.vars()
g1 = brainpy_autograd.grad(f, f.train_vars())  # BrainPy 2.2: (func, grad_vars, dyn_vars)
g2 = brainpy_autograd.grad(f, [f.a, f.b], argnums=0)  # ... and argnums fourth
g3 = brainpy_autograd.jacrev(f, f.a, argnums=0, holomorphic=False)
g4 = brainpy_autograd.hessian(f, grad_vars=f.train_vars())  # BrainPy 2.2: (func, dyn_vars, grad_vars)
g5 = brainpy_autograd.vector_grad(f, grad_vars=f.a, argnums=None, return_value=True)
g6 = brainpy_autograd.grad(f, f.a, None, 0)
g7 = brainpy_autograd.grad(f, f.a, 0)  # argnums third: already the BrainPy 2.9 form
g8 = brainpy_autograd.grad(f, f.a, (0,))
g9 = brainpy_autograd.jacfwd(f, f.a, something)  # cannot tell: reported
