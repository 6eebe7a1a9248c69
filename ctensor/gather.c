/* gather.c -- moving elements by index along one dim: gather, scatter (with reductions),
 * flip, histc, and the index of repeat_interleave.
 *
 *   gather:   out[p] = src[p with p[dim] = index[p]]          for p over index's shape
 *   scatter:  dst[p with p[dim] = index[p]] op= src[p]         for p over index's shape
 *
 * Both run through the strided iterator over index's shape.  The indexed tensor enters
 * as a view of index's shape whose stride along dim is 0 (every p points at the start
 * of its row), and the kernel adds index[p] * stride.  index_select, index_add_,
 * index_copy_, index_fill_, take and put_ are these two with an index expanded from
 * 1-D (tinytensor/ops/indexing.py arranges the views).  Every index is checked before
 * it is used; scatter checks them all before writing anything.
 *
 * Note [scatter order]: scatter runs on one thread, in index order.  The elements that
 * meet at one destination differ only in their position along dim, and every loop
 * order of the iterator visits those in increasing position, so a float sum adds them
 * in the order torch's CPU kernel does, and the result is deterministic. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctensor.h"
#include "elementwise.h"
#include "internal.h"

typedef struct {
    int64_t size;           /* the indexed tensor's length along dim */
    int64_t step;           /* its byte stride along dim */
    int itemsize;
    bool wrap;              /* negative indices count from the end (take, put_, ...) */
    tt_scatter_op op;
    tt_dtype dtype;
    int64_t bad;            /* the first index out of range */
    bool failed;
} gather_job;

/* index i, checked and wrapped; false when out of range */
static inline bool
resolve(gather_job *job, int64_t *i)
{
    int64_t v = *i;
    if (job->wrap && v < 0 && v >= -job->size)
        v += job->size;
    if (v < 0 || v >= job->size) {
        if (!job->failed) {
            job->failed = true;
            job->bad = *i;
        }
        return false;
    }
    *i = v;
    return true;
}

/* the view of t that iterates over shape: stride 0 along dim */
static void
row_starts(tt_view *out, const tt_view *t, const tt_view *shape_of, int dim)
{
    *out = *t;
    memcpy(out->shape, shape_of->shape, sizeof(int64_t) * (size_t)t->ndim);
    out->strides[dim] = 0;
}

/* "[2, 3]" into buf */
static const char *
shape_str(char *buf, size_t size, const tt_view *v)
{
    size_t used = (size_t)snprintf(buf, size, "[");
    for (int d = 0; d < v->ndim && used < size; d++)
        used += (size_t)snprintf(buf + used, size - used, d ? ", %lld" : "%lld",
                                 (long long)v->shape[d]);
    if (used < size)
        snprintf(buf + used, size - used, "]");
    return buf;
}

/* torch's checks: same number of dims (a 0-d tensor counts as 1-d: callers make it
 * so), and index no larger than self (but along dim) nor than src (anywhere).  An empty
 * index is not checked, as in torch. */
static tt_status
check_shapes(const char *op, const tt_view *self, int dim, const tt_view *index,
             const tt_view *src)
{
    if (index->dtype != TT_INT64)
        return tt_fail(TT_EDTYPE, "%s(): Expected dtype int64 for index", op);
    int nd = self->ndim > 0 ? self->ndim : 1;
    if (dim < 0 || dim >= nd)
        return tt_fail(TT_EINDEX, "Dimension out of range (expected to be in range of "
                       "[%d, %d], but got %d)", -nd, nd - 1, dim);
    if (index->ndim != self->ndim || (src && src->ndim != self->ndim && src->ndim != 0))
        return tt_fail(TT_ERUNTIME, "Index tensor must have the same number of "
                       "dimensions as %s tensor", src ? "self" : "input");
    if (tt_view_numel(index) == 0)
        return TT_OK;
    char is[256], ss[256], rs[256];
    for (int d = 0; d < self->ndim; d++) {
        if (!src && d != dim && index->shape[d] > self->shape[d])
            return tt_fail(TT_ERUNTIME, "Size does not match at dimension %d expected index "
                           "%s to be no larger than self %s apart from dimension %d", d,
                           shape_str(is, sizeof is, index), shape_str(ss, sizeof ss, self),
                           dim);
        if (src && ((d != dim && index->shape[d] > self->shape[d]) ||
                    (src->ndim && index->shape[d] > src->shape[d])))
            return tt_fail(TT_ERUNTIME, "Expected index %s to be no larger than self %s "
                           "apart from dimension %d and to be no larger size than src %s",
                           shape_str(is, sizeof is, index), shape_str(ss, sizeof ss, self),
                           dim, src->ndim ? shape_str(rs, sizeof rs, src) : "[]");
    }
    return TT_OK;
}

