/* random.c -- torch's CPU random numbers, bit for bit.
 *
 * Owns the mt19937 generator (torch's CPUGeneratorImpl), its byte-exact state for
 * torch.get_rng_state/set_rng_state, and every sampler that fills a contiguous
 * buffer.  Shapes, strides and broadcasting are the caller's (Cython fills a
 * contiguous buffer and copies, see Note [fill order]).  The tricks are in
 * Note [normal_ paths] (torch's vectorised Box-Muller, emulated lane by lane) and
 * Note [topk ties] (multinomial without replacement).
 *
 * Note [torch's recipe]: each sampler draws 32 bits (random) or 64 bits (random64,
 * first draw is the high word) per element and maps them exactly as ATen's
 * DistributionsHelper.h / TransformationHelper.h do:
 *   uniform float/half/bf16: x = (r32 & (2^24-1)) * 2^-24 in float
 *   uniform double:          x = (r64 & (2^53-1)) * 2^-53
 * then fma(x, to - from, from): torch's build contracts a * b + c into one fma in its
 * kernels, so every such expression here is an explicit fma (x * std + mean of the
 * scalar normal, median + sigma * tan(..) of cauchy) and nothing else is fused.
 * Samplers that torch runs in double (scalar normal, exponential, cauchy, log_normal,
 * geometric, bernoulli with float p) compute in double and convert with C++'s
 * static_cast: double -> float -> half/bf16, i.e. rounded twice, as c10::Half(float).
 *
 * Note [fill order]: torch's TensorIterator fills a non-contiguous output in memory
 * order (dimensions sorted by stride), not in logical order: x = empty(4,3).t();
 * x.uniform_() writes the storage front to back.  So the Cython layer must fill a
 * contiguous buffer in the iterator's order, which for a dense permuted tensor is
 * the storage order.  Exceptions: normal_ of a non-contiguous tensor always takes
 * the serial path (tt_random_normal_serial, Note [normal_ paths]); randperm and multinomial write their
 * result through its strides in logical order; bernoulli_(p_tensor) iterates in the
 * order TensorIterator picks for (out, p) together.
 *
 * Thread safety: every public function holds g->lock, as torch holds generator->mutex_.
 */
#include "random.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "half.h"
#include "order.h"

/* Every rounding step here is torch's own: no contraction of a * b + c into an fma
 * unless written as fmaf/fma (see Note [contracted cephes]).  Build this file like
 * torch builds its kernels, with -fno-math-errno -fno-trapping-math: the bits do not
 * change, but sqrt becomes one instruction and the AVX2 Box-Muller vectorises (2x). */
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#define MT_M 397
#define PI_D 3.14159265358979323846
#define MASK24 0xffffffu
#define MASK53 ((UINT64_C(1) << 53) - 1)

#if defined(__GNUC__)
#define ALWAYS_INLINE __attribute__((always_inline))
#else
#define ALWAYS_INLINE
#endif

/* Hot loops that need fma get a clone compiled for the FMA instruction; without it
 * fma is a libm call (same result, several times slower). */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define HAVE_FMA_CLONE 1
#define FMA_CLONE __attribute__((target("fma")))
#define AVX2_FMA_CLONE __attribute__((target("avx2,fma")))

static bool
cpu_has_fma(void)
{
    static int has = -1;        /* a benign race: every thread computes the same */
    if (has < 0)
        has = __builtin_cpu_supports("fma");
    return has;
}
#endif

/* ---- mt19937 (torch's at::mt19937: Cokus' variant, 32-bit state words) ---------- */

static void
mt_seed(tt_generator *g, uint64_t seed)
{
    g->seed = seed;
    g->seeded = true;
    g->state[0] = (uint32_t)(seed & 0xffffffffu);
    for (uint32_t j = 1; j < TT_MT_N; j++)
        g->state[j] = 1812433253u * (g->state[j - 1] ^ (g->state[j - 1] >> 30)) + j;
    g->left = 1;
    g->next = 0;
    g->has_next_double_normal = false;
    g->has_next_float_normal = false;
    g->next_double_normal = 0.0;
    g->next_float_normal = 0.0f;
}

static inline uint32_t
twist(uint32_t u, uint32_t v)
{
    uint32_t mixed = (u & 0x80000000u) | (v & 0x7fffffffu);
    return (mixed >> 1) ^ ((v & 1u) ? 0x9908b0dfu : 0u);
}

static void
mt_next_state(tt_generator *g)
{
    uint32_t *s = g->state;
    int j;
    g->left = TT_MT_N;
    g->next = 0;
    for (j = 0; j < TT_MT_N - MT_M; j++)
        s[j] = s[j + MT_M] ^ twist(s[j], s[j + 1]);
    for (; j < TT_MT_N - 1; j++)
        s[j] = s[j + MT_M - TT_MT_N] ^ twist(s[j], s[j + 1]);
    s[TT_MT_N - 1] = s[MT_M - 1] ^ twist(s[TT_MT_N - 1], s[0]);
}

