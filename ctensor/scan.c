/* scan.c -- cumulative sums and products along one dim.
 *
 * Owns the scan loops (torch's cpu_cum_base_kernel): each slice along the dim is
 * walked in order with an accumulator one size wider than the data -- double for
 * float32 and float64, float for the 16-bit floats, int64 for integers -- and every
 * prefix is rounded back to the dtype, so results match torch exactly.  The other
 * dims are iter.c's: the loop runs once per slice. */
#include "ctensor.h"
#include "internal.h"

typedef struct {
    int64_t len;            /* elements along the scanned dim */
    int64_t so, si;         /* byte strides along it: out, in */
} scan_ctx;

#define LD_b(p) (*(const bool *)(p))
#define LD_u8(p) (*(const uint8_t *)(p))
#define LD_i8(p) (*(const int8_t *)(p))
#define LD_i16(p) (*(const int16_t *)(p))
#define LD_i32(p) (*(const int32_t *)(p))
#define LD_i64(p) (*(const int64_t *)(p))
#define LD_f16(p) tt_f16_to_f32(*(const uint16_t *)(p))
#define LD_bf16(p) tt_bf16_to_f32(*(const uint16_t *)(p))
#define LD_f32(p) (*(const float *)(p))
#define LD_f64(p) (*(const double *)(p))
#define ST_b(p, v) (*(bool *)(p) = (v) != 0)
#define ST_u8(p, v) (*(uint8_t *)(p) = (uint8_t)(v))
#define ST_i8(p, v) (*(int8_t *)(p) = (int8_t)(v))
#define ST_i16(p, v) (*(int16_t *)(p) = (int16_t)(v))
#define ST_i32(p, v) (*(int32_t *)(p) = (int32_t)(v))
#define ST_i64(p, v) (*(int64_t *)(p) = (int64_t)(v))
#define ST_f16(p, v) (*(uint16_t *)(p) = tt_f32_to_f16(v))
#define ST_bf16(p, v) (*(uint16_t *)(p) = tt_f32_to_bf16(v))
#define ST_f32(p, v) (*(float *)(p) = (float)(v))
#define ST_f64(p, v) (*(double *)(p) = (v))

/* integers accumulate in uint64 (wrapping, as int64 does in torch) */
#define ADD_I(a, x) ((a) + (uint64_t)(int64_t)(x))
#define MUL_I(a, x) ((a) * (uint64_t)(int64_t)(x))
#define ADD_F(a, x) ((a) + (x))
#define MUL_F(a, x) ((a) * (x))

/* generates <op>_<sfx>: for each slice, out[k] = acc = acc OP in[k] */
#define SCAN_LOOP(op, sfx, A, INIT, OP)                                                \
    static void op##_##sfx(char **ptr, const int64_t *step, int64_t n,               \
                           const void *extra)                                          \
    {                                                                                  \
        const scan_ctx *c = extra;                                                     \
        char *o = ptr[0];                                                              \
        const char *a = ptr[1];                                                        \
        for (int64_t s = 0; s < n; s++, o += step[0], a += step[1]) {                  \
            A acc = INIT;                                                              \
            for (int64_t k = 0; k < c->len; k++) {                                     \
                acc = OP(acc, LD_##sfx(a + k * c->si));                                \
                ST_##sfx(o + k * c->so, acc);                                          \
            }                                                                          \
        }                                                                              \
    }
#define SCANS(sfx, A, ADD, MUL)                                                        \
    SCAN_LOOP(cumsum, sfx, A, 0, ADD)                                                  \
    SCAN_LOOP(cumprod, sfx, A, 1, MUL)
SCANS(b, uint64_t, ADD_I, MUL_I)
SCANS(u8, uint64_t, ADD_I, MUL_I)
SCANS(i8, uint64_t, ADD_I, MUL_I)
SCANS(i16, uint64_t, ADD_I, MUL_I)
SCANS(i32, uint64_t, ADD_I, MUL_I)
SCANS(i64, uint64_t, ADD_I, MUL_I)
SCANS(f16, float, ADD_F, MUL_F)
SCANS(bf16, float, ADD_F, MUL_F)
SCANS(f32, double, ADD_F, MUL_F)
SCANS(f64, double, ADD_F, MUL_F)

#define BY_DTYPE(prefix)                                                               \
    {prefix##_b, prefix##_u8, prefix##_i8, prefix##_i16, prefix##_i32, prefix##_i64,   \
     prefix##_f16, prefix##_bf16, prefix##_f32, prefix##_f64}
static const tt_loop loops[2][TT_NUM_DTYPES] = {BY_DTYPE(cumsum), BY_DTYPE(cumprod)};

tt_status
tt_scan(const tt_view *out, const tt_view *in, int dim, bool product)
{
    if (out->dtype != in->dtype)
        return tt_fail(TT_EDTYPE, "cumsum/cumprod: the output needs the input's dtype");
    if (out->ndim != in->ndim)
        return tt_fail(TT_ESHAPE, "cumsum/cumprod: the output needs the input's shape");
    if (in->ndim == 0)
        return tt_copy(out, in);
    if (dim < 0 || dim >= in->ndim)
        return tt_fail(TT_EINDEX, "cumsum/cumprod: dim %d out of range", dim);
    for (int i = 0; i < in->ndim; i++)
        if (out->shape[i] != in->shape[i])
            return tt_fail(TT_ESHAPE, "cumsum/cumprod: the output needs the input's shape");
    int64_t isz = tt_dtypes[in->dtype].itemsize;
    scan_ctx c = {in->shape[dim], out->strides[dim] * isz, in->strides[dim] * isz};
    /* the slices: both views with the scanned dim taken out */
    tt_view o = *out, a = *in;
    for (int i = dim; i + 1 < in->ndim; i++) {
        o.shape[i] = o.shape[i + 1];
        o.strides[i] = o.strides[i + 1];
        a.shape[i] = a.shape[i + 1];
        a.strides[i] = a.strides[i + 1];
    }
    o.ndim = a.ndim = in->ndim - 1;
    if (c.len == 0)
        return TT_OK;
    const tt_view *ins[1] = {&a};
    return tt_iter_run(&o, 1, ins, loops[product][in->dtype], &c);
}
