# _math.pxi -- elementwise, reduction and matmul kernels (see ctensor/binary.c ...).
