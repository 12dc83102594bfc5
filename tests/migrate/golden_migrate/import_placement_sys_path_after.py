import sys
sys.path.insert(0, "../")  # the project's own modules, BrainPy among them
import brainpy as bp
import brainpy.math as bm
import brainpy_autograd
import matplotlib.pyplot as plt

import models

net = models.Net(bp.dyn.LifRef(10))
grad_f = brainpy_autograd.grad(net.loss, grad_vars=net.train_vars().unique())
