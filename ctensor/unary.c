/* unary.c -- elementwise kernels of one input: out[i] = OP(x[i]).
 *
 * Owns the loops of every op in unary_ops.def for every dtype (one generated table):
 * math functions, rounding, activations with their scalar parameters, predicates.
 * Promotion is the caller's (exp of an int64 tensor arrives as float32); shapes are
 * iter.c's.  float16/bfloat16 compute in float and round once (Note [16-bit floats]).
 *
 * Transcendental functions come from the C library (glibc: correctly rounded or within
 * 1 ulp), except exp (Note [vectorised exp]).  torch's float32 kernels use SLEEF's
 * vectorised versions (within 1 ulp), so the two may differ in the last bit; rounding,
 * abs, neg, sign, comparisons and integer ops match torch exactly. */
#define _GNU_SOURCE     /* lgamma_r: lgamma without the global signgam */
#include <tgmath.h>

#include "ctensor.h"
#include "internal.h"
#include "elementwise.h"

typedef struct {
    tt_unary_args args;
} unary_ctx;

/* std::max / std::min: NaN in the first argument passes through */
#define SMAX(a, b) ((a) < (b) ? (b) : (a))
#define SMIN(a, b) ((b) < (a) ? (b) : (a))

#define P0 (ex->args.p[0])
#define P1 (ex->args.p[1])
#define P2 (ex->args.p[2])
#define I0 (ex->args.i[0])
#define I1 (ex->args.i[1])

/* clamp as torch's vectorised kernel: NaN in x or in a bound gives NaN */
#define FCLAMP(T, name)                                                                \
    static inline T name(T x, T lo, T hi)                                              \
    {                                                                                  \
        if (x != x || lo != lo || hi != hi)                                            \
            return (T)NAN;                                                             \
        T m = x < lo ? lo : x;                                                         \
        return hi < m ? hi : m;                                                        \
    }
FCLAMP(float, fclamp_f)
FCLAMP(double, fclamp_d)
#define fclamp(x, lo, hi) _Generic((x), float: fclamp_f, default: fclamp_d)(x, lo, hi)

/* Note [vectorised exp]: glibc's exp is a scalar call, so a loop of exp cannot
 * vectorise; torch's float kernels use SLEEF's vector exp (within 1 ulp).  exp_vec_f and
 * exp_vec_d are branch-free, so a contiguous loop of them compiles to vector code:
 *   x = n ln2 + r with |r| <= ln2/2 (Cody-Waite: ln2 split in a high part whose
 *   products with n are exact, and a low part), e^r by its Taylor polynomial (degree 13
 *   for double, truncation below 0.1 ulp), times 2^n built from exponent bits in two
 *   halves so that results in the subnormal range round once.  float is computed in
 *   double (degree 11) and rounded once, so it is correctly rounded but for near-ties.
 * Within 1 ulp of the correctly rounded result; overflow gives inf, NaN stays NaN. */

/* one rounding for p * r + c where the hardware has it (no libm call otherwise) */
/* GCC leaves the call out of line in the generated loops ("call is cold"), and a loop
 * with a call does not vectorise */
#if defined(__GNUC__)
#define ALWAYS_INLINE __attribute__((always_inline))
#else
#define ALWAYS_INLINE
#endif
#ifdef __FMA__
#define MADD(a, b, c) fma(a, b, c)
#else
#define MADD(a, b, c) ((a) * (b) + (c))
#endif

static const double inv_factorial[] = {
    1.0, 1.0, 1.0 / 2.0, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0, 1.0 / 720.0, 1.0 / 5040.0,
    1.0 / 40320.0, 1.0 / 362880.0, 1.0 / 3628800.0, 1.0 / 39916800.0,
    1.0 / 479001600.0, 1.0 / 6227020800.0};

/* Generates the two steps of exp for one lane type T (double, and with AVX2 four
 * doubles in a vector register: exp_f32_avx2): the same operations in the same order,
 * so every lane type gives the same bits.
 *   reduce: x = n ln2 + r with n an integer and |r| <= ln2 / 2 (ln2 in two parts, so
 *           r is exact);
 *   taylor: e^r by its Taylor series up to r^degree, in Horner's order (unrolled:
 *           degree is a constant at every call). */