static inline uint32_t
draw32(tt_generator *g)
{
    if (--g->left == 0)
        mt_next_state(g);
    uint32_t y = g->state[g->next++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

static inline uint64_t
draw64(tt_generator *g)
{
    uint64_t hi = draw32(g);
    return (hi << 32) | draw32(g);
}

/* uniform_real_distribution<float>(0, 1) and <double>(0, 1): see Note [torch's recipe] */
static inline float
uniform_f(tt_generator *g)
{
    return (float)(draw32(g) & MASK24) * 0x1p-24f;
}

static inline double
uniform_d(tt_generator *g)
{
    return (double)(draw64(g) & MASK53) * 0x1p-53;
}

/* normal_distribution<double>: Box-Muller that keeps the sine sample for the next call */
static double
normal_d(tt_generator *g, double mean, double std)
{
    double ret;
    if (g->has_next_double_normal) {
        g->has_next_double_normal = false;
        ret = g->next_double_normal;
    } else {
        double u1 = uniform_d(g);
        double u2 = uniform_d(g);
        double r = sqrt(-2.0 * log1p(-u2));
        double theta = 2.0 * PI_D * u1;
        g->next_double_normal = r * sin(theta);
        g->has_next_double_normal = true;
        ret = r * cos(theta);
    }
    return fma(ret, std, mean);     /* contracted in torch's build */
}

/* ---- generator API ------------------------------------------------------------- */

void
tt_generator_init(tt_generator *g, uint64_t seed)
{
    memset(g, 0, sizeof *g);
    pthread_mutex_init(&g->lock, NULL);
    mt_seed(g, seed);
}

void
tt_generator_destroy(tt_generator *g)
{
    pthread_mutex_destroy(&g->lock);
}

void
tt_generator_manual_seed(tt_generator *g, uint64_t seed)
{
    pthread_mutex_lock(&g->lock);
    mt_seed(g, seed);
    pthread_mutex_unlock(&g->lock);
}

uint64_t
tt_generator_initial_seed(tt_generator *g)
{
    pthread_mutex_lock(&g->lock);
    uint64_t seed = g->seed;
    pthread_mutex_unlock(&g->lock);
    return seed;
}

uint32_t
tt_generator_random(tt_generator *g)
{
    pthread_mutex_lock(&g->lock);
    uint32_t r = draw32(g);
    pthread_mutex_unlock(&g->lock);
    return r;
}

uint64_t
tt_generator_random64(tt_generator *g)
{
    pthread_mutex_lock(&g->lock);
    uint64_t r = draw64(g);
    pthread_mutex_unlock(&g->lock);
    return r;
}

/* Note [rng state layout]: torch.get_rng_state() is a memcpy of
 *   struct { uint64 seed; int left; int seeded; uint64 next; uint64 state[624];
 *            double normal_x, normal_y, normal_rho; int normal_is_valid;   (4 pad)
 *            float next_float_normal; bool float_valid; }                  (3 pad)
 * on x86-64: 5056 bytes, little endian, padding zero.  normal_y holds the cached
 * double sample; normal_x and normal_rho are always 0. */
enum {
    OFF_SEED = 0, OFF_LEFT = 8, OFF_SEEDED = 12, OFF_NEXT = 16, OFF_STATE = 24,
    OFF_NORMAL_Y = 5024, OFF_NORMAL_VALID = 5040, OFF_FLOAT_NORMAL = 5048,
    OFF_FLOAT_VALID = 5052,
};

void
tt_generator_get_state(tt_generator *g, uint8_t *out)
{
    memset(out, 0, TT_RNG_STATE_BYTES);
    pthread_mutex_lock(&g->lock);
    int32_t left = g->left, seeded = g->seeded, dvalid = g->has_next_double_normal;
    uint64_t next = g->next;
    memcpy(out + OFF_SEED, &g->seed, 8);
    memcpy(out + OFF_LEFT, &left, 4);
    memcpy(out + OFF_SEEDED, &seeded, 4);
    memcpy(out + OFF_NEXT, &next, 8);
    for (int j = 0; j < TT_MT_N; j++) {
        uint64_t word = g->state[j];
        memcpy(out + OFF_STATE + 8 * j, &word, 8);
    }
    if (dvalid)
        memcpy(out + OFF_NORMAL_Y, &g->next_double_normal, 8);
    memcpy(out + OFF_NORMAL_VALID, &dvalid, 4);
    if (g->has_next_float_normal) {
        memcpy(out + OFF_FLOAT_NORMAL, &g->next_float_normal, 4);
        out[OFF_FLOAT_VALID] = 1;
    }
    pthread_mutex_unlock(&g->lock);
}

tt_status
tt_generator_set_state(tt_generator *g, const uint8_t *state, int64_t nbytes)
{
    if (nbytes != TT_RNG_STATE_BYTES)
        return tt_fail(TT_ERUNTIME, "Expected a CPUGeneratorImplState of size %d but found "
                       "the input RNG state size to be %lld", TT_RNG_STATE_BYTES,
                       (long long)nbytes);
    int32_t left, seeded, dvalid;
    uint64_t seed, next;
    memcpy(&seed, state + OFF_SEED, 8);
    memcpy(&left, state + OFF_LEFT, 4);
    memcpy(&seeded, state + OFF_SEEDED, 4);
    memcpy(&next, state + OFF_NEXT, 8);
    memcpy(&dvalid, state + OFF_NORMAL_VALID, 4);
    /* torch narrows next to uint32 before its validity check */
    uint32_t next32 = (uint32_t)next;
    if (!seeded || left <= 0 || left > TT_MT_N || next32 > TT_MT_N)
        return tt_fail(TT_ERUNTIME, "Invalid mt19937 state");
    pthread_mutex_lock(&g->lock);
    g->seed = seed;
    g->left = left;
    g->seeded = true;
    g->next = next32;
    for (int j = 0; j < TT_MT_N; j++) {
        uint64_t word;
        memcpy(&word, state + OFF_STATE + 8 * j, 8);
        g->state[j] = (uint32_t)word;
    }
    g->has_next_double_normal = dvalid != 0;
    memcpy(&g->next_double_normal, state + OFF_NORMAL_Y, 8);
    g->has_next_float_normal = state[OFF_FLOAT_VALID] != 0;
    memcpy(&g->next_float_normal, state + OFF_FLOAT_NORMAL, 4);
    pthread_mutex_unlock(&g->lock);
    return TT_OK;
}

/* ---- storing one element with C++ static_cast semantics ------------------------- */

static inline void
put_double(void *out, tt_dtype dtype, int64_t i, double v)
{
    switch (dtype) {
    case TT_BOOL: ((bool *)out)[i] = v != 0; break;
    case TT_UINT8: ((uint8_t *)out)[i] = (uint8_t)v; break;
    case TT_INT8: ((int8_t *)out)[i] = (int8_t)v; break;
    case TT_INT16: ((int16_t *)out)[i] = (int16_t)v; break;
    case TT_INT32: ((int32_t *)out)[i] = (int32_t)v; break;
    case TT_INT64: ((int64_t *)out)[i] = (int64_t)v; break;
    case TT_FLOAT16: ((uint16_t *)out)[i] = tt_f32_to_f16((float)v); break;
    case TT_BFLOAT16: ((uint16_t *)out)[i] = tt_f32_to_bf16((float)v); break;
    case TT_FLOAT32: ((float *)out)[i] = (float)v; break;
    case TT_FLOAT64: ((double *)out)[i] = v; break;
    default: break;
    }
}

/* integers wrap modulo 2^bits; floats round int64 -> float (-> 16 bits) like c10 */
static inline void
put_int64(void *out, tt_dtype dtype, int64_t i, int64_t v)
{
    switch (dtype) {
    case TT_BOOL: ((bool *)out)[i] = v != 0; break;
    case TT_UINT8: ((uint8_t *)out)[i] = (uint8_t)v; break;
    case TT_INT8: ((int8_t *)out)[i] = (int8_t)(uint8_t)v; break;
    case TT_INT16: ((int16_t *)out)[i] = (int16_t)(uint16_t)v; break;
    case TT_INT32: ((int32_t *)out)[i] = (int32_t)(uint32_t)v; break;
    case TT_INT64: ((int64_t *)out)[i] = v; break;
    case TT_FLOAT16: ((uint16_t *)out)[i] = tt_f32_to_f16((float)v); break;
    case TT_BFLOAT16: ((uint16_t *)out)[i] = tt_f32_to_bf16((float)v); break;
    case TT_FLOAT32: ((float *)out)[i] = (float)v; break;
    case TT_FLOAT64: ((double *)out)[i] = (double)v; break;
    default: break;
    }
}

static inline double
get_double(const void *in, tt_dtype dtype, int64_t i)
{
    switch (dtype) {
    case TT_FLOAT16: return tt_f16_to_f32(((const uint16_t *)in)[i]);
    case TT_BFLOAT16: return tt_bf16_to_f32(((const uint16_t *)in)[i]);
    case TT_FLOAT32: return ((const float *)in)[i];
    case TT_FLOAT64: return ((const double *)in)[i];
    default: return 0.0;
    }
}

static inline bool
is_floating(tt_dtype dtype)
{
    return dtype == TT_FLOAT16 || dtype == TT_BFLOAT16 || dtype == TT_FLOAT32
           || dtype == TT_FLOAT64;
}

/* torch's two spellings of a dtype: ScalarType ("Long") and C++ type ("long int") */
static const char *
type_name(tt_dtype dtype)
{
    static const char *names[] = {"Bool", "Byte", "Char", "Short", "Int", "Long", "Half",
                                  "BFloat16", "Float", "Double"};
    return (unsigned)dtype < TT_NUM_DTYPES ? names[dtype] : "?";
}

static const char *
cpp_name(tt_dtype dtype)
{
    static const char *names[] = {"bool", "unsigned char", "signed char", "short int", "int",
                                  "long int", "c10::Half", "c10::BFloat16", "float",
                                  "double"};
    return (unsigned)dtype < TT_NUM_DTYPES ? names[dtype] : "?";
}

/* kernel names the floating-only sampler in torch's "not implemented" message */
static tt_status
check_args(void *out, tt_dtype dtype, int64_t n, const char *kernel)
{
    if ((unsigned)dtype >= TT_NUM_DTYPES)
        return tt_fail(TT_EDTYPE, "random: unknown dtype %d", (int)dtype);
    if (kernel != NULL && !is_floating(dtype))
        return tt_fail(TT_EDTYPE, "\"%s\" not implemented for '%s'", kernel,
                       type_name(dtype));
    if (n < 0 || (n > 0 && out == NULL))
        return tt_fail(TT_EVALUE, "random: bad buffer (n=%lld)", (long long)n);
    return TT_OK;
}

static tt_status
check_continuous(tt_dtype dtype, const char *what)
{
    if (is_floating(dtype))
        return TT_OK;
    return tt_fail(TT_ERUNTIME, "%s distribution is a continuous probability distribution. "
                   "dtype must be a floating point but you specified %s", what,
                   type_name(dtype));
}

static inline double
dtype_max(tt_dtype dtype)
{
    switch (dtype) {
    case TT_FLOAT16: return 65504.0;
    case TT_BFLOAT16: return 3.3895313892515355e38;
    case TT_FLOAT32: return 3.4028234663852886e38;
    default: return 1.7976931348623157e308;
    }
}

/* ---- uniform_ -------------------------------------------------------------------- */

/* x * (to - from) + from, contracted to an fma as in torch's build; a sample that the
 * cast rounds up to `to` becomes `from` (torch's clamp) */
ALWAYS_INLINE static inline void
uniform_fill(tt_generator *g, void *out, tt_dtype dtype, int64_t n, double from, double to)
{
    if (dtype == TT_FLOAT64) {
        double *o = out, span = to - from;
        for (int64_t i = 0; i < n; i++) {
            double v = fma(uniform_d(g), span, from);
            o[i] = v == to ? from : v;
        }
        return;
    }
    /* float, half and bfloat16 all draw in float (opmath) and round once */
    float f = (float)from, t = (float)to, span = t - f;
    if (dtype == TT_FLOAT32) {
        float *o = out;
        for (int64_t i = 0; i < n; i++) {
            float v = fmaf(uniform_f(g), span, f);
            o[i] = v == t ? f : v;
        }
        return;
    }
    uint16_t (*narrow)(float) = dtype == TT_FLOAT16 ? tt_f32_to_f16 : tt_f32_to_bf16;
    uint16_t *o = out, t16 = narrow(t), f16 = narrow(f);
    for (int64_t i = 0; i < n; i++) {
        uint16_t v = narrow(fmaf(uniform_f(g), span, f));
        o[i] = v == t16 ? f16 : v;      /* samples lie in [from, to]: bits compare values */
    }
}

#ifdef HAVE_FMA_CLONE
/* the same code with fma as one instruction instead of a libm call: same bits */
FMA_CLONE static void
uniform_fill_fma(tt_generator *g, void *out, tt_dtype dtype, int64_t n, double from,
                 double to)
{
    uniform_fill(g, out, dtype, n, from, to);
}
#endif

tt_status
tt_random_uniform(tt_generator *g, void *out, tt_dtype dtype, int64_t n, double from,
                  double to)
{
    tt_status st = check_args(out, dtype, n, "check_uniform_bounds");
    if (st != TT_OK)
        return st;
    double max = dtype_max(dtype);
    if (!(from >= -max && from <= max))
        return tt_fail(TT_ERUNTIME, "from is out of bounds for %s", cpp_name(dtype));
    if (!(to >= -max && to <= max))
        return tt_fail(TT_ERUNTIME, "to is out of bounds for %s", cpp_name(dtype));
    if (!(from <= to))
        return tt_fail(TT_ERUNTIME, "uniform_ expects to return a [from, to) range, but "
                       "found from=%g > to=%g", from, to);
    if (!(to - from <= max))
        return tt_fail(TT_ERUNTIME, "uniform_ expects to-from <= std::numeric_limits<%s>"
                       "::max(), but found to=%g and from=%g which result in to-from to "
                       "exceed the limit", type_name(dtype), to, from);
    pthread_mutex_lock(&g->lock);
#ifdef HAVE_FMA_CLONE
    if (cpu_has_fma())
        uniform_fill_fma(g, out, dtype, n, from, to);
    else
#endif
        uniform_fill(g, out, dtype, n, from, to);
    pthread_mutex_unlock(&g->lock);
    return TT_OK;
}

/* ---- normal_ --------------------------------------------------------------------- */

/* Note [normal_ paths]: torch's normal_kernel has two paths.
 *  - size >= 16 and contiguous: normal_fill.  It draws uniforms (24-bit float for
 *    float/half/bf16, 53-bit double for double), runs Box-Muller on blocks of 16
 *    (u1 = 1 - x[j], u2 = x[j+8], j < 8: cosine to j, sine to j+8), and redoes the
 *    last 16 with fresh uniforms when size % 16 != 0.  float and double draw all n
 *    uniforms first (the n % 16 leftovers are drawn and then overwritten); half and
 *    bf16 draw 16 per block, so they draw n - n%16 + 16 in all, not n + 16.
 *    On an AVX2 build the float Box-Muller is avx_mathfun.h's cephes log256_ps and
 *    sincos256_ps, emulated lane by lane below; otherwise it is libm's logf/cosf/sinf.
 *    torch 2.13 registers no AVX512 kernel for normal_, so AVX512 CPUs run the AVX2
 *    one too; only ATEN_CPU_CAPABILITY=default (or a CPU without AVX2) differs.
 *  - otherwise: normal_distribution<double> element by element, which uses and
 *    refills the generator's cached sine sample (so calls interleave through it).
 */
static int avx2_normal = -1;        /* -1: not decided yet */

/* torch runs its AVX2 kernel on any x86-64 with AVX2 and FMA, unless told otherwise */
static bool
detect_avx2_normal(void)
{
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
    const char *cap = getenv("ATEN_CPU_CAPABILITY");
    if (cap != NULL && strcmp(cap, "default") == 0)
        return false;
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return false;
#endif
}

void
tt_random_set_avx2_normal(bool on)
{
    avx2_normal = on;
}

bool
tt_random_avx2_normal(void)
{
    if (avx2_normal < 0)
        avx2_normal = detect_avx2_normal();
    return avx2_normal;
}

/* Note [contracted cephes]: torch's AVX2 kernels are compiled with FMA and floating
 * contraction, so in avx_mathfun.h's code GCC fused the first multiply that feeds
 * each add or subtract into one fma.  The lane-by-lane copies below spell out exactly
 * those fmas (found by matching torch bit for bit on 10^6 samples); every other step
 * rounds to float on its own, so this file must not be contracted any further. */

/* log256_ps for one lane: cephes logf, for x in (0, 1] here */
ALWAYS_INLINE static inline float
cephes_logf(float x)
{
    uint32_t bits = tt_f32_bits(x < 0x1p-126f ? 0x1p-126f : x);
    int32_t exponent = (int32_t)(bits >> 23) - 0x7f;
    x = tt_bits_f32((bits & ~0x7f800000u) | 0x3f000000u);     /* mantissa in [0.5, 1) */
    float e = (float)exponent + 1.0f;
    bool small = x < 0.707106781186547524f;
    float tmp = small ? x : 0.0f;
    x = x - 1.0f;
    e = e - (small ? 1.0f : 0.0f);
    x = x + tmp;
    float z = x * x;
    float y = 7.0376836292E-2f;
    y = fmaf(y, x, -1.1514610310E-1f);
    y = fmaf(y, x, 1.1676998740E-1f);
    y = fmaf(y, x, -1.2420140846E-1f);
    y = fmaf(y, x, 1.4249322787E-1f);
    y = fmaf(y, x, -1.6668057665E-1f);
    y = fmaf(y, x, 2.0000714765E-1f);
    y = fmaf(y, x, -2.4999993993E-1f);
    y = fmaf(y, x, 3.3333331174E-1f);
    y = y * x;
    y = fmaf(y, z, e * -2.12194440e-4f);
    y = fmaf(-z, 0.5f, y);
    x = x + y;
    return fmaf(e, 0.693359375f, x);
}

/* sincos256_ps for one lane: cephes sinf/cosf, for |x| < 8192 */
ALWAYS_INLINE static inline void
cephes_sincosf(float x, float *s, float *c)
{
    uint32_t sign_sin = tt_f32_bits(x) & 0x80000000u;
    x = fabsf(x);
    int32_t j = (int32_t)(x * 1.27323954473516f);              /* x * 4/pi, truncated */
    j = (j + 1) & ~1;
    float y = (float)j;
    uint32_t swap_sin = (uint32_t)(j & 4) << 29;
    bool poly_sin = (j & 2) == 0;
    /* extended precision modular arithmetic: x - y * pi/4 in three pieces */
    x = fmaf(y, -0.78515625f, x);
    x = fmaf(y, -2.4187564849853515625e-4f, x);
    x = fmaf(y, -3.77489497744594108e-8f, x);
    uint32_t sign_cos = (uint32_t)(~(j - 2) & 4) << 29;
    sign_sin ^= swap_sin;
    float z = x * x;
    float yc = 2.443315711809948E-005f;
    yc = fmaf(yc, z, -1.388731625493765E-003f);
    yc = fmaf(yc, z, 4.166664568298827E-002f);
    yc = yc * z;
    yc = fmaf(yc, z, -(z * 0.5f));
    yc = yc + 1.0f;
    float ys = -1.9515295891E-4f;
    ys = fmaf(ys, z, 8.3321608736E-3f);
    ys = fmaf(ys, z, -1.6666654611E-1f);
    ys = ys * z;
    ys = fmaf(ys, x, x);
    /* the vector code selects with masks and adds the unselected +0.0 */
    float ysin2 = poly_sin ? ys : 0.0f, ysin1 = poly_sin ? 0.0f : yc;
    ys = ys - ysin2;
    yc = yc - ysin1;
    *s = tt_bits_f32(tt_f32_bits(ysin1 + ysin2) ^ sign_sin);
    *c = tt_bits_f32(tt_f32_bits(yc + ys) ^ sign_cos);
}

/* NormalFill16<float> of the AVX2 build: d[0..16) uniforms in, normals out */
ALWAYS_INLINE static inline void
box_muller16_cephes(float *d, float mean, float std)
{
    for (int j = 0; j < 8; j++) {
        float s, c;
        float radius = sqrtf(-2.0f * cephes_logf(1.0f - d[j]));
        cephes_sincosf((float)(2.0 * PI_D) * d[j + 8], &s, &c);
        d[j] = fmaf(radius * c, std, mean);
        d[j + 8] = fmaf(radius * s, std, mean);
    }
}

#ifdef HAVE_FMA_CLONE
/* the same arithmetic with fmaf as one instruction, vectorised: same bits */
AVX2_FMA_CLONE static void
box_muller16_cephes_fma(float *d, float mean, float std)
{
    box_muller16_cephes(d, mean, std);
}
#endif

/* NormalFill16<float> of other builds: libm in float, theta rounded to float */
static void
box_muller16_libm(float *d, float mean, float std)
{
    for (int j = 0; j < 8; j++) {
        float radius = sqrtf(-2.0f * logf(1.0f - d[j]));
        float theta = (float)(2.0 * PI_D * (double)d[j + 8]);
        d[j] = fmaf(radius * cosf(theta), std, mean);
        d[j + 8] = fmaf(radius * sinf(theta), std, mean);
    }
}

typedef void (*box_muller16_fn)(float *d, float mean, float std);

static box_muller16_fn
pick_box_muller16(void)
{
    if (!tt_random_avx2_normal())
        return box_muller16_libm;
#ifdef HAVE_FMA_CLONE
    if (cpu_has_fma() && __builtin_cpu_supports("avx2"))
        return box_muller16_cephes_fma;
#endif
    return box_muller16_cephes;
}

/* NormalFill16<double> */
static void
box_muller16_d(double *d, double mean, double std)
{
    for (int j = 0; j < 8; j++) {
        double u1 = 1.0 - d[j], u2 = d[j + 8];
        double radius = sqrt(-2.0 * log(u1));
        double theta = 2.0 * PI_D * u2;
        d[j] = fma(radius * cos(theta), std, mean);
        d[j + 8] = fma(radius * sin(theta), std, mean);
    }
}

static void
normal_fill_f32(tt_generator *g, float *o, int64_t n, float mean, float std)
{
    box_muller16_fn box_muller16_f = pick_box_muller16();
    for (int64_t i = 0; i < n; i++)
        o[i] = uniform_f(g);
    for (int64_t i = 0; i + 16 <= n; i += 16)
        box_muller16_f(o + i, mean, std);
    if (n % 16 != 0) {
        for (int64_t i = n - 16; i < n; i++)
            o[i] = uniform_f(g);
        box_muller16_f(o + n - 16, mean, std);
    }
}

static void
normal_fill_f64(tt_generator *g, double *o, int64_t n, double mean, double std)
{
    for (int64_t i = 0; i < n; i++)
        o[i] = uniform_d(g);
    for (int64_t i = 0; i + 16 <= n; i += 16)
        box_muller16_d(o + i, mean, std);
    if (n % 16 != 0) {
        for (int64_t i = n - 16; i < n; i++)
            o[i] = uniform_d(g);
        box_muller16_d(o + n - 16, mean, std);
    }
}

static void
normal_block16_16bit(tt_generator *g, uint16_t *o, uint16_t (*narrow)(float),
                     box_muller16_fn box_muller16_f, float mean, float std)
{
    float buf[16];
    for (int j = 0; j < 16; j++)
        buf[j] = uniform_f(g);
    box_muller16_f(buf, mean, std);
    for (int j = 0; j < 16; j++)
        o[j] = narrow(buf[j]);
}

/* the path of small and non-contiguous tensors: normal_distribution<double> each */
static void
normal_serial(tt_generator *g, void *out, tt_dtype dtype, int64_t n, double mean,
              double std)
{
    for (int64_t i = 0; i < n; i++)
        put_double(out, dtype, i, normal_d(g, mean, std));
}

tt_status
tt_random_normal_serial(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                        double mean, double std)
{
    tt_status st = check_args(out, dtype, n, "normal_kernel_cpu");
    if (st != TT_OK)
        return st;
    if (!(std >= 0.0))
        return tt_fail(TT_ERUNTIME, "normal expects std >= 0.0, but found std %g", std);
    pthread_mutex_lock(&g->lock);
    normal_serial(g, out, dtype, n, mean, std);
    pthread_mutex_unlock(&g->lock);
    return TT_OK;
}

tt_status
tt_random_normal(tt_generator *g, void *out, tt_dtype dtype, int64_t n, double mean,
                 double std)
{
    tt_status st = check_args(out, dtype, n, "normal_kernel_cpu");
    if (st != TT_OK)
        return st;
    if (!(std >= 0.0))
        return tt_fail(TT_ERUNTIME, "normal expects std >= 0.0, but found std %g", std);
    pthread_mutex_lock(&g->lock);
    if (n < 16) {
        normal_serial(g, out, dtype, n, mean, std);
    } else if (dtype == TT_FLOAT64) {
        normal_fill_f64(g, out, n, mean, std);
    } else if (dtype == TT_FLOAT32) {
        normal_fill_f32(g, out, n, (float)mean, (float)std);
    } else {
        uint16_t (*narrow)(float) = dtype == TT_FLOAT16 ? tt_f32_to_f16 : tt_f32_to_bf16;
        uint16_t *o = out;
        box_muller16_fn bm = pick_box_muller16();
        for (int64_t i = 0; i + 16 <= n; i += 16)
            normal_block16_16bit(g, o + i, narrow, bm, (float)mean, (float)std);
        if (n % 16 != 0)
            normal_block16_16bit(g, o + n - 16, narrow, bm, (float)mean, (float)std);
    }
    pthread_mutex_unlock(&g->lock);
    return TT_OK;
}

/* ---- random_ ---------------------------------------------------------------------- */

/* torch's update_from/update_to: nudge bounds so the cast to a float dtype stays in
 * [from, to) */
static int64_t
float_digits(tt_dtype dtype)
{
    switch (dtype) {
    case TT_FLOAT16: return 11;
    case TT_BFLOAT16: return 8;
    case TT_FLOAT32: return 24;
    default: return 53;
    }
}

static double
round_to_dtype(tt_dtype dtype, int64_t v)
{
    float f = (float)v;
    switch (dtype) {
    case TT_FLOAT16: return tt_f16_to_f32(tt_f32_to_f16(f));
    case TT_BFLOAT16: return tt_bf16_to_f32(tt_f32_to_bf16(f));
    case TT_FLOAT32: return f;
    default: return (double)v;
    }
}

static int64_t
to_int64_sat(double v)
{
    /* the C++ cast is undefined out of range; x86 gives INT64_MIN, as here */
    if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0))
        return INT64_MIN;
    return (int64_t)v;
}

