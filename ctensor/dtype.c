/* dtype.c -- the table of per-dtype facts and torch's promotion table.
 * Kernels live elsewhere; this file only answers "how big, what kind, what wins". */
#include "ctensor.h"

/* generates one tt_dtype_info row per line of dtypes.def */
const tt_dtype_info tt_dtypes[TT_NUM_DTYPES] = {
#define X(ENUM, ctype, suffix, compute, category, name) \
    [ENUM] = {name, (int)sizeof(ctype), (tt_category)(category),             \
              (category) == 2 || (ctype)(-1) < (ctype)0},
    TT_DTYPES(X)
#undef X
};

/* torch.promote_types, as a table: row a, column b.  Mixed signedness widens
 * (uint8 + int8 -> int16); float16 + bfloat16 meet at float32; bool always loses. */
#define b_ TT_BOOL
#define u8 TT_UINT8
#define i8 TT_INT8
#define i16 TT_INT16
#define i32 TT_INT32
#define i64 TT_INT64
#define f16 TT_FLOAT16
#define bf TT_BFLOAT16
#define f32 TT_FLOAT32
#define f64 TT_FLOAT64
static const tt_dtype promotion[TT_NUM_DTYPES][TT_NUM_DTYPES] = {
    /*          b_   u8   i8   i16  i32  i64  f16  bf   f32  f64 */
    /* b_  */ {b_,  u8,  i8,  i16, i32, i64, f16, bf,  f32, f64},
    /* u8  */ {u8,  u8,  i16, i16, i32, i64, f16, bf,  f32, f64},
    /* i8  */ {i8,  i16, i8,  i16, i32, i64, f16, bf,  f32, f64},
    /* i16 */ {i16, i16, i16, i16, i32, i64, f16, bf,  f32, f64},
    /* i32 */ {i32, i32, i32, i32, i32, i64, f16, bf,  f32, f64},
    /* i64 */ {i64, i64, i64, i64, i64, i64, f16, bf,  f32, f64},
    /* f16 */ {f16, f16, f16, f16, f16, f16, f16, f32, f32, f64},
    /* bf  */ {bf,  bf,  bf,  bf,  bf,  bf,  f32, bf,  f32, f64},
    /* f32 */ {f32, f32, f32, f32, f32, f32, f32, f32, f32, f64},
    /* f64 */ {f64, f64, f64, f64, f64, f64, f64, f64, f64, f64},
};
#undef b_
#undef u8
#undef i8
#undef i16
#undef i32
#undef i64
#undef f16
#undef bf
#undef f32
#undef f64

tt_dtype
tt_promote(tt_dtype a, tt_dtype b)
{
    return promotion[a][b];
}
