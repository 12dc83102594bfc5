import brainpy as bp
import brainpy.math as bm


class F(bp.BrainPyObject):
    def __init__(self):
        super().__init__()
        self.a = bm.TrainVar(bm.ones(1))
        self.b = bm.TrainVar(bm.ones(1))

    def __call__(self, c):
        return (self.a * self.b * 2 + c).mean()


f = F()
dyn_vars = f.vars()
g1 = bm.grad(f, f.train_vars(), f.vars())  # BrainPy 2.2: (func, grad_vars, dyn_vars)
g2 = bm.grad(f, [f.a, f.b], [f.a], 0)  # ... and argnums fourth
g3 = bm.jacrev(f, f.a, dyn_vars, 0, False)
g4 = bm.hessian(f, f.vars(), f.train_vars())  # BrainPy 2.2: (func, dyn_vars, grad_vars)
g5 = bm.vector_grad(f, f.vars(), f.a, None, True)
g6 = bm.grad(f, f.a, None, 0)
g7 = bm.grad(f, f.a, 0)  # argnums third: already the BrainPy 2.9 form
g8 = bm.grad(f, f.a, (0,))
g9 = bm.jacfwd(f, f.a, something)  # cannot tell: reported
