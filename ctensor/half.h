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

#include <stdint.h>
#include <string.h>

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
    if ((u & 0x7fffffffu) > 0x7f800000u)        /* NaN: keep it a quiet NaN */
        return (uint16_t)((u >> 16) | 0x0040u);
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

#endif
