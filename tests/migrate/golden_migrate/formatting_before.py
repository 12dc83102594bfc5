import brainpy.math as bm


def loss(x, y):
    return (x * y).sum()


grad_fn = bm.grad(
    loss,  # the loss
    argnums=(0, 1),  # both arguments
    dyn_vars=[],  # legacy, ignored
    has_aux=False,
)
other = bm.grad(loss, argnums=0,
                dyn_vars=[])
