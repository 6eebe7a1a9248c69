/* parallel.c -- the thread count and the one OpenMP region the iterator uses.
 * Built without OpenMP (TINYTENSOR_NO_OPENMP=1, or a compiler without it) everything
 * here runs serially and reports one thread. */
#include "ctensor.h"
#include "internal.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static int num_threads = 0;     /* 0: not set yet, use what OpenMP offers */

bool
tt_has_openmp(void)
{
#ifdef _OPENMP
    return true;
#else
    return false;
#endif
}

int
tt_get_num_threads(void)
{
#ifdef _OPENMP
    if (num_threads == 0)
        num_threads = omp_get_max_threads();
    return num_threads;
#else
    return 1;
#endif
}

void
tt_set_num_threads(int n)
{
    num_threads = n < 1 ? 1 : n;
}

void
tt_parallel_for(int64_t chunks, const tt_iter_plan *p, tt_loop loop, const void *extra)
{
    int64_t total = p->numel;
#ifdef _OPENMP
#pragma omp parallel for num_threads((int)chunks) schedule(static)
#endif
    for (int64_t c = 0; c < chunks; c++) {
        int64_t begin = total * c / chunks, end = total * (c + 1) / chunks;
        tt_iter_plan_range(p, loop, extra, begin, end);
    }
}
