"""How an op becomes `tinytensor.op(...)`, `tensor.op(...)`, `tensor.op_(...)` and
`op(..., out=...)` from one definition.

Ops modules decorate plain functions; tinytensor/_tensor.py installs everything marked
as a method onto Tensor, and tinytensor/__init__.py exports everything marked public.

    @op(method=True)
    def transpose(input, dim0, dim1):
        return Transpose.apply(input, dim0, dim1)
"""

METHODS = {}        # method name -> function(self, ...)
FUNCTIONS = {}      # tinytensor.<name> -> function


def op(name=None, *, method=True, function=True, method_name=None):
    """Register fn as tinytensor.<name> and (by default) as Tensor.<name>."""
    def deco(fn):
        n = name or fn.__name__
        if function:
            FUNCTIONS[n] = fn
        if method:
            METHODS[method_name or n] = fn
        return fn
    return deco


def method(name=None):
    """Register fn as a Tensor method only."""
    return op(name, method=True, function=False)


def install_methods(cls):
    """Put the registered methods on cls; those with a fast path in _C (Note [fast path]
    in _fast.pxi) stay the base class's and get the Python op as their fallback."""
    from tinytensor import _C
    for name, fn in METHODS.items():
        if name in _C.FAST_METHODS:
            _C.set_slow_path(name, fn)
        elif name not in cls.__dict__:
            setattr(cls, name, fn)