static int
log2_floor(int64_t v)
{
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    while (u >>= 1)
        n++;
    return n;
}

static int64_t
update_from(tt_dtype dtype, int64_t from)
{
    int64_t from_plus_1 = to_int64_sat(round_to_dtype(dtype, from + 1));
    if (from_plus_1 < from)
        from = from_plus_1 + ((int64_t)1 << (log2_floor(from + 1) - float_digits(dtype) + 1));
    return from;
}

static int64_t
update_to(tt_dtype dtype, int64_t to)
{
    int64_t to_minus_1 = to_int64_sat(round_to_dtype(dtype, to - 1));
    if (to_minus_1 >= to)
        to = to_minus_1 - ((int64_t)1 << (log2_floor(to - 1) - float_digits(dtype) + 1));
    return to;
}

static void
int_range(tt_dtype dtype, int64_t *lo, int64_t *hi)
{
    switch (dtype) {
    case TT_BOOL: *lo = 0; *hi = 1; break;
    case TT_UINT8: *lo = 0; *hi = 255; break;
    case TT_INT8: *lo = -128; *hi = 127; break;
    case TT_INT16: *lo = -32768; *hi = 32767; break;
    case TT_INT32: *lo = INT32_MIN; *hi = INT32_MAX; break;
    default: *lo = INT64_MIN; *hi = INT64_MAX; break;
    }
}