#define EXP_STEPS(T, reduce, taylor, madd, splat)                                      \
    static inline ALWAYS_INLINE T reduce(T xc, T *n)                                   \
    {                                                                                  \
        *n = (xc * 1.4426950408889634074 + 6755399441055744.0) - 6755399441055744.0;  \
        T r = xc - *n * 0.693147180369123816490;      /* ln2's high 32 bits */         \
        return r - *n * 1.90821492927058770002e-10;                                    \
    }                                                                                  \
    static inline ALWAYS_INLINE T taylor(T r, int degree)                              \
    {                                                                                  \
        T p = splat(inv_factorial[degree]);                                            \
        EXP_UNROLL                                                                     \
        for (int k = degree - 1; k >= 0; k--)                                          \
            p = madd(p, r, splat(inv_factorial[k]));                                   \
        return p;                                                                      \
    }
#if defined(__GNUC__) && !defined(__clang__)
#define EXP_UNROLL _Pragma("GCC unroll 16")
#else
#define EXP_UNROLL
#endif
#define SCALAR(c) (c)
/* generates exp_reduce, exp_taylor */
EXP_STEPS(double, exp_reduce, exp_taylor, MADD, SCALAR)

static inline ALWAYS_INLINE float
exp_vec_f(float x)
{
    /* in double: the result is within 1e-12 of e^x before its one rounding to float,
     * so it is the correctly rounded float (as glibc's expf and, at these points,
     * torch's) except within 1e-5 ulp of a tie; 2^n needs no split in double */
    double xc = x != x ? 0.0 : x < -104.0f ? -104.0 : x > 89.0f ? 89.0 : (double)x;
    double n, p = exp_taylor(exp_reduce(xc, &n), 11);
    uint64_t bits = (uint64_t)(int64_t)((int32_t)n + 1023) << 52;
    double scale;
    memcpy(&scale, &bits, 8);
    float y = (float)(p * scale);       /* IEEE: above FLT_MAX rounds to inf */
    return x != x ? x : y;
}

static inline ALWAYS_INLINE double
exp_vec_d(double x)
{
    double xc = x != x ? 0.0 : x < -746.0 ? -746.0 : x > 710.0 ? 710.0 : x;
    double n, p = exp_taylor(exp_reduce(xc, &n), 13);
    /* 2^n in two halves: near the ends of the range one alone overflows/underflows */
    int32_t ni = (int32_t)n, n1 = ni / 2, n2 = ni - n1;
    uint64_t b1 = (uint64_t)(int64_t)(n1 + 1023) << 52;
    uint64_t b2 = (uint64_t)(int64_t)(n2 + 1023) << 52;
    double s1, s2;
    memcpy(&s1, &b1, 8);
    memcpy(&s2, &b2, 8);
    double y = p * s1 * s2;
    return x != x ? x : y;
}
#define exp_vec(x) _Generic((x), float: exp_vec_f, default: exp_vec_d)(x)

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

/* GCC vectorises exp_vec_f, but turns its clamps into a second copy of the work for the
 * clamped lanes and widens every float mask to double lanes (a third of the loop);
 * written with the vector steps it is exp_vec_f for 8 floats, bit for bit: the clamp
 * (max/min, NaN to -104, its result replaced by x at the end) stays in float lanes and
 * the double work runs in two halves of 4. */
typedef double v4d __attribute__((vector_size(32)));
#define V4_MADD(a, b, c) _mm256_fmadd_pd(a, b, c)
/* generates exp_reduce4, exp_taylor4 */
EXP_STEPS(v4d, exp_reduce4, exp_taylor4, V4_MADD, _mm256_set1_pd)

static inline ALWAYS_INLINE __m128
exp_half4(__m128 xc4)
{
    v4d n, p = exp_taylor4(exp_reduce4(_mm256_cvtps_pd(xc4), &n), 11);
    __m256i n64 = _mm256_cvtepi32_epi64(_mm256_cvtpd_epi32(n));    /* n is an integer */
    __m256i bits = _mm256_slli_epi64(_mm256_add_epi64(n64, _mm256_set1_epi64x(1023)), 52);
    return _mm256_cvtpd_ps(p * _mm256_castsi256_pd(bits));
}

