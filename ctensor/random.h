/* random.h -- kept for the files that include it (random.c, tests/_random_ctypes.py):
 * the generator and the samplers are declared in ctensor.h's "random numbers" section. */
#ifndef TT_RANDOM_H
#define TT_RANDOM_H
#include "ctensor.h"
#endif
