"""BrainPy 2.x autodiff code, written as the reference documents write it.

Used by the drop-in install test (run unchanged under brainpy_autograd.install())
and by the migration tool's round-trip test. ``run()`` returns every result
under a name, so that two runs can be compared value by value.
"""

import brainpy as bp
import brainpy.math as bm
import jax.numpy as jnp


class F(bp.BrainPyObject):
    def __init__(self):
        super().__init__()
        self.a = bm.TrainVar(bm.ones(1))
        self.b = bm.TrainVar(bm.ones(1))

    def __call__(self, c):
        ab = self.a * self.b
        ab2 = ab * 2
        vv = ab2 + c
        return vv.mean()


class F2(bp.BrainPyObject):
    def __init__(self):
        super().__init__()
        self.a = bm.TrainVar(bm.ones(1))
        self.b = bm.TrainVar(bm.ones(1))

    def __call__(self, c):
        ab = self.a * self.b
        ab = ab * 2
        self.a.value = ab
        return (ab + c).mean()


class F3(bp.BrainPyObject):
    def __init__(self):
        super().__init__()
        self.a = bm.TrainVar(bm.ones(1))
        self.b = bm.TrainVar(bm.ones(1))

    def __call__(self, c, d):
        ab = self.a * self.b
        ab = ab * 2
        return (ab + c * d).mean()


class F4(bp.BrainPyObject):
    def __init__(self):
        super().__init__()
        self.a = bm.TrainVar(bm.ones(1))
        self.b = bm.TrainVar(bm.ones(1))

    def __call__(self, c):
        ab = self.a * self.b
        ab2 = ab * 2
        loss = (ab + c).mean()
        return loss, (ab, ab2)


class Test(bp.BrainPyObject):
    def __init__(self):
        super().__init__()
        self.x = bm.Variable(bm.array([1., 2., 3.]))

    def __call__(self, y):
        a = self.x[0] * y[0]
        b = 5 * self.x[2] * y[1]
        c = 4 * self.x[1] ** 2 - 2 * self.x[2]
        d = self.x[2] * jnp.sin(self.x[0])
        r = jnp.asarray([a, b, c, d])
        return r, (c, d)


def f_pure(a, b):
    return a * 2 + b


def f_vec(a, b):
    return bm.sin(b) * a


def f1(x, y):
    a = 4 * x[1] ** 2 - 2 * x[2]
    r = jnp.asarray([x[0] * y[0], 5 * x[2] * y[1], a, x[2] * jnp.sin(x[0])])
    return r, a


def run():
    results = {}
    # pure functions
    results["grad_f1"] = bm.grad(f_pure)(2., 1.)
    results["grad_f2"] = bm.grad(f_pure, argnums=(0, 1))(2., 1.)
    results["grad_mean"] = bm.grad(lambda x: x.mean())(bm.zeros(2))
    # class objects
    f = F()
    results["train_vars"] = bm.grad(f, grad_vars=f.train_vars())(10.)
    results["list_vars"] = bm.grad(f, grad_vars=[f.a, f.b])(10.)
    f2 = F2()
    results["dyn_vars"] = bm.grad(f2, dyn_vars=[f2.a], grad_vars=f2.b)(10.)
    results["f2_a_after"] = f2.a.value
    f3 = F3()
    results["f3_argnums0"] = bm.grad(f3, grad_vars=[f3.a, f3.b], argnums=0)(10., 3.)
    results["f3_argnums01"] = bm.grad(f3, grad_vars=[f3.a, f3.b], argnums=(0, 1))(10., 3.)
    grad, loss = bm.grad(f, grad_vars=f.a, return_value=True)(10.)
    results["return_value"] = (grad, loss)
    f4 = F4()
    results["has_aux"] = bm.grad(f4, grad_vars=f4.a, has_aux=True)(10.)
    # BrainPy 2.2 spellings
    f5 = F()
    results["positional_dyn_vars"] = bm.grad(f5, f5.train_vars(), f5.vars())(10.)
    results["reduce_axes"] = bm.grad(f_pure, reduce_axes=())(2., 1.)
    results["child_objs"] = bm.grad(f5, grad_vars=f5.a, child_objs=f5)(10.)
    # vector_grad
    a = bm.arange(5.)
    b = bm.arange(5.) / 10
    results["vector_grad"] = bm.vector_grad(f_vec)(a, b)
    results["vector_grad_01"] = bm.vector_grad(f_vec, argnums=(0, 1))(a, b)
    results["functional_vector_grad"] = bm.functional_vector_grad(f_vec, argnums=1)(a, b)
    # jacobians
    _x = bm.array([1., 2., 3.])
    _y = bm.array([10., 5.])
    results["jacobian_pure"] = bm.jacobian(f1, return_value=True, has_aux=True)(_x, _y)
    t = Test()
    f_grad = bm.jacobian(t, grad_vars=t.x, argnums=0, has_aux=True, return_value=True)
    results["jacobian_class"] = f_grad(_y)
    results["jacfwd_class"] = bm.jacfwd(t, grad_vars=t.x, has_aux=True)(_y)
    results["hessian"] = bm.hessian(lambda x: jnp.sum(x ** 3))(_x)
    return results