static void
exp_f32_avx2(float *o, const float *a, int64_t n)     /* o == a for exp_ */
{
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 x = _mm256_loadu_ps(a + i);
        __m256 xc = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-104.0f)),
                                  _mm256_set1_ps(89.0f));
        __m256 y = _mm256_set_m128(exp_half4(_mm256_extractf128_ps(xc, 1)),
                                   exp_half4(_mm256_castps256_ps128(xc)));
        _mm256_storeu_ps(o + i, _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q)));
    }
    for (; i < n; i++)
        o[i] = exp_vec_f(a[i]);
}
#endif

static inline float
lgamma_f(float x)
{
    int sign;
    return lgammaf_r(x, &sign);
}

static inline double
lgamma_d(double x)
{
    int sign;
    return lgamma_r(x, &sign);
}
#define lgamma_safe(x) _Generic((x), float: lgamma_f, default: lgamma_d)(x)

/* integer x ** y for y >= 0, by squaring, wrapping */
static inline int64_t
spow(int64_t x, int64_t y)
{
    uint64_t base = (uint64_t)x, result = 1;
    while (y > 0) {
        if (y & 1)
            result *= base;
        base *= base;
        y >>= 1;
    }
    return (int64_t)result;
}

/* R(v): round to bfloat16 in the bfloat16 loops only (see unary_ops.def) */
static inline float
round_bf16_if(float v, int is_bf16)
{
    return is_bf16 ? tt_bf16_to_f32(tt_f32_to_bf16(v)) : v;
}
#define R(v) _Generic((v), float: round_bf16_if((float)(v), IS_BF16), default: (v))
#define IS_BF16_b 0
#define IS_BF16_u8 0
#define IS_BF16_i8 0
#define IS_BF16_i16 0
#define IS_BF16_i32 0
#define IS_BF16_i64 0
#define IS_BF16_f16 0
#define IS_BF16_bf16 1
#define IS_BF16_f32 0
#define IS_BF16_f64 0

#define NONE ((void)x, 0)

