"""torch.backends.cpu: which SIMD level the CPU kernels use."""


def get_cpu_capability():
    """'DEFAULT': tinytensor's C core leaves vectorisation to the compiler."""
    return "DEFAULT"