static tt_status
index_error(const gather_job *job, int dim)
{
    return tt_fail(TT_EINDEX, "index %lld is out of bounds for dimension %d with size %lld",
                   (long long)job->bad, dim, (long long)job->size);
}

/* ---- gather ------------------------------------------------------------------------ */
/* ptr = {out, index, src row start}; one loop per element size (a copy is a move) */
/* (strides and sizes live in locals: the stores could otherwise alias them, and every
 * element would wait for a reload) */
#define GATHER_EACH(T)                                                                  \
    {                                                                                   \
        char *op = ptr[0];                                                              \
        const char *ip = ptr[1], *sp = ptr[2];                                          \
        const int64_t os = step[0], is = step[1], ss = step[2];                         \
        const int64_t size = job->size, st = job->step;                                 \
        for (int64_t k = 0; k < n; k++, op += os, ip += is, sp += ss) {                 \
            int64_t i = *(const int64_t *)ip;                                           \
            if ((uint64_t)i >= (uint64_t)size && !resolve(job, &i))                     \
                return;                                                                 \
            memcpy(op, sp + i * st, sizeof(T));                                         \
        }                                                                               \
    }

static void
gather_loop(char **ptr, const int64_t *step, int64_t n, const void *extra)
{
    gather_job *job = (gather_job *)extra;
    switch (job->itemsize) {
    case 1: GATHER_EACH(uint8_t); break;
    case 2: GATHER_EACH(uint16_t); break;
    case 4: GATHER_EACH(uint32_t); break;
    default: GATHER_EACH(uint64_t); break;
    }
}

tt_status
tt_gather(const tt_view *out, const tt_view *src, int dim, const tt_view *index, bool wrap)
{
    tt_status s = check_shapes("gather", src, dim, index, NULL);
    if (s)
        return s;
    if (out->dtype != src->dtype || out->ndim != index->ndim)
        return tt_fail(TT_EVALUE, "gather: out must have src's dtype and index's shape");
    if (src->ndim == 0) {           /* a 0-d source: dim 0 of size 1 */
        tt_view s1 = *src, i1 = *index, o1 = *out;
        s1.ndim = i1.ndim = o1.ndim = 1;
        s1.shape[0] = i1.shape[0] = o1.shape[0] = 1;
        s1.strides[0] = i1.strides[0] = o1.strides[0] = 1;
        return tt_gather(&o1, &s1, 0, &i1, wrap);
    }
    gather_job job = {.size = src->shape[dim], .itemsize = tt_dtypes[src->dtype].itemsize,
                      .wrap = wrap};
    job.step = src->strides[dim] * job.itemsize;
    tt_view base;
    row_starts(&base, src, index, dim);
    const tt_view *in[2] = {index, &base};
    tt_iter_plan plan;
    if ((s = tt_iter_plan_build(&plan, out, 2, in, 0)))
        return s;
    /* one thread: the first bad index is reported, and a loop can stop there */
    if (plan.numel > 0)
        tt_iter_plan_range(&plan, gather_loop, &job, 0, plan.numel);
    return job.failed ? index_error(&job, dim) : TT_OK;
}

/* ---- scatter ----------------------------------------------------------------------- */
/* per dtype, one loop per op: *d = op(*d, *s); integers wrap around, 16-bit floats round
 * once; amax/amin let NaN win, as torch's scatter_reduce does.  Indices were checked. */
