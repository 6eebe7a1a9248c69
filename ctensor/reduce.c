/* reduce.c -- reductions over any set of dims: sum, prod, mean, amax, amin, all, any,
 * norms, var/std, argmax/argmin.
 *
 * Owns the reduction plan and the two ways torch's CPU kernels walk it, reproduced so
 * that results match torch bit for bit, threads included (Note [torch's reduction
 * order]); the per-op loops; and torch's empty-input rules.  The elementwise iterator
 * (iter.c) is not used: a reduction needs torch's own dim order and loop tiling.
 * Float sums use torch's cascade summation (Note [cascade sum]), so a float32 sum of
 * 1e7 ones is exactly 1e7 and long sums stay accurate. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ctensor.h"
#include "internal.h"

#if defined(__F16C__)
#include <immintrin.h>
#endif

#define GRAIN 32768         /* at::internal::GRAIN_SIZE */

/* Note [torch's reduction order]: torch's TensorIterator, built for a reduction,
 *  1. orders dims innermost-first: reduced dims before kept ones, then by the output's
 *     strides, then by the input's (insertion sort; ties broken by size);
 *  2. merges neighbours that are contiguous in both operands;
 *  3. runs a 2-D loop (size0 x size1, the two innermost dims) over the rest
 *     (serial_for_each), possibly starting and ending mid-row.
 * With threads, a reduction to one element is split into one contiguous range per
 * thread (each summed into its own slot, the slots then reduced in order:
 * two_pass_reduction); otherwise the kept dims are split and each output is computed
 * by one thread exactly as in a serial run.  Kernels that reduce one output at a time
 * (norms, var, argmax: binary_kernel_reduce) walk the reduced dims in the same order. */
typedef struct {
    int ndim;                       /* >= 1; dims innermost first */
    int nred;                       /* the first nred dims are reduced */
    int64_t shape[TT_MAX_DIMS];
    int64_t so[TT_MAX_DIMS];        /* output byte strides (0 on reduced dims) */
    int64_t si[TT_MAX_DIMS];        /* input byte strides */
    char *out, *in;
    int64_t numel, out_numel, red_numel;
    int osize, isize;               /* item sizes */
    bool empty_reduced;             /* a reduced dim has size 0 */
} rplan;

/* should dim a go inside (after the sort: before) dim b?  1 swap, -1 keep, 0 unsure */
static int
should_swap(const int64_t *shape, const int64_t *so, const int64_t *si, int a, int b)
{
    const int64_t *st[2] = {so, si};
    for (int k = 0; k < 2; k++) {
        int64_t s0 = st[k][a], s1 = st[k][b];
        if (k == 0 && (s0 == 0) != (s1 == 0))
            return s1 == 0 ? 1 : -1;
        if (s0 == 0 || s1 == 0)
            continue;
        if (s0 < s1)
            return -1;
        if (s0 > s1)
            return 1;
        if (shape[a] > shape[b])
            return 1;
    }
    return 0;
}

/* out has in's ndim; a dim is reduced where out has size 1 and in does not */
static tt_status
plan_build(rplan *p, const tt_view *out, const tt_view *in)
{
    if (out->ndim != in->ndim)
        return tt_fail(TT_ESHAPE, "reduce: output needs the input's ndim (keepdim form)");
    int n = in->ndim;
    int64_t shape[TT_MAX_DIMS], so[TT_MAX_DIMS], si[TT_MAX_DIMS];
    p->osize = tt_dtypes[out->dtype].itemsize;
    p->isize = tt_dtypes[in->dtype].itemsize;
    p->out = tt_view_data(out);
    p->in = tt_view_data(in);
    p->numel = p->out_numel = 1;
    p->empty_reduced = false;
    for (int i = 0; i < n; i++) {
        bool red = out->shape[i] == 1 && in->shape[i] != 1;
        p->empty_reduced = p->empty_reduced || (red && in->shape[i] == 0);
        if (!red && out->shape[i] != in->shape[i])
            return tt_fail(TT_ESHAPE, "reduce: output size %lld does not fit input size "
                           "%lld at dim %d", (long long)out->shape[i],
                           (long long)in->shape[i], i);
        p->numel *= in->shape[i];
        p->out_numel *= out->shape[i];
    }
    p->red_numel = p->out_numel ? p->numel / p->out_numel : 0;
    /* logical dims, innermost first, size-1 dims dropped (they coalesce away) */
    int m = 0;
    for (int i = n - 1; i >= 0; i--) {
        if (in->shape[i] == 1)
            continue;
        bool red = out->shape[i] == 1;
        shape[m] = in->shape[i];
        so[m] = red ? 0 : out->strides[i] * p->osize;
        si[m] = in->strides[i] * p->isize;
        m++;
    }
    int perm[TT_MAX_DIMS];
    for (int i = 0; i < m; i++)
        perm[i] = i;
    for (int i = 1; i < m; i++) {
        int d1 = i;
        for (int d0 = i - 1; d0 >= 0; d0--) {
            int c = should_swap(shape, so, si, perm[d0], perm[d1]);
            if (c > 0) {
                int t = perm[d0];
                perm[d0] = perm[d1];
                perm[d1] = t;
                d1 = d0;
            } else if (c < 0) {
                break;
            }
        }
    }
    /* coalesce (torch's coalesce_dimensions) */
    int w = -1;
    for (int i = 0; i < m; i++) {
        int d = perm[i];
        if (w >= 0 && p->shape[w] * p->so[w] == so[d] && p->shape[w] * p->si[w] == si[d]) {
            p->shape[w] *= shape[d];
            continue;
        }
        w++;
        p->shape[w] = shape[d];
        p->so[w] = so[d];
        p->si[w] = si[d];
    }
    p->ndim = w + 1;
    if (p->ndim == 0) {
        p->ndim = 1;
        p->shape[0] = 1;
        p->so[0] = p->si[0] = 0;
    }
    p->nred = 0;
    while (p->nred < p->ndim && p->so[p->nred] == 0 && p->shape[p->nred] != 1)
        p->nred++;
    return TT_OK;
}

/* ---- walking a plan: torch's serial_for_each with its DimCounter ------------------- */
/* A 2-D loop: s = {out stride 0, in stride 0, out stride 1, in stride 1} in bytes */
typedef void (*loop2d)(char *out, const char *in, const int64_t *s, int64_t size0,
                       int64_t size1, const void *ctx);

static void
for_each_2d(const rplan *p, char *out, const char *in, int64_t begin, int64_t end,
            loop2d fn, const void *ctx)
{
    if (begin >= end)
        return;
    int nd = p->ndim;
    int64_t s[4] = {p->so[0], p->si[0], nd > 1 ? p->so[1] : 0, nd > 1 ? p->si[1] : 0};
    int64_t v[TT_MAX_DIMS], rest = begin;
    for (int d = 0; d < nd; d++) {
        v[d] = rest % p->shape[d];
        rest /= p->shape[d];
    }
    int64_t offset = begin;
    while (offset < end) {
        int64_t step0 = p->shape[0] - v[0];
        if (step0 > end - offset)
            step0 = end - offset;
        int64_t step1 = 1;
        if (v[0] == 0 && nd > 1) {
            step1 = p->shape[1] - v[1];
            if (step1 > (end - offset) / p->shape[0])
                step1 = (end - offset) / p->shape[0];
        }
        char *o = out;
        const char *i = in;
        for (int d = 0; d < nd; d++) {
            o += v[d] * p->so[d];
            i += v[d] * p->si[d];
        }
        fn(o, i, s, step0, step1, ctx);
        offset += step0 * step1;
        /* DimCounter::increment */
        int64_t overflow = step0;
        int d = 0;
        if (step1 != 1) {
            d = 1;
            overflow = step1;
        }
        for (; d < nd && overflow > 0; d++) {
            int64_t val = v[d] + overflow;
            if (val >= p->shape[d]) {
                overflow = 1;
                val -= p->shape[d];
            } else {
                overflow = 0;
            }
            v[d] = val;
        }
    }
}

/* at::parallel_for's split of [0, n): chunk size and the number of chunks used */
static int
split(int64_t n, int64_t grain, int64_t *chunk)
{
    int64_t t = tt_get_num_threads();
    if (grain > 0 && t > (n + grain - 1) / grain)
        t = (n + grain - 1) / grain;
    if (t < 1)
        t = 1;
    *chunk = (n + t - 1) / t;
    return (int)t;
}

/* Run a 2-D loop over the whole plan the way torch's parallel_reduce does; out must
 * hold the identity.  buf: room for tt_get_num_threads() output items (two-pass). */
