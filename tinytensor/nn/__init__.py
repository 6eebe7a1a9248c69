"""tinytensor.nn: Module, Parameter, layers, losses, init and functional (as torch.nn).

    import tinytensor as torch
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    loss = torch.nn.MSELoss()(model(x), y)
"""
from tinytensor.nn.parameter import Parameter, Buffer
from tinytensor.nn import functional, init
from tinytensor.nn.modules import *  # noqa: F401,F403
from tinytensor.nn.modules import module as _module
from tinytensor.nn import utils

Module = _module.Module
