"""torch.backends as torch's CPU build reports it: no cuDNN, CUDA or MPS; OpenMP as built.

    import tinytensor.backends.cudnn as cudnn
    cudnn.deterministic = True          # accepted (tinytensor's kernels are deterministic)
"""
from tinytensor.backends import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp  # noqa: F401
