/* half.h -- conversions between float and the two 16-bit float formats.
 *
 * Note [16-bit floats]: float16 (1 sign, 5 exponent, 10 mantissa bits) and bfloat16
 * (1, 8, 7: the top half of a float32) are stored as uint16_t bit patterns.  Arithmetic
 * widens to float, computes, and narrows once with round-to-nearest-even, which is what
 * torch's CPU kernels do.  Widening is exact.  Narrowing keeps NaN a NaN (quiet), rounds
 * overflow to inf, and produces float16 subnormals.  Everything here is integer bit work
 * on memcpy'd values: no type punning through unions, so no undefined behaviour. */
#ifndef TT_HALF_H
#define TT_HALF_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#if defined(__F16C__) || defined(__AVX2__)
#include <immintrin.h>
#endif

static inline uint32_t
tt_f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float
tt_bits_f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline float
tt_bf16_to_f32(uint16_t h)
{
    return tt_bits_f32((uint32_t)h << 16);
}

static inline uint16_t
tt_f32_to_bf16(float f)
{
    uint32_t u = tt_f32_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u)        /* NaN: c10::BFloat16's one quiet NaN */
        return 0x7fc0u;
    /* round to nearest even: add 0x7fff plus the lowest kept bit, then truncate */
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

static inline float
tt_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t man = h & 0x3ffu;
    if (exp == 0x1f)                            /* inf, or NaN made quiet as F16C does */
        return tt_bits_f32(sign | 0x7f800000u | (man ? 0x400000u : 0u) | (man << 13));
    if (exp == 0) {
        if (man == 0)
            return tt_bits_f32(sign);
        /* subnormal: value is man * 2^-24, exactly representable in float */
        float v = (float)man * 5.9604644775390625e-08f;
        return sign ? -v : v;
    }
    return tt_bits_f32(sign | ((exp + 112u) << 23) | (man << 13));
}

static inline uint16_t
tt_f32_to_f16(float f)
{
    uint32_t u = tt_f32_bits(f);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    uint32_t a = u & 0x7fffffffu;
    if (a > 0x7f800000u)                        /* NaN */
        return (uint16_t)(sign | 0x7e00u | ((a >> 13) & 0x3ffu));
    if (a >= 0x477ff000u)                       /* rounds to >= 65520: inf */
        return (uint16_t)(sign | 0x7c00u);
    if (a < 0x38800000u) {                      /* below 2^-14: subnormal or zero */
        if (a < 0x33000000u)                    /* below 2^-25: rounds to zero */
            return sign;
        uint32_t exp = a >> 23;
        uint32_t man = (a & 0x7fffffu) | 0x800000u;
        uint32_t shift = 126u - exp;            /* 14..24 bits to drop */
        uint32_t kept = man >> shift;
        uint32_t rest = man & ((1u << shift) - 1u);
        uint32_t half = 1u << (shift - 1u);
        if (rest > half || (rest == half && (kept & 1u)))
            kept++;
        return (uint16_t)(sign | kept);
    }
    /* normal: rebias exponent, round the 13 dropped bits to nearest even */
    uint32_t r = a - 0x38000000u;               /* exponent 127 -> 15 bias */
    r += 0xfffu + ((r >> 13) & 1u);
    return (uint16_t)(sign | (r >> 13));
}

/* Whole runs of 16-bit floats widened to float and narrowed back (round to nearest
 * even): the contiguous loops of float16/bfloat16 compute a chunk at a time in float
 * buffers, so the arithmetic vectorises like float32's and each conversion is one
 * vector instruction (F16C) or a few integer ones, not a branchy scalar routine. */
static inline void
tt_widen_f16(float *restrict d, const uint16_t *restrict s, int64_t n)
{
    int64_t i = 0;
#if defined(__F16C__)
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(d + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(s + i))));
#endif
    for (; i < n; i++)
        d[i] = tt_f16_to_f32(s[i]);
}

static inline void
tt_narrow_f16(uint16_t *restrict d, const float *restrict s, int64_t n)
{
    int64_t i = 0;
#if defined(__F16C__)
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(d + i), _mm256_cvtps_ph(_mm256_loadu_ps(s + i),
                                                             _MM_FROUND_TO_NEAREST_INT));
#endif
    for (; i < n; i++)
        d[i] = tt_f32_to_f16(s[i]);
}

static inline void
tt_widen_bf16(float *restrict d, const uint16_t *restrict s, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        uint32_t u = (uint32_t)s[i] << 16;
        memcpy(d + i, &u, 4);
    }
}

/* all_ones_nan: NaN becomes 0xffff, as torch's vectorised casts write it (Note
 * [bfloat16 NaN] in cast.c); otherwise 0x7fc0, as tt_f32_to_bf16.
 * AVX2 does 16 at a time with the same bit operations as the loop below (GCC's own
 * vectorisation of that loop spends ~40% more instructions on NaN and narrowing):
 * round u + 0x7fff + bit 16, replace NaN lanes, keep the top halves. */
static inline void
tt_narrow_bf16(uint16_t *restrict d, const float *restrict s, int64_t n, bool all_ones_nan)
{
    int64_t i = 0;
#if defined(__AVX2__)
    const __m256i bias = _mm256_set1_epi32(0x7fff), one = _mm256_set1_epi32(1);
    const __m256i nan_bits = _mm256_set1_epi32(all_ones_nan ? -1 : 0x7fc00000);
    for (; i + 16 <= n; i += 16) {
        __m256i half[2];
        for (int h = 0; h < 2; h++) {
            __m256 f = _mm256_loadu_ps(s + i + 8 * h);
            __m256i u = _mm256_castps_si256(f);
            __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16), one);
            __m256i r = _mm256_add_epi32(_mm256_add_epi32(u, bias), lsb);
            __m256i nan = _mm256_castps_si256(_mm256_cmp_ps(f, f, _CMP_UNORD_Q));
            r = _mm256_blendv_epi8(r, nan_bits, nan);
            half[h] = _mm256_srli_epi32(r, 16);
        }
        /* packus works per 128-bit lane: the permute restores element order */
        __m256i packed = _mm256_packus_epi32(half[0], half[1]);
        _mm256_storeu_si256((__m256i *)(d + i), _mm256_permute4x64_epi64(packed, 0xd8));
    }
#endif
    for (; i < n; i++) {                    /* tt_f32_to_bf16 without branches */
        uint32_t u;
        memcpy(&u, s + i, 4);
        uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
        uint32_t nan = all_ones_nan ? 0xffffu : 0x7fc0u;
        d[i] = (uint16_t)((u & 0x7fffffffu) > 0x7f800000u ? nan : rounded);
    }
}

#endif
