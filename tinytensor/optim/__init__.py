"""tinytensor.optim: torch's optimizers and learning-rate schedulers.

    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
"""
from tinytensor.optim.optimizer import Optimizer
from tinytensor.optim.sgd import SGD
from tinytensor.optim.adam import Adam, AdamW
from tinytensor.optim.adagrad import Adagrad
from tinytensor.optim.rmsprop import RMSprop
from tinytensor.optim.adamax import Adamax
from tinytensor.optim.adadelta import Adadelta
from tinytensor.optim.nadam import NAdam
from tinytensor.optim.radam import RAdam
from tinytensor.optim.rprop import Rprop
from tinytensor.optim.asgd import ASGD
from tinytensor.optim.lbfgs import LBFGS
from tinytensor.optim.sparse_adam import SparseAdam
from tinytensor.optim import lr_scheduler

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "Adamax", "Adadelta",
           "NAdam", "RAdam", "Rprop", "ASGD", "LBFGS", "SparseAdam", "lr_scheduler"]
