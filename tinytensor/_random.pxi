# _random.pxi -- the random generator and samplers (see ctensor/random.c).