#define ADD_0(CT, a, b) ((a) || (b))            /* bool: or / and */
#define MUL_0(CT, a, b) ((a) && (b))
#define ADD_1(CT, a, b) ((uint64_t)(int64_t)(a) + (uint64_t)(int64_t)(b))  /* wrapping */
#define MUL_1(CT, a, b) ((uint64_t)(int64_t)(a) * (uint64_t)(int64_t)(b))
#define ADD_2(CT, a, b) ((a) + (b))
#define MUL_2(CT, a, b) ((a) * (b))
#define MAX_NAN(a, b) ((b) != (b) ? (b) : ((a) > (b) || (a) != (a) ? (a) : (b)))
#define MIN_NAN(a, b) ((b) != (b) ? (b) : ((a) < (b) || (a) != (a) ? (a) : (b)))

#define SCATTER_EACH(T, UPDATE)                                                         \
    {                                                                                   \
        const char *ip = ptr[0], *sp = ptr[1];                                          \
        char *dp = ptr[2];                                                              \
        const int64_t is = step[0], ss = step[1], ds = step[2];                         \
        const int64_t size = job->size, st = job->step;                                 \
        for (int64_t k = 0; k < n; k++, ip += is, sp += ss, dp += ds) {                 \
            int64_t i = *(const int64_t *)ip;                                           \
            if (i < 0)                                                                  \
                i += size;                                                              \
            T *d = (T *)(dp + i * st);                                                  \
            const T *s = (const T *)sp;                                                 \
            UPDATE;                                                                     \
        }                                                                               \
    }

