"""A rate model trained the BrainPy 2.x way (import brainpy.math as bm)."""
import brainpy as bp
import brainpy.math as bm


class Rate(bp.DynamicalSystem):
    def __init__(self):
        super().__init__()
        self.w = bm.TrainVar(bm.ones((2, 2)) * 0.5)  # recurrent weights
        self.h = bm.Variable(bm.zeros(2))

    def loss(self, xs):
        self.h.value = bm.zeros(2)
        return bm.for_loop(lambda x: bm.tanh(self.h @ self.w + x), xs).mean()


model = Rate()
f_grad = bm.grad(model.loss, grad_vars=model.train_vars(), dyn_vars=model.vars(),
                 return_value=True)
f_vec = bm.vector_grad(model.loss, grad_vars=model.w, child_objs=model)
f_fvg = bm.functional_vector_grad(lambda x: x ** 2)
f_jac = bm.jacobian(model.loss, grad_vars=model.w, reduce_axes=())
f_rev = bm.jacrev(model.loss, grad_vars=model.w)
f_fwd = bm.jacfwd(model.loss, grad_vars=model.w, dyn_vars=model.vars())
f_hes = bm.hessian(model.loss, grad_vars=model.w)


@bm.grad
def bare(x):
    return (x ** 2).sum()


@bm.grad(argnums=1, dyn_vars=model.vars())
def decorated(x, y):
    return (x * y).sum()


print(bm.ones(3))  # unrelated brainpy.math use: left alone