/* Generates one loop <name>_<sfx>:  o[i] = STORE(EXPR(x = LOAD(a[i]))). */
#define EW_LOOP(sfx, T, CT, UT, ST, NBITS, SGN, KIND, ENUM, name, kinds, out, eb, ei, ef)  \
    static void name##_##sfx(char **ptr, const int64_t *step, int64_t n,                  \
                             const void *extra)                                            \
    {                                                                                      \
        const unary_ctx *ex = extra;                                                       \
        EW_TYPES(CT, UT, ST, NBITS, SGN);                                                  \
        enum { IS_BF16 = IS_BF16_##sfx };                                                  \
        typedef OUT_T_##out(T) OT;                                                         \
        (void)ex;                                                                          \
        if (IS16_##sfx && step[0] == sizeof(OT) && step[1] == sizeof(T)) {                \
            /* 16-bit floats: a chunk at a time through float buffers */                   \
            float xa[EW_CHUNK], r[EW_CHUNK];                                               \
            const T *a = (const T *)ptr[1];                                                \
            (void)a, (void)r;                                                              \
            for (int64_t base = 0; base < n; base += EW_CHUNK) {                           \
                int64_t m = n - base < EW_CHUNK ? n - base : EW_CHUNK;                     \
                WIDEN_##sfx(xa, (const uint16_t *)a + base, m);                            \
                OT *o = (OT *)ptr[0] + base;                                               \
                for (int64_t i = 0; i < m; i++) {                                          \
                    C x = xa[i];                                                           \
                    if (OUT_IS_BOOL_##out)                                                 \
                        o[i] = (OT)(PICK_##KIND(eb, ei, ef));                              \
                    else                                                                   \
                        r[i] = (float)(PICK_##KIND(eb, ei, ef));                           \
                }                                                                          \
                if (!OUT_IS_BOOL_##out)                                                    \
                    NARROW_##sfx((uint16_t *)o, r, m);                                     \
            }                                                                              \
        } else if (step[0] == sizeof(OT) && step[1] == sizeof(T)) {                        \
            OT *restrict o = (OT *)ptr[0];                                                 \
            const T *restrict a = (const T *)ptr[1];                                       \
            for (int64_t i = 0; i < n; i++) {                                              \
                C x = LOAD_##sfx(a[i]);                                                    \
                o[i] = STORE_##out(sfx, PICK_##KIND(eb, ei, ef));                          \
            }                                                                              \
        } else {                                                                           \
            char *o = ptr[0];                                                              \
            const char *a = ptr[1];                                                        \
            const int64_t s0 = step[0], s1 = step[1];   /* Note [strides in locals] */     \
            for (int64_t i = 0; i < n; i++, o += s0, a += s1) {                            \
                C x = LOAD_##sfx(*(const T *)a);                                           \
                *(OT *)o = STORE_##out(sfx, PICK_##KIND(eb, ei, ef));                      \
            }                                                                              \
        }                                                                                  \
    }

/* generates neg_b ... signbit_f64: every op for every dtype */
#define STAMP_DTYPE(ENUM, ctype, sfx, compute, category, name) TT_UNARY_OPS(EW_##sfx)
TT_DTYPES(STAMP_DTYPE)
#undef STAMP_DTYPE

#if defined(__AVX2__) && defined(__FMA__)
/* float32 exp: contiguous runs by exp_f32_avx2, strided ones by the generated loop */
static void
exp_f32_fast(char **ptr, const int64_t *step, int64_t n, const void *extra)
{
    if (step[0] == sizeof(float) && step[1] == sizeof(float))
        exp_f32_avx2((float *)ptr[0], (const float *)ptr[1], n);
    else
        exp_f32(ptr, step, n, extra);
}
#endif

#define ROW(ENUM, name, kinds, ...) [TT_UN_##ENUM] = EW_TABLE_ROW(name, kinds),
static const tt_loop loops[TT_NUM_UNARY_OPS][TT_NUM_DTYPES] = {TT_UNARY_OPS(ROW)};
#undef ROW

#define ROW(ENUM, name, kinds, out, ...) [TT_UN_##ENUM] = OUT_IS_BOOL_##out,
static const bool out_is_bool[TT_NUM_UNARY_OPS] = {TT_UNARY_OPS(ROW)};
#undef ROW

#define ROW(ENUM, name, ...) [TT_UN_##ENUM] = #name,
const char *const tt_unary_names[TT_NUM_UNARY_OPS] = {TT_UNARY_OPS(ROW)};
#undef ROW

tt_dtype
tt_unary_result_dtype(tt_unary_op op, tt_dtype dtype)
{
    return out_is_bool[op] ? TT_BOOL : dtype;
}

bool
tt_unary_supports(tt_unary_op op, tt_dtype dtype)
{
    return loops[op][dtype] != NULL;
}

tt_status
tt_unary(const tt_view *out, const tt_view *a, tt_unary_op op, const tt_unary_args *args)
{
    if ((unsigned)op >= TT_NUM_UNARY_OPS)
        return tt_fail(TT_EVALUE, "unary: unknown op %d", (int)op);
    tt_loop loop = loops[op][a->dtype];
    if (!loop)
        return tt_fail(TT_EDTYPE, "\"%s_cpu\" not implemented for '%s'", tt_unary_names[op],
                       tt_torch_type_names[a->dtype]);
    tt_dtype want = out_is_bool[op] ? TT_BOOL : a->dtype;
    if (out->dtype != want)
        return tt_fail(TT_EDTYPE, "%s: the output must be %s, got %s", tt_unary_names[op],
                       tt_dtypes[want].name, tt_dtypes[out->dtype].name);
    unary_ctx ctx = {{{0, 0, 0}, {0, 0}}};
    if (args)
        ctx.args = *args;
    if (op == TT_UN_POW_SCALAR && tt_dtypes[a->dtype].category == TT_CAT_FLOAT) {
        /* the pow call in the general loop keeps it scalar: x ** 1 (a backward of
         * x ** 2) and x ** 2 take vector loops that compute the same expressions */
        if (ctx.args.i[0] == 1)
            loop = tt_cast_loop(a->dtype, a->dtype);
        else if (ctx.args.i[0] == 2)
            loop = loops[TT_UN_SQUARE][a->dtype];
    }
#if defined(__AVX2__) && defined(__FMA__)
    if (op == TT_UN_EXP && a->dtype == TT_FLOAT32)
        loop = exp_f32_fast;
#endif
    const tt_view *in[1] = {a};
    return tt_run_elementwise(out, 1, in, loop, &ctx);
}