/* check_from_to_in_range: both ends must be representable in dtype */
static tt_status
check_from_to(tt_dtype dtype, int64_t from, int64_t to_inc)
{
    if (is_floating(dtype)) {
        double max = dtype_max(dtype);
        if (!((double)from >= -max && (double)from <= max))
            return tt_fail(TT_ERUNTIME, "from is out of bounds for %s", cpp_name(dtype));
        if (!((double)to_inc >= -max && (double)to_inc <= max))
            return tt_fail(TT_ERUNTIME, "to - 1 is out of bounds for %s", cpp_name(dtype));
        return TT_OK;
    }
    int64_t lo, hi;
    int_range(dtype, &lo, &hi);
    if (from < lo || from > hi)
        return tt_fail(TT_ERUNTIME, "from is out of bounds for %s", cpp_name(dtype));
    if (to_inc < lo || to_inc > hi)
        return tt_fail(TT_ERUNTIME, "to - 1 is out of bounds for %s", cpp_name(dtype));
    return TT_OK;
}

/* uniform_int_from_to_distribution: (r % range) + base, r 64-bit once range >= 2^28 */
static void
fill_from_to(tt_generator *g, void *out, tt_dtype dtype, int64_t n, uint64_t range,
             int64_t base)
{
    if (dtype == TT_INT64 && range < (UINT64_C(1) << 28)) {
        int64_t *o = out;
        for (int64_t i = 0; i < n; i++)
            o[i] = (int64_t)((uint64_t)draw32(g) % range + (uint64_t)base);
        return;
    }
    for (int64_t i = 0; i < n; i++) {
        uint64_t r = range >= (UINT64_C(1) << 28) ? draw64(g) : draw32(g);
        put_int64(out, dtype, i, (int64_t)(r % range + (uint64_t)base));
    }
}

