import sys
sys.path.insert(0, "../")  # the project's own modules, BrainPy among them
import brainpy as bp
import brainpy.math as bm
import matplotlib.pyplot as plt

import models

net = models.Net(bp.dyn.LifRef(10))
grad_f = bm.grad(net.loss, grad_vars=net.train_vars().unique(), dyn_vars=net.vars().unique())
