/* sequence.c -- linspace: evenly spaced values, computed exactly as torch's CPU kernel.
 *
 * torch fills the first half as start + step * i and the second half as
 * end - step * (steps - 1 - i), each with one fused multiply-add in the output's own
 * precision (its vectorised loop uses FMA), so both ends are exact and the middle
 * is symmetric.  Using fma()/fmaf() here gives the same bits. */
#include <math.h>

#include "ctensor.h"
#include "internal.h"

tt_status
tt_linspace(const tt_view *out, double start, double end, int64_t steps)
{
    if (out->ndim != 1 || out->strides[0] != 1 || out->shape[0] != steps)
        return tt_fail(TT_ESHAPE, "linspace: expected a contiguous 1-D output of %lld "
                       "elements", (long long)steps);
    int64_t half = steps / 2;
    char *data = tt_view_data(out);
    if (out->dtype == TT_FLOAT64) {
        double *o = (double *)data, step = steps > 1 ? (end - start) / (double)(steps - 1) : 0;
        for (int64_t i = 0; i < steps; i++)
            o[i] = i < half ? fma(step, (double)i, start)
                            : fma(-step, (double)(steps - 1 - i), end);
        if (steps == 1)
            o[0] = start;
        return TT_OK;
    }
    if (tt_dtypes[out->dtype].category != TT_CAT_FLOAT)
        return tt_fail(TT_EDTYPE, "linspace: floating output expected");
    float s = (float)start, e = (float)end;
    float step = steps > 1 ? (e - s) / (float)(steps - 1) : 0.0f;
    for (int64_t i = 0; i < steps; i++) {
        float v = i < half ? fmaf(step, (float)i, s) : fmaf(-step, (float)(steps - 1 - i), e);
        if (steps == 1)
            v = s;
        if (out->dtype == TT_FLOAT32)
            ((float *)data)[i] = v;
        else if (out->dtype == TT_FLOAT16)
            ((uint16_t *)data)[i] = tt_f32_to_f16(v);
        else
            ((uint16_t *)data)[i] = tt_f32_to_bf16(v);
    }
    return TT_OK;
}
