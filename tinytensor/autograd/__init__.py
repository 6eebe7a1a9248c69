"""Autograd: the tape (graph of Function nodes), the engine that walks it, grad modes."""
from tinytensor.autograd.function import Function, once_differentiable
