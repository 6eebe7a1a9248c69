"""torch.backends.openmp: whether tinytensor's C core was compiled with OpenMP."""
from tinytensor import _C


def is_available():
    return bool(_C.has_openmp())