#define SCATTER_LOOP(ENUM, T, sfx, CT, cat, name)                                       \
static void                                                                             \
scatter_##sfx(char **ptr, const int64_t *step, int64_t n, const void *extra)            \
{                                                                                       \
    const gather_job *job = extra;                                                      \
    switch (job->op) {                                                                  \
    case TT_SCATTER_ASSIGN:                                                             \
        SCATTER_EACH(T, *d = *s);                                                       \
        break;                                                                          \
    case TT_SCATTER_ADD:                                                                \
        SCATTER_EACH(T, *d = STORE_SAME_##sfx(                                          \
            (CT)ADD_##cat(CT, LOAD_##sfx(*d), LOAD_##sfx(*s))));                        \
        break;                                                                          \
    case TT_SCATTER_MUL:                                                                \
        SCATTER_EACH(T, *d = STORE_SAME_##sfx(                                          \
            (CT)MUL_##cat(CT, LOAD_##sfx(*d), LOAD_##sfx(*s))));                        \
        break;                                                                          \
    case TT_SCATTER_MAX:                                                                \
        SCATTER_EACH(T, CT a = LOAD_##sfx(*d); CT b = LOAD_##sfx(*s);                   \
                     *d = STORE_SAME_##sfx(MAX_NAN(a, b)));                             \
        break;                                                                          \
    default:                                                                            \
        SCATTER_EACH(T, CT a = LOAD_##sfx(*d); CT b = LOAD_##sfx(*s);                   \
                     *d = STORE_SAME_##sfx(MIN_NAN(a, b)));                             \
        break;                                                                          \
    }                                                                                   \
}
TT_DTYPES(SCATTER_LOOP)

static const tt_loop scatter_loops[TT_NUM_DTYPES] = {
#define ENTRY(ENUM, T, sfx, CT, cat, name) [ENUM] = scatter_##sfx,
    TT_DTYPES(ENTRY)
#undef ENTRY
};

/* check pass: ptr = {index} */
static void
check_loop(char **ptr, const int64_t *step, int64_t n, const void *extra)
{
    gather_job *job = (gather_job *)extra;
    const char *ip = ptr[0];
    const uint64_t size = (uint64_t)job->size;
    for (int64_t k = 0; k < n; k++, ip += step[0]) {
        int64_t i = *(const int64_t *)ip;
        if ((uint64_t)i >= size && !resolve(job, &i))
            return;
    }
}

tt_status
tt_scatter(const tt_view *dst, int dim, const tt_view *index, const tt_view *src,
           tt_scatter_op op, bool wrap)
{
    tt_status s = check_shapes("scatter", dst, dim, index, src);
    if (s)
        return s;
    if (src->dtype != dst->dtype)
        return tt_fail(TT_EDTYPE, "scatter(): Expected self.dtype to be equal to "
                       "src.dtype");
    if (dst->ndim == 0) {
        tt_view d1 = *dst, i1 = *index, s1 = *src;
        d1.ndim = i1.ndim = 1;
        d1.shape[0] = i1.shape[0] = 1;
        d1.strides[0] = i1.strides[0] = 1;
        if (src->ndim == 0 && tt_view_numel(index) == 1) {
            return tt_scatter(&d1, 0, &i1, src, op, wrap);
        }
        s1.ndim = 1;
        s1.shape[0] = 1;
        s1.strides[0] = 1;
        return tt_scatter(&d1, 0, &i1, &s1, op, wrap);
    }
    gather_job job = {.size = dst->shape[dim], .itemsize = tt_dtypes[dst->dtype].itemsize,
                      .wrap = wrap, .op = op, .dtype = dst->dtype};
    job.step = dst->strides[dim] * job.itemsize;
    if (tt_view_numel(index) == 0)
        return TT_OK;
    tt_iter_plan plan;
    if ((s = tt_iter_plan_build(&plan, index, 0, NULL, 0)))
        return s;
    tt_iter_plan_range(&plan, check_loop, &job, 0, plan.numel);
    if (job.failed)
        return index_error(&job, dim);

    tt_view base, src_part = *src;
    row_starts(&base, dst, index, dim);
    if (src->ndim)      /* src may be larger than index: use its leading corner */
        memcpy(src_part.shape, index->shape, sizeof(int64_t) * (size_t)index->ndim);
    const tt_view *in[2] = {&src_part, &base};
    if ((s = tt_iter_plan_build(&plan, index, 2, in, 0)))
        return s;
    /* one thread, index order: see Note [scatter order] */
    tt_iter_plan_range(&plan, scatter_loops[dst->dtype], &job, 0, plan.numel);
    return TT_OK;
}

/* ---- flip -------------------------------------------------------------------------- */
tt_status
tt_flip(const tt_view *out, const tt_view *src, int ndims, const int *dims)
{
    /* read src through a view that walks the flipped dims backwards */
    tt_view rev = *src;
    for (int k = 0; k < ndims; k++) {
        int d = dims[k];
        if (d < 0 || d >= src->ndim)
            return tt_fail(TT_EINDEX, "flip: dim %d out of range", d);
        if (src->shape[d] > 0)
            rev.offset += (src->shape[d] - 1) * src->strides[d];
        rev.strides[d] = -src->strides[d];
    }
    return tt_copy(out, &rev);
}

/* ---- histc ------------------------------------------------------------------------- */
/* torch's LINEAR_INTERPOLATION binning, in the input's own arithmetic (16-bit floats
 * round after every operation, as c10::Half's operators do):
 *   bin = (int64)((x - lo) * bins / (hi - lo)), the last edge counted in the last bin;
 * x outside [lo, hi] and NaN are skipped.  out: bins floats of src's dtype, zeroed. */
#define HISTC_LOOP(ENUM, T, sfx, CT, cat, name)                                         \
static void                                                                             \
histc_##sfx(char **ptr, const int64_t *step, int64_t n, const void *extra)              \
{                                                                                       \
    const double *args = extra;     /* lo, hi, bins, out pointer as double bits */      \
    int64_t bins = (int64_t)args[2];                                                    \
    T *out;                                                                             \
    memcpy(&out, &args[3], sizeof out);                                                 \
    CT lo = ROUND_##sfx(args[0]), hi = ROUND_##sfx(args[1]);                            \
    CT width = ROUND_##sfx(hi - lo), nb = ROUND_##sfx((CT)bins);                        \
    for (int64_t k = 0; k < n; k++) {                                                   \
        CT x = LOAD_##sfx(*(const T *)(ptr[1] + k * step[1]));                          \
        if (!(x >= lo && x <= hi))                                                      \
            continue;                                                                   \
        int64_t pos = (int64_t)ROUND_##sfx(ROUND_##sfx(ROUND_##sfx(x - lo) * nb) / width); \
        if (pos == bins)                                                                \
            pos--;                                                                      \
        out[pos] = STORE_SAME_##sfx(LOAD_##sfx(out[pos]) + 1);                          \
    }                                                                                   \
}
#define ROUND_f16(x) tt_f16_to_f32(tt_f32_to_f16((float)(x)))
#define ROUND_bf16(x) tt_bf16_to_f32(tt_f32_to_bf16((float)(x)))
#define ROUND_f32(x) ((float)(x))
#define ROUND_f64(x) ((double)(x))
HISTC_LOOP(TT_FLOAT16, uint16_t, f16, float, 2, "float16")
HISTC_LOOP(TT_BFLOAT16, uint16_t, bf16, float, 2, "bfloat16")
HISTC_LOOP(TT_FLOAT32, float, f32, float, 2, "float32")
HISTC_LOOP(TT_FLOAT64, double, f64, double, 2, "float64")

tt_status
tt_histc(const tt_view *out, const tt_view *src, double lo, double hi)
{
    tt_loop loop = src->dtype == TT_FLOAT16 ? histc_f16 : src->dtype == TT_BFLOAT16 ?
                   histc_bf16 : src->dtype == TT_FLOAT32 ? histc_f32 :
                   src->dtype == TT_FLOAT64 ? histc_f64 : NULL;
    if (!loop)
        return tt_fail(TT_EDTYPE, "\"histogram_cpu\" not implemented for '%s'",
                       tt_torch_type_names[src->dtype]);
    if (out->dtype != src->dtype || out->ndim != 1 || !tt_is_contiguous(out))
        return tt_fail(TT_EVALUE, "histc: out must be a contiguous 1-D tensor of the "
                       "input's dtype");
    if (tt_view_numel(out) == 0 || tt_view_numel(src) == 0)
        return TT_OK;
    double args[4] = {lo, hi, (double)out->shape[0], 0};
    char *p = tt_view_data(out);
    memcpy(&args[3], &p, sizeof p);
    /* a dummy output of src's shape: the iterator wants one; the loop never writes it */
    tt_iter_plan plan;
    const tt_view *in[1] = {src};
    tt_status s = tt_iter_plan_build(&plan, src, 1, in, 0);
    if (s)
        return s;
    tt_iter_plan_range(&plan, loop, args, 0, plan.numel);      /* serial: counts add up */
    return TT_OK;
}

/* ---- repeat_interleave's index ----------------------------------------------------- */
/* out[j] = i for the repeats[i] positions j after the first sum(repeats[:i]) */
tt_status
tt_repeat_index(const tt_view *out, const tt_view *repeats)
{
    if (repeats->ndim != 1 || repeats->dtype != TT_INT64 || out->dtype != TT_INT64 ||
        out->ndim != 1)
        return tt_fail(TT_EVALUE, "repeat_interleave: repeats must be a 1-D int64 tensor");
    int64_t n = repeats->shape[0], total = out->shape[0], j = 0;
    const char *r = tt_view_data(repeats);
    int64_t *o = (int64_t *)tt_view_data(out);
    for (int64_t i = 0; i < n; i++) {
        int64_t c = *(const int64_t *)(r + i * repeats->strides[0] * 8);
        if (c < 0)
            return tt_fail(TT_ERUNTIME, "repeats can not be negative");
        if (c > total - j)
            return tt_fail(TT_ERUNTIME, "repeat_interleave: output_size is smaller than "
                           "the sum of repeats");
        for (int64_t k = 0; k < c; k++)
            o[j++] = i;
    }
    if (j != total)
        return tt_fail(TT_ERUNTIME, "repeat_interleave: output_size does not match the "
                       "sum of repeats");
    return TT_OK;
}