static void
parallel_reduce(const rplan *p, loop2d fn, const void *ctx, const void *identity)
{
    int nthreads = tt_get_num_threads();
    if (p->numel < GRAIN || nthreads <= 1) {
        for_each_2d(p, p->out, p->in, 0, p->numel, fn, ctx);
        return;
    }
    if (p->out_numel == 1) {
        /* two_pass_reduction: one output slot per thread, then reduce the slots */
        char buf[TT_MAX_DIMS * 8];
        char *slots = buf;
        if (nthreads * p->osize > (int)sizeof buf)
            slots = malloc((size_t)nthreads * p->osize);
        if (!slots) {
            for_each_2d(p, p->out, p->in, 0, p->numel, fn, ctx);
            return;
        }
        for (int t = 0; t < nthreads; t++)
            memcpy(slots + t * p->osize, identity, (size_t)p->osize);
        int64_t chunk;
        int used = split(p->numel, GRAIN, &chunk);
#ifdef _OPENMP
#pragma omp parallel for num_threads(used) schedule(static, 1)
#endif
        for (int t = 0; t < used; t++) {
            int64_t b = t * chunk, e = b + chunk < p->numel ? b + chunk : p->numel;
            if (b < e)
                for_each_2d(p, slots + t * p->osize, p->in, b, e, fn, ctx);
        }
        int64_t s[4] = {0, p->osize, 0, 0};
        fn(p->out, slots, s, nthreads, 1, ctx);
        if (slots != buf)
            free(slots);
        return;
    }
    /* parallel_dim_reduction: split a kept dim; every output sees a serial run */
    int dim = p->ndim - 1;
    for (int d = p->ndim - 1; d >= p->nred; d--) {
        if (p->shape[d] >= nthreads) {
            dim = d;
            break;
        }
        if (p->shape[d] > p->shape[dim])
            dim = d;
    }
    if (dim < p->nred) {        /* nothing kept to split */
        for_each_2d(p, p->out, p->in, 0, p->numel, fn, ctx);
        return;
    }
    int64_t cols = p->shape[dim], chunk;
    int used = split(cols, 1, &chunk);
    int64_t round = (dim == 1 && p->si[1] == p->isize) ? 128 / p->isize : 1;
#ifdef _OPENMP
#pragma omp parallel for num_threads(used) schedule(static, 1)
#endif
    for (int t = 0; t < used; t++) {
        int64_t b = t * chunk, e = b + chunk < cols ? b + chunk : cols;
        if (round > 1) {        /* whole 128-byte column groups, as torch */
            b = b % round ? b + round - b % round : b;
            e = e == cols ? e : (e % round ? e + round - e % round : e);
            if (e > cols)
                e = cols;
        }
        if (b >= e)
            continue;
        rplan q = *p;
        q.shape[dim] = e - b;
        q.out += b * p->so[dim];
        q.in += b * p->si[dim];
        q.numel = p->numel / cols * (e - b);
        for_each_2d(&q, q.out, q.in, 0, q.numel, fn, ctx);
    }
}

/* ---- sum of floating dtypes: torch's cascade (SumKernel.cpp) ---------------------- */
/* Note [cascade sum]: rows are added into level-0 accumulators; every 2^p rows
 * (p = max(4, ceil(log2(n)) / 4)) level 0 is added into level 1 and cleared, and so on
 * up four levels, so only partial sums of similar size meet.  A contiguous row is read
 * as vectors (8 float lanes on AVX2) in four interleaved accumulators ("ilp"), then the
 * lanes are folded in order; narrower strides and outer reductions use the same cascade
 * on scalars or on column vectors.  Every grouping below is torch's, for exact results.
 * The lanes are GCC/Clang vector types (SSE/AVX/NEON as the target has them). */
static inline int64_t
ceil_log2(int64_t x)
{
    if (x <= 2)
        return 1;
    return 64 - __builtin_clzll((unsigned long long)(x - 1));
}

typedef float vf __attribute__((vector_size(32)));      /* 8 float lanes */
typedef double vd __attribute__((vector_size(32)));     /* 4 double lanes */
typedef float vf_u __attribute__((vector_size(32), aligned(4)));
typedef double vd_u __attribute__((vector_size(32), aligned(8)));
typedef uint16_t vh8_u __attribute__((vector_size(16), aligned(2)));
typedef uint32_t vu8 __attribute__((vector_size(32)));

#define LD_f16(p) tt_f16_to_f32(*(const uint16_t *)(p))
#define LD_bf16(p) tt_bf16_to_f32(*(const uint16_t *)(p))
#define LD_f32(p) (*(const float *)(p))
#define LD_f64(p) (*(const double *)(p))
#define ADD_TO_f16(o, v) (*(uint16_t *)(o) = tt_f32_to_f16(LD_f16(o) + (v)))
#define ADD_TO_bf16(o, v) (*(uint16_t *)(o) = tt_f32_to_bf16(LD_bf16(o) + (v)))
#define ADD_TO_f32(o, v) (*(float *)(o) += (v))
#define ADD_TO_f64(o, v) (*(double *)(o) += (v))

/* eight 16-bit floats at p as a float vector */
static inline vf
ld8_bf16(const char *p)
{
    return (vf)(__builtin_convertvector(*(const vh8_u *)p, vu8) << 16);
}
#if defined(__F16C__)
static inline vf
ld8_f16(const char *p)      /* one vcvtph2ps (compilers convert lane by lane) */
{
    return (vf)_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
}
#else
static inline vf
ld8_f16(const char *p)
{
    return (vf){LD_f16(p), LD_f16(p + 2), LD_f16(p + 4), LD_f16(p + 6), LD_f16(p + 8),
                LD_f16(p + 10), LD_f16(p + 12), LD_f16(p + 14)};
}
#endif

/* W accumulator lanes from the W elements at p (an outer sum's column vector) */
#define LDV_OUT_f16(p) ld8_f16(p)
#define LDV_OUT_bf16(p) ld8_bf16(p)
#define LDV_OUT_f32(p) (*(const vf_u *)(p))
#define LDV_OUT_f64(p) (*(const vd_u *)(p))
/* one input vector of an inner sum folded to W lanes: float16 adds neighbours
 * ((0 + x[2w]) + x[2w+1], load_reduce_vec), bfloat16 adds halves (x[w] + x[w+8]) */
static inline vf
ldv_in_f16(const char *p)
{
    vf lo = ld8_f16(p), hi = ld8_f16(p + 16);
#if defined(__has_builtin) && __has_builtin(__builtin_shufflevector)
    vf even = __builtin_shufflevector(lo, hi, 0, 2, 4, 6, 8, 10, 12, 14);
    vf odd = __builtin_shufflevector(lo, hi, 1, 3, 5, 7, 9, 11, 13, 15);
#else
    vf even = {lo[0], lo[2], lo[4], lo[6], hi[0], hi[2], hi[4], hi[6]};
    vf odd = {lo[1], lo[3], lo[5], lo[7], hi[1], hi[3], hi[5], hi[7]};
#endif
    return ((vf){0} + even) + odd;
}
#define LDV_IN_f16(p) ldv_in_f16(p)
#define LDV_IN_bf16(p) (ld8_bf16(p) + ld8_bf16((p) + 16))
#define LDV_IN_f32(p) LDV_OUT_f32(p)
#define LDV_IN_f64(p) LDV_OUT_f64(p)

/* generates mrs_<name>: res[l] = cascade sum over `size` rows of LOAD(row + l * cs),
 * for n <= MAXL lanes of type LT (scalars or vectors) side by side in a row, walked row
 * by row.  Lanes are independent, so each gets the same additions whatever n is: the
 * 4-lane forms serve the row sums, and the wide form (up to WIDE_VECS column vectors)
 * lets an outer sum stream along its rows instead of walking a 4-vector column strip
 * down every row (one cache line per row: 2.75x torch at 1000 x 1000 float32). */
enum { WIDE_VECS = 128 };   /* 4 levels x 128 vectors x 32 B = 16 KB of accumulators (L1) */
#define MULTI_ROW_SUM(name, LT, MAXL, LOAD)                                            \
    static inline void                                                                 \
    mrs_##name(LT *restrict res, const char *data, int64_t row_stride, int64_t cs,     \
               int64_t size, int n)                                                    \
    {                                                                                  \
        int64_t power = ceil_log2(size) / 4;                                           \
        if (power < 4)                                                                 \
            power = 4;                                                                 \
        const int64_t step = (int64_t)1 << power, mask = step - 1;                     \
        LT acc[4][MAXL];                                                               \
        for (int j = 0; j < 4; j++)                                                    \
            for (int l = 0; l < n; l++)                                                \
                acc[j][l] = (LT){0};                                                   \
        int64_t i = 0;                                                                 \
        while (i + step <= size) {                                                     \
            for (int64_t j = 0; j < step; j++, i++) {                                  \
                const char *p = data + i * row_stride;                                 \
                for (int l = 0; l < n; l++)                                            \
                    acc[0][l] += LOAD(p + l * cs);                                     \
            }                                                                          \
            for (int j = 1; j < 4; j++) {                                              \
                for (int l = 0; l < n; l++) {                                          \
                    acc[j][l] += acc[j - 1][l];                                        \
                    acc[j - 1][l] = (LT){0};                                           \
                }                                                                      \
                if ((i & (mask << (j * power))) != 0)                                  \
                    break;                                                             \
            }                                                                          \
        }                                                                              \
        for (; i < size; i++) {                                                        \
            const char *p = data + i * row_stride;                                     \
            for (int l = 0; l < n; l++)                                                \
                acc[0][l] += LOAD(p + l * cs);                                         \
        }                                                                              \
        for (int j = 1; j < 4; j++)                                                    \
            for (int l = 0; l < n; l++)                                                \
                acc[0][l] += acc[j][l];                                                \
        for (int l = 0; l < n; l++)                                                    \
            res[l] = acc[0][l];                                                        \
    }

/* generates the cascade loops of one dtype: sum_<sfx> is cascade_sum's 2-D loop.
 * T stored type, A accumulator, VA its W-lane vector, V input elements per vector. */
