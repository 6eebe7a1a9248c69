"""Autograd: the tape (graph of Function nodes), the engine that walks it, grad modes.

    x = torch.tensor([1., 2.], requires_grad=True)
    (x * x).sum().backward()        # x.grad == 2 * x
"""
from tinytensor.autograd.function import Function, once_differentiable, Variable
from tinytensor.autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled,
                                           inference_mode, is_inference_mode_enabled,
                                           is_grad_enabled)
from tinytensor.autograd.engine import backward, grad
from tinytensor.autograd import tensor_methods as _tensor_methods  # noqa: F401 (registers)
from tinytensor.autograd import graph  # noqa: F401
from tinytensor.autograd import functional  # noqa: F401
from tinytensor.autograd.gradcheck import gradcheck, gradgradcheck, GradcheckError
from tinytensor.autograd.graph import to_dot
from tinytensor.autograd.anomaly_mode import (detect_anomaly, set_detect_anomaly,
                                              is_anomaly_enabled)

__all__ = ["Function", "once_differentiable", "Variable", "no_grad", "enable_grad",
           "set_grad_enabled", "inference_mode", "is_inference_mode_enabled",
           "is_grad_enabled", "backward", "grad", "functional", "gradcheck",
           "gradgradcheck", "GradcheckError", "to_dot", "graph", "detect_anomaly",
           "set_detect_anomaly", "is_anomaly_enabled"]
