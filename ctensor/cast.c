/* cast.c -- copy, fill and conversion between every pair of dtypes, with torch's CPU
 * semantics.  The 100 conversion loops are generated from dtypes.def.
 *
 * Note [cast semantics]: what torch 2.x does on x86, measured value by value:
 *  - to bool: x != 0 (NaN is true);
 *  - integer to narrower integer: keep the low bits (two's complement wrap);
 *  - float to int64/int32: truncate toward zero; NaN, inf and out-of-range values give
 *    the type's minimum (what the cvtt instruction returns, made defined here);
 *  - float to int16/int8: through int32 as above, then wrap;  float to uint8: through
 *    int64, then wrap (so 300.7 -> 44, -1.5 -> 255);
 *  - anything to float16/bfloat16 goes through float32 first, then rounds to nearest
 *    even (so float64 and int64 sources round twice, exactly as torch does);
 *  - int64 to float32 rounds once (not through double). */
#include <math.h>
#include <string.h>
#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "ctensor.h"
#include "internal.h"

/* ---- loading one element: integers and bool as int64, floats as double ------------ */
#define LOAD_b(p) ((int64_t) * (const bool *)(p))
#define LOAD_u8(p) ((int64_t) * (const uint8_t *)(p))
#define LOAD_i8(p) ((int64_t) * (const int8_t *)(p))
#define LOAD_i16(p) ((int64_t) * (const int16_t *)(p))
#define LOAD_i32(p) ((int64_t) * (const int32_t *)(p))
#define LOAD_i64(p) (*(const int64_t *)(p))
#define LOAD_f16(p) ((double)tt_f16_to_f32(*(const uint16_t *)(p)))
#define LOAD_bf16(p) ((double)tt_bf16_to_f32(*(const uint16_t *)(p)))
#define LOAD_f32(p) ((double)*(const float *)(p))
#define LOAD_f64(p) (*(const double *)(p))

/* ---- float to integer without undefined behaviour (see Note [cast semantics]) ----- */
static inline int64_t
float_to_i64(double v)
{
    return (v >= -9223372036854775808.0 && v < 9223372036854775808.0) ? (int64_t)v
                                                                         : INT64_MIN;
}

static inline int32_t
float_to_i32(double v)
{
    return (v > -2147483649.0 && v < 2147483648.0) ? (int32_t)v : INT32_MIN;
}

/* Note [bfloat16 NaN]: torch's vectorised float->bfloat16 conversion, which every cast
 * of a tensor with at least one dim takes, writes NaN as 0xffff; its scalar conversion
 * (0-d tensors, arithmetic results, casts from float16, and float32 runs that are not
 * contiguous) writes 0x7fc0 for every NaN, whatever its sign and payload.  Casts here
 * do the same: bf16_cast for loops, tt_f32_to_bf16 for a 0-d destination (tt_copy) and
 * strided float32 runs.  Not matched yet: torch's arithmetic writes 0xffff in its vector
 * body and 0x7fc0 in the scalar tail, and casts from float64 likewise. */
static inline uint16_t
bf16_cast(float f)
{
    return f != f ? (uint16_t)0xffff : tt_f32_to_bf16(f);
}

/* ---- storing: one converter per destination and source kind (I: int64, F: double) - */
#define STORE_b_I(v) ((bool)((v) != 0))
#define STORE_b_F(v) ((bool)((v) != 0))
#define STORE_u8_I(v) ((uint8_t)(uint64_t)(v))
#define STORE_u8_F(v) ((uint8_t)(uint64_t)float_to_i64(v))
#define STORE_i8_I(v) ((int8_t)(uint8_t)(uint64_t)(v))
#define STORE_i8_F(v) ((int8_t)(uint8_t)(uint32_t)float_to_i32(v))
#define STORE_i16_I(v) ((int16_t)(uint16_t)(uint64_t)(v))
#define STORE_i16_F(v) ((int16_t)(uint16_t)(uint32_t)float_to_i32(v))
#define STORE_i32_I(v) ((int32_t)(uint32_t)(uint64_t)(v))
#define STORE_i32_F(v) (float_to_i32(v))
#define STORE_i64_I(v) ((int64_t)(v))
#define STORE_i64_F(v) (float_to_i64(v))
#define STORE_f16_I(v) (tt_f32_to_f16((float)(v)))
#define STORE_f16_F(v) (tt_f32_to_f16((float)(v)))
#define STORE_bf16_I(v) (tt_f32_to_bf16((float)(v)))
#define STORE_bf16_F(v) (bf16_cast((float)(v)))
#define STORE_f32_I(v) ((float)(v))
#define STORE_f32_F(v) ((float)(v))
#define STORE_f64_I(v) ((double)(v))
#define STORE_f64_F(v) ((double)(v))

