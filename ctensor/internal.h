/* internal.h -- what the .c files of the core share and the outside need not see. */
#ifndef TT_INTERNAL_H
#define TT_INTERNAL_H

#include "ctensor.h"
#include "half.h"

#define TT_PARALLEL_GRAIN 32768     /* see Note [when to thread] in iter.c */

void tt_parallel_for(int64_t chunks, const tt_iter_plan *p, tt_loop loop,
                     const void *extra);

/* the same-dtype accumulate loop (out = out + in), for index_put_(accumulate=True);
 * provided by the elementwise kernels (binary.c) */
tt_loop tt_add_loop(tt_dtype dtype);

/* linspace into a contiguous 1-D floating view (sequence.c) */
tt_status tt_linspace(const tt_view *out, double start, double end, int64_t steps);

#endif
