/* binary.c -- elementwise kernels of two inputs: out[i] = OP(a[i], b[i]).
 *
 * All three operands have one dtype here (the caller promotes and casts first; torch's
 * promotion rules live in Python + dtype.c).  Each op is one line in BINARY_OPS; the
 * per-dtype loops are generated from it and dtypes.def, and picked from a table.
 * float16/bfloat16 widen to float, compute, and round once (Note [16-bit floats]).
 * The contiguous branch is a plain indexed loop over restrict pointers, which gcc
 * vectorises at -O3; the scalar-operand branch (step 0) covers `t * 2.5`. */
#include <math.h>

#include "ctensor.h"
#include "internal.h"

/* widen and narrow one element: identity except for the 16-bit floats */
#define LOAD_AS_b(v) (v)
#define LOAD_AS_u8(v) (v)
#define LOAD_AS_i8(v) (v)
#define LOAD_AS_i16(v) (v)
#define LOAD_AS_i32(v) (v)
#define LOAD_AS_i64(v) (v)
#define LOAD_AS_f16(v) tt_f16_to_f32(v)
#define LOAD_AS_bf16(v) tt_bf16_to_f32(v)
#define LOAD_AS_f32(v) (v)
#define LOAD_AS_f64(v) (v)
#define STORE_AS_b(v) (v)
#define STORE_AS_u8(v) (v)
#define STORE_AS_i8(v) (v)
#define STORE_AS_i16(v) (v)
#define STORE_AS_i32(v) (v)
#define STORE_AS_i64(v) (v)
#define STORE_AS_f16(v) tt_f32_to_f16(v)
#define STORE_AS_bf16(v) tt_f32_to_bf16(v)
#define STORE_AS_f32(v) (v)
#define STORE_AS_f64(v) (v)

/* generates <op>_<suffix>: o[i] = STORE(EXPR(x = LOAD(a[i]), y = LOAD(b[i]))) */
#define BINARY_LOOP(op, EXPR, sfx, T, C)                                              \
    static void op##_##sfx(char **ptr, const int64_t *step, int64_t n,               \
                           const void *extra)                                         \
    {                                                                                 \
        (void)extra;                                                                  \
        if (step[0] == sizeof(T) && step[1] == sizeof(T) && step[2] == sizeof(T)) {   \
            T *restrict o = (T *)ptr[0];                                              \
            const T *restrict a = (const T *)ptr[1], *restrict b = (const T *)ptr[2]; \
            for (int64_t i = 0; i < n; i++) {                                         \
                C x = LOAD_AS_##sfx(a[i]), y = LOAD_AS_##sfx(b[i]);                   \
                o[i] = STORE_AS_##sfx(EXPR);                                          \
            }                                                                         \
        } else if (step[0] == sizeof(T) && step[1] == sizeof(T) && step[2] == 0) {    \
            T *restrict o = (T *)ptr[0];                                              \
            const T *restrict a = (const T *)ptr[1];                                  \
            C y = LOAD_AS_##sfx(*(const T *)ptr[2]);                                  \
            for (int64_t i = 0; i < n; i++) {                                         \
                C x = LOAD_AS_##sfx(a[i]);                                            \
                o[i] = STORE_AS_##sfx(EXPR);                                          \
            }                                                                         \
        } else {                                                                      \
            char *o = ptr[0];                                                         \
            const char *a = ptr[1], *b = ptr[2];                                      \
            for (int64_t i = 0; i < n; i++, o += step[0], a += step[1], b += step[2]) {\
                C x = LOAD_AS_##sfx(*(const T *)a), y = LOAD_AS_##sfx(*(const T *)b); \
                *(T *)o = STORE_AS_##sfx(EXPR);                                       \
            }                                                                         \
        }                                                                             \
    }

/* the ops defined for every dtype (bool included: add is `or`, as torch) */
#define ARITH_OPS(Y)                                                                  \
    Y(add, x + y)                                                                     \
    Y(sub, x - y)                                                                     \
    Y(mul, x * y)

#define STAMP_ARITH(ENUM, ctype, sfx, compute, category, name)                      \
    ARITH_OPS(STAMP_ONE_##sfx)
#define STAMP_ONE(op, EXPR, sfx, T, C) BINARY_LOOP(op, EXPR, sfx, T, C)
#define STAMP_ONE_b(op, EXPR) BINARY_LOOP(op, (bool)(EXPR), b, bool, int)
#define STAMP_ONE_u8(op, EXPR) BINARY_LOOP(op, (uint8_t)(EXPR), u8, uint8_t, uint32_t)
#define STAMP_ONE_i8(op, EXPR) BINARY_LOOP(op, (int8_t)(uint8_t)(EXPR), i8, int8_t, int32_t)
#define STAMP_ONE_i16(op, EXPR) BINARY_LOOP(op, (int16_t)(uint16_t)(EXPR), i16, int16_t, int32_t)
#define STAMP_ONE_i32(op, EXPR) BINARY_LOOP(op, (int32_t)(EXPR), i32, int32_t, int64_t)
#define STAMP_ONE_i64(op, EXPR) BINARY_LOOP(op, (int64_t)(EXPR), i64, int64_t, uint64_t)
#define STAMP_ONE_f16(op, EXPR) BINARY_LOOP(op, EXPR, f16, uint16_t, float)
#define STAMP_ONE_bf16(op, EXPR) BINARY_LOOP(op, EXPR, bf16, uint16_t, float)
#define STAMP_ONE_f32(op, EXPR) BINARY_LOOP(op, EXPR, f32, float, float)
#define STAMP_ONE_f64(op, EXPR) BINARY_LOOP(op, EXPR, f64, double, double)
/* generates add_b ... mul_f64 */
TT_DTYPES(STAMP_ARITH)

tt_loop
tt_add_loop(tt_dtype dtype)
{
    static const tt_loop table[TT_NUM_DTYPES] = {
#define X(ENUM, ctype, sfx, compute, category, name) add_##sfx,
        TT_DTYPES(X)
#undef X
    };
    return table[dtype];
}