#define CASCADE(sfx, T, A, VA, W, V)                                                   \
    MULTI_ROW_SUM(s4_##sfx, A, 4, LD_##sfx)                                            \
    MULTI_ROW_SUM(in4_##sfx, VA, 4, LDV_IN_##sfx)                                      \
    MULTI_ROW_SUM(out4_##sfx, VA, 4, LDV_OUT_##sfx)                                    \
    MULTI_ROW_SUM(wide_out_##sfx, VA, WIDE_VECS, LDV_OUT_##sfx)                        \
    /* row_sum on scalars: four interleaved accumulators, the tail, then folded */     \
    static A row_sum_##sfx(const char *data, int64_t stride, int64_t size)             \
    {                                                                                  \
        A part[4];                                                                     \
        int64_t n4 = size / 4;                                                         \
        mrs_s4_##sfx(part, data, 4 * stride, stride, n4, 4);                           \
        for (int64_t i = n4 * 4; i < size; i++)                                        \
            part[0] += LD_##sfx(data + i * stride);                                    \
        for (int k = 1; k < 4; k++)                                                    \
            part[0] += part[k];                                                        \
        return part[0];                                                                \
    }                                                                                  \
    /* row_sum on vectors: inner (along a contiguous row) or outer (column vectors) */ \
    static VA vrow_sum_in_##sfx(const char *data, int64_t vstride, int64_t count)      \
    {                                                                                  \
        VA part[4];                                                                    \
        int64_t n4 = count / 4;                                                        \
        mrs_in4_##sfx(part, data, 4 * vstride, vstride, n4, 4);                        \
        for (int64_t i = n4 * 4; i < count; i++)                                       \
            part[0] += LDV_IN_##sfx(data + i * vstride);                               \
        return ((part[0] + part[1]) + part[2]) + part[3];                              \
    }                                                                                  \
    static VA vrow_sum_out_##sfx(const char *data, int64_t stride, int64_t size)       \
    {                                                                                  \
        VA part[4];                                                                    \
        int64_t n4 = size / 4;                                                         \
        mrs_out4_##sfx(part, data, 4 * stride, stride, n4, 4);                         \
        for (int64_t i = n4 * 4; i < size; i++)                                        \
            part[0] += LDV_OUT_##sfx(data + i * stride);                               \
        return ((part[0] + part[1]) + part[2]) + part[3];                              \
    }                                                                                  \
    static void sum_##sfx(char *out, const char *in, const int64_t *s, int64_t size0,  \
                          int64_t size1, const void *ctx)                              \
    {                                                                                  \
        (void)ctx;                                                                     \
        int64_t is0 = s[1], is1 = s[3], os0 = s[0], os1 = s[2];                        \
        if (os0 != 0 && os1 == 0) { /* make the reduced dim the first */               \
            int64_t t = is0; is0 = is1; is1 = t;                                       \
            t = os0; os0 = os1; os1 = t;                                               \
            t = size0; size0 = size1; size1 = t;                                       \
        }                                                                              \
        if (os0 != 0) {             /* not a reduction: out += in */                   \
            for (int64_t j = 0; j < size1; j++)                                        \
                for (int64_t i = 0; i < size0; i++)                                    \
                    ADD_TO_##sfx(out + i * os0 + j * os1,                              \
                                 LD_##sfx(in + i * is0 + j * is1));                    \
            return;                                                                    \
        }                                                                              \
        const int64_t isz = sizeof(T);                                                 \
        if (is0 == isz && size0 >= V) {         /* contiguous inner sum */             \
            int64_t count = size0 / V;                                                 \
            for (int64_t j = 0; j < size1; j++) {                                      \
                const char *row = in + j * is1;                                        \
                VA lanes = vrow_sum_in_##sfx(row, V * isz, count);                     \
                A acc = 0;                                                             \
                for (int64_t k = count * V; k < size0; k++)                            \
                    acc += LD_##sfx(row + k * isz);                                    \
                for (int w = 0; w < W; w++)                                            \
                    acc += lanes[w];                                                   \
                ADD_TO_##sfx(out + j * os1, acc);                                      \
            }                                                                          \
        } else if (is1 == isz && size1 >= V) {  /* contiguous outer sum */             \
            int64_t j = 0;                                                             \
            while (j + 4 * W <= size1) {    /* whole groups of 4 vectors, as torch */  \
                int64_t nv = (size1 - j) / (4 * W) * 4;                                \
                int n = nv < WIDE_VECS ? (int)nv : WIDE_VECS;                          \
                VA sums[WIDE_VECS];                                                    \
                mrs_wide_out_##sfx(sums, in + j * isz, is0, W * isz, size0, n);        \
                for (int64_t l = 0; l < (int64_t)n * W; l++)                           \
                    ADD_TO_##sfx(out + (j + l) * os1, sums[l / W][l % W]);             \
                j += (int64_t)n * W;                                                   \
            }                                                                          \
            for (; j + W <= size1; j += W) {                                           \
                VA sums = vrow_sum_out_##sfx(in + j * isz, is0, size0);                \
                for (int l = 0; l < W; l++)                                            \
                    ADD_TO_##sfx(out + (j + l) * os1, sums[l]);                        \
            }                                                                          \
            for (; j < size1; j++)                                                     \
                ADD_TO_##sfx(out + j * os1, row_sum_##sfx(in + j * isz, is0, size0));  \
        } else if (is0 < is1) {                 /* strided inner sum */                \
            for (int64_t j = 0; j < size1; j++)                                        \
                ADD_TO_##sfx(out + j * os1, row_sum_##sfx(in + j * is1, is0, size0));  \
        } else {                                /* strided outer sum */                \
            int64_t j = 0;                                                             \
            for (; j + 3 < size1; j += 4) {                                            \
                A sums[4];                                                             \
                mrs_s4_##sfx(sums, in + j * is1, is0, is1, size0, 4);                  \
                for (int l = 0; l < 4; l++)                                            \
                    ADD_TO_##sfx(out + (j + l) * os1, sums[l]);                        \
            }                                                                          \
            for (; j < size1; j++)                                                     \
                ADD_TO_##sfx(out + j * os1, row_sum_##sfx(in + j * is1, is0, size0));  \
        }                                                                              \
    }
CASCADE(f16, uint16_t, float, vf, 8, 16)
CASCADE(bf16, uint16_t, float, vf, 8, 16)
CASCADE(f32, float, float, vf, 8, 8)
CASCADE(f64, double, double, vd, 4, 4)

/* ---- prod, amax, amin, integer sum: torch's binary_kernel_reduce_vec ------------- */
/* A contiguous inner reduction keeps 4 x V lanes (V elements per 32-byte vector),
 * folds them as (l0 op l1) op (l2 op l3), then the V lanes in order, then the tail; an
 * outer reduction folds each column down the rows.  The order matters only for prod of
 * floats (rounding) but costs nothing elsewhere. */
#define LOAD_b(p) (*(const bool *)(p))
#define LOAD_u8(p) (*(const uint8_t *)(p))
#define LOAD_i8(p) (*(const int8_t *)(p))
#define LOAD_i16(p) (*(const int16_t *)(p))
#define LOAD_i32(p) (*(const int32_t *)(p))
#define LOAD_i64(p) (*(const int64_t *)(p))
#define LOAD_f16(p) LD_f16(p)
#define LOAD_bf16(p) LD_bf16(p)
#define LOAD_f32(p) LD_f32(p)
#define LOAD_f64(p) LD_f64(p)
#define STORE_b(p, v) (*(bool *)(p) = (v))
#define STORE_u8(p, v) (*(uint8_t *)(p) = (uint8_t)(v))
#define STORE_i8(p, v) (*(int8_t *)(p) = (int8_t)(v))
#define STORE_i16(p, v) (*(int16_t *)(p) = (int16_t)(v))
#define STORE_i32(p, v) (*(int32_t *)(p) = (int32_t)(v))
#define STORE_i64(p, v) (*(int64_t *)(p) = (int64_t)(v))
#define STORE_f16(p, v) (*(uint16_t *)(p) = tt_f32_to_f16(v))
#define STORE_bf16(p, v) (*(uint16_t *)(p) = tt_f32_to_bf16(v))
#define STORE_f32(p, v) (*(float *)(p) = (v))
#define STORE_f64(p, v) (*(double *)(p) = (v))

/* the ops, in the compute type C; R16 rounds a 16-bit float result (torch's Half and
 * BFloat16 arithmetic round every operation) */
#define R16_f16(v) tt_f16_to_f32(tt_f32_to_f16(v))
#define R16_bf16(v) tt_bf16_to_f32(tt_f32_to_bf16(v))
/* scalar max/min: a NaN gives the default NaN, as torch's max_impl (Note [NaN bits of max]) */
#define FMAX(a, b) (((a) != (a) || (b) != (b)) ? NAN : ((a) > (b) ? (a) : (b)))
#define FMIN(a, b) (((a) != (a) || (b) != (b)) ? NAN : ((a) < (b) ? (a) : (b)))
#define IMAX(a, b) ((a) > (b) ? (a) : (b))
#define IMIN(a, b) ((a) < (b) ? (a) : (b))

/* generates red_<op>_<sfx>, a 2-D loop: out = OP(out, in) over the reduced dims */
#define REDUCE_VEC(opname, sfx, T, C, V, OP, LANE_STORE)                               \
    static void red_##opname##_##sfx(char *out, const char *in, const int64_t *s,      \
                                     int64_t size0, int64_t size1, const void *ctx)    \
    {                                                                                  \
        (void)ctx;                                                                     \
        const int64_t isz = sizeof(T);                                                 \
        if (s[0] == 0 && s[1] == isz) {             /* contiguous inner */             \
            for (int64_t j = 0; j < size1; j++, out += s[2], in += s[3]) {             \
                int64_t count = size0 / (4 * V);                                       \
                C r = LOAD_##sfx(out);                                                 \
                if (count > 0) {                                                       \
                    C acc[4 * V];                                                      \
                    for (int l = 0; l < 4 * V; l++)                                    \
                        acc[l] = LOAD_##sfx(in + l * isz);                             \
                    for (int64_t i = 1; i < count; i++)                                \
                        for (int l = 0; l < 4 * V; l++)                                \
                            acc[l] = OP(acc[l], LOAD_##sfx(in + (i * 4 * V + l) * isz)); \
                    for (int w = 0; w < V; w++)                                        \
                        acc[w] = OP(OP(acc[w], acc[V + w]), OP(acc[2 * V + w], acc[3 * V + w])); \
                    C b = acc[0];                                                      \
                    for (int w = 1; w < V; w++)                                        \
                        b = OP(b, acc[w]);                                             \
                    r = OP(r, b);                                                      \
                }                                                                      \
                for (int64_t k = count * 4 * V; k < size0; k++)                        \
                    r = OP(r, LOAD_##sfx(in + k * isz));                               \
                STORE_##sfx(out, r);                                                   \
            }                                                                          \
        } else if (s[0] == 0 && s[2] == isz && s[3] == isz) {   /* outer */            \
            int64_t groups = size1 / (4 * V), c = 0;                                   \
            for (int64_t g = 0; g < groups; g++, c += 4 * V) {                         \
                C acc[4 * V];                                                          \
                for (int l = 0; l < 4 * V; l++)                                        \
                    acc[l] = LOAD_##sfx(in + (c + l) * isz);                           \
                for (int64_t i = 1; i < size0; i++)                                    \
                    for (int l = 0; l < 4 * V; l++)                                    \
                        acc[l] = OP(acc[l], LOAD_##sfx(in + i * s[1] + (c + l) * isz)); \
                for (int l = 0; l < 4 * V; l++)                                        \
                    LANE_STORE(out + (c + l) * isz, OP(LOAD_##sfx(out + (c + l) * isz), acc[l])); \
            }                                                                          \
            for (; c < size1; c++) {                                                   \
                C r = LOAD_##sfx(out + c * isz);                                       \
                for (int64_t i = 0; i < size0; i++)                                    \
                    r = OP(r, LOAD_##sfx(in + i * s[1] + c * isz));                    \
                STORE_##sfx(out + c * isz, r);                                         \
            }                                                                          \
        } else {                                                                       \
            for (int64_t j = 0; j < size1; j++)                                        \
                for (int64_t i = 0; i < size0; i++) {                                  \
                    char *o = out + i * s[0] + j * s[2];                               \
                    STORE_##sfx(o, OP(LOAD_##sfx(o), LOAD_##sfx(in + i * s[1] + j * s[3]))); \
                }                                                                      \
        }                                                                              \
    }

/* generates the loops of one integer dtype */
#define INT_REDUCERS(sfx, T, U, V)                                                     \
    static inline T iprod_##sfx(T a, T b) { return (T)((U)a * (U)b); }                 \
    static inline T isum_##sfx(T a, T b) { return (T)((U)a + (U)b); }                  \
    REDUCE_VEC(sum, sfx, T, T, V, isum_##sfx, STORE_##sfx)                             \
    REDUCE_VEC(prod, sfx, T, T, V, iprod_##sfx, STORE_##sfx)                           \
    REDUCE_VEC(amax, sfx, T, T, V, IMAX, STORE_##sfx)                                  \
    REDUCE_VEC(amin, sfx, T, T, V, IMIN, STORE_##sfx)
INT_REDUCERS(u8, uint8_t, uint32_t, 32)
INT_REDUCERS(i8, int8_t, uint32_t, 32)
INT_REDUCERS(i16, int16_t, uint32_t, 16)
INT_REDUCERS(i32, int32_t, uint32_t, 8)
INT_REDUCERS(i64, int64_t, uint64_t, 4)

static inline bool band(bool a, bool b) { return a && b; }
static inline bool bor(bool a, bool b) { return a || b; }
REDUCE_VEC(amax, b, bool, bool, 32, bor, STORE_b)
REDUCE_VEC(amin, b, bool, bool, 32, band, STORE_b)
REDUCE_VEC(prod, b, bool, bool, 32, band, STORE_b)
REDUCE_VEC(sum, b, bool, bool, 32, bor, STORE_b)

static inline float fprod16(float a, float b) { return R16_f16(a * b); }
static inline float bprod16(float a, float b) { return R16_bf16(a * b); }
static inline float fmulf(float a, float b) { return a * b; }
static inline double fmuld(double a, double b) { return a * b; }
/* a NaN from a vector lane of torch's 16-bit max/min is all ones (Note [NaN bits of max]) */
#define STORE_LANE_f16(p, v) ((v) != (v) ? (void)(*(uint16_t *)(p) = 0xffff) : (void)STORE_f16(p, v))
#define STORE_LANE_bf16(p, v) ((v) != (v) ? (void)(*(uint16_t *)(p) = 0xffff) : (void)STORE_bf16(p, v))
REDUCE_VEC(prod, f16, uint16_t, float, 16, fprod16, STORE_f16)
REDUCE_VEC(prod, bf16, uint16_t, float, 16, bprod16, STORE_bf16)
REDUCE_VEC(amax, f16, uint16_t, float, 16, FMAX, STORE_LANE_f16)
REDUCE_VEC(amax, bf16, uint16_t, float, 16, FMAX, STORE_LANE_bf16)
REDUCE_VEC(amin, f16, uint16_t, float, 16, FMIN, STORE_LANE_f16)
REDUCE_VEC(amin, bf16, uint16_t, float, 16, FMIN, STORE_LANE_bf16)

/* float32/float64: the same walk on vector types (the compiler will not vectorise a
 * NaN-propagating max by itself); VOP is the lane-wise op, SOP the scalar one */
typedef int32_t vfi __attribute__((vector_size(32)));
typedef int64_t vdi __attribute__((vector_size(32)));
#define VSELECT(VT, VI, m, a, b) ((VT)(((m) & (VI)(a)) | (~(m) & (VI)(b))))
#define VMINMAX(VT, VI, sfx)                                                           \
    /* a NaN lane becomes all ones, as torch's vector maximum/minimum */            \
    static inline VT vmax_##sfx(VT a, VT b)                                            \
    {                                                                                  \
        VI nan = (a != a) | (b != b);                                                  \
        return (VT)((VI)VSELECT(VT, VI, a > b, a, b) | nan);                           \
    }                                                                                  \
    static inline VT vmin_##sfx(VT a, VT b)                                            \
    {                                                                                  \
        VI nan = (a != a) | (b != b);                                                  \
        return (VT)((VI)VSELECT(VT, VI, a < b, a, b) | nan);                           \
    }                                                                                  \
    static inline VT vmul_##sfx(VT a, VT b) { return a * b; }                        \
    /* Note [NaN-free min/max]: without NaNs vmax/vmin are one compare and select; the \
     * loop keeps a NaN flag beside them and redoes a row the exact way if it is set, \
     * so results (NaN bits included) are the same as without the shortcut. */              \
    static inline VT vmax_nonan_##sfx(VT a, VT b) { return VSELECT(VT, VI, a > b, a, b); } \
    static inline VT vmin_nonan_##sfx(VT a, VT b) { return VSELECT(VT, VI, a < b, a, b); } \
    static inline VI visnan_##sfx(VT x) { return (VI)(x != x); }                       \
    static inline VI vnever_##sfx(VT x) { (void)x; return (VI){0}; }
VMINMAX(vf, vfi, f32)
VMINMAX(vd, vdi, f64)

#define REDUCE_VECV(opname, sfx, T, VT, VI, VTU, W, VOP, VFAST, VBAD, SOP)              \
    static void red_##opname##_##sfx(char *out, const char *in, const int64_t *s,      \
                                     int64_t size0, int64_t size1, const void *ctx)    \
    {                                                                                  \
        (void)ctx;                                                                     \
        const int64_t isz = sizeof(T);                                                 \
        if (s[0] == 0 && s[1] == isz) {             /* contiguous inner */             \
            for (int64_t j = 0; j < size1; j++, out += s[2], in += s[3]) {             \
                int64_t count = size0 / (4 * W);                                       \
                T r = *(T *)out;                                                       \
                if (count > 0) {                                                       \
                    VT acc[4];                                                         \
                    VI bad = {0};                                                      \
                    for (int v = 0; v < 4; v++) {                                      \
                        acc[v] = *(const VTU *)(in + v * W * isz);                     \
                        bad |= VBAD(acc[v]);                                           \
                    }                                                                  \
                    for (int64_t i = 1; i < count; i++)                                \
                        for (int v = 0; v < 4; v++) {                                  \
                            VT x = *(const VTU *)(in + (i * 4 + v) * W * isz);         \
                            bad |= VBAD(x);                                            \
                            acc[v] = VFAST(acc[v], x);                                 \
                        }                                                              \
                    int any_bad = 0;                                                   \
                    for (int w = 0; w < W; w++)                                        \
                        any_bad |= bad[w] != 0;                                        \
                    if (any_bad) {      /* Note [NaN-free min/max]: the exact way */   \
                        for (int v = 0; v < 4; v++)                                    \
                            acc[v] = *(const VTU *)(in + v * W * isz);                 \
                        for (int64_t i = 1; i < count; i++)                            \
                            for (int v = 0; v < 4; v++)                                \
                                acc[v] = VOP(acc[v],                                   \
                                             *(const VTU *)(in + (i * 4 + v) * W * isz)); \
                    }                                                                  \
                    VT c = VOP(VOP(acc[0], acc[1]), VOP(acc[2], acc[3]));              \
                    T b = c[0];                                                        \
                    for (int w = 1; w < W; w++)                                        \
                        b = SOP(b, c[w]);                                              \
                    r = SOP(r, b);                                                     \
                }                                                                      \
                for (int64_t k = count * 4 * W; k < size0; k++)                        \
                    r = SOP(r, ((const T *)in)[k]);                                    \
                *(T *)out = r;                                                         \
            }                                                                          \
        } else if (s[0] == 0 && s[2] == isz && s[3] == isz) {   /* outer */            \
            int64_t c = 0;                                                             \
            for (; c + 4 * W <= size1; c += 4 * W) {                                   \
                VT acc[4];                                                             \
                for (int v = 0; v < 4; v++)                                            \
                    acc[v] = *(const VTU *)(in + (c + v * W) * isz);                   \
                for (int64_t i = 1; i < size0; i++)                                    \
                    for (int v = 0; v < 4; v++)                                        \
                        acc[v] = VOP(acc[v], *(const VTU *)(in + i * s[1] + (c + v * W) * isz)); \
                for (int v = 0; v < 4; v++) {                                          \
                    VTU *o = (VTU *)(out + (c + v * W) * isz);                         \
                    *o = VOP(*o, acc[v]);                                              \
                }                                                                      \
            }                                                                          \
            for (; c < size1; c++) {                                                   \
                T r = ((T *)out)[c];                                                   \
                for (int64_t i = 0; i < size0; i++)                                    \
                    r = SOP(r, *(const T *)(in + i * s[1] + c * isz));                 \
                ((T *)out)[c] = r;                                                     \
            }                                                                          \
        } else {                                                                       \
            for (int64_t j = 0; j < size1; j++)                                        \
                for (int64_t i = 0; i < size0; i++) {                                  \
                    T *o = (T *)(out + i * s[0] + j * s[2]);                           \
                    *o = SOP(*o, *(const T *)(in + i * s[1] + j * s[3]));              \
                }                                                                      \
        }                                                                              \
    }
REDUCE_VECV(prod, f32, float, vf, vfi, vf_u, 8, vmul_f32, vmul_f32, vnever_f32, fmulf)
REDUCE_VECV(prod, f64, double, vd, vdi, vd_u, 4, vmul_f64, vmul_f64, vnever_f64, fmuld)
REDUCE_VECV(amax, f32, float, vf, vfi, vf_u, 8, vmax_f32, vmax_nonan_f32, visnan_f32, FMAX)
REDUCE_VECV(amax, f64, double, vd, vdi, vd_u, 4, vmax_f64, vmax_nonan_f64, visnan_f64, FMAX)
REDUCE_VECV(amin, f32, float, vf, vfi, vf_u, 8, vmin_f32, vmin_nonan_f32, visnan_f32, FMIN)
REDUCE_VECV(amin, f64, double, vd, vdi, vd_u, 4, vmin_f64, vmin_nonan_f64, visnan_f64, FMIN)

/* all / any: out (bool, or uint8 for uint8 input as torch) = out && x != 0 */
#define LOGIC_REDUCERS(sfx, T, NONZERO)                                                \
    static void red_all_##sfx(char *out, const char *in, const int64_t *s,            \
                              int64_t size0, int64_t size1, const void *ctx)           \
    {                                                                                  \
        (void)ctx;                                                                     \
        for (int64_t j = 0; j < size1; j++)                                            \
            for (int64_t i = 0; i < size0; i++) {                                      \
                char *o = out + i * s[0] + j * s[2];                                   \
                T x = *(const T *)(in + i * s[1] + j * s[3]);                          \
                *o = *o && NONZERO(x);                                                 \
            }                                                                          \
    }                                                                                  \
    static void red_any_##sfx(char *out, const char *in, const int64_t *s,            \
                              int64_t size0, int64_t size1, const void *ctx)           \
    {                                                                                  \
        (void)ctx;                                                                     \
        for (int64_t j = 0; j < size1; j++)                                            \
            for (int64_t i = 0; i < size0; i++) {                                      \
                char *o = out + i * s[0] + j * s[2];                                   \
                T x = *(const T *)(in + i * s[1] + j * s[3]);                          \
                *o = *o || NONZERO(x);                                                 \
            }                                                                          \
    }
#define NZ(x) ((x) != 0)
#define NZ16(x) (((x) & 0x7fffu) != 0)      /* the 16-bit floats' bits: -0.0 is zero */
LOGIC_REDUCERS(b, bool, NZ)
LOGIC_REDUCERS(u8, uint8_t, NZ)
LOGIC_REDUCERS(i8, int8_t, NZ)
LOGIC_REDUCERS(i16, int16_t, NZ)
LOGIC_REDUCERS(i32, int32_t, NZ)
LOGIC_REDUCERS(i64, int64_t, NZ)
LOGIC_REDUCERS(f16, uint16_t, NZ16)
LOGIC_REDUCERS(bf16, uint16_t, NZ16)
LOGIC_REDUCERS(f32, float, NZ)
LOGIC_REDUCERS(f64, double, NZ)

/* ---- one output at a time: torch's binary_kernel_reduce --------------------------- */
/* Norms, var/std and argmax/argmin fold every output's elements in plan order into an
 * accumulator; a one-output reduction of GRAIN or more elements gives each thread a
 * range and combines the per-thread accumulators in thread order. */
typedef struct {
    double d, m2, nf;       /* a double sum / Welford's mean, m2 and count */
    float f;                /* a float sum (norms of float dtypes) */
    int64_t n;              /* Welford's count, or elements seen (arg index) */
    int64_t idx, ival;      /* arg: best index and (integer) value */
    double fval;            /* arg: best floating value */
    bool any;               /* arg: seen a value */
} racc;

typedef struct {
    int kind;               /* norms: NORM_* */
    double p;               /* norms: the order */
    bool is_min;            /* arg: argmin */
    racc acc;
} e2ctx;

enum { NORM_ZERO, NORM_ONE, NORM_TWO, NORM_INF, NORM_NEGINF, NORM_P };

static inline float fmaxp_f(float a, float b) { return b != b ? b : (a < b ? b : a); }
static inline float fminp_f(float a, float b) { return b != b ? b : (b < a ? b : a); }
static inline double fmaxp_d(double a, double b) { return b != b ? b : (a < b ? b : a); }
static inline double fminp_d(double a, double b) { return b != b ? b : (b < a ? b : a); }

/* generates nrm_<sfx>: the norm accumulation (NormOps & co.) in accumulator type A */
#define NORM_LOOP(sfx, A, ABS, POW, MAXP, MINP, ACC)                                \
    static void nrm_##sfx(char *out, const char *in, const int64_t *s, int64_t size0, \
                          int64_t size1, const void *ctx)                              \
    {                                                                                  \
        (void)out;                                                                     \
        e2ctx *c = (e2ctx *)ctx;                                                       \
        A acc = (A)c->acc.ACC, p = (A)c->p;                                            \
        for (int64_t j = 0; j < size1; j++)                                            \
            for (int64_t i = 0; i < size0; i++) {                                      \
                A x = LOAD_##sfx(in + i * s[1] + j * s[3]);                            \
                switch (c->kind) {                                                     \
                case NORM_ZERO: acc = acc + (x == 0 ? 0 : 1); break;                   \
                case NORM_ONE: acc = acc + ABS(x); break;                              \
                case NORM_TWO: acc = acc + x * x; break; /* unfused, measured */       \
                case NORM_INF: acc = MAXP(acc, ABS(x)); break;                         \
                case NORM_NEGINF: acc = MINP(acc, ABS(x)); break;                      \
                default: acc = acc + POW(ABS(x), p); break;                            \
                }                                                                      \
            }                                                                          \
        c->acc.ACC = acc;                                                              \
    }
NORM_LOOP(f16, float, fabsf, powf, fmaxp_f, fminp_f, f)
NORM_LOOP(bf16, float, fabsf, powf, fmaxp_f, fminp_f, f)
NORM_LOOP(f32, float, fabsf, powf, fmaxp_f, fminp_f, f)
NORM_LOOP(f64, double, fabs, pow, fmaxp_d, fminp_d, d)

/* generates wel_<sfx>: Welford's running mean and m2 in double (WelfordOps) */
#define WELFORD_LOOP(sfx)                                                              \
    static void wel_##sfx(char *out, const char *in, const int64_t *s, int64_t size0, \
                          int64_t size1, const void *ctx)                              \
    {                                                                                  \
        (void)out;                                                                     \
        e2ctx *c = (e2ctx *)ctx;                                                       \
        double mean = c->acc.d, m2 = c->acc.m2;                                        \
        int64_t n = c->acc.n;                                                          \
        for (int64_t j = 0; j < size1; j++)                                            \
            for (int64_t i = 0; i < size0; i++) {                                      \
                double x = LOAD_##sfx(in + i * s[1] + j * s[3]);                       \
                n++;                                                                   \
                double delta = x - mean;                                               \
                mean = mean + delta / (double)n;                                       \
                m2 = m2 + delta * (x - mean);       /* unfused, measured */            \
            }                                                                          \
        c->acc.d = mean;                                                               \
        c->acc.m2 = m2;                                                                \
        c->acc.n = n;                                                                  \
        c->acc.nf = (double)n;                                                         \
    }
WELFORD_LOOP(f16)
WELFORD_LOOP(bf16)
WELFORD_LOOP(f32)
WELFORD_LOOP(f64)

/* generates arg_<sfx>: the first index of the max (min); the first NaN wins */
#define ARG_LOOP(sfx, C, FIELD, ISNAN)                                                 \
    static void arg_##sfx(char *out, const char *in, const int64_t *s, int64_t size0, \
                          int64_t size1, const void *ctx)                              \
    {                                                                                  \
        (void)out;                                                                     \
        e2ctx *c = (e2ctx *)ctx;                                                       \
        C best = (C)c->acc.FIELD;                                                      \
        int64_t idx = c->acc.idx, k = c->acc.n;                                        \
        bool any = c->acc.any, is_min = c->is_min;                                     \
        for (int64_t j = 0; j < size1; j++)                                            \
            for (int64_t i = 0; i < size0; i++, k++) {                                 \
                C x = LOAD_##sfx(in + i * s[1] + j * s[3]);                            \
                if (!any) {                                                            \
                    best = x, idx = k, any = true;                                     \
                } else if (!ISNAN(best) &&                                             \
                           (ISNAN(x) || (is_min ? x < best : x > best))) {             \
                    best = x, idx = k;                                                 \
                }                                                                      \
            }                                                                          \
        c->acc.FIELD = best;                                                           \
        c->acc.idx = idx;                                                              \
        c->acc.n = k;                                                                  \
        c->acc.any = any;                                                              \
    }
#define NOT_NAN(x) 0
#define IS_NAN(x) ((x) != (x))
ARG_LOOP(b, bool, ival, NOT_NAN)
ARG_LOOP(u8, uint8_t, ival, NOT_NAN)
ARG_LOOP(i8, int8_t, ival, NOT_NAN)
ARG_LOOP(i16, int16_t, ival, NOT_NAN)
ARG_LOOP(i32, int32_t, ival, NOT_NAN)
ARG_LOOP(i64, int64_t, ival, NOT_NAN)
ARG_LOOP(f16, float, fval, IS_NAN)
ARG_LOOP(bf16, float, fval, IS_NAN)
ARG_LOOP(f32, float, fval, IS_NAN)
ARG_LOOP(f64, double, fval, IS_NAN)

/* combining two threads' accumulators (the ops' combine); a holds the earlier range */
enum { FAM_NORM, FAM_WELFORD, FAM_ARG };

static void
combine(racc *a, const racc *b, int family, const e2ctx *c, bool is_float)
{
    if (family == FAM_NORM) {
        if (c->kind == NORM_INF) {
            a->f = fmaxp_f(a->f, b->f);
            a->d = fmaxp_d(a->d, b->d);
        } else if (c->kind == NORM_NEGINF) {
            a->f = fminp_f(a->f, b->f);
            a->d = fminp_d(a->d, b->d);
        } else {
            a->f = a->f + b->f;
            a->d = a->d + b->d;
        }
    } else if (family == FAM_WELFORD) {
        if (a->nf == 0) {
            *a = *b;
        } else if (b->nf != 0) {
            double delta = b->d - a->d, count = a->nf + b->nf, nb_over_n = b->nf / count;
            a->d = a->d + delta * nb_over_n;
            a->m2 = a->m2 + b->m2 + delta * delta * a->nf * nb_over_n;
            a->nf = count;
        }
    } else {
        if (!b->any)
            return;
        if (!a->any) {
            *a = *b;
            return;
        }
        bool a_nan = is_float && a->fval != a->fval, b_nan = is_float && b->fval != b->fval;
        bool better = is_float ? (!a_nan && (b_nan || (c->is_min ? b->fval < a->fval
                                                                 : b->fval > a->fval)))
                               : (c->is_min ? b->ival < a->ival : b->ival > a->ival);
        if (better) {
            a->fval = b->fval;
            a->ival = b->ival;
            a->idx = b->idx;
        }
    }
}

/* Fold every output of plan p with loop fn (ctx0 holds the op's settings and initial
 * accumulator); finish(ooff, acc) writes the output at byte offset ooff. */
typedef void (*e2finish)(const rplan *p, int64_t ooff, const racc *acc, const e2ctx *c,
                         void *arg);

static void
output_offsets(const rplan *p, int64_t k, int64_t *ooff, int64_t *ioff)
{
    *ooff = *ioff = 0;
    for (int d = p->nred; d < p->ndim; d++) {
        int64_t i = k % p->shape[d];
        k /= p->shape[d];
        *ooff += i * p->so[d];
        *ioff += i * p->si[d];
    }
}

static void
reduce_each(const rplan *p, loop2d fn, const e2ctx *ctx0, int family, bool is_float,
            e2finish finish, void *arg)
{
    rplan q = *p;               /* the reduced dims alone */
    q.ndim = p->nred > 0 ? p->nred : 1;
    if (p->nred == 0) {
        q.shape[0] = 1;
        q.so[0] = q.si[0] = 0;
    }
    q.numel = p->red_numel;
    int nthreads = tt_get_num_threads();
    if (p->out_numel == 1 && q.numel >= GRAIN && nthreads > 1) {
        e2ctx parts[64];
        if (nthreads > 64)
            nthreads = 64;
        int64_t chunk;
        int used = split(q.numel, GRAIN, &chunk);
        for (int t = 0; t < nthreads; t++)
            parts[t] = *ctx0;
#ifdef _OPENMP
#pragma omp parallel for num_threads(used) schedule(static, 1)
#endif
        for (int t = 0; t < used; t++) {
            int64_t b = t * chunk, e = b + chunk < q.numel ? b + chunk : q.numel;
            if (family == FAM_ARG)
                parts[t].acc.n = b;         /* the index of the range's first element */
            if (b < e)
                for_each_2d(&q, NULL, p->in, b, e, fn, &parts[t]);
        }
        racc total = ctx0->acc;
        for (int t = 0; t < nthreads; t++)
            combine(&total, &parts[t].acc, family, ctx0, is_float);
        finish(p, 0, &total, ctx0, arg);
        return;
    }
    bool threaded = p->numel >= GRAIN && nthreads > 1 && p->out_numel > 1;
#ifdef _OPENMP
#pragma omp parallel for if (threaded) schedule(static)
#endif
    for (int64_t k = 0; k < p->out_numel; k++) {
        int64_t ooff, ioff;
        output_offsets(p, k, &ooff, &ioff);
        e2ctx c = *ctx0;
        for_each_2d(&q, NULL, p->in + ioff, 0, q.numel, fn, &c);
        finish(p, ooff, &c.acc, &c, arg);
    }
    (void)threaded;
}

/* ---- the front: tables, identities, finishing ------------------------------------ */
#define ROW(ENUM, name) [TT_RED_##ENUM] = #name,
const char *const tt_reduce_names[TT_NUM_REDUCE_OPS] = {TT_REDUCE_OPS(ROW)};
#undef ROW

#define BY_DTYPE(prefix)                                                               \
    {prefix##_b, prefix##_u8, prefix##_i8, prefix##_i16, prefix##_i32, prefix##_i64,   \
     prefix##_f16, prefix##_bf16, prefix##_f32, prefix##_f64}
static const loop2d sum_loops[TT_NUM_DTYPES] = {red_sum_b, red_sum_u8, red_sum_i8,
    red_sum_i16, red_sum_i32, red_sum_i64, sum_f16, sum_bf16, sum_f32, sum_f64};
static const loop2d prod_loops[TT_NUM_DTYPES] = {red_prod_b, red_prod_u8, red_prod_i8,
    red_prod_i16, red_prod_i32, red_prod_i64, red_prod_f16, red_prod_bf16, red_prod_f32,
    red_prod_f64};
static const loop2d amax_loops[TT_NUM_DTYPES] = BY_DTYPE(red_amax);
static const loop2d amin_loops[TT_NUM_DTYPES] = BY_DTYPE(red_amin);
static const loop2d all_loops[TT_NUM_DTYPES] = BY_DTYPE(red_all);
static const loop2d any_loops[TT_NUM_DTYPES] = BY_DTYPE(red_any);
static const loop2d arg_loops[TT_NUM_DTYPES] = BY_DTYPE(arg);
static const loop2d norm_loops[TT_NUM_DTYPES] = {NULL, NULL, NULL, NULL, NULL, NULL,
    nrm_f16, nrm_bf16, nrm_f32, nrm_f64};
static const loop2d welford_loops[TT_NUM_DTYPES] = {NULL, NULL, NULL, NULL, NULL, NULL,
    wel_f16, wel_bf16, wel_f32, wel_f64};

static bool
is_float(tt_dtype d)
{
    return tt_dtypes[d].category == TT_CAT_FLOAT;
}

/* write a double into one element of dtype dt */
static void
store_double(char *p, tt_dtype dt, double v)
{
    switch (dt) {
    case TT_FLOAT16: STORE_f16(p, (float)v); break;
    case TT_BFLOAT16: STORE_bf16(p, (float)v); break;
    case TT_FLOAT32: STORE_f32(p, (float)v); break;
    default: STORE_f64(p, v); break;
    }
}

/* the integer dtypes' extremes, for amax/amin's identity */
static const int64_t int_min[TT_NUM_DTYPES] = {0, 0, INT8_MIN, INT16_MIN, INT32_MIN,
                                               INT64_MIN};
static const int64_t int_max[TT_NUM_DTYPES] = {1, UINT8_MAX, INT8_MAX, INT16_MAX,
                                               INT32_MAX, INT64_MAX};

static tt_status
fill_identity(const tt_view *out, tt_reduce_op op, char *identity)
{
    tt_scalar v = {0, 0, false};
    bool fl = is_float(out->dtype);
    if (op == TT_RED_PROD || op == TT_RED_ALL) {
        v.i = 1;
    } else if (op == TT_RED_AMAX || op == TT_RED_AMIN) {
        v.is_float = fl;
        v.f = op == TT_RED_AMAX ? -INFINITY : INFINITY;
        v.i = fl ? 0 : op == TT_RED_AMAX ? int_min[out->dtype] : int_max[out->dtype];
    }
    tt_scalar_to(identity, out->dtype, v);
    return tt_fill(out, v);
}

typedef struct {
    tt_dtype dt;
    char *out;
    double p, correction;
    bool take_sqrt, is_float;
    int kind;
    tt_dtype in_dt;
    char *values;               /* reduce_with_index: the values output */
    int64_t vstride_unused;
} finish_arg;

static void
finish_norm(const rplan *p, int64_t ooff, const racc *a, const e2ctx *c, void *arg)
{
    (void)p;
    finish_arg *f = arg;
    if (f->dt == TT_FLOAT64) {
        double v = a->d;
        if (c->kind == NORM_TWO)
            v = sqrt(v);
        else if (c->kind == NORM_P)
            v = pow(v, 1.0 / c->p);
        store_double(f->out + ooff, f->dt, v);
    } else {
        float v = a->f;
        if (c->kind == NORM_TWO)
            v = sqrtf(v);
        else if (c->kind == NORM_P)
            v = powf(v, 1.0f / (float)c->p);
        store_double(f->out + ooff, f->dt, v);
    }
}

static void
finish_var(const rplan *p, int64_t ooff, const racc *a, const e2ctx *c, void *arg)
{
    (void)p, (void)c;
    finish_arg *f = arg;
    double divisor = a->nf > f->correction ? a->nf - f->correction : 0;
    double var = a->m2 / divisor;
    store_double(f->out + ooff, f->dt, f->take_sqrt ? sqrt(var) : var);
}

static void
finish_arg_index(const rplan *p, int64_t ooff, const racc *a, const e2ctx *c, void *arg)
{
    (void)c;
    finish_arg *f = arg;
    /* indices are int64 like out; ooff is in out's bytes (itemsize 8) */
    *(int64_t *)(f->out + ooff) = a->idx;
    if (f->values) {
        char *v = f->values + ooff / 8 * (int64_t)tt_dtypes[f->in_dt].itemsize;
        if (f->is_float)
            store_double(v, f->in_dt, a->fval);
        else
            tt_scalar_to(v, f->in_dt, (tt_scalar){0, a->ival, false});
    }
    (void)p;
}

/* torch's norm fast path: p = 2 over one contiguous innermost dim of float32,
 * float64 or bfloat16 -- squares added into W lanes, the lanes folded in order, then
 * the tail by fused multiply-adds (as torch's build compiles it, measured) */
static bool
norm_two_lastdim(const rplan *p, tt_dtype dt)
{
    if (!(dt == TT_FLOAT32 || dt == TT_FLOAT64 || dt == TT_BFLOAT16) || p->nred != 1 ||
        p->si[0] != p->isize || p->numel == 0)
        return false;
    int64_t n = p->shape[0];
    bool threaded = p->numel >= GRAIN && p->out_numel > 1 && tt_get_num_threads() > 1;
#ifdef _OPENMP
#pragma omp parallel for if (threaded) schedule(static)
#endif
    for (int64_t k = 0; k < p->out_numel; k++) {
        int64_t ooff, ioff;
        output_offsets(p, k, &ooff, &ioff);
        const char *row = p->in + ioff;
        if (dt == TT_FLOAT64) {
            double acc[4] = {0, 0, 0, 0};
            int64_t d = 0;
            for (; d < n - n % 4; d += 4)
                for (int w = 0; w < 4; w++) {
                    double x = LD_f64(row + (d + w) * 8);
                    acc[w] = acc[w] + x * x;
                }
            double b = acc[0];
            for (int w = 1; w < 4; w++)
                b = b + acc[w];
            for (; d < n; d++) {
                double x = LD_f64(row + d * 8);
                b = fma(x, x, b);
            }
            STORE_f64(p->out + ooff, sqrt(b));
        } else {
            int64_t V = dt == TT_FLOAT32 ? 8 : 16;
            float acc[8] = {0};
            int64_t d = 0;
            for (; d < n - n % V; d += V) {
                if (dt == TT_FLOAT32) {
                    for (int w = 0; w < 8; w++) {
                        float x = LD_f32(row + (d + w) * 4);
                        acc[w] = acc[w] + x * x;
                    }
                } else {
                    for (int w = 0; w < 8; w++) {
                        float x = LD_bf16(row + (d + w) * 2);
                        acc[w] = acc[w] + x * x;
                    }
                    for (int w = 0; w < 8; w++) {
                        float x = LD_bf16(row + (d + 8 + w) * 2);
                        acc[w] = acc[w] + x * x;
                    }
                }
            }
            float b = acc[0];
            for (int w = 1; w < 8; w++)
                b = b + acc[w];
            for (; d < n; d++) {
                float x = dt == TT_FLOAT32 ? LD_f32(row + d * 4) : LD_bf16(row + d * 2);
                b = fmaf(x, x, b);
            }
            if (dt == TT_FLOAT32)
                STORE_f32(p->out + ooff, sqrtf(b));
            else
                STORE_bf16(p->out + ooff, sqrtf(b));
        }
    }
    (void)threaded;
    return true;
}

/* std_var_all_cpu: a full var/std of float32/float64 in two passes -- the mean (a
 * torch sum, divided, widened to double), then the squared deviations summed in
 * double, per 2-D loop call and per thread */
typedef struct {
    double mean, sum;
    tt_dtype dt;
} devctx;

static void
sq_dev(char *out, const char *in, const int64_t *s, int64_t size0, int64_t size1,
       const void *ctx)
{
    (void)out;
    devctx *c = (devctx *)ctx;
    double local = 0.0;
    for (int64_t j = 0; j < size1; j++)
        for (int64_t i = 0; i < size0; i++) {
            const char *q = in + i * s[1] + j * s[3];
            double dx = (c->dt == TT_FLOAT32 ? (double)LD_f32(q) : LD_f64(q)) - c->mean;
            local = local + dx * dx;    /* ReduceOps.cpp is built without FMA */
        }
    c->sum += local;
}

static tt_status
var_all(const tt_view *out, const tt_view *in, const rplan *p, double correction,
        bool take_sqrt)
{
    /* the mean, exactly as torch's self.mean() */
    _Alignas(8) char mbuf[8];
    tt_storage ms;
    tt_view mv;
    tt_scalar_view(&mv, &ms, mbuf, in->dtype);
    mv.ndim = in->ndim;
    for (int i = 0; i < in->ndim; i++) {
        mv.shape[i] = 1;
        mv.strides[i] = 0;
    }
    tt_status s = tt_reduce(&mv, in, TT_RED_MEAN, NULL);
    if (s)
        return s;
    double mean = in->dtype == TT_FLOAT32 ? (double)LD_f32(mbuf) : LD_f64(mbuf);
    devctx parts[64];
    int nthreads = tt_get_num_threads();
    if (nthreads > 64)
        nthreads = 64;
    for (int t = 0; t < nthreads; t++)
        parts[t] = (devctx){mean, 0.0, in->dtype};
    if (p->numel < GRAIN || nthreads <= 1) {
        for_each_2d(p, NULL, p->in, 0, p->numel, sq_dev, &parts[0]);
        nthreads = 1;
    } else {
        int64_t chunk;
        int used = split(p->numel, GRAIN, &chunk);
#ifdef _OPENMP
#pragma omp parallel for num_threads(used) schedule(static, 1)
#endif
        for (int t = 0; t < used; t++) {
            int64_t b = t * chunk, e = b + chunk < p->numel ? b + chunk : p->numel;
            if (b < e)
                for_each_2d(p, NULL, p->in, b, e, sq_dev, &parts[t]);
        }
    }
    double total = 0.0;
    for (int t = 0; t < nthreads; t++)
        total = total + parts[t].sum;
    double n = (double)p->numel - correction;
    double var = total / (n > 0 ? n : 0.0);
    store_double(tt_view_data(out), out->dtype, take_sqrt ? sqrt(var) : var);
    return TT_OK;
}

/* torch's should_use_acc_buffer: a 16-bit float sum whose 2-D loop reduces two dims
 * would round its partial sums, so torch sums a float32 copy (laid out like the
 * input) into a float32 result and rounds once */
static tt_status
sum_via_float(const tt_view *out, const tt_view *in)
{
    tt_view fin, fout;
    tt_status s = tt_empty(&fin, TT_FLOAT32, in->ndim, in->shape);
    if (s)
        return s;
    const tt_view *ins[1] = {in};
    tt_elementwise_strides(fin.strides, in->ndim, in->shape, 1, ins);
    s = tt_copy(&fin, in);
    if (!s)
        s = tt_empty(&fout, TT_FLOAT32, out->ndim, out->shape);
    if (!s) {
        s = tt_reduce(&fout, &fin, TT_RED_SUM, NULL);
        if (!s)
            s = tt_copy(out, &fout);
        tt_storage_decref(fout.storage);
    }
    tt_storage_decref(fin.storage);
    return s;
}

/* Note [NaN bits of max]: torch's NaN results carry the bits of the op that made them:
 * its scalar max/min give the default NaN (+, quiet, no payload), its vector ones an
 * all-ones NaN (the compare mask OR-ed in), so amax/amin's bits depend on which loop
 * reached an output, and FMAX and vmax above copy both.  Its max()/min() over a whole
 * tensor of more than one element end in an all-ones NaN on its serial path (computed
 * in float32 for 16-bit floats, then cast: -NaN for float16, the default NaN for
 * bfloat16, which STORE_bf16 already writes); torch_nan_bits applies that to the result
 * of amax/amin. */
#define NAN_BITS_LOOP(name, U, ISNAN, BITS)                                              \
    static void name(char **ptr, const int64_t *step, int64_t n, const void *extra)     \
    {                                                                                  \
        (void)extra;                                                                   \
        for (int64_t i = 0; i < n; i++) {                                              \
            U *x = (U *)(ptr[0] + i * step[0]);                                        \
            if (ISNAN(*x))                                                             \
                *x = (BITS);                                                           \
        }                                                                              \
    }
#define ISNAN32(b) (((b) & 0x7fffffffu) > 0x7f800000u)
#define ISNAN64(b) (((b) & 0x7fffffffffffffffull) > 0x7ff0000000000000ull)
#define ISNAN16(b) (((b) & 0x7fffu) > 0x7c00u)
NAN_BITS_LOOP(nan_ones_f32, uint32_t, ISNAN32, 0xffffffffu)
NAN_BITS_LOOP(nan_ones_f64, uint64_t, ISNAN64, ~0ull)
NAN_BITS_LOOP(nan_ones_f16, uint16_t, ISNAN16, 0xfe00u)

static tt_status
torch_nan_bits(const tt_view *out)
{
    tt_loop loop = NULL;
    switch (out->dtype) {
    case TT_FLOAT32: loop = nan_ones_f32; break;
    case TT_FLOAT64: loop = nan_ones_f64; break;
    case TT_FLOAT16: loop = nan_ones_f16; break;
    default: return TT_OK;
    }
    const tt_view *self = out;
    return tt_iter_run(out, 1, &self, loop, NULL);
}

static tt_status
empty_fail(tt_reduce_op op)
{
    return tt_fail(TT_EINDEX, "%s(): Expected reduction dim to have non-zero size.",
                   tt_reduce_names[op]);
}

tt_status
tt_reduce(const tt_view *out, const tt_view *in, tt_reduce_op op,
          const tt_reduce_args *args)
{
    if ((unsigned)op >= TT_NUM_REDUCE_OPS)
        return tt_fail(TT_EVALUE, "reduce: unknown op %d", (int)op);
    tt_reduce_args none = {2.0, 1.0, false};
    if (!args)
        args = &none;
    tt_dtype dt = in->dtype;
    bool fl = is_float(dt);
    tt_dtype want = dt;
    if (op == TT_RED_ALL || op == TT_RED_ANY)
        want = dt == TT_UINT8 ? TT_UINT8 : TT_BOOL;
    else if (op == TT_RED_ARGMAX || op == TT_RED_ARGMIN)
        want = TT_INT64;
    if (out->dtype != want)
        return tt_fail(TT_EDTYPE, "%s: the output must be %s, got %s", tt_reduce_names[op],
                       tt_dtypes[want].name, tt_dtypes[out->dtype].name);
    if (!fl && (op == TT_RED_MEAN || op == TT_RED_NORM || op == TT_RED_VAR ||
                op == TT_RED_STD))
        return tt_fail(TT_EDTYPE, "\"%s_cpu\" not implemented for '%s'",
                       tt_reduce_names[op], tt_torch_type_names[dt]);
    if (op == TT_RED_MEAN && (dt == TT_FLOAT16 || dt == TT_BFLOAT16))
        return tt_fail(TT_EDTYPE, "mean: compute 16-bit floats in float32 (as torch)");
    rplan p;
    tt_status s = plan_build(&p, out, in);
    if (s)
        return s;
    bool empty = p.numel == 0;
    if (p.empty_reduced && (op == TT_RED_AMAX || op == TT_RED_AMIN ||
                            op == TT_RED_ARGMAX || op == TT_RED_ARGMIN))
        return empty_fail(op);
    if (p.out_numel == 0)
        return TT_OK;

    _Alignas(8) char identity[8];
    loop2d fn = NULL;
    switch (op) {
    case TT_RED_SUM: case TT_RED_MEAN: fn = sum_loops[dt]; break;
    case TT_RED_PROD: fn = prod_loops[dt]; break;
    case TT_RED_AMAX: fn = amax_loops[dt]; break;
    case TT_RED_AMIN: fn = amin_loops[dt]; break;
    case TT_RED_ALL: fn = all_loops[dt]; break;
    case TT_RED_ANY: fn = any_loops[dt]; break;
    default: break;
    }
    if (op == TT_RED_SUM && (dt == TT_FLOAT16 || dt == TT_BFLOAT16) && !empty &&
        p.ndim >= 2 && p.so[0] == 0 && p.so[1] == 0)
        return sum_via_float(out, in);
    if (fn) {
        if (empty && (op == TT_RED_AMAX || op == TT_RED_AMIN))
            return empty_fail(op);
        s = fill_identity(out, op == TT_RED_MEAN ? TT_RED_SUM : op, identity);
        if (s)
            return s;
        bool extreme_all = (op == TT_RED_AMAX || op == TT_RED_AMIN) && args->nan_all_ones;
        if (extreme_all && p.red_numel == 1)
            return tt_copy(out, in);        /* torch.max() of one element: the element */
        if (!empty)
            parallel_reduce(&p, fn, NULL, identity);
        /* torch's two-pass threaded max() joins its threads' results with the scalar
         * op, so its NaN stays the default one (its split starts above GRAIN) */
        if (extreme_all && fl && !(tt_get_num_threads() > 1 && p.numel > GRAIN))
            return torch_nan_bits(out);
        if (op == TT_RED_MEAN) {            /* sum / n in the dtype, as torch's div_ */
            _Alignas(8) char nbuf[8];
            tt_storage ns;
            tt_view nv;
            tt_scalar_to(nbuf, dt, (tt_scalar){0, p.red_numel, false});
            tt_scalar_view(&nv, &ns, nbuf, dt);
            return tt_binary(out, out, &nv, TT_BIN_DIV, NULL);
        }
        return TT_OK;
    }

    finish_arg f = {out->dtype, tt_view_data(out), args->p, args->correction,
                    op == TT_RED_STD, fl, 0, dt, NULL, 0};
    e2ctx c;
    memset(&c, 0, sizeof c);
    if (op == TT_RED_NORM) {
        double pv = args->p;
        c.kind = pv == 0 ? NORM_ZERO : pv == 1 ? NORM_ONE : pv == 2 ? NORM_TWO
               : pv == INFINITY ? NORM_INF : pv == -INFINITY ? NORM_NEGINF : NORM_P;
        c.p = pv;
        if (empty && (c.kind == NORM_INF || c.kind == NORM_NEGINF))
            return tt_fail(TT_ERUNTIME, "linalg.vector_norm cannot compute the %s norm on "
                           "an empty tensor because the operation does not have an "
                           "identity", c.kind == NORM_INF ? "inf" : "-inf");
        if (c.kind == NORM_NEGINF) {
            c.acc.f = INFINITY;
            c.acc.d = INFINITY;
        }
        if (c.kind == NORM_TWO && out->dtype == dt && norm_two_lastdim(&p, dt))
            return TT_OK;
        reduce_each(&p, norm_loops[dt], &c, FAM_NORM, true, finish_norm, &f);
        return TT_OK;
    }
    if (op == TT_RED_VAR || op == TT_RED_STD) {
        if (empty) {
            tt_scalar nan = {NAN, 0, true};
            return tt_fill(out, nan);
        }
        if (p.out_numel == 1 && (dt == TT_FLOAT32 || dt == TT_FLOAT64)) {
            rplan all = p;                  /* an elementwise walk of the input alone */
            all.nred = all.ndim;
            return var_all(out, in, &all, args->correction, op == TT_RED_STD);
        }
        reduce_each(&p, welford_loops[dt], &c, FAM_WELFORD, true, finish_var, &f);
        return TT_OK;
    }
    /* argmax / argmin */
    if (empty)
        return empty_fail(op);
    int nreduced = 0;
    for (int i = 0; i < in->ndim; i++)
        nreduced += out->shape[i] == 1 && in->shape[i] != 1;
    if (nreduced > 1)
        return tt_fail(TT_EVALUE, "%s: reduce one dim (flatten first)",
                       tt_reduce_names[op]);
    c.is_min = op == TT_RED_ARGMIN;
    reduce_each(&p, arg_loops[dt], &c, FAM_ARG, fl, finish_arg_index, &f);
    return TT_OK;
}

tt_status
tt_reduce_with_index(const tt_view *values, const tt_view *indices, const tt_view *in,
                     bool is_min)
{
    if (values->dtype != in->dtype || indices->dtype != TT_INT64)
        return tt_fail(TT_EDTYPE, "max/min: values need the input's dtype, indices int64");
    if (values->ndim != in->ndim || indices->ndim != in->ndim)
        return tt_fail(TT_ESHAPE, "max/min: outputs need the input's ndim (keepdim form)");
    for (int i = 0; i < in->ndim; i++)
        if (values->shape[i] != indices->shape[i] || (values->shape[i] > 1 &&
            values->strides[i] != indices->strides[i]))
            return tt_fail(TT_EVALUE, "max/min: values and indices need one layout");
    rplan p;
    tt_status s = plan_build(&p, indices, in);
    if (s)
        return s;
    if (p.empty_reduced)
        return empty_fail(is_min ? TT_RED_ARGMIN : TT_RED_ARGMAX);
    if (p.out_numel == 0)
        return TT_OK;
    finish_arg f = {TT_INT64, tt_view_data(indices), 0, 0, false, is_float(in->dtype), 0,
                    in->dtype, tt_view_data(values), 0};
    e2ctx c;
    memset(&c, 0, sizeof c);
    c.is_min = is_min;
    reduce_each(&p, arg_loops[in->dtype], &c, FAM_ARG, f.is_float, finish_arg_index, &f);
    return TT_OK;
}