tt_status
tt_random_from_to(tt_generator *g, void *out, tt_dtype dtype, int64_t n, int64_t from,
                  int64_t to)
{
    tt_status st = check_args(out, dtype, n, NULL);
    if (st != TT_OK)
        return st;
    if (from >= to)
        return tt_fail(TT_ERUNTIME, "random_ expects 'from' to be less than 'to', but got "
                       "from=%lld >= to=%lld", (long long)from, (long long)to);
    if (is_floating(dtype)) {
        from = update_from(dtype, from);
        to = update_to(dtype, to);
        if (from >= to)
            return tt_fail(TT_ERUNTIME, "random_ expects 'from' casted to dtype to be less "
                           "than 'to' casted to dtype, but got from=%lld >= to=%lld",
                           (long long)from, (long long)to);
    }
    if ((st = check_from_to(dtype, from, to - 1)) != TT_OK)
        return st;
    pthread_mutex_lock(&g->lock);
    fill_from_to(g, out, dtype, n, (uint64_t)to - (uint64_t)from, from);
    pthread_mutex_unlock(&g->lock);
    return TT_OK;
}

tt_status
tt_random_from(tt_generator *g, void *out, tt_dtype dtype, int64_t n, int64_t from)
{
    tt_status st = check_args(out, dtype, n, NULL);
    if (st != TT_OK)
        return st;
    if (from == INT64_MIN) {
        /* random_full_64_bits_range: every int64, then cast */
        if (dtype != TT_INT64 && dtype != TT_FLOAT32 && dtype != TT_FLOAT64
            && dtype != TT_BFLOAT16)
            return tt_fail(TT_ERUNTIME, "random_full_64_bits_range_kernel_cpu handles only "
                           "int64, double, float and bfloat16");
        pthread_mutex_lock(&g->lock);
        for (int64_t i = 0; i < n; i++)
            put_int64(out, dtype, i, (int64_t)draw64(g));
        pthread_mutex_unlock(&g->lock);
        return TT_OK;
    }
    int64_t to_inc, lo;
    if (is_floating(dtype)) {
        int64_t digits = float_digits(dtype);
        to_inc = (int64_t)1 << digits;
        from = update_from(dtype, from);
        if (from >= to_inc)
            return tt_fail(TT_ERUNTIME, "random_ expects 'from' casted to dtype to be less "
                           "than or equal to 'to_inc' casted to dtype, but got from=%lld > "
                           "to_inc=%lld", (long long)from, (long long)to_inc);
    } else {
        int_range(dtype, &lo, &to_inc);
    }
    if ((st = check_from_to(dtype, from, to_inc)) != TT_OK)
        return st;
    pthread_mutex_lock(&g->lock);
    fill_from_to(g, out, dtype, n, (uint64_t)to_inc - (uint64_t)from + 1, from);
    pthread_mutex_unlock(&g->lock);
    return TT_OK;
}

