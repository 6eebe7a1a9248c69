/* elementwise.h -- what the generated elementwise kernels share (binary.c, unary.c,
 * ternary.c): loading and storing one element of each dtype, and the per-dtype
 * parameters the op expressions of binary_ops.def and unary_ops.def may use.
 *
 * A kernel file defines EW_LOOP(sfx, T, CT, UT, ST, NBITS, SGN, KIND, <op columns>)
 * and expands its op list once per dtype with EW_<sfx> (see binary.c). */
#ifndef TT_ELEMENTWISE_H
#define TT_ELEMENTWISE_H

#include <string.h>

#include "ctensor.h"
#include "half.h"

/* dtype families, as the `kinds` column of the op lists names them */
#define KB 1    /* bool */
#define KI 2    /* integers */
#define KF 4    /* floating */

/* Per dtype: T storage, C compute, U wrapping twin, S signed twin, bits, signed, family.
 * Narrow integers compute in their own type (C's usual promotions make that exact);
 * the 16-bit floats compute in float (Note [16-bit floats] in half.h). */
#define EW_b(...) EW_LOOP(b, bool, bool, uint32_t, int8_t, 8, 0, KB, __VA_ARGS__)
#define EW_u8(...) EW_LOOP(u8, uint8_t, uint8_t, uint32_t, int8_t, 8, 0, KI, __VA_ARGS__)
#define EW_i8(...) EW_LOOP(i8, int8_t, int8_t, uint32_t, int8_t, 8, 1, KI, __VA_ARGS__)
#define EW_i16(...) EW_LOOP(i16, int16_t, int16_t, uint32_t, int16_t, 16, 1, KI, \
                            __VA_ARGS__)
#define EW_i32(...) EW_LOOP(i32, int32_t, int32_t, uint32_t, int32_t, 32, 1, KI, \
                            __VA_ARGS__)
#define EW_i64(...) EW_LOOP(i64, int64_t, int64_t, uint64_t, int64_t, 64, 1, KI, \
                            __VA_ARGS__)
#define EW_f16(...) EW_LOOP(f16, uint16_t, float, int, int, 0, 1, KF, __VA_ARGS__)
#define EW_bf16(...) EW_LOOP(bf16, uint16_t, float, int, int, 0, 1, KF, __VA_ARGS__)
#define EW_f32(...) EW_LOOP(f32, float, float, int, int, 0, 1, KF, __VA_ARGS__)
#define EW_f64(...) EW_LOOP(f64, double, double, int, int, 0, 1, KF, __VA_ARGS__)

/* The loop body's prelude: names the per-dtype parameters for the op expressions. */
#define EW_TYPES(CT, UT, ST, NBITS, SGN)                                                   \
    typedef CT C;                                                                          \
    typedef UT U;                                                                          \
    typedef ST S;                                                                          \
    enum { BITS = NBITS, SIGNED = SGN };                                                   \
    (void)sizeof(U), (void)sizeof(S)

/* loading and storing one element: identity except for the 16-bit floats */
#define LOAD_b(v) (v)
#define LOAD_u8(v) (v)
#define LOAD_i8(v) (v)
#define LOAD_i16(v) (v)
#define LOAD_i32(v) (v)
#define LOAD_i64(v) (v)
#define LOAD_f16(v) tt_f16_to_f32(v)
#define LOAD_bf16(v) tt_bf16_to_f32(v)
#define LOAD_f32(v) (v)
#define LOAD_f64(v) (v)
#define STORE_SAME_b(v) ((bool)(v))
#define STORE_SAME_u8(v) ((uint8_t)(v))
#define STORE_SAME_i8(v) ((int8_t)(v))
#define STORE_SAME_i16(v) ((int16_t)(v))
#define STORE_SAME_i32(v) ((int32_t)(v))
#define STORE_SAME_i64(v) ((int64_t)(v))
#define STORE_SAME_f16(v) tt_f32_to_f16(v)
#define STORE_SAME_bf16(v) tt_f32_to_bf16(v)
#define STORE_SAME_f32(v) (v)
#define STORE_SAME_f64(v) (v)
#define STORE_BOOL(sfx, v) ((bool)(v))
#define STORE_SAME(sfx, v) STORE_SAME_##sfx(v)
#define OUT_T_SAME(T) T
#define OUT_T_BOOL(T) bool

/* float16/bfloat16 loops compute this many elements at a time in float buffers */
#define EW_CHUNK 256

/* per dtype: is it computed through float chunks, and the chunk converters */
#define IS16_b 0
#define IS16_u8 0
#define IS16_i8 0
#define IS16_i16 0
#define IS16_i32 0
#define IS16_i64 0
#define IS16_f16 1
#define IS16_bf16 1
#define IS16_f32 0
#define IS16_f64 0
#define WIDEN_f16 tt_widen_f16
#define WIDEN_bf16 tt_widen_bf16
#define NARROW_f16 tt_narrow_f16
#define NARROW_bf16(d, s, n) tt_narrow_bf16(d, s, n, false)
#define WIDEN_b(d, s, n) ((void)0)
#define WIDEN_u8 WIDEN_b
#define WIDEN_i8 WIDEN_b
#define WIDEN_i16 WIDEN_b
#define WIDEN_i32 WIDEN_b
#define WIDEN_i64 WIDEN_b
#define WIDEN_f32 WIDEN_b
#define WIDEN_f64 WIDEN_b
#define NARROW_b WIDEN_b
#define NARROW_u8 WIDEN_b
#define NARROW_i8 WIDEN_b
#define NARROW_i16 WIDEN_b
#define NARROW_i32 WIDEN_b
#define NARROW_i64 WIDEN_b
#define NARROW_f32 WIDEN_b
#define NARROW_f64 WIDEN_b

/* round a float to bfloat16 and back: torch's bfloat16 arithmetic rounds after every
 * operation of a composite formula (used where torch computes in bfloat16 itself) */
#define ROUND_BF16_b(v) (v)
#define ROUND_BF16_u8(v) (v)
#define ROUND_BF16_i8(v) (v)
#define ROUND_BF16_i16(v) (v)
#define ROUND_BF16_i32(v) (v)
#define ROUND_BF16_i64(v) (v)
#define ROUND_BF16_f16(v) (v)
#define ROUND_BF16_bf16(v) tt_bf16_to_f32(tt_f32_to_bf16(v))
#define ROUND_BF16_f32(v) (v)
#define ROUND_BF16_f64(v) (v)

/* the expression for a dtype family */
#define PICK_KB(eb, ei, ef) eb
#define PICK_KI(eb, ei, ef) ei
#define PICK_KF(eb, ei, ef) ef

/* loops[op][dtype] rows: the family's loop, or NULL where torch has no kernel */
#define EW_TABLE_ROW(name, kinds)                                                          \
    {(kinds) & KB ? name##_b : NULL,    (kinds) & KI ? name##_u8 : NULL,                   \
     (kinds) & KI ? name##_i8 : NULL,   (kinds) & KI ? name##_i16 : NULL,                  \
     (kinds) & KI ? name##_i32 : NULL,  (kinds) & KI ? name##_i64 : NULL,                  \
     (kinds) & KF ? name##_f16 : NULL,  (kinds) & KF ? name##_bf16 : NULL,                 \
     (kinds) & KF ? name##_f32 : NULL,  (kinds) & KF ? name##_f64 : NULL}

#define OUT_IS_BOOL_SAME 0
#define OUT_IS_BOOL_BOOL 1

#endif
