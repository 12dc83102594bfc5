"""A rate model trained the BrainPy 2.x way (import brainpy.math as bm)."""
import brainpy as bp
import brainpy.math as bm
import brainpy_autograd


class Rate(bp.DynamicalSystem):
    def __init__(self):
        super().__init__()
        self.w = bm.TrainVar(bm.ones((2, 2)) * 0.5)  # recurrent weights
        self.h = bm.Variable(bm.zeros(2))

    def loss(self, xs):
        self.h.value = bm.zeros(2)
        return bm.for_loop(lambda x: bm.tanh(self.h @ self.w + x), xs).mean()


model = Rate()
f_grad = brainpy_autograd.grad(model.loss, grad_vars=model.train_vars(),
                               return_value=True)
f_vec = brainpy_autograd.vector_grad(model.loss, grad_vars=model.w)
f_fvg = brainpy_autograd.functional_vector_grad(lambda x: x ** 2)
f_jac = brainpy_autograd.jacobian(model.loss, grad_vars=model.w)
f_rev = brainpy_autograd.jacrev(model.loss, grad_vars=model.w)
f_fwd = brainpy_autograd.jacfwd(model.loss, grad_vars=model.w)
f_hes = brainpy_autograd.hessian(model.loss, grad_vars=model.w)


@brainpy_autograd.grad
def bare(x):
    return (x ** 2).sum()


@brainpy_autograd.grad(argnums=1)
def decorated(x, y):
    return (x * y).sum()


print(bm.ones(3))  # unrelated brainpy.math use: left alone