tt_status
tt_random_default(tt_generator *g, void *out, tt_dtype dtype, int64_t n)
{
    tt_status st = check_args(out, dtype, n, NULL);
    if (st != TT_OK)
        return st;
    /* uniform_int_distribution: 64-bit draws for int64 and double only */
    uint64_t modulus;
    switch (dtype) {
    case TT_BOOL: modulus = 2; break;
    case TT_UINT8: modulus = 256; break;
    case TT_INT8: modulus = 128; break;
    case TT_INT16: modulus = 32768; break;
    case TT_INT32: modulus = UINT64_C(1) << 31; break;
    case TT_INT64: modulus = UINT64_C(1) << 63; break;
    default: modulus = (UINT64_C(1) << float_digits(dtype)) + 1; break;
    }
    bool wide = dtype == TT_INT64 || dtype == TT_FLOAT64;
    pthread_mutex_lock(&g->lock);
    for (int64_t i = 0; i < n; i++) {
        uint64_t r = wide ? draw64(g) : draw32(g);
        put_int64(out, dtype, i, (int64_t)(r % modulus));
    }
    pthread_mutex_unlock(&g->lock);
    return TT_OK;
}

/* ---- randperm --------------------------------------------------------------------- */

/* element access through int64 for the swaps (values are exact in every dtype that
 * passes the size check) */
static inline int64_t
get_int64(const void *in, tt_dtype dtype, int64_t i)
{
    switch (dtype) {
    case TT_UINT8: return ((const uint8_t *)in)[i];
    case TT_INT8: return ((const int8_t *)in)[i];
    case TT_INT16: return ((const int16_t *)in)[i];
    case TT_INT32: return ((const int32_t *)in)[i];
    case TT_INT64: return ((const int64_t *)in)[i];
    default: return (int64_t)get_double(in, dtype, i);
    }
}

