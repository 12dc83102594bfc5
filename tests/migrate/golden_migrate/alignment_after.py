"""Continuation lines aligned under the parenthesis stay aligned after the rename."""
import brainpy as bp
import brainpy_autograd
import brainpy.math as bm


class BPTT(bp.train.DSTrainer):
    def make_grad(self):
        grad_f = brainpy_autograd.grad(self.f_loss,
                                       grad_vars=self.train_vars(),
                                       has_aux=True,
                                       return_value=True)
        hessian = brainpy_autograd.hessian(self.f_loss, argnums=(0,
                                                                 1))
        hanging = brainpy_autograd.jacrev(
            self.f_loss,
            argnums=0,
        )
        return grad_f, hessian, hanging