/* float16 sources: as F, but torch's float16 -> bfloat16 path keeps the quiet NaN */
#define STORE_b_H STORE_b_F
#define STORE_u8_H STORE_u8_F
#define STORE_i8_H STORE_i8_F
#define STORE_i16_H STORE_i16_F
#define STORE_i32_H STORE_i32_F
#define STORE_i64_H STORE_i64_F
#define STORE_f16_H STORE_f16_F
#define STORE_bf16_H(v) (tt_f32_to_bf16((float)(v)))
#define STORE_f32_H STORE_f32_F
#define STORE_f64_H STORE_f64_F

/* the kind each source loads as */
#define KIND_b I
#define KIND_u8 I
#define KIND_i8 I
#define KIND_i16 I
#define KIND_i32 I
#define KIND_i64 I
#define KIND_f16 H      /* like F, except for NaN into bfloat16 (Note [bfloat16 NaN]) */
#define KIND_bf16 F
#define KIND_f32 F
#define KIND_f64 F

#define CAT3(a, b, c) a##b##c
#define STORE(to, kind, v) CAT3(STORE_##to, _, kind)(v)

/* generates cast_<to>_<from>: o[i] = STORE_to(LOAD_from(a[i])) */
#define CAST_LOOP(to, to_t, from, from_t)                                             \
    static void cast_##to##_##from(char **ptr, const int64_t *step, int64_t n,       \
                                   const void *extra)                                \
    {                                                                                 \
        (void)extra;                                                                  \
        char *o = ptr[0];                                                             \
        const char *a = ptr[1];                                                       \
        if (step[0] == sizeof(to_t) && step[1] == sizeof(from_t)) {                   \
            to_t *restrict out = (to_t *)o;                                           \
            const from_t *restrict in = (const from_t *)a;                            \
            for (int64_t i = 0; i < n; i++)                                           \
                out[i] = STORE(to, KIND_##from, LOAD_##from(in + i));                 \
        } else {                                                                      \
            const int64_t s0 = step[0], s1 = step[1];   /* Note [strides in locals] */\
            for (int64_t i = 0; i < n; i++, o += s0, a += s1)                         \
                *(to_t *)o = STORE(to, KIND_##from, LOAD_##from(a));                  \
        }                                                                             \
    }

/* The preprocessor cannot expand TT_DTYPES inside itself, so the sources of each row
 * are listed here once more; the table below fails to compile if this list falls out
 * of step with dtypes.def (a missing function). */
#define CAST_ROW(to, to_t)                                                            \
    CAST_LOOP(to, to_t, b, bool)                                                      \
    CAST_LOOP(to, to_t, u8, uint8_t)                                                  \
    CAST_LOOP(to, to_t, i8, int8_t)                                                   \
    CAST_LOOP(to, to_t, i16, int16_t)                                                 \
    CAST_LOOP(to, to_t, i32, int32_t)                                                 \
    CAST_LOOP(to, to_t, i64, int64_t)                                                 \
    CAST_LOOP(to, to_t, f16, uint16_t)                                                \
    CAST_LOOP(to, to_t, bf16, uint16_t)                                               \
    CAST_LOOP(to, to_t, f32, float)                                                   \
    CAST_LOOP(to, to_t, f64, double)

/* generates the 10 x 10 loops */
#define X(ENUM, ctype, suffix, compute, category, name) CAST_ROW(suffix, ctype)
TT_DTYPES(X)
#undef X

#define TABLE_ROW(to)                                                                 \
    {cast_##to##_b, cast_##to##_u8, cast_##to##_i8, cast_##to##_i16, cast_##to##_i32, \
     cast_##to##_i64, cast_##to##_f16, cast_##to##_bf16, cast_##to##_f32,            \
     cast_##to##_f64},

/* cast_table[to][from] */
static const tt_loop cast_table[TT_NUM_DTYPES][TT_NUM_DTYPES] = {
#define X(ENUM, ctype, suffix, compute, category, name) TABLE_ROW(suffix)
    TT_DTYPES(X)
#undef X
};

/* ---- Note [fast casts]: the generic loops go through int64/double and the scalar
 * 16-bit rounding, which the compiler cannot vectorise.  The conversions from and to
 * float32 that models use get contiguous loops of vector instructions (F16C) or
 * branch-free code; the results are the same bits as the generic loop's (and torch's:
 * tests/test_core_casts.py checks both layouts).  Strided runs keep the generic loop. */
static inline void
narrow_bf16_cast(uint16_t *restrict d, const float *restrict s, int64_t n)
{
    tt_narrow_bf16(d, s, n, true);      /* see Note [bfloat16 NaN] */
}

/* float_to_i32 then wrap: for every float32 this is the low byte of trunc(v), and 0 for
 * NaN, inf and |v| >= 2^31 (beyond 2^31 every float32 is a multiple of 256, so its low
 * byte is 0 whether it goes through int32 or int64).  cvttps2dq gives 0x80000000 (low
 * byte 0) for exactly those, so AVX2 needs no range test: convert 32, mask, pack. */
static inline void
narrow_i8(int8_t *restrict d, const float *restrict s, int64_t n)
{
    int64_t i = 0;
#if defined(__AVX2__)
    const __m256i low_byte = _mm256_set1_epi32(0xff);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (; i + 32 <= n; i += 32) {
        __m256i q[4];
        for (int k = 0; k < 4; k++)
            q[k] = _mm256_and_si256(_mm256_cvttps_epi32(_mm256_loadu_ps(s + i + 8 * k)),
                                    low_byte);
        /* the packs interleave 128-bit lanes: 4-byte groups come out in the order
         * q0[0:4] q1[0:4] q2[0:4] q3[0:4] q0[4:8] ..., which `order` undoes */
        __m256i bytes = _mm256_packus_epi16(_mm256_packus_epi32(q[0], q[1]),
                                            _mm256_packus_epi32(q[2], q[3]));
        _mm256_storeu_si256((__m256i *)(d + i), _mm256_permutevar8x32_epi32(bytes, order));
    }
#endif
    for (; i < n; i++) {
        float v = s[i];
        int32_t w = fabsf(v) < 2147483648.0f ? (int32_t)v : INT32_MIN;
        d[i] = (int8_t)(uint8_t)(uint32_t)w;
    }
}

/* torch's scalar loop, taken for strided runs, writes the quiet NaN: Note [bfloat16 NaN] */
static void
strided_bf16_f32(char **ptr, const int64_t *step, int64_t n, const void *extra)
{
    (void)extra;
    char *o = ptr[0];
    const char *a = ptr[1];
    for (int64_t i = 0; i < n; i++, o += step[0], a += step[1])
        *(uint16_t *)o = tt_f32_to_bf16(*(const float *)a);
}

/* generates fast_<to>_<from>: the contiguous run by `run`, else the loop `strided` */
#define FAST_CAST(to, to_t, from, from_t, run, strided)                               \
    static void fast_##to##_##from(char **ptr, const int64_t *step, int64_t n,       \
                                   const void *extra)                                \
    {                                                                                 \
        if (step[0] == sizeof(to_t) && step[1] == sizeof(from_t))                     \
            run((to_t *)ptr[0], (const from_t *)ptr[1], n);                           \
        else                                                                          \
            strided(ptr, step, n, extra);                                             \
    }
FAST_CAST(f16, uint16_t, f32, float, tt_narrow_f16, cast_f16_f32)
FAST_CAST(bf16, uint16_t, f32, float, narrow_bf16_cast, strided_bf16_f32)
FAST_CAST(f32, float, f16, uint16_t, tt_widen_f16, cast_f32_f16)
FAST_CAST(f32, float, bf16, uint16_t, tt_widen_bf16, cast_f32_bf16)
FAST_CAST(i8, int8_t, f32, float, narrow_i8, cast_i8_f32)

tt_loop
tt_cast_loop(tt_dtype to, tt_dtype from)
{
    if (from == TT_FLOAT32) {
        if (to == TT_FLOAT16)
            return fast_f16_f32;
        if (to == TT_BFLOAT16)
            return fast_bf16_f32;
        if (to == TT_INT8)
            return fast_i8_f32;
    } else if (to == TT_FLOAT32) {
        if (from == TT_FLOAT16)
            return fast_f32_f16;
        if (from == TT_BFLOAT16)
            return fast_f32_bf16;
    }
    return cast_table[to][from];
}

/* ---- same-dtype copies: only the element size matters -------------------------- */
#define COPY_LOOP(bytes, T)                                                           \
    static void copy_##bytes(char **ptr, const int64_t *step, int64_t n,             \
                             const void *extra)                                       \
    {                                                                                 \
        (void)extra;                                                                  \
        if (step[0] == bytes && step[1] == bytes) {                                   \
            memmove(ptr[0], ptr[1], (size_t)n * bytes);                               \
        } else if (step[1] == 0) {                                                    \
            T v = *(const T *)ptr[1];                                                 \
            char *o = ptr[0];                                                         \
            for (int64_t i = 0; i < n; i++, o += step[0])                             \
                *(T *)o = v;                                                          \
        } else {                                                                      \
            char *o = ptr[0];                                                         \
            const char *a = ptr[1];                                                   \
            const int64_t s0 = step[0], s1 = step[1];   /* Note [strides in locals] */\
            for (int64_t i = 0; i < n; i++, o += s0, a += s1)                         \
                *(T *)o = *(const T *)a;                                              \
        }                                                                             \
    }
COPY_LOOP(1, uint8_t)
COPY_LOOP(2, uint16_t)
COPY_LOOP(4, uint32_t)
COPY_LOOP(8, uint64_t)

static tt_loop
copy_loop(int itemsize)
{
    switch (itemsize) {
    case 1: return copy_1;
    case 2: return copy_2;
    case 4: return copy_4;
    default: return copy_8;
    }
}

/* byte range [lo, hi) a view can touch */
static void
extent(const tt_view *v, char **lo, char **hi)
{
    int64_t itemsize = tt_dtypes[v->dtype].itemsize, last = 0;
    for (int i = 0; i < v->ndim; i++)
        if (v->shape[i] > 0)
            last += (v->shape[i] - 1) * v->strides[i];
    *lo = tt_view_data(v);
    *hi = *lo + (last + 1) * itemsize;
}

bool
tt_views_overlap(const tt_view *a, const tt_view *b)
{
    if (a->storage != b->storage || tt_view_numel(a) == 0 || tt_view_numel(b) == 0)
        return false;
    char *alo, *ahi, *blo, *bhi;
    extent(a, &alo, &ahi);
    extent(b, &blo, &bhi);
    return alo < bhi && blo < ahi;
}

tt_status
tt_copy(const tt_view *dst, const tt_view *src)
{
    if (dst->ndim == 0 && dst->dtype == TT_BFLOAT16 && src->dtype != TT_BFLOAT16) {
        /* see Note [bfloat16 NaN] */
        double f;
        int64_t i;
        int64_t zero[TT_MAX_DIMS] = {0};
        tt_read_scalar(src, zero, &f, &i);
        bool is_int = tt_dtypes[src->dtype].category != TT_CAT_FLOAT;
        *(uint16_t *)tt_view_data(dst) = tt_f32_to_bf16(is_int ? (float)i : (float)f);
        return TT_OK;
    }
    tt_loop loop = dst->dtype == src->dtype ? copy_loop(tt_dtypes[dst->dtype].itemsize)
                                            : tt_cast_loop(dst->dtype, src->dtype);
    if (tt_views_overlap(dst, src) &&
        !(dst->offset == src->offset && dst->dtype == src->dtype && dst->ndim ==
          src->ndim && !memcmp(dst->strides, src->strides, sizeof(int64_t) * dst->ndim))) {
        /* x.copy_(x.t()): read everything before writing anything */
        tt_view tmp;
        tt_status s = tt_empty(&tmp, src->dtype, src->ndim, src->shape);
        if (s)
            return s;
        const tt_view *in[1] = {src};
        s = tt_iter_run(&tmp, 1, in, copy_loop(tt_dtypes[src->dtype].itemsize), NULL);
        if (!s) {
            in[0] = &tmp;
            s = tt_iter_run(dst, 1, in, loop, NULL);
        }
        tt_storage_decref(tmp.storage);
        return s;
    }
    const tt_view *in[1] = {src};
    return tt_iter_run(dst, 1, in, loop, NULL);
}

/* A 0-d view of one scalar on the stack, for broadcasting a value through the
 * iterator without allocating. */
void
tt_scalar_view(tt_view *v, tt_storage *s, void *buf, tt_dtype dtype)
{
    s->data = buf;
    s->nbytes = 8;
    s->refcount = 1;
    s->version = 0;
    s->deleter = NULL;
    s->deleter_ctx = NULL;
    v->storage = s;
    v->dtype = dtype;
    v->ndim = 0;
    v->offset = 0;
}

void
tt_scalar_to(void *buf, tt_dtype dtype, tt_scalar value)
{
    tt_dtype from = value.is_float ? TT_FLOAT64 : TT_INT64;
    char *ptr[2] = {buf, value.is_float ? (char *)&value.f : (char *)&value.i};
    int64_t step[2] = {0, 0};
    cast_table[dtype][from](ptr, step, 1, NULL);
}

tt_status
tt_fill(const tt_view *dst, tt_scalar value)
{
    _Alignas(8) char buf[8];
    tt_storage s;
    tt_view src;
    tt_scalar_to(buf, dst->dtype, value);
    tt_scalar_view(&src, &s, buf, dst->dtype);
    const tt_view *in[1] = {&src};
    return tt_iter_run(dst, 1, in, copy_loop(tt_dtypes[dst->dtype].itemsize), NULL);
}

void
tt_read_scalar(const tt_view *v, const int64_t *index, double *f, int64_t *i)
{
    char *p = tt_view_data(v);
    for (int d = 0; d < v->ndim; d++)
        p += index[d] * v->strides[d] * tt_dtypes[v->dtype].itemsize;
    switch (v->dtype) {
    case TT_BOOL: *i = LOAD_b(p); *f = (double)*i; break;
    case TT_UINT8: *i = LOAD_u8(p); *f = (double)*i; break;
    case TT_INT8: *i = LOAD_i8(p); *f = (double)*i; break;
    case TT_INT16: *i = LOAD_i16(p); *f = (double)*i; break;
    case TT_INT32: *i = LOAD_i32(p); *f = (double)*i; break;
    case TT_INT64: *i = LOAD_i64(p); *f = (double)*i; break;
    case TT_FLOAT16: *f = LOAD_f16(p); *i = 0; break;
    case TT_BFLOAT16: *f = LOAD_bf16(p); *i = 0; break;
    case TT_FLOAT32: *f = LOAD_f32(p); *i = 0; break;
    default: *f = LOAD_f64(p); *i = 0; break;
    }
}
