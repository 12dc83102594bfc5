"""Continuation lines aligned under the parenthesis stay aligned after the rename."""
import brainpy as bp
import brainpy.math as bm


class BPTT(bp.train.DSTrainer):
    def make_grad(self):
        grad_f = bm.grad(self.f_loss,
                         grad_vars=self.train_vars(),
                         has_aux=True,
                         return_value=True,
                         dyn_vars=self.vars())
        hessian = bp.math.hessian(self.f_loss, argnums=(0,
                                                        1),
                                  dyn_vars=self.vars())
        hanging = bm.jacrev(
            self.f_loss,
            argnums=0,
        )
        return grad_f, hessian, hanging
