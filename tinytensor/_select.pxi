# _select.pxi -- sorting, selection, gather/scatter and linear-algebra kernels
# (see ctensor/sort.c, gather.c, linalg.c).