tt_status
tt_random_randperm(tt_generator *g, void *out, tt_dtype dtype, int64_t n)
{
    tt_status st = check_args(out, dtype, n, NULL);
    if (st != TT_OK)
        return st;
    if (dtype == TT_BOOL)
        return tt_fail(TT_EDTYPE, "\"randperm\" not implemented for 'Bool'");
    if (!is_floating(dtype)) {
        int64_t lo, hi;
        int_range(dtype, &lo, &hi);
        if ((n > 0 ? n - 1 : n) > hi)
            return tt_fail(TT_ERUNTIME, "value cannot be converted to type %s without "
                           "overflow", dtype == TT_UINT8 ? "uint8_t" : dtype == TT_INT8
                           ? "int8_t" : dtype == TT_INT16 ? "int16_t" : "int32_t");
    } else if (dtype == TT_FLOAT16 && n > 2049) {
        return tt_fail(TT_ERUNTIME, "n cannot be greater than 2049 for Half type.");
    } else if (dtype == TT_FLOAT32 && n > (INT64_C(1) << 24) + 1) {
        return tt_fail(TT_ERUNTIME, "n cannot be greater than 2^24+1 for Float type.");
    } else if (dtype == TT_FLOAT64 && n > (INT64_C(1) << 53) + 1) {
        return tt_fail(TT_ERUNTIME, "n cannot be greater than 2^53+1 for Double type.");
    }
    pthread_mutex_lock(&g->lock);
    if (dtype == TT_INT64 && n < (int64_t)(UINT32_MAX / 20)) {
        int64_t *o = out;       /* the common case, without per-element dtype dispatch */
        for (int64_t i = 0; i < n; i++)
            o[i] = i;
        for (int64_t i = 0; i < n - 1; i++) {
            int64_t z = (int64_t)draw32(g) % (n - i), t = o[i];
            o[i] = o[z + i];
            o[z + i] = t;
        }
    } else if (n < (int64_t)(UINT32_MAX / 20)) {
        /* Fisher-Yates from the front with 32-bit draws (torch's "small n") */
        for (int64_t i = 0; i < n; i++)
            put_int64(out, dtype, i, i);
        for (int64_t i = 0; i < n - 1; i++) {
            int64_t z = (int64_t)draw32(g) % (n - i);
            int64_t a = get_int64(out, dtype, i), b = get_int64(out, dtype, z + i);
            put_int64(out, dtype, i, b);
            put_int64(out, dtype, z + i, a);
        }
    } else {
        /* inside-out Fisher-Yates with 64-bit draws */
        for (int64_t i = 0; i < n; i++) {
            int64_t z = (int64_t)(draw64(g) % (uint64_t)(i + 1));
            put_int64(out, dtype, i, get_int64(out, dtype, z));
            put_int64(out, dtype, z, i);
        }
    }
    pthread_mutex_unlock(&g->lock);
    return TT_OK;
}

/* ---- bernoulli_ ------------------------------------------------------------------- */

/* Note [bernoulli_ scalar]: bernoulli_distribution<double>: u53 < p.  Older torch
 * builds sent a float p (and exponential_) through MKL streams on Intel CPUs; torch
 * 2.13's CPU kernels call the plain samplers on every CPU (checked in its binary). */
tt_status
tt_random_bernoulli(tt_generator *g, void *out, tt_dtype dtype, int64_t n, double p)
{
    tt_status st = check_args(out, dtype, n, NULL);
    if (st != TT_OK)
        return st;
    if (!(0 <= p && p <= 1))
        return tt_fail(TT_ERUNTIME, "bernoulli_ expects p to be in [0, 1], but got p=%g", p);
    pthread_mutex_lock(&g->lock);
    for (int64_t i = 0; i < n; i++)
        put_int64(out, dtype, i, uniform_d(g) < p);
    pthread_mutex_unlock(&g->lock);
    return TT_OK;
}

tt_status
tt_random_bernoulli_tensor(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                           const void *p, tt_dtype p_dtype)
{
    tt_status st = check_args(out, dtype, n, NULL);
    if (st != TT_OK)
        return st;
    if (!is_floating(p_dtype))
        return tt_fail(TT_EDTYPE, "\"bernoulli_tensor_cpu_p_\" not implemented for '%s'",
                       type_name(p_dtype));
    pthread_mutex_lock(&g->lock);
    if (p_dtype == TT_FLOAT64) {
        for (int64_t i = 0; i < n; i++)
            put_int64(out, dtype, i, uniform_d(g) < ((const double *)p)[i]);
    } else {
        /* bernoulli_distribution<float>: 24-bit float uniform against p as float */
        for (int64_t i = 0; i < n; i++)
            put_int64(out, dtype, i, uniform_f(g) < (float)get_double(p, p_dtype, i));
    }
    pthread_mutex_unlock(&g->lock);
    return TT_OK;
}

/* ---- exponential_, geometric_, log_normal_, cauchy_ ----------------------------------- */

static void
fill_exponential(tt_generator *g, void *out, tt_dtype dtype, int64_t n, double lambd)
{
    double scale = -1.0 / lambd;
    for (int64_t i = 0; i < n; i++)
        put_double(out, dtype, i, scale * log1p(-uniform_d(g)));
}

tt_status
tt_random_exponential(tt_generator *g, void *out, tt_dtype dtype, int64_t n, double lambd)
{
    tt_status st = check_args(out, dtype, n, NULL);
    if (st != TT_OK)
        return st;
    if (!(lambd > 0.0))
        return tt_fail(TT_ERUNTIME, "exponential_ expects lambda > 0.0, but found lambda=%g",
                       lambd);
    if ((st = check_continuous(dtype, "Exponential")) != TT_OK)
        return st;
    pthread_mutex_lock(&g->lock);
    fill_exponential(g, out, dtype, n, lambd);
    pthread_mutex_unlock(&g->lock);
    return TT_OK;
}

tt_status
tt_random_geometric(tt_generator *g, void *out, tt_dtype dtype, int64_t n, double p)
{
    tt_status st = check_args(out, dtype, n, NULL);
    if (st != TT_OK)
        return st;
    if (dtype == TT_BOOL)
        return tt_fail(TT_EDTYPE, "\"geometric_cpu\" not implemented for 'Bool'");
    if (!(0 < p && p < 1))
        return tt_fail(TT_ERUNTIME, "geometric_ expects p to be in (0, 1), but got p=%g", p);
    double denom = log1p(-p);
    pthread_mutex_lock(&g->lock);
    for (int64_t i = 0; i < n; i++)
        put_double(out, dtype, i, ceil(log(uniform_d(g)) / denom));
    pthread_mutex_unlock(&g->lock);
    return TT_OK;
}

tt_status
tt_random_log_normal(tt_generator *g, void *out, tt_dtype dtype, int64_t n, double mean,
                     double std)
{
    tt_status st = check_args(out, dtype, n, "log_normal_cpu");
    if (st != TT_OK)
        return st;
    if (!(std > 0.0))
        return tt_fail(TT_ERUNTIME, "log_normal_ expects std > 0.0, but found std=%g", std);
    pthread_mutex_lock(&g->lock);
    for (int64_t i = 0; i < n; i++)
        put_double(out, dtype, i, exp(normal_d(g, mean, std)));
    pthread_mutex_unlock(&g->lock);
    return TT_OK;
}

tt_status
tt_random_cauchy(tt_generator *g, void *out, tt_dtype dtype, int64_t n, double median,
                 double sigma)
{
    tt_status st = check_args(out, dtype, n, NULL);
    if (st != TT_OK)
        return st;
    if (!(sigma > 0.0))
        return tt_fail(TT_ERUNTIME, "cauchy_ expects sigma > 0.0, but found sigma=%g", sigma);
    if ((st = check_continuous(dtype, "Cauchy")) != TT_OK)
        return st;
    pthread_mutex_lock(&g->lock);
    for (int64_t i = 0; i < n; i++)
        put_double(out, dtype, i, fma(sigma, tan(PI_D * (uniform_d(g) - 0.5)), median));
    pthread_mutex_unlock(&g->lock);
    return TT_OK;
}

/* ---- multinomial ------------------------------------------------------------------ */

/* With replacement (n_sample > 1): normalised cumulative sums in the probabilities'
 * dtype (float for half/bf16), then a binary search per 53-bit uniform. */
