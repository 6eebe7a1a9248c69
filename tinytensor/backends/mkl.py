"""torch.backends.mkl: tinytensor uses its own matmul kernels, not Intel MKL."""


def is_available():
    return False