static tt_status
multinomial_cumulative(tt_generator *g, int64_t *out, const void *probs, tt_dtype dtype,
                       int64_t n_dist, int64_t n_cat, int64_t n_sample)
{
    bool wide = dtype == TT_FLOAT64;
    void *cum = malloc((size_t)n_cat * (wide ? sizeof(double) : sizeof(float)));
    if (cum == NULL)
        return tt_fail(TT_ENOMEM, "multinomial: out of memory");
    double *cd = cum;
    float *cf = cum;
    for (int64_t i = 0; i < n_dist; i++) {
        double sum_d = 0;
        float sum_f = 0;
        for (int64_t j = 0; j < n_cat; j++) {
            double v = get_double(probs, dtype, i * n_cat + j);
            if (!(v >= 0)) {        /* NaN fails this first check in torch too */
                free(cum);
                return tt_fail(TT_ERUNTIME, "invalid multinomial distribution (encountering "
                               "probability entry < 0)");
            }
            if (isinf(v)) {
                free(cum);
                return tt_fail(TT_ERUNTIME, "invalid multinomial distribution "
                               "(encountering probability entry = infinity or NaN)");
            }
            if (wide)
                cd[j] = sum_d += v;
            else
                cf[j] = sum_f += (float)v;
        }
        if (!(wide ? sum_d > 0 : sum_f > 0)) {
            free(cum);
            return tt_fail(TT_ERUNTIME, "invalid multinomial distribution (sum of "
                           "probabilities <= 0)");
        }
        for (int64_t j = 0; j < n_cat; j++) {
            if (wide)
                cd[j] /= sum_d;
            else
                cf[j] /= sum_f;
        }
        for (int64_t k = 0; k < n_sample; k++) {
            double u = uniform_d(g);
            int64_t left = 0, right = n_cat;
            if (wide)
                cd[n_cat - 1] = 1;
            else
                cf[n_cat - 1] = 1;
            while (right - left > 0) {
                int64_t mid = left + (right - left) / 2;
                double c = wide ? cd[mid] : (double)cf[mid];
                if (c < u)
                    left = mid + 1;
                else
                    right = mid;
            }
            out[i * n_sample + k] = left;
        }
    }
    free(cum);
    return TT_OK;
}

/* Note [topk ties]: multinomial without replacement ends in torch.topk, which sorts
 * (value, index) pairs with libstdc++'s std::partial_sort (k * 64 <= n) or
 * std::nth_element + std::sort, comparing values only.  Equal values (zero
 * probabilities, or 16-bit floats) come out in whatever order those algorithms leave
 * them, so stl_order.c's tt_topk_order (libstdc++'s algorithms step for step) orders
 * the samples, on descending keys (complemented): NaN first, then larger values. */

/* Without replacement (or one sample): argmax / topk of p / q with q ~ Exp(1), the
 * division rounded to the probabilities' dtype (torch's "Gumbel" trick). */
static tt_status
multinomial_gumbel(tt_generator *g, int64_t *out, const void *probs, tt_dtype dtype,
                   int64_t n_dist, int64_t n_cat, int64_t n_sample)
{
    int64_t total = n_dist * n_cat;
    size_t item = (size_t)tt_dtypes[dtype].itemsize;
    void *q = malloc((size_t)total * item);
    tt_keyed *rank = malloc((size_t)n_cat * sizeof *rank);
    if (q == NULL || rank == NULL) {
        free(q);
        free(rank);
        return tt_fail(TT_ENOMEM, "multinomial: out of memory");
    }
    fill_exponential(g, q, dtype, total, 1.0);
    for (int64_t i = 0; i < total; i++) {
        double r = get_double(probs, dtype, i) / get_double(q, dtype, i);
        if (dtype != TT_FLOAT64)
            r = (float)r;   /* float division; for half/bf16 round once more below */
        put_double(q, dtype, i, r);
    }
    for (int64_t i = 0; i < n_dist; i++) {
        if (n_sample == 1) {
            int64_t best = 0;   /* argmax: first maximum, NaN wins */
            double top = get_double(q, dtype, i * n_cat);
            for (int64_t j = 1; j < n_cat && !isnan(top); j++) {
                double v = get_double(q, dtype, i * n_cat + j);
                if (isnan(v) || v > top) {
                    best = j;
                    top = v;
                }
            }
            out[i] = best;
        } else {
            for (int64_t j = 0; j < n_cat; j++) {
                rank[j].key = ~tt_double_key(get_double(q, dtype, i * n_cat + j));
                rank[j].index = j;
            }
            tt_topk_order(rank, n_cat, n_sample, true);
            for (int64_t k = 0; k < n_sample; k++)
                out[i * n_sample + k] = rank[k].index;
        }
    }
    free(q);
    free(rank);
    return TT_OK;
}

tt_status
tt_random_multinomial(tt_generator *g, int64_t *out, const void *probs, tt_dtype dtype,
                      int64_t n_dist, int64_t n_categories, int64_t n_sample,
                      bool replacement)
{
    if (!is_floating(dtype))
        return tt_fail(TT_EDTYPE, "multinomial only supports floating-point dtypes for "
                       "input, got: %s", type_name(dtype));
    if (n_categories <= 0 || n_dist < 0)
        return tt_fail(TT_ERUNTIME, "prob_dist must be 1 or 2 dim with at least one "
                       "category");
    if (n_categories > (INT64_C(1) << 24))
        return tt_fail(TT_ERUNTIME, "number of categories cannot exceed 2^24");
    if (n_sample <= 0)
        return tt_fail(TT_ERUNTIME, "cannot sample n_sample <= 0 samples");
    if (!replacement && n_sample > n_categories)
        return tt_fail(TT_ERUNTIME, "cannot sample n_sample > prob_dist.size(-1) samples "
                       "without replacement");
    if (n_dist == 0)
        return TT_OK;
    if (!replacement || n_sample == 1) {
        /* torch checks the whole input first */
        for (int64_t i = 0; i < n_dist; i++) {
            double sum = 0;
            for (int64_t j = 0; j < n_categories; j++) {
                double v = get_double(probs, dtype, i * n_categories + j);
                if (!(v >= 0) || isinf(v))
                    return tt_fail(TT_ERUNTIME, "probability tensor contains either `inf`, "
                                   "`nan` or element < 0");
                sum += v;
            }
            if (sum == 0)
                return tt_fail(TT_ERUNTIME, "invalid multinomial distribution (sum of "
                               "probabilities <= 0)");
        }
    }
    pthread_mutex_lock(&g->lock);
    tt_status st = !replacement || n_sample == 1
        ? multinomial_gumbel(g, out, probs, dtype, n_dist, n_categories, n_sample)
        : multinomial_cumulative(g, out, probs, dtype, n_dist, n_categories, n_sample);
    pthread_mutex_unlock(&g->lock);
    return st;
}
